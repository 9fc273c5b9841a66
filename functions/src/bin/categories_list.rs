//! GET /api/v1/categories — handler: shop::api::categories_list
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::categories_list::ROUTE.needs).await?;
    lambda::serve(
        api::categories_list::ROUTE.needs,
        api::categories_list::ROUTE.serve,
        env.state().with_reader(env.reader().await),
    )
    .await
}
