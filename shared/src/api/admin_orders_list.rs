//! `GET /api/v1/admin/orders`: every order for an admin, newest first, `?status=&email=&from=&to=`,
//! paginated.

use axum::extract::State;
use axum::http::Uri;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::error::{ApiError, Problem};
use crate::http::{Admin, Json};
use crate::orders::{OrderView, list};
use crate::paging::{List, Page, next_cursor};
use crate::state::{AppState, Need};
use crate::store::orders;

pub const ROUTE: Route = Route {
    name: "admin_orders_list",
    needs: &[Need::TableRead, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(admin_orders_list)),
    serve: serve!(admin_orders_list),
};

#[utoipa::path(get, path = "/api/v1/admin/orders", tag = "admin", security(("bearer" = [])),
    params(
        ("status" = Option<crate::domain::order::OrderStatus>, Query, description = "Only orders in this status"),
        ("email" = Option<String>, Query, format = Email, description = "Only the orders of this email"),
        ("from" = Option<String>, Query, format = DateTime, description = "Placed at or after (RFC 3339)"),
        ("to" = Option<String>, Query, format = DateTime, description = "Placed at or before (RFC 3339); before `from` lists nothing"),
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "1..=100, default 20"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page")),
    responses(
        (status = 200, description = "A page of orders, newest first (a page may hold fewer than `limit` when `email` filters)", body = List<OrderView>),
        (status = 400, description = "`invalid_cursor`", body = Problem),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 403, description = "`forbidden`: not an admin", body = Problem),
        (status = 422, description = "`validation_failed`: a bad status, email, date or limit", body = Problem)))]
pub async fn admin_orders_list(
    State(state): State<AppState>,
    _admin: Admin,
    uri: Uri,
) -> Result<Json<List<OrderView>>, ApiError> {
    let filter = list::filter(&uri, true)?;
    let scope = list::scope("admin-orders", &filter);
    let key = &state.auth().cursor_key;
    let page = Page::from_uri(&uri, key, &scope)?;
    let (found, last) = orders::page(state.reader(), None, &filter, &page).await?;
    Ok(Json(List {
        items: found.iter().map(OrderView::from).collect(),
        next_cursor: next_cursor(last, key, &scope),
    }))
}
