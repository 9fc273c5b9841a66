//! POST /api/v1/orders/{id}/cancel — handler: shop::api::orders_cancel
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::orders_cancel::ROUTE.needs).await?;
    lambda::serve(
        api::orders_cancel::ROUTE.needs,
        api::orders_cancel::ROUTE.serve,
        env.state()
            .with_table(env.table().await)
            .with_stripe(env.stripe())
            .with_queue(env.queue().await),
    )
    .await
}
