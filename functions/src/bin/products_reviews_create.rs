//! POST /api/v1/products/{slug}/reviews — handler: shop::api::products_reviews_create
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::products_reviews_create::ROUTE.needs).await?;
    lambda::serve(
        api::products_reviews_create::ROUTE.needs,
        api::products_reviews_create::ROUTE.serve,
        env.state().with_table(env.table().await),
    )
    .await
}
