//! DELETE /api/v1/reviews/{id} — handler: shop::api::reviews_delete
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::reviews_delete::ROUTE.needs).await?;
    lambda::serve(
        api::reviews_delete::ROUTE.needs,
        api::reviews_delete::ROUTE.serve,
        env.state().with_table(env.table().await),
    )
    .await
}
