//! GET /api/v1/me/notifications — handler: shop::api::notifications_list
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::notifications_list::ROUTE.needs).await?;
    lambda::serve(
        api::notifications_list::ROUTE.needs,
        api::notifications_list::ROUTE.serve,
        env.state().with_reader(env.reader().await),
    )
    .await
}
