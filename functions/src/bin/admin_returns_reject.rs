//! POST /api/v1/admin/returns/{id}/reject — handler: shop::api::admin_returns_reject
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::admin_returns_reject::ROUTE.needs).await?;
    lambda::serve(
        api::admin_returns_reject::ROUTE.needs,
        api::admin_returns_reject::ROUTE.serve,
        env.state()
            .with_table(env.table().await)
            .with_queue(env.queue().await),
    )
    .await
}
