//! POST /api/v1/orders/{id}/returns — handler: shop::api::orders_returns_create
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::orders_returns_create::ROUTE.needs).await?;
    lambda::serve(
        api::orders_returns_create::ROUTE.needs,
        api::orders_returns_create::ROUTE.serve,
        env.state()
            .with_table(env.table().await)
            .with_queue(env.queue().await),
    )
    .await
}
