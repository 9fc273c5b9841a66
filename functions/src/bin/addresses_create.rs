//! POST /api/v1/me/addresses — handler: shop::api::addresses_create
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::addresses_create::ROUTE.needs).await?;
    lambda::serve(
        api::addresses_create::ROUTE.needs,
        api::addresses_create::ROUTE.serve,
        env.state().with_table(env.table().await),
    )
    .await
}
