//! GET /api/v1/products — handler: shop::api::products_list
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::products_list::ROUTE.needs).await?;
    lambda::serve(
        api::products_list::ROUTE.needs,
        api::products_list::ROUTE.serve,
        env.state().with_reader(env.reader().await),
    )
    .await
}
