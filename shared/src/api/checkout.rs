//! `POST /api/v1/checkout`: the caller's cart becomes a pending order holding its stock, and
//! a Stripe PaymentIntent or Checkout Session is made for its total (`orders::checkout` says
//! how; the queue is for the confirmation of an order that costs nothing). A signed-in
//! buyer or a guest (`X-Cart-Token` and `email`); `Idempotency-Key` honoured.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::cart::Caller;
use crate::error::{ApiError, Problem};
use crate::http::idempotency::{self, CHECKOUT};
use crate::http::{ClientAddress, Json};
use crate::orders::checkout::{self, CheckoutRequest, CheckoutResponse};
use crate::state::{AppState, Need};

pub const ROUTE: Route = Route {
    name: "checkout",
    needs: &[
        Need::TableWrite,
        Need::AccessTokens,
        Need::Stripe,
        Need::Queue,
        Need::Links,
    ],
    router: || OpenApiRouter::new().routes(routes!(checkout)),
    serve: serve!(checkout),
};

#[utoipa::path(post, path = "/api/v1/checkout", tag = "orders", request_body = CheckoutRequest,
    params(
        ("X-Cart-Token" = Option<String>, Header, description = "A guest's cart token"),
        ("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, pattern = "^[\\x21-\\x7e]+$", description = "1 to 255 printable ASCII characters, no spaces: the same key and body answer the first response for 24 h")),
    security((), ("bearer" = [])),
    responses(
        (status = 201, description = "The pending order and how to pay it: `client_secret` or `checkout_url` (a guest also gets `order_token`); the same answer for a cart already checked out and unchanged", body = CheckoutResponse, headers(("Location" = String, description = "The order: `/api/v1/orders/{id}` (a guest's with `?token=`)"))),
        (status = 401, description = "`unauthenticated` (neither a bearer token nor a cart token), `invalid_cart_token`", body = Problem),
        (status = 404, description = "`cart_not_found`: the guest cart expired or was merged", body = Problem),
        (status = 409, description = "`cart_empty`; `insufficient_stock` naming each short sku; a coupon's own code (`coupon_exhausted`, `coupon_expired`, ...) when it no longer holds; `idempotency_in_progress`", body = Problem),
        (status = 422, description = "`validation_failed` (address, email, notes, gift_message, mode, success_url, cancel_url; `cart` when the total is past what one Stripe payment can take, 99999999 minor units); `cart_too_large` (over 90 skus); `idempotency_key_reused`", body = Problem),
        (status = 429, description = "`too_many_attempts` (with Retry-After): past the caller's orders per hour, or a guest's orders per email or source address (settings `limits`); `busy`", body = Problem),
        (status = 503, description = "`payment_provider_unavailable`: Stripe failed; nothing was reserved", body = Problem)))]
pub async fn checkout(
    State(state): State<AppState>,
    caller: Caller,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    Json(req): Json<CheckoutRequest>,
) -> Result<Response, ApiError> {
    let owner = caller.cart_id().ok_or(ApiError::Unauthenticated)?;
    idempotency::once(
        &state,
        &headers,
        &CHECKOUT,
        &owner,
        caller.user_id(),
        &req,
        order_location,
        || async {
            let answer = checkout::checkout(&state, &caller, &client, &req).await?;
            Ok((StatusCode::CREATED, answer))
        },
    )
    .await
}

/// The order a checkout answer made: `/api/v1/orders/{id}`, with a guest's `?token=`.
fn order_location(answer: &serde_json::Value) -> Option<String> {
    let id = answer["order"]["id"].as_str()?;
    Some(match answer["order_token"].as_str() {
        Some(token) => format!("/api/v1/orders/{id}?token={token}"),
        None => format!("/api/v1/orders/{id}"),
    })
}
