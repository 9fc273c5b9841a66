//! `DELETE /api/v1/me/addresses/{id}`: deletes one of the user's addresses; if it was the
//! default, another one becomes the default.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::domain::id::is_ulid;
use crate::error::{ApiError, Problem};
use crate::http::AuthUser;
use crate::state::{AppState, Need};
use crate::store::addresses::{self, ChangeAddressError};

pub const ROUTE: Route = Route {
    name: "addresses_delete",
    needs: &[Need::TableWrite, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(addresses_delete)),
    serve: serve!(addresses_delete),
};

#[utoipa::path(delete, path = "/api/v1/me/addresses/{id}", tag = "account",
    params(("id" = String, Path, description = "The address id")), security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 404, description = "`not_found` (also another user's address)", body = Problem)))]
pub async fn addresses_delete(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if !is_ulid(&id) {
        return Err(ApiError::NotFound);
    }
    addresses::delete(state.table(), user.id(), &id)
        .await
        .map_err(|e| match e {
            ChangeAddressError::NotFound => ApiError::NotFound,
            ChangeAddressError::Store(e) => e.into(),
        })?;
    Ok(StatusCode::NO_CONTENT)
}
