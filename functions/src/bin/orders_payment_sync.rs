//! POST /api/v1/orders/{id}/payment/sync — handler: shop::api::orders_payment_sync
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::orders_payment_sync::ROUTE.needs).await?;
    lambda::serve(
        api::orders_payment_sync::ROUTE.needs,
        api::orders_payment_sync::ROUTE.serve,
        env.state()
            .with_table(env.table().await)
            .with_stripe(env.stripe())
            .with_queue(env.queue().await),
    )
    .await
}
