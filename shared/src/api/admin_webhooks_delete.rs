//! `DELETE /api/v1/admin/webhooks/{id}`: ends a subscription; deliveries still queued for it
//! stop at their next attempt.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::error::{ApiError, Problem};
use crate::http::Admin;
use crate::state::{AppState, Need};
use crate::store::webhooks;

pub const ROUTE: Route = Route {
    name: "admin_webhooks_delete",
    needs: &[Need::TableWrite, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(admin_webhooks_delete)),
    serve: serve!(admin_webhooks_delete),
};

#[utoipa::path(delete, path = "/api/v1/admin/webhooks/{id}", tag = "admin",
    params(("id" = String, Path, description = "The subscription id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 403, description = "`forbidden`: not an admin", body = Problem),
        (status = 404, description = "`not_found`", body = Problem)))]
pub async fn admin_webhooks_delete(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if id.len() > 64 || !webhooks::delete(state.table(), &id).await? {
        return Err(ApiError::NotFound);
    }
    Ok(StatusCode::NO_CONTENT)
}
