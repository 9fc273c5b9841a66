//! `PATCH /api/v1/reviews/{id}`: edits one's own review (another user's is 404); a changed
//! rating moves the product's rating in the same transaction.

use axum::extract::{Path, State};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::accounts;
use crate::catalog::review::review_error;
use crate::catalog::review::{ReviewPatch, ReviewView};
use crate::error::{ApiError, Problem};
use crate::http::{AuthUser, Json};
use crate::state::{AppState, Need};
use crate::store::reviews;

pub const ROUTE: Route = Route {
    name: "reviews_update",
    needs: &[Need::TableWrite, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(reviews_update)),
    serve: serve!(reviews_update),
};

#[utoipa::path(patch, path = "/api/v1/reviews/{id}", tag = "catalog", request_body = ReviewPatch,
    params(("id" = String, Path, description = "The review's id")), security(("bearer" = [])),
    responses(
        (status = 200, description = "The review as it now is", body = ReviewView),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 404, description = "`not_found` (also another user's review)", body = Problem)))]
pub async fn reviews_update(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(patch): Json<ReviewPatch>,
) -> Result<Json<ReviewView>, ApiError> {
    let change = patch.checked()?;
    let now = accounts::rfc3339(accounts::now());
    let review = reviews::update(state.table(), &id, user.id(), &change, &now)
        .await
        .map_err(review_error)?;
    Ok(Json(review.into()))
}
