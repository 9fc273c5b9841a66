//! DELETE /api/v1/admin/webhooks/{id} — handler: shop::api::admin_webhooks_delete
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::admin_webhooks_delete::ROUTE.needs).await?;
    lambda::serve(
        api::admin_webhooks_delete::ROUTE.needs,
        api::admin_webhooks_delete::ROUTE.serve,
        env.state().with_table(env.table().await),
    )
    .await
}
