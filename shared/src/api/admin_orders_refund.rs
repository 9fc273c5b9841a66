//! `POST /api/v1/admin/orders/{id}/refund`: refunds part or all of what is left of a paid
//! order (`orders::refund::refund`), optionally giving its stock back; `Idempotency-Key`
//! honoured. Never more than paid − refunded, also under concurrent refunds.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::domain::text;
use crate::error::{ApiError, Problem};
use crate::http::idempotency::{self, REFUND};
use crate::http::{Admin, Json};
use crate::orders::{self, refund};
use crate::state::{AppState, Need};

pub const ROUTE: Route = Route {
    name: "admin_orders_refund",
    needs: &[
        Need::TableWrite,
        Need::AccessTokens,
        Need::Stripe,
        Need::Queue,
    ],
    router: || OpenApiRouter::new().routes(routes!(admin_orders_refund)),
    serve: serve!(admin_orders_refund),
};

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundRequest {
    /// Minor units; default: everything that is left.
    #[schema(schema_with = crate::domain::schema::optional_int::<1, 100000000>)]
    pub amount: Option<i64>,
    #[schema(schema_with = crate::domain::schema::optional_text::<500>)]
    pub reason: Option<String>,
    /// Give the order's stock back.
    #[serde(default)]
    pub restock: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RefundView {
    pub id: String,
    pub amount: i64,
    /// Stripe's refund status: `pending`, `succeeded`, `failed`.
    pub status: String,
}

#[utoipa::path(post, path = "/api/v1/admin/orders/{id}/refund", tag = "admin",
    params(("id" = String, Path, description = "The order id"),
        ("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, pattern = "^[\\x21-\\x7e]+$", description = "1 to 255 printable ASCII characters, no spaces: the same key and body answer the first response for 24 h")),
    request_body = RefundRequest, security(("bearer" = [])),
    responses(
        (status = 201, description = "The refund", body = RefundView, headers(("Location" = String, description = "The order's payment, which lists its refunds: `/api/v1/orders/{id}/payment`"))),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 403, description = "`forbidden`: not an admin", body = Problem),
        (status = 404, description = "`not_found`", body = Problem),
        (status = 409, description = "`invalid_transition`: nothing was paid (pending or cancelled unpaid)", body = Problem),
        (status = 422, description = "`refund_exceeds_balance` (with `refundable`); `validation_failed`; `idempotency_key_reused`", body = Problem),
        (status = 503, description = "`payment_provider_unavailable`: Stripe refused; nothing was refunded", body = Problem)))]
pub async fn admin_orders_refund(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(req): Json<RefundRequest>,
) -> Result<Response, ApiError> {
    if req.amount.is_some_and(|a| a <= 0) {
        return Err(ApiError::field(
            "amount",
            "must be a positive amount in minor units",
        ));
    }
    let reason = match req.reason.as_deref().filter(|r| !r.trim().is_empty()) {
        Some(r) => Some(text::clean(r, 500).map_err(|e| ApiError::field("reason", e))?),
        None => None,
    };
    let owner = format!("{}:{id}", admin.0.id());
    let payment = format!("/api/v1/orders/{id}/payment");
    let location = |_: &serde_json::Value| Some(payment.clone());
    idempotency::once(
        &state,
        &headers,
        &REFUND,
        &owner,
        None,
        &req,
        location,
        || async {
            let done = refund::refund(&state, &id, req.amount, reason.clone(), req.restock).await?;
            orders::post(&state, done.mails).await;
            orders::announce(&state, done.events).await;
            Ok((
                StatusCode::CREATED,
                RefundView {
                    id: done.refund.id,
                    amount: done.refund.amount,
                    status: done.refund.status,
                },
            ))
        },
    )
    .await
}
