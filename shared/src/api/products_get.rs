//! `GET /api/v1/products/{slug}`: one active product as the public sees it (stock only as a
//! status), cacheable with a strong `ETag`. Drafts and archived products are 404.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::catalog::{
    self,
    product::{BundleRef, ProductView},
};
use crate::error::{ApiError, Problem};
use crate::http::cache::public_json;
use crate::state::{AppState, Need};
use crate::store::bundles;

pub const ROUTE: Route = Route {
    name: "products_get",
    needs: &[Need::TableRead],
    router: || OpenApiRouter::new().routes(routes!(products_get)),
    serve: serve!(products_get),
};

#[utoipa::path(get, path = "/api/v1/products/{slug}", tag = "catalog",
    params(("slug" = String, Path, description = "The product's slug")),
    responses(
        (status = 200, description = "The product; `ETag` and a short public `Cache-Control`", body = ProductView),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        (status = 404, description = "`not_found` (also drafts and archived products)", body = Problem)))]
pub async fn products_get(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let low_stock_threshold = crate::catalog::low_stock_threshold(state.reader()).await?;
    // A public page, cached for a while by clients anyway: eventually consistent reads, half
    // the units.
    let table = &state.reader().eventually_consistent();
    let (product, variants) = catalog::active_product(table, &slug).await?;
    let mut bundles = Vec::new();
    for slug in bundles::of_product(table, &product.id).await? {
        if let Some(b) = bundles::get(table, &slug).await? {
            bundles.push(BundleRef {
                slug: b.slug,
                name: b.name,
                discount_percent: b.discount_percent,
            });
        }
    }
    Ok(public_json(
        &headers,
        &ProductView::new(product, variants, bundles, low_stock_threshold),
    ))
}
