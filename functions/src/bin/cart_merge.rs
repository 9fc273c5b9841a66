//! POST /api/v1/cart/merge — handler: shop::api::cart_merge
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::cart_merge::ROUTE.needs).await?;
    lambda::serve(
        api::cart_merge::ROUTE.needs,
        api::cart_merge::ROUTE.serve,
        env.state()
            .with_table(env.table().await)
            .with_queue(env.queue().await),
    )
    .await
}
