//! POST /api/v1/auth/register — handler: shop::api::auth_register
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::auth_register::ROUTE.needs).await?;
    lambda::serve(
        api::auth_register::ROUTE.needs,
        api::auth_register::ROUTE.serve,
        env.state()
            .with_table(env.table().await)
            .with_queue(env.queue().await),
    )
    .await
}
