//! `DELETE /api/v1/reviews/{id}`: deletes one's own review, or any review for staff; the
//! product's rating loses it in the same transaction. Another user's review is 404.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::catalog::review::review_error;
use crate::domain::Role;
use crate::error::{ApiError, Problem};
use crate::http::AuthUser;
use crate::state::{AppState, Need};
use crate::store::reviews::{self, Editor};

pub const ROUTE: Route = Route {
    name: "reviews_delete",
    needs: &[Need::TableWrite, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(reviews_delete)),
    serve: serve!(reviews_delete),
};

#[utoipa::path(delete, path = "/api/v1/reviews/{id}", tag = "catalog",
    params(("id" = String, Path, description = "The review's id")), security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 404, description = "`not_found` (also another user's review, unless staff)", body = Problem)))]
pub async fn reviews_delete(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let editor = if user.role().allows(Role::Staff) {
        Editor::Staff
    } else {
        Editor::Author(user.id())
    };
    reviews::delete(state.table(), &id, editor)
        .await
        .map_err(review_error)?;
    Ok(StatusCode::NO_CONTENT)
}
