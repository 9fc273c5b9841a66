//! GET /api/v1/orders/{id} — handler: shop::api::orders_get
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::orders_get::ROUTE.needs).await?;
    lambda::serve(
        api::orders_get::ROUTE.needs,
        api::orders_get::ROUTE.serve,
        env.state().with_reader(env.reader().await),
    )
    .await
}
