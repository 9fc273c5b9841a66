//! `GET /api/v1/admin/analytics/sales`: orders, revenue, average order value, discounts and
//! refunds per day, week or month, in the shop's currency, from the running totals the worker
//! keeps (`analytics`): one Query, no Scan.

use axum::extract::State;
use axum::http::Uri;
use serde::Deserialize;
use time::Duration;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::analytics::{self, Interval, SalesReport};
use crate::error::{ApiError, FieldError, Problem};
use crate::http::query::choice;
use crate::http::{Admin, Json};
use crate::state::{AppState, Need};

pub const ROUTE: Route = Route {
    name: "admin_analytics_sales",
    needs: &[Need::TableRead, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(admin_analytics_sales)),
    serve: serve!(admin_analytics_sales),
};

#[derive(Deserialize)]
struct Raw {
    from: Option<String>,
    to: Option<String>,
    interval: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/admin/analytics/sales", tag = "admin",
    params(
        ("from" = Option<String>, Query, format = Date, description = "The first day (`yyyy-mm-dd`, UTC; an RFC 3339 time gives its day); default: 29 days before `to`"),
        ("to" = Option<String>, Query, format = Date, description = "The last day, included; default: today"),
        ("interval" = Option<Interval>, Query, description = "`day` (default), `week` (from Monday) or `month`")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every interval from `from` to `to`, and the totals", body = SalesReport),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 403, description = "`forbidden`: not an admin", body = Problem),
        (status = 422, description = "`validation_failed`: a bad date or interval, `to` before `from`, or more than 731 days", body = Problem)))]
pub async fn admin_analytics_sales(
    State(state): State<AppState>,
    _admin: Admin,
    uri: Uri,
) -> Result<Json<SalesReport>, ApiError> {
    let axum::extract::Query(raw) = axum::extract::Query::<Raw>::try_from_uri(&uri)
        .map_err(|e| ApiError::field("query", e.body_text()))?;
    let mut errors = Vec::new();
    let mut day = |field: &str, value: Option<&str>| match value.filter(|v| !v.is_empty()) {
        None => None,
        Some(v) => analytics::parse_day(v).or_else(|| {
            errors.push(FieldError::new(
                field,
                "must be a date (yyyy-mm-dd) or an RFC 3339 time",
            ));
            None
        }),
    };
    let to = day("to", raw.to.as_deref());
    let from = day("from", raw.from.as_deref());
    let interval = match choice::<Interval>(
        raw.interval.as_deref(),
        "interval",
        "must be day, week or month",
    ) {
        Ok(i) => i.unwrap_or(Interval::Day),
        Err(ApiError::Validation(e)) => {
            errors.extend(e);
            Interval::Day
        }
        Err(e) => return Err(e),
    };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let to = to.unwrap_or_else(|| crate::accounts::now().date());
    let from = from.unwrap_or(to - Duration::days(29));
    if to < from {
        return Err(ApiError::field("to", "must not be before from"));
    }
    if (to - from).whole_days() >= analytics::MAX_DAYS {
        return Err(ApiError::field(
            "from",
            format!("at most {} days at once", analytics::MAX_DAYS),
        ));
    }
    Ok(Json(analytics::sales(&state, from, to, interval).await?))
}
