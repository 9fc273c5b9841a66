//! GET /api/v1/me — handler: shop::api::me_get
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::me_get::ROUTE.needs).await?;
    lambda::serve(
        api::me_get::ROUTE.needs,
        api::me_get::ROUTE.serve,
        env.state().with_reader(env.reader().await),
    )
    .await
}
