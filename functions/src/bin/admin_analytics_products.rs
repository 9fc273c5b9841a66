//! GET /api/v1/admin/analytics/products — handler: shop::api::admin_analytics_products
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::admin_analytics_products::ROUTE.needs).await?;
    lambda::serve(
        api::admin_analytics_products::ROUTE.needs,
        api::admin_analytics_products::ROUTE.serve,
        env.state().with_reader(env.reader().await),
    )
    .await
}
