//! DELETE /api/v1/me — handler: shop::api::me_delete
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::me_delete::ROUTE.needs).await?;
    lambda::serve(
        api::me_delete::ROUTE.needs,
        api::me_delete::ROUTE.serve,
        env.state().with_table(env.table().await),
    )
    .await
}
