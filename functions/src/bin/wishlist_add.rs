//! PUT /api/v1/wishlist/{product_id} — handler: shop::api::wishlist_add
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::wishlist_add::ROUTE.needs).await?;
    lambda::serve(
        api::wishlist_add::ROUTE.needs,
        api::wishlist_add::ROUTE.serve,
        env.state().with_table(env.table().await),
    )
    .await
}
