//! POST /api/v1/auth/logout — handler: shop::api::auth_logout
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::auth_logout::ROUTE.needs).await?;
    lambda::serve(
        api::auth_logout::ROUTE.needs,
        api::auth_logout::ROUTE.serve,
        env.state().with_table(env.table().await),
    )
    .await
}
