//! The one error type every route returns, rendered as an RFC 9457 problem document.
//!
//! Each variant says what the caller did or met; its stable `code` is what clients switch on.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// One field that failed validation (`errors` in the problem document).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("the request body is not valid JSON: {0}")]
    MalformedJson(String),
    /// A request the framework could not read before any handler ran (a path segment that is
    /// not UTF-8, say).
    #[error("the request could not be read: {0}")]
    MalformedRequest(String),
    #[error("the request body must be JSON (Content-Type: application/json)")]
    UnsupportedMediaType,
    #[error("the request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("the request has invalid fields")]
    Validation(Vec<FieldError>),
    #[error("this route needs a bearer access token")]
    Unauthenticated,
    #[error("the access token is not valid")]
    InvalidAccessToken,
    #[error("the access token has expired; refresh it")]
    AccessTokenExpired,
    #[error("this session was signed out; sign in again")]
    SessionRevoked,
    #[error("your role does not allow this")]
    Forbidden,
    #[error("the email or password is wrong")]
    InvalidCredentials,
    #[error("an account with this email exists")]
    EmailTaken,
    #[error("the refresh token is not valid")]
    InvalidRefreshToken,
    #[error("this refresh token was used already; the session is ended")]
    TokenReused,
    #[error("the token is unknown, used or expired")]
    InvalidToken,
    #[error("too many attempts; try again in {retry_after_secs} seconds")]
    TooManyAttempts { retry_after_secs: u64 },
    #[error("the cursor is not one this list handed out")]
    InvalidCursor,
    /// Our own reason (expired, another audience...), never text from elsewhere.
    #[error("the Google ID token was refused: {0}")]
    InvalidIdToken(&'static str),
    #[error("Google sign-in is not configured for this shop")]
    GoogleSignInDisabled,
    /// Names the service; what it answered is logged where it happened, never sent.
    #[error("{0} is unavailable; try again shortly")]
    UpstreamUnavailable(&'static str),
    /// Other writers kept the same items busy past every retry.
    #[error("the shop is busy with the same items; try again in a moment")]
    Busy,
    #[error("no such resource")]
    NotFound,
    #[error("an admin cannot take their own admin role away")]
    CannotDemoteSelf,
    #[error("another product or category has this slug")]
    SlugTaken,
    #[error("you have reviewed this product; edit that review instead")]
    ReviewExists,
    /// A bundle rule is broken; `rule` names it for clients.
    #[error("{detail}")]
    BundleRules { rule: &'static str, detail: String },
    #[error("another product has these skus: {}", .0.join(", "))]
    SkuTaken(Vec<String>),
    #[error("not enough stock for {}", .skus.join(", "))]
    InsufficientStock {
        skus: Vec<String>,
        available: Option<i64>,
    },
    #[error("the cart token is not one this shop issued")]
    InvalidCartToken,
    #[error("no such cart (it expired, or was merged into an account's cart)")]
    CartNotFound,
    #[error("this sku is not in the cart")]
    NotInCart,
    /// A coupon that does not apply: `code` is one of the `coupon_*` codes of API.md.
    #[error("{message}")]
    Coupon {
        code: &'static str,
        message: &'static str,
    },
    #[error("a coupon with this code exists")]
    CouponCodeTaken,
    /// A coupon on the cart that no longer holds at checkout: 409 with the coupon's own code.
    #[error("{message}")]
    CouponConflict {
        code: &'static str,
        message: &'static str,
    },
    #[error("the cart is empty")]
    CartEmpty,
    #[error("a cart of more than {max} different skus cannot be checked out at once")]
    CartTooLarge { max: usize },
    #[error(
        "the payment provider is unavailable; nothing was charged or reserved, try again shortly"
    )]
    PaymentProviderUnavailable,
    #[error("this Idempotency-Key was used with a different request")]
    IdempotencyKeyReused,
    #[error("a request with this Idempotency-Key is still being processed; retry shortly")]
    IdempotencyInProgress,
    #[error("an order cannot move from {from} to {to}")]
    InvalidTransition {
        from: &'static str,
        to: &'static str,
    },
    #[error("only {left} is left to refund")]
    RefundExceedsBalance { left: i64 },
    /// The order is not where the request needs it (a return before delivery).
    #[error("the order is {status}; {needs}")]
    InvalidState {
        status: &'static str,
        needs: &'static str,
    },
    #[error("{sku}: only {returnable} more can be returned")]
    ReturnExceedsDelivered { sku: String, returnable: u32 },
    #[error("the return window of {days} days after delivery has closed")]
    ReturnWindowClosed { days: u32 },
    #[error("the invoice is not made yet; it is made once the order is paid")]
    InvoiceNotReady,
    #[error("the Stripe-Signature header does not match this body")]
    InvalidSignature,
    #[error("no route matches this path")]
    NoSuchRoute,
    #[error("the method is not allowed on this resource")]
    MethodNotAllowed,
    /// Anything that is our fault. The source is logged, never shown.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    /// One field that failed validation.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }

    pub fn internal(err: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Internal(err.into())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::MalformedJson(_) | Self::MalformedRequest(_) => StatusCode::BAD_REQUEST,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Validation(_) | Self::BundleRules { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unauthenticated
            | Self::InvalidAccessToken
            | Self::AccessTokenExpired
            | Self::SessionRevoked
            | Self::InvalidCredentials
            | Self::InvalidRefreshToken
            | Self::TokenReused
            | Self::InvalidIdToken(_)
            | Self::InvalidCartToken => StatusCode::UNAUTHORIZED,
            Self::Forbidden | Self::GoogleSignInDisabled => StatusCode::FORBIDDEN,
            Self::EmailTaken
            | Self::CannotDemoteSelf
            | Self::SlugTaken
            | Self::ReviewExists
            | Self::SkuTaken(_)
            | Self::CouponCodeTaken
            | Self::CouponConflict { .. }
            | Self::CartEmpty
            | Self::IdempotencyInProgress
            | Self::InvalidTransition { .. }
            | Self::InvalidState { .. }
            | Self::InvoiceNotReady
            | Self::InsufficientStock { .. } => StatusCode::CONFLICT,
            Self::CartTooLarge { .. }
            | Self::IdempotencyKeyReused
            | Self::RefundExceedsBalance { .. }
            | Self::ReturnExceedsDelivered { .. }
            | Self::ReturnWindowClosed { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::PaymentProviderUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Coupon { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::InvalidToken | Self::InvalidCursor | Self::InvalidSignature => {
                StatusCode::BAD_REQUEST
            }
            Self::TooManyAttempts { .. } | Self::Busy => StatusCode::TOO_MANY_REQUESTS,
            Self::UpstreamUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::NotFound | Self::NoSuchRoute | Self::CartNotFound | Self::NotInCart => {
                StatusCode::NOT_FOUND
            }
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable snake_case code clients switch on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MalformedJson(_) => "malformed_json",
            Self::MalformedRequest(_) => "malformed_request",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::PayloadTooLarge { .. } => "payload_too_large",
            Self::Validation(_) => "validation_failed",
            Self::Unauthenticated => "unauthenticated",
            Self::InvalidAccessToken => "invalid_access_token",
            Self::AccessTokenExpired => "token_expired",
            Self::SessionRevoked => "session_revoked",
            Self::Forbidden => "forbidden",
            Self::InvalidCredentials => "invalid_credentials",
            Self::EmailTaken => "email_taken",
            Self::InvalidRefreshToken => "invalid_refresh_token",
            Self::TokenReused => "token_reused",
            Self::InvalidToken => "invalid_token",
            Self::TooManyAttempts { .. } => "too_many_attempts",
            Self::InvalidCursor => "invalid_cursor",
            Self::InvalidIdToken(_) => "invalid_id_token",
            Self::GoogleSignInDisabled => "google_sign_in_disabled",
            Self::UpstreamUnavailable(_) => "upstream_unavailable",
            Self::Busy => "busy",
            Self::NotFound => "not_found",
            Self::CannotDemoteSelf => "cannot_demote_self",
            Self::SlugTaken => "slug_taken",
            Self::ReviewExists => "review_exists",
            Self::BundleRules { .. } => "bundle_rules",
            Self::SkuTaken(_) => "sku_taken",
            Self::InsufficientStock { .. } => "insufficient_stock",
            Self::InvalidCartToken => "invalid_cart_token",
            Self::CartNotFound => "cart_not_found",
            Self::NotInCart => "not_in_cart",
            Self::Coupon { code, .. } => code,
            Self::CouponCodeTaken => "coupon_code_taken",
            Self::CouponConflict { code, .. } => code,
            Self::CartEmpty => "cart_empty",
            Self::CartTooLarge { .. } => "cart_too_large",
            Self::PaymentProviderUnavailable => "payment_provider_unavailable",
            Self::IdempotencyKeyReused => "idempotency_key_reused",
            Self::IdempotencyInProgress => "idempotency_in_progress",
            Self::InvalidTransition { .. } => "invalid_transition",
            Self::RefundExceedsBalance { .. } => "refund_exceeds_balance",
            Self::InvalidState { .. } => "invalid_state",
            Self::ReturnExceedsDelivered { .. } => "return_exceeds_delivered",
            Self::ReturnWindowClosed { .. } => "return_window_closed",
            Self::InvoiceNotReady => "invoice_not_ready",
            Self::InvalidSignature => "invalid_signature",
            Self::NoSuchRoute => "no_such_route",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Internal(_) => "internal_error",
        }
    }

    pub fn to_problem(&self) -> Problem {
        let status = self.status();
        Problem {
            r#type: format!(
                "https://shop.example/problems/{}",
                self.code().replace('_', "-")
            ),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: self.to_string(),
            code: self.code().to_owned(),
            errors: match self {
                Self::Validation(errors) => errors.clone(),
                _ => Vec::new(),
            },
            extensions: self.extensions(),
        }
    }

    /// The variant's data as extension members of the problem (RFC 9457 §3.2), for clients to
    /// read as data rather than parse from `detail`.
    fn extensions(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut members = serde_json::Map::new();
        match self {
            Self::TooManyAttempts { retry_after_secs } => {
                members.insert("retry_after_seconds".into(), (*retry_after_secs).into());
            }
            Self::PayloadTooLarge { limit } => {
                members.insert("limit_bytes".into(), (*limit).into());
            }
            Self::BundleRules { rule, .. } => {
                members.insert("rule".into(), (*rule).into());
            }
            Self::SkuTaken(skus) => {
                members.insert("skus".into(), skus.clone().into());
            }
            Self::CartTooLarge { max } => {
                members.insert("max_skus".into(), (*max).into());
            }
            Self::InvalidTransition { from, to } => {
                members.insert("from".into(), (*from).into());
                members.insert("to".into(), (*to).into());
            }
            Self::InvalidState { status, .. } => {
                members.insert("order_status".into(), (*status).into());
            }
            Self::ReturnExceedsDelivered { sku, returnable } => {
                members.insert("sku".into(), sku.clone().into());
                members.insert("returnable".into(), (*returnable).into());
            }
            Self::ReturnWindowClosed { days } => {
                members.insert("return_window_days".into(), (*days).into());
            }
            Self::RefundExceedsBalance { left } => {
                members.insert("refundable".into(), (*left).into());
            }
            Self::InsufficientStock { skus, available } => {
                members.insert("skus".into(), skus.clone().into());
                if let Some(available) = available {
                    members.insert("available".into(), (*available).into());
                }
            }
            _ => {}
        }
        members
    }
}

/// The RFC 9457 body.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    pub r#type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub code: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Members particular to the code, such as `retry_after_seconds` of `too_many_attempts`.
    // Open-ended by nature; OpenAPI objects allow further members, so it is left out there.
    #[serde(flatten)]
    #[schema(ignore)]
    pub extensions: serde_json::Map<String, serde_json::Value>,
}

