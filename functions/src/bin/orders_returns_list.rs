//! GET /api/v1/orders/{id}/returns — handler: shop::api::orders_returns_list
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::orders_returns_list::ROUTE.needs).await?;
    lambda::serve(
        api::orders_returns_list::ROUTE.needs,
        api::orders_returns_list::ROUTE.serve,
        env.state().with_reader(env.reader().await),
    )
    .await
}
