//! `POST /api/v1/reviews/{id}/helpful`: a signed-in user finds a review helpful; it counts once
//! per user (a second vote is a 204 no-op). Voting on one's own review is 403.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::catalog::review::review_error;
use crate::error::{ApiError, Problem};
use crate::http::AuthUser;
use crate::state::{AppState, Need};
use crate::store::reviews;

pub const ROUTE: Route = Route {
    name: "reviews_helpful",
    needs: &[Need::TableWrite, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(reviews_helpful)),
    serve: serve!(reviews_helpful),
};

#[utoipa::path(post, path = "/api/v1/reviews/{id}/helpful", tag = "catalog",
    params(("id" = String, Path, description = "The review's id")), security(("bearer" = [])),
    responses(
        (status = 204, description = "Counted (or counted before)"),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 403, description = "`forbidden`: one's own review", body = Problem),
        (status = 404, description = "`not_found`", body = Problem)))]
pub async fn reviews_helpful(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    reviews::vote_helpful(state.table(), &id, user.id())
        .await
        .map_err(review_error)?;
    Ok(StatusCode::NO_CONTENT)
}
