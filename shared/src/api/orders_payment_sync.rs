//! `POST /api/v1/orders/{id}/payment/sync`: re-reads the order's PaymentIntent (or Checkout
//! Session) from Stripe (`orders::payment::ask_stripe`) and applies the same idempotent follow-up as the webhook (`orders::payment::apply`), for a
//! client that comes back before the webhook has arrived.

use axum::extract::{Path, State};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::error::{ApiError, Problem};
use crate::http::{ClientAddress, Json};
use crate::orders::payment;
use crate::orders::{self, Asker, PaymentView};
use crate::state::{AppState, Need};
use crate::store::attempts::{self, Counting};

pub const ROUTE: Route = Route {
    name: "orders_payment_sync",
    needs: &[
        Need::TableWrite,
        Need::AccessTokens,
        Need::Stripe,
        Need::Queue,
    ],
    router: || OpenApiRouter::new().routes(routes!(orders_payment_sync)),
    serve: serve!(orders_payment_sync),
};

#[utoipa::path(post, path = "/api/v1/orders/{id}/payment/sync", tag = "orders",
    params(("id" = String, Path, description = "The order id"),
        ("token" = Option<String>, Query, description = "A guest's order token")),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The payment as it is now", body = PaymentView),
        (status = 401, description = "`unauthenticated`", body = Problem),
        (status = 404, description = "`not_found` (also someone else's order)", body = Problem),
        (status = 429, description = "`too_many_attempts` (with Retry-After): past the caller's syncs per hour (settings `limits.payment_syncs_per_hour`)", body = Problem),
        (status = 503, description = "`payment_provider_unavailable`: Stripe could not be asked", body = Problem)))]
pub async fn orders_payment_sync(
    State(state): State<AppState>,
    asker: Asker,
    ClientAddress(client): ClientAddress,
    Path(id): Path<String>,
) -> Result<Json<PaymentView>, ApiError> {
    // Each sync asks Stripe: limited per caller (a user, or a guest's source address).
    let subject = asker.user_id().map_or(client, str::to_owned);
    attempts::within_hourly_limit(
        state.table(),
        "payment_sync",
        &subject,
        |l| l.payment_syncs_per_hour,
        Counting::Attempts,
    )
    .await?;
    let order = orders::owned(&state, &asker, &id).await?;
    let Some(fact) = payment::ask_stripe(&state, &order).await? else {
        return Ok(Json(PaymentView::from(&order)));
    };
    let applied = payment::apply(&state, &fact).await?;
    match applied {
        Some(applied) => {
            // The webhook's worker sends these too; each goes out once by its key.
            orders::post(&state, applied.mails).await;
            orders::announce(&state, applied.events).await;
            Ok(Json(PaymentView::from(&applied.order)))
        }
        None => Ok(Json(PaymentView::from(&order))),
    }
}
