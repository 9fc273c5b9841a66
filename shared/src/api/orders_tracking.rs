//! `GET /api/v1/orders/{id}/tracking`: the order's status history, oldest first.

use axum::extract::{Path, State};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::error::{ApiError, Problem};
use crate::http::Json;
use crate::orders::{self, Asker};
use crate::state::{AppState, Need};
use crate::store::orders::TrackingEntry;

pub const ROUTE: Route = Route {
    name: "orders_tracking",
    needs: &[Need::TableRead, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(orders_tracking)),
    serve: serve!(orders_tracking),
};

#[utoipa::path(get, path = "/api/v1/orders/{id}/tracking", tag = "orders",
    params(("id" = String, Path, description = "The order id"),
        ("token" = Option<String>, Query, description = "A guest's order token")),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "`[{status, at, note, location?, tracking_number?, carrier?}]`, oldest first", body = Vec<TrackingEntry>),
        (status = 401, description = "`unauthenticated`", body = Problem),
        (status = 404, description = "`not_found` (also someone else's order)", body = Problem)))]
pub async fn orders_tracking(
    State(state): State<AppState>,
    asker: Asker,
    Path(id): Path<String>,
) -> Result<Json<Vec<TrackingEntry>>, ApiError> {
    let order = orders::owned(&state, &asker, &id).await?;
    Ok(Json(order.tracking))
}
