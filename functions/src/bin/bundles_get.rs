//! GET /api/v1/bundles/{slug} — handler: shop::api::bundles_get
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::bundles_get::ROUTE.needs).await?;
    lambda::serve(
        api::bundles_get::ROUTE.needs,
        api::bundles_get::ROUTE.serve,
        env.state().with_reader(env.reader().await),
    )
    .await
}
