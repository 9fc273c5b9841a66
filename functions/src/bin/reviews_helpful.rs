//! POST /api/v1/reviews/{id}/helpful — handler: shop::api::reviews_helpful
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::reviews_helpful::ROUTE.needs).await?;
    lambda::serve(
        api::reviews_helpful::ROUTE.needs,
        api::reviews_helpful::ROUTE.serve,
        env.state().with_table(env.table().await),
    )
    .await
}
