//! GET /api/v1/orders/{id}/payment — handler: shop::api::orders_payment
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::orders_payment::ROUTE.needs).await?;
    lambda::serve(
        api::orders_payment::ROUTE.needs,
        api::orders_payment::ROUTE.serve,
        env.state().with_reader(env.reader().await),
    )
    .await
}
