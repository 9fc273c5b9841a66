//! POST /api/v1/auth/password-reset — handler: shop::api::auth_password_reset
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::auth_password_reset::ROUTE.needs).await?;
    lambda::serve(
        api::auth_password_reset::ROUTE.needs,
        api::auth_password_reset::ROUTE.serve,
        env.state()
            .with_table(env.table().await)
            .with_queue(env.queue().await),
    )
    .await
}
