//! DELETE /api/v1/admin/products/{id} — handler: shop::api::admin_products_archive
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::admin_products_archive::ROUTE.needs).await?;
    lambda::serve(
        api::admin_products_archive::ROUTE.needs,
        api::admin_products_archive::ROUTE.serve,
        env.state()
            .with_table(env.table().await)
            .with_queue(env.queue().await),
    )
    .await
}
