//! `GET /api/v1/orders/{id}`: one order, for its buyer (bearer) or a guest with the order's
//! token (`?token=`); anyone else's is 404.

use axum::extract::{Path, State};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::error::{ApiError, Problem};
use crate::http::Json;
use crate::orders::{self, Asker, OrderView};
use crate::state::{AppState, Need};

pub const ROUTE: Route = Route {
    name: "orders_get",
    needs: &[Need::TableRead, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(orders_get)),
    serve: serve!(orders_get),
};

#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders",
    params(("id" = String, Path, description = "The order id"),
        ("token" = Option<String>, Query, description = "A guest's order token")),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The order: lines, totals, address, status, `reserved_until` while pending", body = OrderView),
        (status = 401, description = "`unauthenticated`: neither a bearer token nor `?token=`", body = Problem),
        (status = 404, description = "`not_found` (also someone else's order)", body = Problem)))]
pub async fn orders_get(
    State(state): State<AppState>,
    asker: Asker,
    Path(id): Path<String>,
) -> Result<Json<OrderView>, ApiError> {
    let order = orders::owned(&state, &asker, &id).await?;
    Ok(Json(OrderView::from(&order)))
}
