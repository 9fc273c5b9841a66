//! POST /api/v1/coupons/try-luck — handler: shop::api::coupons_try_luck
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::coupons_try_luck::ROUTE.needs).await?;
    lambda::serve(
        api::coupons_try_luck::ROUTE.needs,
        api::coupons_try_luck::ROUTE.serve,
        env.state()
            .with_table(env.table().await)
            .with_queue(env.queue().await),
    )
    .await
}
