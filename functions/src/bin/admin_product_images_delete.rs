//! DELETE /api/v1/admin/products/{id}/images/{image_id} — handler: shop::api::admin_product_images_delete
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::admin_product_images_delete::ROUTE.needs).await?;
    lambda::serve(
        api::admin_product_images_delete::ROUTE.needs,
        api::admin_product_images_delete::ROUTE.serve,
        env.state()
            .with_table(env.table().await)
            .with_blobs(env.blobs().await),
    )
    .await
}
