//! GET /api/v1/admin/products — handler: shop::api::admin_products_list
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::admin_products_list::ROUTE.needs).await?;
    lambda::serve(
        api::admin_products_list::ROUTE.needs,
        api::admin_products_list::ROUTE.serve,
        env.state().with_reader(env.reader().await),
    )
    .await
}
