//! `DELETE /api/v1/wishlist/{product_id}`: removes a product from the wishlist (204, also
//! when it was not there).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::domain::id::is_ulid;
use crate::error::{ApiError, Problem};
use crate::http::AuthUser;
use crate::state::{AppState, Need};
use crate::store::wishlist;

pub const ROUTE: Route = Route {
    name: "wishlist_remove",
    needs: &[Need::TableWrite, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(wishlist_remove)),
    serve: serve!(wishlist_remove),
};

#[utoipa::path(delete, path = "/api/v1/wishlist/{product_id}", tag = "wishlist",
    params(("product_id" = String, Path, description = "The product's id")), security(("bearer" = [])),
    responses(
        (status = 204, description = "Not on the wishlist (any more)"),
        (status = 401, description = "No valid access token", body = Problem)))]
pub async fn wishlist_remove(
    State(state): State<AppState>,
    user: AuthUser,
    Path(product_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if is_ulid(&product_id) {
        wishlist::remove(state.table(), user.id(), &product_id).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}
