//! PATCH /api/v1/me — handler: shop::api::me_update
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::me_update::ROUTE.needs).await?;
    lambda::serve(
        api::me_update::ROUTE.needs,
        api::me_update::ROUTE.serve,
        env.state().with_table(env.table().await),
    )
    .await
}
