//! GET /api/v1/me/addresses — handler: shop::api::addresses_list
use shop::{api, lambda};

#[tokio::main]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load().await?;
    lambda::serve(
        &api::addresses_list::ROUTE,
        env.state().with_table(env.table().await),
    )
    .await
}
