//! GET /api/v1/health — handler: shop::api::health
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::health::ROUTE.needs).await?;
    lambda::serve(
        api::health::ROUTE.needs,
        api::health::ROUTE.serve,
        env.state(),
    )
    .await
}
