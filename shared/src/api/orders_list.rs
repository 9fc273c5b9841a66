//! `GET /api/v1/orders`: the caller's orders, newest first, `?status=&from=&to=`, paginated.

use axum::extract::State;
use axum::http::Uri;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::error::{ApiError, Problem};
use crate::http::{AuthUser, Json};
use crate::orders::{OrderView, list};
use crate::paging::{List, Page, next_cursor};
use crate::state::{AppState, Need};
use crate::store::orders;

pub const ROUTE: Route = Route {
    name: "orders_list",
    needs: &[Need::TableRead, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(orders_list)),
    serve: serve!(orders_list),
};

#[utoipa::path(get, path = "/api/v1/orders", tag = "orders", security(("bearer" = [])),
    params(
        ("status" = Option<crate::domain::order::OrderStatus>, Query, description = "Only orders in this status"),
        ("from" = Option<String>, Query, format = DateTime, description = "Placed at or after (RFC 3339)"),
        ("to" = Option<String>, Query, format = DateTime, description = "Placed at or before (RFC 3339); before `from` lists nothing"),
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "1..=100, default 20"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page")),
    responses(
        (status = 200, description = "A page of the caller's orders, newest first", body = List<OrderView>),
        (status = 400, description = "`invalid_cursor`", body = Problem),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 422, description = "`validation_failed`: a bad status, date or limit", body = Problem)))]
pub async fn orders_list(
    State(state): State<AppState>,
    user: AuthUser,
    uri: Uri,
) -> Result<Json<List<OrderView>>, ApiError> {
    let filter = list::filter(&uri, false)?;
    let scope = list::scope(&format!("orders:{}", user.id()), &filter);
    let key = &state.auth().cursor_key;
    let page = Page::from_uri(&uri, key, &scope)?;
    let (found, last) = orders::page(state.reader(), Some(user.id()), &filter, &page).await?;
    Ok(Json(List {
        items: found.iter().map(OrderView::from).collect(),
        next_cursor: next_cursor(last, key, &scope),
    }))
}
