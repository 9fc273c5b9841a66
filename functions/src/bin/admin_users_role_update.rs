//! PUT /api/v1/admin/users/{id}/role — handler: shop::api::admin_users_role_update
use shop::{api, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    let env = lambda::Env::load(api::admin_users_role_update::ROUTE.needs).await?;
    lambda::serve(
        api::admin_users_role_update::ROUTE.needs,
        api::admin_users_role_update::ROUTE.serve,
        env.state().with_table(env.table().await),
    )
    .await
}
