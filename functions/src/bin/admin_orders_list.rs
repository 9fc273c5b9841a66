//! GET /api/v1/admin/orders — handler: shop::api::admin_orders_list
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::admin_orders_list::ROUTE.needs).await?;
    lambda::serve(
        api::admin_orders_list::ROUTE.needs,
        api::admin_orders_list::ROUTE.serve,
        env.state().with_reader(env.reader().await),
    )
    .await
}
