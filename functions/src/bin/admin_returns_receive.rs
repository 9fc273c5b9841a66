//! POST /api/v1/admin/returns/{id}/receive — handler: shop::api::admin_returns_receive
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::admin_returns_receive::ROUTE.needs).await?;
    lambda::serve(
        api::admin_returns_receive::ROUTE.needs,
        api::admin_returns_receive::ROUTE.serve,
        env.state()
            .with_table(env.table().await)
            .with_stripe(env.stripe())
            .with_queue(env.queue().await),
    )
    .await
}
