//! `GET /api/v1/admin/webhooks/{id}/deliveries`: every delivery attempt to a subscription,
//! newest first: the event, the receiver's status, how long it took, the error and when the
//! next retry is due; paginated.

use axum::extract::{Path, State};
use axum::http::Uri;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::error::{ApiError, Problem};
use crate::http::{Admin, Json};
use crate::paging::{List, Page, next_cursor};
use crate::state::{AppState, Need};
use crate::store::webhooks::{self, Attempt};

pub const ROUTE: Route = Route {
    name: "admin_webhooks_deliveries",
    needs: &[Need::TableRead, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(admin_webhooks_deliveries)),
    serve: serve!(admin_webhooks_deliveries),
};

#[utoipa::path(get, path = "/api/v1/admin/webhooks/{id}/deliveries", tag = "admin",
    params(("id" = String, Path, description = "The subscription id"),
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "1..=100, default 20"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of attempts, newest first", body = List<Attempt>),
        (status = 400, description = "`invalid_cursor`", body = Problem),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 403, description = "`forbidden`: not an admin", body = Problem),
        (status = 404, description = "`not_found`: no such subscription", body = Problem),
        (status = 422, description = "`validation_failed`: a bad `limit`", body = Problem)))]
pub async fn admin_webhooks_deliveries(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Json<List<Attempt>>, ApiError> {
    if id.len() > 64 || webhooks::get(state.reader(), &id).await?.is_none() {
        return Err(ApiError::NotFound);
    }
    let key = &state.auth().cursor_key;
    let scope = format!("webhook-deliveries:{id}");
    let page = Page::from_uri(&uri, key, &scope)?;
    let (found, last) = webhooks::attempts(state.reader(), &id, &page).await?;
    Ok(Json(List {
        items: found,
        next_cursor: next_cursor(last, key, &scope),
    }))
}
