//! POST /api/v1/auth/token/refresh — handler: shop::api::auth_token_refresh
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::auth_token_refresh::ROUTE.needs).await?;
    lambda::serve(
        api::auth_token_refresh::ROUTE.needs,
        api::auth_token_refresh::ROUTE.serve,
        env.state().with_table(env.table().await),
    )
    .await
}
