//! `PUT /api/v1/wishlist/{product_id}`: adds a product on sale to the user's wishlist;
//! idempotent (204 every time). An unknown product is 404.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::accounts;
use crate::domain::catalog::ProductStatus;
use crate::domain::id::is_ulid;
use crate::error::{ApiError, Problem};
use crate::http::AuthUser;
use crate::state::{AppState, Need};
use crate::store::products;
use crate::store::wishlist::{self, Wish};

pub const ROUTE: Route = Route {
    name: "wishlist_add",
    needs: &[Need::TableWrite, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(wishlist_add)),
    serve: serve!(wishlist_add),
};

#[utoipa::path(put, path = "/api/v1/wishlist/{product_id}", tag = "wishlist",
    params(("product_id" = String, Path, description = "The product's id")), security(("bearer" = [])),
    responses(
        (status = 204, description = "On the wishlist"),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 404, description = "`not_found`: no such product on sale", body = Problem)))]
pub async fn wishlist_add(
    State(state): State<AppState>,
    user: AuthUser,
    Path(product_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if !is_ulid(&product_id) {
        return Err(ApiError::NotFound);
    }
    let table = state.table();
    products::get(table, &product_id)
        .await?
        .filter(|(p, _)| p.status == ProductStatus::Active)
        .ok_or(ApiError::NotFound)?;
    let wish = Wish {
        product_id,
        added_at: accounts::rfc3339(accounts::now()),
    };
    wishlist::add(table, user.id(), &wish).await?;
    Ok(StatusCode::NO_CONTENT)
}
