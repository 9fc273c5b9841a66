//! GET /api/v1/orders/{id}/invoice — handler: shop::api::orders_invoice
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::orders_invoice::ROUTE.needs).await?;
    lambda::serve(
        api::orders_invoice::ROUTE.needs,
        api::orders_invoice::ROUTE.serve,
        env.state()
            .with_reader(env.reader().await)
            .with_blobs(env.blobs().await),
    )
    .await
}
