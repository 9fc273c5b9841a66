//! POST /api/v1/stripe/webhook — handler: shop::api::stripe_webhook
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::stripe_webhook::ROUTE.needs).await?;
    lambda::serve(
        api::stripe_webhook::ROUTE.needs,
        api::stripe_webhook::ROUTE.serve,
        env.state()
            .with_table(env.table().await)
            .with_queue(env.queue().await),
    )
    .await
}
