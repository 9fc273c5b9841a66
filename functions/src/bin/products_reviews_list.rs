//! GET /api/v1/products/{slug}/reviews — handler: shop::api::products_reviews_list
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::products_reviews_list::ROUTE.needs).await?;
    lambda::serve(
        api::products_reviews_list::ROUTE.needs,
        api::products_reviews_list::ROUTE.serve,
        env.state().with_reader(env.reader().await),
    )
    .await
}
