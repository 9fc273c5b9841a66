//! GET /api/v1/me/addresses — handler: shop::api::addresses_list
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::addresses_list::ROUTE.needs).await?;
    lambda::serve(
        api::addresses_list::ROUTE.needs,
        api::addresses_list::ROUTE.serve,
        env.state().with_reader(env.reader().await),
    )
    .await
}
