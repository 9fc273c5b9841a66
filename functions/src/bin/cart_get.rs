//! GET /api/v1/cart — handler: shop::api::cart_get
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::cart_get::ROUTE.needs).await?;
    lambda::serve(
        api::cart_get::ROUTE.needs,
        api::cart_get::ROUTE.serve,
        env.state().with_reader(env.reader().await),
    )
    .await
}
