//! `GET /api/v1/bundles/{slug}`: one bundle with its products and prices as they are now,
//! cacheable with a strong `ETag`.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::catalog::bundle::{self, BundleView};
use crate::domain::catalog::Slug;
use crate::error::{ApiError, Problem};
use crate::http::cache::public_json;
use crate::state::{AppState, Need};
use crate::store::bundles;

pub const ROUTE: Route = Route {
    name: "bundles_get",
    needs: &[Need::TableRead],
    router: || OpenApiRouter::new().routes(routes!(bundles_get)),
    serve: serve!(bundles_get),
};

#[utoipa::path(get, path = "/api/v1/bundles/{slug}", tag = "catalog",
    params(("slug" = String, Path, description = "The bundle's slug")),
    responses(
        (status = 200, description = "The bundle; `ETag` and a short public `Cache-Control`", body = BundleView),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        (status = 404, description = "`not_found`", body = Problem)))]
pub async fn bundles_get(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let low_stock_threshold = crate::catalog::low_stock_threshold(state.reader()).await?;
    let slug = Slug::parse(&slug).map_err(|_| ApiError::NotFound)?;
    // A public page, cached for a while by clients anyway: eventually consistent reads, half
    // the units.
    let table = &state.reader().eventually_consistent();
    let found = bundles::get(table, slug.as_str())
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(public_json(
        &headers,
        &bundle::view(table, &found, low_stock_threshold).await?,
    ))
}
