//! `POST /api/v1/admin/coupons`: an admin makes a coupon: exactly one of `percent_off`
//! (1..=100) or `amount_off` (minor units), an optional minimum subtotal, expiry and maximum
//! redemptions. A code not given is generated (not guessable); a given one is unique (409
//! `coupon_code_taken`) and compared upper-case.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::accounts;
use crate::domain::catalog::MAX_PRICE;
use crate::domain::coupon::{CouponTerms, generate_code, parse_code};
use crate::error::{ApiError, FieldError, Problem};
use crate::http::{Admin, Json};
use crate::state::{AppState, Need};
use crate::store::coupons::{self, Coupon};

pub const ROUTE: Route = Route {
    name: "admin_coupons_create",
    needs: &[Need::TableWrite, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(admin_coupons_create)),
    serve: serve!(admin_coupons_create),
};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCoupon {
    /// 3 to 32 letters, digits or dashes; generated when absent.
    #[schema(schema_with = crate::domain::schema::coupon_code_or_null)]
    pub code: Option<String>,
    /// 1 to 100; exactly one of `percent_off` and `amount_off`.
    #[schema(schema_with = crate::domain::schema::optional_int::<1, 100>)]
    pub percent_off: Option<i64>,
    /// Minor units, 1 to 100000000.
    #[schema(schema_with = crate::domain::schema::optional_int::<1, 100000000>)]
    pub amount_off: Option<i64>,
    #[schema(schema_with = crate::domain::schema::optional_int::<0, 100000000>)]
    pub min_subtotal: Option<i64>,
    /// RFC 3339, in the future.
    #[schema(schema_with = crate::domain::schema::time_or_null)]
    pub expires_at: Option<String>,
    #[schema(schema_with = crate::domain::schema::optional_int::<1, 1000000>)]
    pub max_redemptions: Option<i64>,
}

/// A coupon as admins see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CouponAdminView {
    pub code: String,
    pub percent_off: Option<u8>,
    pub amount_off: Option<i64>,
    pub min_subtotal: i64,
    pub expires_at: Option<String>,
    pub max_redemptions: Option<u32>,
    pub redemptions: u32,
    pub active: bool,
    /// Won by a try of luck.
    pub luck: bool,
    pub reserved_by: Option<String>,
    pub reserved_until: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<Coupon> for CouponAdminView {
    fn from(c: Coupon) -> Self {
        let t = c.terms;
        Self {
            code: t.code,
            percent_off: t.percent_off,
            amount_off: t.amount_off,
            min_subtotal: t.min_subtotal,
            expires_at: t.expires_at,
            max_redemptions: t.max_redemptions,
            redemptions: t.redemptions,
            active: t.active,
            luck: c.luck,
            reserved_by: t.reserved_by,
            reserved_until: t.reserved_until,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// An expiry sent by an admin: RFC 3339 in the future, stored fixed-width in UTC.
pub fn future_time(field: &str, raw: &str, errors: &mut Vec<FieldError>) -> Option<String> {
    match accounts::parse_rfc3339(raw) {
        Some(t) if t > accounts::now() => Some(accounts::rfc3339(t)),
        Some(_) => {
            errors.push(FieldError::new(field, "must be in the future"));
            None
        }
        None => {
            errors.push(FieldError::new(field, "must be an RFC 3339 time"));
            None
        }
    }
}

/// A maximum number of redemptions: 1 to 1,000,000.
pub fn redemptions_limit(raw: i64, errors: &mut Vec<FieldError>) -> Option<u32> {
    if (1..=1_000_000).contains(&raw) {
        Some(raw as u32)
    } else {
        errors.push(FieldError::new("max_redemptions", "must be 1 to 1000000"));
        None
    }
}

#[utoipa::path(post, path = "/api/v1/admin/coupons", tag = "admin", request_body = NewCoupon,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The coupon, with its code", body = CouponAdminView, headers(("Location" = String, description = "The coupon: `/api/v1/admin/coupons/{code}`"))),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 403, description = "`forbidden`: not an admin", body = Problem),
        (status = 409, description = "`coupon_code_taken`", body = Problem),
        (status = 422, description = "`validation_failed`: every bad field named", body = Problem)))]
pub async fn admin_coupons_create(
    State(state): State<AppState>,
    _admin: Admin,
    Json(req): Json<NewCoupon>,
) -> Result<impl IntoResponse, ApiError> {
    let mut errors = Vec::new();
    let code = match req.code.as_deref() {
        None => generate_code(""),
        Some(raw) => parse_code(raw).unwrap_or_else(|| {
            errors.push(FieldError::new(
                "code",
                "must be 3 to 32 letters, digits or dashes",
            ));
            String::new()
        }),
    };
    let (percent_off, amount_off) = match (req.percent_off, req.amount_off) {
        (Some(p), None) if (1..=100).contains(&p) => (Some(p as u8), None),
        (Some(_), None) => {
            errors.push(FieldError::new("percent_off", "must be 1 to 100"));
            (None, None)
        }
        (None, Some(a)) if (1..=MAX_PRICE).contains(&a) => (None, Some(a)),
        (None, Some(_)) => {
            errors.push(FieldError::new(
                "amount_off",
                format!("must be 1 to {MAX_PRICE}"),
            ));
            (None, None)
        }
        _ => {
            errors.push(FieldError::new(
                "percent_off",
                "give exactly one of percent_off or amount_off",
            ));
            (None, None)
        }
    };
    let min_subtotal = match req.min_subtotal {
        None => 0,
        Some(m) if (0..=MAX_PRICE).contains(&m) => m,
        Some(_) => {
            errors.push(FieldError::new(
                "min_subtotal",
                format!("must be 0 to {MAX_PRICE}"),
            ));
            0
        }
    };
    let expires_at = req
        .expires_at
        .as_deref()
        .and_then(|raw| future_time("expires_at", raw, &mut errors));
    let max_redemptions = req
        .max_redemptions
        .and_then(|raw| redemptions_limit(raw, &mut errors));
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let now = accounts::rfc3339(accounts::now());
    let coupon = Coupon {
        terms: CouponTerms {
            code,
            percent_off,
            amount_off,
            min_subtotal,
            expires_at,
            max_redemptions,
            redemptions: 0,
            active: true,
            reserved_by: None,
            reserved_until: None,
        },
        luck: false,
        created_at: now.clone(),
        updated_at: now,
    };
    if !coupons::create(state.table(), &coupon).await? {
        return Err(ApiError::CouponCodeTaken);
    }
    let location = format!("/api/v1/admin/coupons/{}", coupon.terms.code);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(CouponAdminView::from(coupon)),
    ))
}
