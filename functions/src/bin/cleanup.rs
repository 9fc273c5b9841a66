//! The scheduled cleanup (EventBridge, every 5 minutes) — handler: shop::cleanup
use shop::lambda;

#[tokio::main]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(shop::cleanup::NEEDS).await?;
    lambda::run_cleanup(env.state().with_table(env.table().await)).await
}
