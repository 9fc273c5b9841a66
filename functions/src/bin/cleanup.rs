//! The scheduled cleanup (EventBridge, every 5 minutes) — handler: shop::cleanup
use shop::lambda;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(shop::cleanup::NEEDS).await?;
    let state = env
        .state()
        .with_table(env.table().await)
        .with_queue(env.queue().await)
        .with_stripe(env.stripe());
    lambda::run_cleanup(state).await
}
