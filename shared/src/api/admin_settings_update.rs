//! `PUT /api/v1/admin/settings`: an admin replaces the whole settings object. Every field is
//! checked and each bad one named (422). Other functions see the change within 10 seconds
//! (their cache's age), the local server at its next request.

use axum::extract::State;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::accounts;
use crate::domain::settings::{Settings, SettingsInput};
use crate::error::{ApiError, Problem};
use crate::http::{Admin, Json};
use crate::state::{AppState, Need};
use crate::store::settings;

pub const ROUTE: Route = Route {
    name: "admin_settings_update",
    needs: &[Need::TableWrite, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(admin_settings_update)),
    serve: serve!(admin_settings_update),
};

#[utoipa::path(put, path = "/api/v1/admin/settings", tag = "admin", request_body = SettingsInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The settings as saved", body = Settings),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 403, description = "`forbidden`: not an admin", body = Problem),
        (status = 422, description = "`validation_failed`: every missing or bad field named", body = Problem)))]
pub async fn admin_settings_update(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Json(input): Json<SettingsInput>,
) -> Result<Json<Settings>, ApiError> {
    let new = input.validate().map_err(ApiError::Validation)?;
    settings::put(state.table(), &new, &accounts::rfc3339(accounts::now())).await?;
    tracing::info!(admin = admin.id(), "settings replaced");
    Ok(Json(new))
}
