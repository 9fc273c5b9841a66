//! PATCH /api/v1/cart/items/{sku} — handler: shop::api::cart_items_update
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::cart_items_update::ROUTE.needs).await?;
    lambda::serve(
        api::cart_items_update::ROUTE.needs,
        api::cart_items_update::ROUTE.serve,
        env.state()
            .with_table(env.table().await)
            .with_queue(env.queue().await),
    )
    .await
}
