//! The SQS-triggered worker — handler: shop::worker
use shop::lambda;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(shop::worker::NEEDS).await?;
    lambda::run_worker(
        env.state()
            .with_table(env.table().await)
            .with_queue(env.queue().await)
            .with_blobs(env.blobs().await)
            .with_stripe(env.stripe())
            .with_dead_letters(env.dead_letters().await)
            .with_mailer(env.mailer().await),
    )
    .await
}
