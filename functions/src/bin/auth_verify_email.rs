//! POST /api/v1/auth/verify-email — handler: shop::api::auth_verify_email
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::auth_verify_email::ROUTE.needs).await?;
    lambda::serve(
        api::auth_verify_email::ROUTE.needs,
        api::auth_verify_email::ROUTE.serve,
        env.state().with_table(env.table().await),
    )
    .await
}
