//! GET /api/v1/bundles — handler: shop::api::bundles_list
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::bundles_list::ROUTE.needs).await?;
    lambda::serve(
        api::bundles_list::ROUTE.needs,
        api::bundles_list::ROUTE.serve,
        env.state().with_reader(env.reader().await),
    )
    .await
}
