//! `PATCH /api/v1/admin/coupons/{code}`: an admin switches a coupon off or on, or changes its
//! expiry or maximum redemptions (`null` removes either). An inactive coupon is refused
//! (`coupon_invalid`) from then on.

use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use super::admin_coupons_create::{CouponAdminView, future_time, redemptions_limit};
use crate::accounts;
use crate::domain::coupon::parse_code;
use crate::domain::patch::present;
use crate::error::{ApiError, Problem};
use crate::http::{Admin, Json};
use crate::state::{AppState, Need};
use crate::store::coupons::{self, CouponChange};

pub const ROUTE: Route = Route {
    name: "admin_coupons_update",
    needs: &[Need::TableWrite, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(admin_coupons_update)),
    serve: serve!(admin_coupons_update),
};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CouponPatch {
    pub active: Option<bool>,
    /// RFC 3339 in the future, or `null` for no expiry.
    #[serde(default, deserialize_with = "present")]
    #[schema(schema_with = crate::domain::schema::time_or_null)]
    pub expires_at: Option<Option<String>>,
    /// 1 to 1000000, or `null` for no limit.
    #[serde(default, deserialize_with = "present")]
    #[schema(schema_with = crate::domain::schema::optional_int::<1, 1000000>)]
    pub max_redemptions: Option<Option<i64>>,
}

#[utoipa::path(patch, path = "/api/v1/admin/coupons/{code}", tag = "admin", request_body = CouponPatch,
    params(("code" = String, Path, description = "The coupon's code")), security(("bearer" = [])),
    responses(
        (status = 200, description = "The coupon", body = CouponAdminView),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 403, description = "`forbidden`: not an admin", body = Problem),
        (status = 404, description = "`not_found`: no such coupon", body = Problem),
        (status = 422, description = "`validation_failed`", body = Problem)))]
pub async fn admin_coupons_update(
    State(state): State<AppState>,
    _admin: Admin,
    Path(code): Path<String>,
    Json(req): Json<CouponPatch>,
) -> Result<Json<CouponAdminView>, ApiError> {
    let code = parse_code(&code).ok_or(ApiError::NotFound)?;
    let mut errors = Vec::new();
    let change = CouponChange {
        active: req.active,
        expires_at: match req.expires_at {
            None => None,
            Some(None) => Some(None),
            Some(Some(raw)) => future_time("expires_at", &raw, &mut errors).map(Some),
        },
        max_redemptions: match req.max_redemptions {
            None => None,
            Some(None) => Some(None),
            Some(Some(raw)) => redemptions_limit(raw, &mut errors).map(Some),
        },
    };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let now = accounts::rfc3339(accounts::now());
    let coupon = coupons::update(state.table(), &code, &change, &now)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(coupon.into()))
}
