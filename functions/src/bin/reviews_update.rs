//! PATCH /api/v1/reviews/{id} — handler: shop::api::reviews_update
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::reviews_update::ROUTE.needs).await?;
    lambda::serve(
        api::reviews_update::ROUTE.needs,
        api::reviews_update::ROUTE.serve,
        env.state().with_table(env.table().await),
    )
    .await
}
