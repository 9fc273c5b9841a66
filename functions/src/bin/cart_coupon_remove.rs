//! DELETE /api/v1/cart/coupon — handler: shop::api::cart_coupon_remove
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::cart_coupon_remove::ROUTE.needs).await?;
    lambda::serve(
        api::cart_coupon_remove::ROUTE.needs,
        api::cart_coupon_remove::ROUTE.serve,
        env.state()
            .with_table(env.table().await)
            .with_queue(env.queue().await),
    )
    .await
}
