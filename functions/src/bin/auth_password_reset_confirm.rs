//! POST /api/v1/auth/password-reset/confirm — handler: shop::api::auth_password_reset_confirm
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::auth_password_reset_confirm::ROUTE.needs).await?;
    lambda::serve(
        api::auth_password_reset_confirm::ROUTE.needs,
        api::auth_password_reset_confirm::ROUTE.serve,
        env.state().with_table(env.table().await),
    )
    .await
}
