//! `GET /api/v1/orders/{id}/invoice`: the paid order's PDF invoice (and its credit notes) as
//! presigned links that work for 5 minutes; 409 `invoice_not_ready` until the worker has made
//! it (`invoices`).

use axum::extract::{Path, State};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::error::{ApiError, Problem};
use crate::http::Json;
use crate::invoices::{self, InvoiceView};
use crate::orders::{self, Asker};
use crate::state::{AppState, Need};

pub const ROUTE: Route = Route {
    name: "orders_invoice",
    needs: &[Need::TableRead, Need::AccessTokens, Need::Blobs],
    router: || OpenApiRouter::new().routes(routes!(orders_invoice)),
    serve: serve!(orders_invoice),
};

#[utoipa::path(get, path = "/api/v1/orders/{id}/invoice", tag = "orders",
    params(("id" = String, Path, description = "The order id"),
        ("token" = Option<String>, Query, description = "A guest's order token")),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The invoice's link (and the credit notes')", body = InvoiceView),
        (status = 401, description = "`unauthenticated`", body = Problem),
        (status = 404, description = "`not_found` (also someone else's order)", body = Problem),
        (status = 409, description = "`invoice_not_ready`: not paid yet, or the invoice is being made (try again in a few seconds)", body = Problem),
        (status = 503, description = "`upstream_unavailable`: the link could not be made", body = Problem)))]
pub async fn orders_invoice(
    State(state): State<AppState>,
    asker: Asker,
    Path(id): Path<String>,
) -> Result<Json<InvoiceView>, ApiError> {
    let order = orders::owned(&state, &asker, &id).await?;
    Ok(Json(invoices::links(&state, &order.id).await?))
}
