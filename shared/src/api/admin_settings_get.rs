//! `GET /api/v1/admin/settings`: the store's settings as stored now (the defaults before an
//! admin first saves them).

use axum::extract::State;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::domain::settings::Settings;
use crate::error::{ApiError, Problem};
use crate::http::{Admin, Json};
use crate::state::{AppState, Need};
use crate::store::settings;

pub const ROUTE: Route = Route {
    name: "admin_settings_get",
    needs: &[Need::TableRead, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(admin_settings_get)),
    serve: serve!(admin_settings_get),
};

#[utoipa::path(get, path = "/api/v1/admin/settings", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, description = "The settings", body = Settings),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 403, description = "`forbidden`: not an admin", body = Problem)))]
pub async fn admin_settings_get(
    State(state): State<AppState>,
    _admin: Admin,
) -> Result<Json<Settings>, ApiError> {
    // Read now, not from the cache: an admin checking what they saved sees it.
    Ok(Json(settings::read(state.reader()).await?))
}
