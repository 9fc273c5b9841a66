//! POST /api/v1/auth/login — handler: shop::api::auth_login
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::auth_login::ROUTE.needs).await?;
    lambda::serve(
        api::auth_login::ROUTE.needs,
        api::auth_login::ROUTE.serve,
        env.state().with_table(env.table().await),
    )
    .await
}
