//! GET /api/v1/wishlist/{product_id} — handler: shop::api::wishlist_check
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::wishlist_check::ROUTE.needs).await?;
    lambda::serve(
        api::wishlist_check::ROUTE.needs,
        api::wishlist_check::ROUTE.serve,
        env.state().with_reader(env.reader().await),
    )
    .await
}
