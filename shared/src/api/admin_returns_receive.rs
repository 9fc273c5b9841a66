//! `POST /api/v1/admin/returns/{id}/receive`: the goods of a requested return arrived. Its
//! status and, with `restock`, the stock change in one transaction; then the refund (the
//! lines' paid amounts, or `refund_amount`) goes through the order's refund path, once per
//! return at Stripe (`orders::returns::receive`).

use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::error::{ApiError, Problem};
use crate::http::{Admin, Json};
use crate::orders::{self, returns, returns::ReturnView};
use crate::state::{AppState, Need};

pub const ROUTE: Route = Route {
    name: "admin_returns_receive",
    needs: &[
        Need::TableWrite,
        Need::AccessTokens,
        Need::Stripe,
        Need::Queue,
    ],
    router: || OpenApiRouter::new().routes(routes!(admin_returns_receive)),
    serve: serve!(admin_returns_receive),
};

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiveRequest {
    /// Give the returned units back to stock (a bundle: its components).
    #[serde(default)]
    pub restock: bool,
    /// Minor units to refund instead of the lines' paid amounts; 0 refunds nothing.
    #[schema(schema_with = crate::domain::schema::optional_int::<0, 100000000>)]
    pub refund_amount: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/admin/returns/{id}/receive", tag = "admin",
    params(("id" = String, Path, description = "The return id")),
    request_body = ReceiveRequest, security(("bearer" = [])),
    responses(
        (status = 200, description = "The return: `refunded`, or `received` when the refund is 0 or failed (`refund.error`; receive it again to retry)", body = ReturnView),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 403, description = "`forbidden`: not an admin", body = Problem),
        (status = 404, description = "`not_found`", body = Problem),
        (status = 409, description = "`invalid_transition`: received, refunded or rejected already", body = Problem),
        (status = 422, description = "`refund_exceeds_balance` (with `refundable`); `validation_failed`", body = Problem),
        (status = 429, description = "`busy`: the order kept changing; try again", body = Problem)))]
pub async fn admin_returns_receive(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<String>,
    Json(req): Json<ReceiveRequest>,
) -> Result<Json<ReturnView>, ApiError> {
    if req
        .refund_amount
        .is_some_and(|a| !(0..=100_000_000).contains(&a))
    {
        return Err(ApiError::field(
            "refund_amount",
            "must be 0 to 100000000 minor units",
        ));
    }
    let (ret, _order, mails, events) =
        returns::receive(&state, &id, req.restock, req.refund_amount).await?;
    orders::post(&state, mails).await;
    orders::announce(&state, events).await;
    Ok(Json(ReturnView::new(ret)))
}
