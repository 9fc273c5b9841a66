//! POST /api/v1/auth/verify-email/resend — handler: shop::api::auth_verify_email_resend
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::auth_verify_email_resend::ROUTE.needs).await?;
    lambda::serve(
        api::auth_verify_email_resend::ROUTE.needs,
        api::auth_verify_email_resend::ROUTE.serve,
        env.state()
            .with_table(env.table().await)
            .with_queue(env.queue().await),
    )
    .await
}
