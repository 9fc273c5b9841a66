//! `GET /api/v1/admin/returns`: every return, newest first, `?status=`, paginated.

use axum::extract::State;
use axum::http::Uri;
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::domain::returns::ReturnStatus;
use crate::error::{ApiError, Problem};
use crate::http::query::choice;
use crate::http::{Admin, Json};
use crate::orders::returns::ReturnView;
use crate::paging::{List, Page, next_cursor};
use crate::state::{AppState, Need};
use crate::store::returns;

pub const ROUTE: Route = Route {
    name: "admin_returns_list",
    needs: &[Need::TableRead, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(admin_returns_list)),
    serve: serve!(admin_returns_list),
};

#[derive(Deserialize)]
struct Filter {
    status: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/admin/returns", tag = "admin",
    params(
        ("status" = Option<ReturnStatus>, Query, description = "Only returns in this status"),
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "1..=100, default 20"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of returns, newest first", body = List<ReturnView>),
        (status = 400, description = "`invalid_cursor`", body = Problem),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 403, description = "`forbidden`: not an admin", body = Problem),
        (status = 422, description = "`validation_failed`: a bad `status` or `limit`", body = Problem)))]
pub async fn admin_returns_list(
    State(state): State<AppState>,
    _admin: Admin,
    uri: Uri,
) -> Result<Json<List<ReturnView>>, ApiError> {
    let axum::extract::Query(filter) = axum::extract::Query::<Filter>::try_from_uri(&uri)
        .map_err(|e| ApiError::field("query", e.body_text()))?;
    let status: Option<ReturnStatus> = choice(
        filter.status.as_deref(),
        "status",
        "must be requested, received, refunded or rejected",
    )?;
    let scope = format!("returns:{status:?}");
    let key = &state.auth().cursor_key;
    let page = Page::from_uri(&uri, key, &scope)?;
    let (found, last) = returns::page(state.reader(), status, &page).await?;
    Ok(Json(List {
        items: found.into_iter().map(ReturnView::new).collect(),
        next_cursor: next_cursor(last, key, &scope),
    }))
}
