//! GET /api/v1/orders/{id}/tracking — handler: shop::api::orders_tracking
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::orders_tracking::ROUTE.needs).await?;
    lambda::serve(
        api::orders_tracking::ROUTE.needs,
        api::orders_tracking::ROUTE.serve,
        env.state().with_reader(env.reader().await),
    )
    .await
}
