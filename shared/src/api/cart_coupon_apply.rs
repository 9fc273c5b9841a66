//! `PUT /api/v1/cart/coupon`: puts a coupon on the caller's cart, replacing any other. It must
//! apply now: 422 `coupon_invalid` (unknown or switched off), `coupon_expired`,
//! `coupon_min_subtotal`, `coupon_exhausted` or `coupon_reserved` (someone else's luck coupon).
//! Redeeming it is checkout's.

use axum::extract::State;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::cart::{self, Caller, CartView};
use crate::domain::coupon::{Refusal, parse_code};
use crate::error::{ApiError, Problem};
use crate::http::{ClientAddress, Json};
use crate::state::{AppState, Need};
use crate::store::attempts::{self, Counting};

pub const ROUTE: Route = Route {
    name: "cart_coupon_apply",
    needs: &[Need::TableWrite, Need::AccessTokens, Need::Queue],
    router: || OpenApiRouter::new().routes(routes!(cart_coupon_apply)),
    serve: serve!(cart_coupon_apply),
};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyCoupon {
    /// The code, in any letter case.
    #[schema(schema_with = crate::domain::schema::coupon_code)]
    pub code: String,
}

#[utoipa::path(put, path = "/api/v1/cart/coupon", tag = "cart", request_body = ApplyCoupon,
    params(("X-Cart-Token" = Option<String>, Header, description = "A guest's cart token")),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The cart with the coupon applied", body = CartView),
        (status = 401, description = "`invalid_access_token` or `invalid_cart_token`", body = Problem),
        (status = 404, description = "`cart_not_found`: the guest cart was merged or expired", body = Problem),
        (status = 422, description = "`coupon_invalid`, `coupon_expired`, `coupon_min_subtotal`, `coupon_exhausted` or `coupon_reserved`", body = Problem),
        (status = 429, description = "`too_many_attempts` (with Retry-After): the caller's refused codes past the hour's limit (settings `limits.coupon_failures_per_hour`)", body = Problem)))]
pub async fn cart_coupon_apply(
    State(state): State<AppState>,
    caller: Caller,
    ClientAddress(client): ClientAddress,
    Json(req): Json<ApplyCoupon>,
) -> Result<Json<CartView>, ApiError> {
    // Codes refused per caller are limited, so codes cannot be guessed by trying them all.
    let subject = caller.user_id().map_or(client, str::to_owned);
    let table = state.table();
    let per_hour = |l: &crate::domain::settings::Limits| l.coupon_failures_per_hour;
    attempts::within_hourly_limit(table, ACTION, &subject, per_hour, Counting::Failures).await?;
    let applied = apply(&state, &caller, &req.code).await;
    match &applied {
        Err(ApiError::Coupon { .. }) => attempts::failed(table, ACTION, &subject).await?,
        _ => attempts::give_back(table, ACTION, &subject).await?,
    }
    applied.map(Json)
}

/// What a refused code counts under.
const ACTION: &str = "coupon";

async fn apply(state: &AppState, caller: &Caller, raw: &str) -> Result<CartView, ApiError> {
    let code = parse_code(raw).ok_or(ApiError::from(Refusal::CouponInvalid))?;
    if crate::store::coupons::get(state.reader(), &code)
        .await?
        .is_none()
    {
        return Err(ApiError::from(Refusal::CouponInvalid));
    }
    cart::apply_coupon(state, caller, &code).await
}
