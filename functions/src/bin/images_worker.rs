//! The SQS-triggered images worker (display sizes) — handler: shop::images_worker
use shop::lambda;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(shop::images_worker::NEEDS).await?;
    lambda::run_images_worker(
        env.state()
            .with_table(env.table().await)
            .with_blobs(env.blobs().await),
    )
    .await
}
