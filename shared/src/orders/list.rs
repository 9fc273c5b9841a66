//! The filters of the order lists (`?status=&from=&to=`, and `?email=` for admins), read and
//! checked once for both.

use axum::http::Uri;
use serde::Deserialize;

use crate::accounts;
use crate::domain::order::OrderStatus;
use crate::error::ApiError;
use crate::http::query::choice;
use crate::store::orders::OrderFilter;

#[derive(Deserialize)]
struct Raw {
    status: Option<String>,
    from: Option<String>,
    to: Option<String>,
    email: Option<String>,
}

/// The filter a list's query asks for; `email` only where `with_email`.
pub fn filter(uri: &Uri, with_email: bool) -> Result<OrderFilter, ApiError> {
    let axum::extract::Query(raw) = axum::extract::Query::<Raw>::try_from_uri(uri)
        .map_err(|e| ApiError::field("query", e.body_text()))?;
    let status: Option<OrderStatus> = choice(
        raw.status.as_deref(),
        "status",
        "must be an order status such as pending, paid or shipped",
    )?;
    let when = |field: &str, raw: Option<String>| -> Result<Option<String>, ApiError> {
        match raw.filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => accounts::parse_rfc3339(&v)
                .map(|t| Some(accounts::rfc3339(t)))
                .ok_or_else(|| ApiError::field(field, "must be an RFC 3339 time")),
        }
    };
    let from = when("from", raw.from)?;
    let to = when("to", raw.to)?;
    let email = match raw.email.filter(|e| !e.is_empty()) {
        Some(e) if with_email => Some(
            crate::domain::Email::parse(&e)
                .map_err(|err| ApiError::field("email", err.to_string()))?
                .as_str()
                .to_lowercase(),
        ),
        _ => None,
    };
    Ok(OrderFilter {
        status,
        from,
        to,
        email,
    })
}

/// The scope a list's cursors are bound to: its filters.
pub fn scope(prefix: &str, f: &OrderFilter) -> String {
    format!(
        "{prefix}:{:?}:{:?}:{:?}:{:?}",
        f.status, f.from, f.to, f.email
    )
}
