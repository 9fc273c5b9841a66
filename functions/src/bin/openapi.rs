//! GET /api/v1/openapi.json — handler: shop::api::openapi
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::openapi::ROUTE.needs).await?;
    lambda::serve(
        api::openapi::ROUTE.needs,
        api::openapi::ROUTE.serve,
        env.state(),
    )
    .await
}
