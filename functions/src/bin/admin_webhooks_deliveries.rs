//! GET /api/v1/admin/webhooks/{id}/deliveries — handler: shop::api::admin_webhooks_deliveries
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::admin_webhooks_deliveries::ROUTE.needs).await?;
    lambda::serve(
        api::admin_webhooks_deliveries::ROUTE.needs,
        api::admin_webhooks_deliveries::ROUTE.serve,
        env.state().with_reader(env.reader().await),
    )
    .await
}
