//! POST /api/v1/admin/products/{id}/images — handler: shop::api::admin_product_images_attach
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::admin_product_images_attach::ROUTE.needs).await?;
    lambda::serve(
        api::admin_product_images_attach::ROUTE.needs,
        api::admin_product_images_attach::ROUTE.serve,
        env.state()
            .with_table(env.table().await)
            .with_blobs(env.blobs().await)
            .with_image_queue(env.image_queue().await),
    )
    .await
}
