//! GET /api/v1/admin/analytics/sales — handler: shop::api::admin_analytics_sales
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::admin_analytics_sales::ROUTE.needs).await?;
    lambda::serve(
        api::admin_analytics_sales::ROUTE.needs,
        api::admin_analytics_sales::ROUTE.serve,
        env.state().with_reader(env.reader().await),
    )
    .await
}
