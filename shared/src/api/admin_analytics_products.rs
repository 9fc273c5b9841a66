//! `GET /api/v1/admin/analytics/products`: best sellers by units and by revenue, most wished,
//! most abandoned in carts (`analytics::products`): Queries of the running totals and of the
//! abandoned carts, no Scan.

use axum::extract::State;
use axum::http::Uri;
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::analytics::{self, ProductsReport};
use crate::error::{ApiError, Problem};
use crate::http::{Admin, Json};
use crate::state::{AppState, Need};

pub const ROUTE: Route = Route {
    name: "admin_analytics_products",
    needs: &[Need::TableRead, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(admin_analytics_products)),
    serve: serve!(admin_analytics_products),
};

#[derive(Deserialize)]
struct Raw {
    limit: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/admin/analytics/products", tag = "admin",
    params(("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "Products per ranking, 1..=100, default 10")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The rankings, highest first", body = ProductsReport),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 403, description = "`forbidden`: not an admin", body = Problem),
        (status = 422, description = "`validation_failed`: a bad `limit`", body = Problem)))]
pub async fn admin_analytics_products(
    State(state): State<AppState>,
    _admin: Admin,
    uri: Uri,
) -> Result<Json<ProductsReport>, ApiError> {
    let axum::extract::Query(raw) = axum::extract::Query::<Raw>::try_from_uri(&uri)
        .map_err(|e| ApiError::field("query", e.body_text()))?;
    let limit = match raw.limit.as_deref().filter(|l| !l.is_empty()) {
        None => 10,
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|l| (1..=100).contains(l))
            .ok_or_else(|| ApiError::field("limit", "must be 1 to 100"))?,
    };
    Ok(Json(analytics::products(&state, limit).await?))
}
