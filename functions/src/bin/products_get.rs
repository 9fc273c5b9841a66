//! GET /api/v1/products/{slug} — handler: shop::api::products_get
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::products_get::ROUTE.needs).await?;
    lambda::serve(
        api::products_get::ROUTE.needs,
        api::products_get::ROUTE.serve,
        env.state().with_reader(env.reader().await),
    )
    .await
}
