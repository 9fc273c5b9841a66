//! GET /api/v1/docs/{version}/{file} — handler: shop::api::docs_assets
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::docs_assets::ROUTE.needs).await?;
    lambda::serve(
        api::docs_assets::ROUTE.needs,
        api::docs_assets::ROUTE.serve,
        env.state(),
    )
    .await
}
