//! PUT /api/v1/admin/products/{id}/images/order — handler: shop::api::admin_product_images_order
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::admin_product_images_order::ROUTE.needs).await?;
    lambda::serve(
        api::admin_product_images_order::ROUTE.needs,
        api::admin_product_images_order::ROUTE.serve,
        env.state().with_table(env.table().await),
    )
    .await
}
