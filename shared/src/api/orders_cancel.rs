//! `POST /api/v1/orders/{id}/cancel`: the buyer cancels their order while it is pending,
//! paid or processing: stock and coupon back, a pending PaymentIntent cancelled at Stripe, a
//! paid order refunded in full (`orders::refund::cancel`).

use axum::extract::{Path, State};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::domain::order::Actor;
use crate::error::{ApiError, Problem};
use crate::http::Json;
use crate::orders::{self, Asker, OrderView, refund};
use crate::state::{AppState, Need};

pub const ROUTE: Route = Route {
    name: "orders_cancel",
    needs: &[
        Need::TableWrite,
        Need::AccessTokens,
        Need::Stripe,
        Need::Queue,
    ],
    router: || OpenApiRouter::new().routes(routes!(orders_cancel)),
    serve: serve!(orders_cancel),
};

#[utoipa::path(post, path = "/api/v1/orders/{id}/cancel", tag = "orders",
    params(("id" = String, Path, description = "The order id"),
        ("token" = Option<String>, Query, description = "A guest's order token")),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The cancelled order", body = OrderView),
        (status = 401, description = "`unauthenticated`", body = Problem),
        (status = 404, description = "`not_found` (also someone else's order)", body = Problem),
        (status = 409, description = "`invalid_transition`: shipped, delivered, refunded or cancelled already", body = Problem),
        (status = 503, description = "`payment_provider_unavailable`: the refund could not be made; the order is cancelled and asking again retries the refund", body = Problem)))]
pub async fn orders_cancel(
    State(state): State<AppState>,
    asker: Asker,
    Path(id): Path<String>,
) -> Result<Json<OrderView>, ApiError> {
    let order = orders::owned(&state, &asker, &id).await?;
    let done = refund::cancel(&state, order, Actor::Customer, None).await?;
    orders::post(&state, done.mails).await;
    orders::announce(&state, done.events).await;
    Ok(Json(OrderView::from(&done.order)))
}
