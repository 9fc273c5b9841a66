//! POST /api/v1/admin/products/{id}/images/uploads — handler: shop::api::admin_product_images_upload
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::admin_product_images_upload::ROUTE.needs).await?;
    lambda::serve(
        api::admin_product_images_upload::ROUTE.needs,
        api::admin_product_images_upload::ROUTE.serve,
        env.state()
            .with_reader(env.reader().await)
            .with_blobs(env.blobs().await),
    )
    .await
}
