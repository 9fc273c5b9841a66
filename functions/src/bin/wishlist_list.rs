//! GET /api/v1/wishlist — handler: shop::api::wishlist_list
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::wishlist_list::ROUTE.needs).await?;
    lambda::serve(
        api::wishlist_list::ROUTE.needs,
        api::wishlist_list::ROUTE.serve,
        env.state().with_reader(env.reader().await),
    )
    .await
}
