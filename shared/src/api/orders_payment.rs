//! `GET /api/v1/orders/{id}/payment`: the payment's status, derived from the amounts
//! recorded (paid, refunded), never stored apart from them.

use axum::extract::{Path, State};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::error::{ApiError, Problem};
use crate::http::Json;
use crate::orders::{self, Asker, PaymentView};
use crate::state::{AppState, Need};

pub const ROUTE: Route = Route {
    name: "orders_payment",
    needs: &[Need::TableRead, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(orders_payment)),
    serve: serve!(orders_payment),
};

#[utoipa::path(get, path = "/api/v1/orders/{id}/payment", tag = "orders",
    params(("id" = String, Path, description = "The order id"),
        ("token" = Option<String>, Query, description = "A guest's order token")),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "`{status, amount, amount_paid, amount_refunded, currency, provider_ref}`", body = PaymentView),
        (status = 401, description = "`unauthenticated`", body = Problem),
        (status = 404, description = "`not_found` (also someone else's order)", body = Problem)))]
pub async fn orders_payment(
    State(state): State<AppState>,
    asker: Asker,
    Path(id): Path<String>,
) -> Result<Json<PaymentView>, ApiError> {
    let order = orders::owned(&state, &asker, &id).await?;
    Ok(Json(PaymentView::from(&order)))
}
