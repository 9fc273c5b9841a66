//! GET /api/v1/admin/carts/abandoned — handler: shop::api::admin_carts_abandoned
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::admin_carts_abandoned::ROUTE.needs).await?;
    lambda::serve(
        api::admin_carts_abandoned::ROUTE.needs,
        api::admin_carts_abandoned::ROUTE.serve,
        env.state().with_reader(env.reader().await),
    )
    .await
}
