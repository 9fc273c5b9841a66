//! POST /api/v1/auth/oauth/google — handler: shop::api::auth_oauth_google
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::auth_oauth_google::ROUTE.needs).await?;
    lambda::serve(
        api::auth_oauth_google::ROUTE.needs,
        api::auth_oauth_google::ROUTE.serve,
        env.state().with_table(env.table().await),
    )
    .await
}
