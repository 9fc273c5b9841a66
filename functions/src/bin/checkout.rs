//! POST /api/v1/checkout — handler: shop::api::checkout
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::checkout::ROUTE.needs).await?;
    lambda::serve(
        api::checkout::ROUTE.needs,
        api::checkout::ROUTE.serve,
        env.state()
            .with_table(env.table().await)
            .with_stripe(env.stripe())
            .with_queue(env.queue().await),
    )
    .await
}
