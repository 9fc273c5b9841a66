//! `GET /api/v1/admin/orders/{id}`: any one order for an admin, with its status history (the
//! console's order page; a buyer reads their own with `GET /orders/{id}` and `/tracking`).

use axum::extract::{Path, State};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::error::{ApiError, Problem};
use crate::http::{Admin, Json};
use crate::orders::OrderView;
use crate::state::{AppState, Need};
use crate::store::orders::{self, TrackingEntry};

pub const ROUTE: Route = Route {
    name: "admin_orders_get",
    needs: &[Need::TableRead, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(admin_orders_get)),
    serve: serve!(admin_orders_get),
};

/// An order as an admin sees it: the buyer's view plus who bought it and every status step.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminOrderView {
    #[serde(flatten)]
    pub order: OrderView,
    /// The buyer's account; none for a guest order.
    pub user_id: Option<String>,
    /// `[{status, at, note, location?, tracking_number?, carrier?}]`, oldest first.
    pub tracking: Vec<TrackingEntry>,
}

#[utoipa::path(get, path = "/api/v1/admin/orders/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The order id")),
    responses(
        (status = 200, description = "The order with its buyer's account and status history", body = AdminOrderView),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 403, description = "`forbidden`: not an admin", body = Problem),
        (status = 404, description = "`not_found`", body = Problem)))]
pub async fn admin_orders_get(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<String>,
) -> Result<Json<AdminOrderView>, ApiError> {
    if id.len() > 64 {
        return Err(ApiError::NotFound);
    }
    let order = orders::get(state.reader(), &id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(AdminOrderView {
        order: OrderView::from(&order),
        user_id: order.user_id.clone(),
        tracking: order.tracking,
    }))
}
