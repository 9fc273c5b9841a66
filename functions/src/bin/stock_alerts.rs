//! The daily stock alert (EventBridge, once a day) — handler: shop::stock_alerts
use shop::lambda;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(shop::stock_alerts::NEEDS).await?;
    let state = env
        .state()
        .with_reader(env.reader().await)
        .with_queue(env.queue().await);
    lambda::run_stock_alerts(state).await
}
