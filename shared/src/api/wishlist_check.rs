//! `GET /api/v1/wishlist/{product_id}`: 204 if the product is on the user's wishlist, 404 if
//! not.

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
    name: "wishlist_check",
    needs: &[Need::TableRead, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(wishlist_check)),
    serve: serve!(wishlist_check),
};

#[utoipa::path(get, path = "/api/v1/wishlist/{product_id}", tag = "wishlist",
    params(("product_id" = String, Path, description = "The product's id")), security(("bearer" = [])),
    responses(
        (status = 204, description = "On the wishlist"),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 404, description = "`not_found`: not on the wishlist", body = Problem)))]
pub async fn wishlist_check(
    State(state): State<AppState>,
    user: AuthUser,
    Path(product_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if is_ulid(&product_id) && wishlist::contains(state.reader(), user.id(), &product_id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound)
    }
}
