//! GET /api/v1/docs — handler: shop::api::docs
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::docs::ROUTE.needs).await?;
    lambda::serve(api::docs::ROUTE.needs, api::docs::ROUTE.serve, env.state()).await
}
