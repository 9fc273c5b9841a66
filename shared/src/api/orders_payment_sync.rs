//! `POST /api/v1/orders/{id}/payment/sync`: re-reads the order's PaymentIntent from Stripe
//! and applies the same idempotent follow-up as the webhook (`orders::payment::apply`), for a
//! client that comes back before the webhook has arrived.

use axum::extract::{Path, State};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::error::{ApiError, Problem};
use crate::http::Json;
use crate::orders::payment::{self, Fact};
use crate::orders::{self, Asker, PaymentView};
use crate::state::{AppState, Need};
use crate::stripe::Payments;

pub const ROUTE: Route = Route {
    name: "orders_payment_sync",
    needs: &[
        Need::TableWrite,
        Need::AccessTokens,
        Need::Stripe,
        Need::Queue,
    ],
    router: || OpenApiRouter::new().routes(routes!(orders_payment_sync)),
};

#[utoipa::path(post, path = "/api/v1/orders/{id}/payment/sync", tag = "orders",
    params(("id" = String, Path, description = "The order id"),
        ("token" = Option<String>, Query, description = "A guest's order token")),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The payment as it is now", body = PaymentView),
        (status = 401, description = "`unauthenticated`", body = Problem),
        (status = 404, description = "`not_found` (also someone else's order)", body = Problem),
        (status = 503, description = "`payment_provider_unavailable`: Stripe could not be asked", body = Problem)))]
pub async fn orders_payment_sync(
    State(state): State<AppState>,
    asker: Asker,
    Path(id): Path<String>,
) -> Result<Json<PaymentView>, ApiError> {
    let order = orders::owned(&state, &asker, &id).await?;
    if order.payment.intent_id.is_empty() {
        return Ok(Json(PaymentView::from(&order)));
    }
    let intent = state
        .stripe()
        .retrieve_payment_intent(&order.payment.intent_id)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, order = order.id, "Stripe could not be asked about the payment");
            ApiError::PaymentProviderUnavailable
        })?;
    let fact = match intent.status.as_str() {
        "succeeded" => Some(Fact::Succeeded {
            order_id: order.id.clone(),
            intent_id: intent.id.clone(),
            amount: intent.amount,
        }),
        _ => None,
    };
    let Some(fact) = fact else {
        return Ok(Json(PaymentView::from(&order)));
    };
    let applied = payment::apply(&state, &fact).await?;
    match applied {
        Some(applied) => {
            // The webhook's worker sends these too; each goes out once by its key.
            orders::post(&state, applied.mails).await;
            Ok(Json(PaymentView::from(&applied.order)))
        }
        None => Ok(Json(PaymentView::from(&order))),
    }
}
