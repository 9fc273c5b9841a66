//! DELETE /api/v1/wishlist/{product_id} — handler: shop::api::wishlist_remove
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::wishlist_remove::ROUTE.needs).await?;
    lambda::serve(
        api::wishlist_remove::ROUTE.needs,
        api::wishlist_remove::ROUTE.serve,
        env.state().with_table(env.table().await),
    )
    .await
}
