//! DELETE /api/v1/me/addresses/{id} — handler: shop::api::addresses_delete
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::addresses_delete::ROUTE.needs).await?;
    lambda::serve(
        api::addresses_delete::ROUTE.needs,
        api::addresses_delete::ROUTE.serve,
        env.state().with_table(env.table().await),
    )
    .await
}
