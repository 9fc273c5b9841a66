//! DELETE /api/v1/cart — handler: shop::api::cart_clear
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::cart_clear::ROUTE.needs).await?;
    lambda::serve(
        api::cart_clear::ROUTE.needs,
        api::cart_clear::ROUTE.serve,
        env.state()
            .with_table(env.table().await)
            .with_queue(env.queue().await),
    )
    .await
}
