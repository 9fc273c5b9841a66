//! PUT /api/v1/cart/coupon — handler: shop::api::cart_coupon_apply
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::cart_coupon_apply::ROUTE.needs).await?;
    lambda::serve(
        api::cart_coupon_apply::ROUTE.needs,
        api::cart_coupon_apply::ROUTE.serve,
        env.state()
            .with_table(env.table().await)
            .with_queue(env.queue().await),
    )
    .await
}
