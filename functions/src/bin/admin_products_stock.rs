//! PUT /api/v1/admin/products/{id}/stock — handler: shop::api::admin_products_stock
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::admin_products_stock::ROUTE.needs).await?;
    lambda::serve(
        api::admin_products_stock::ROUTE.needs,
        api::admin_products_stock::ROUTE.serve,
        env.state().with_table(env.table().await),
    )
    .await
}
