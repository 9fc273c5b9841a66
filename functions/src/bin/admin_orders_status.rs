//! POST /api/v1/admin/orders/{id}/status — handler: shop::api::admin_orders_status
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::admin_orders_status::ROUTE.needs).await?;
    lambda::serve(
        api::admin_orders_status::ROUTE.needs,
        api::admin_orders_status::ROUTE.serve,
        env.state()
            .with_table(env.table().await)
            .with_stripe(env.stripe())
            .with_queue(env.queue().await),
    )
    .await
}
