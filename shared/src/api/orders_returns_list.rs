//! `GET /api/v1/orders/{id}/returns`: the order's returns with their status, oldest first
//! (one consistent Query of the order's partition; an order has few).

use axum::extract::{Path, State};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::error::{ApiError, Problem};
use crate::http::Json;
use crate::orders::returns::ReturnView;
use crate::orders::{self, Asker};
use crate::paging::List;
use crate::state::{AppState, Need};
use crate::store::returns;

pub const ROUTE: Route = Route {
    name: "orders_returns_list",
    needs: &[Need::TableRead, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(orders_returns_list)),
    serve: serve!(orders_returns_list),
};

#[utoipa::path(get, path = "/api/v1/orders/{id}/returns", tag = "orders",
    params(("id" = String, Path, description = "The order id"),
        ("token" = Option<String>, Query, description = "A guest's order token")),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "Every return of the order, oldest first, in one page (`next_cursor` is null)", body = List<ReturnView>),
        (status = 401, description = "`unauthenticated`", body = Problem),
        (status = 404, description = "`not_found` (also someone else's order)", body = Problem)))]
pub async fn orders_returns_list(
    State(state): State<AppState>,
    asker: Asker,
    Path(id): Path<String>,
) -> Result<Json<List<ReturnView>>, ApiError> {
    let order = orders::owned(&state, &asker, &id).await?;
    let found = returns::of_order(state.reader(), &order.id).await?;
    Ok(Json(List {
        items: found.into_iter().map(ReturnView::new).collect(),
        next_cursor: None,
    }))
}
