//! POST /api/v1/admin/categories — handler: shop::api::admin_categories_create
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::admin_categories_create::ROUTE.needs).await?;
    lambda::serve(
        api::admin_categories_create::ROUTE.needs,
        api::admin_categories_create::ROUTE.serve,
        env.state().with_table(env.table().await),
    )
    .await
}