pub const PROBLEM_JSON: &str = "application/problem+json";

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Self::Internal(source) = &self {
            tracing::error!(error = %source, source_debug = ?source, "internal error");
        }
        let problem = self.to_problem();
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response = (self.status(), body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        match &self {
            Self::TooManyAttempts { retry_after_secs } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
            }
            Self::Busy
            | Self::IdempotencyInProgress
            | Self::PaymentProviderUnavailable
            | Self::UpstreamUnavailable(_) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(1));
            }
            Self::Unauthenticated
            | Self::InvalidAccessToken
            | Self::AccessTokenExpired
            | Self::SessionRevoked => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            _ => {}
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_problems_carry_their_fields() {
        let err = ApiError::Validation(vec![FieldError::new("email", "must be an email address")]);
        let problem = err.to_problem();
        assert_eq!(problem.status, 422);
        assert_eq!(problem.code, "validation_failed");
        assert_eq!(problem.errors[0].field, "email");
        assert_eq!(
            problem.r#type,
            "https://shop.example/problems/validation-failed"
        );
    }

    #[test]
    fn data_travels_as_extension_members() {
        let body = serde_json::to_value(
            ApiError::TooManyAttempts {
                retry_after_secs: 42,
            }
            .to_problem(),
        )
        .unwrap();
        assert_eq!(body["retry_after_seconds"], 42);
        assert_eq!(body["code"], "too_many_attempts");
        let plain = serde_json::to_value(ApiError::NotFound.to_problem()).unwrap();
        assert_eq!(plain.as_object().unwrap().len(), 5, "{plain}");
    }

    #[test]
    fn internal_errors_hide_their_source() {
        let err = ApiError::internal("table shop-secret is gone");
        let problem = err.to_problem();
        assert_eq!(problem.status, 500);
        assert!(!problem.detail.contains("shop-secret"));
    }
}
