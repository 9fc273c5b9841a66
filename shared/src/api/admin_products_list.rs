//! `GET /api/v1/admin/products`: every product whatever its status, as staff see it (numeric
//! stock per variant), newest first; `?q=` over names and skus, `status`, `category` (with its
//! subcategories), `low_stock=true`; paginated. Reads this container's catalog index.

use axum::extract::State;
use axum::http::Uri;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::catalog::filters::StaffParams;
use crate::catalog::listing::{Position, Sort};
use crate::catalog::product::StaffProductView;
use crate::catalog::snapshot;
use crate::error::{ApiError, Problem};
use crate::http::{Json, Staff};
use crate::paging::{List, limit_and_position, seal};
use crate::state::{AppState, Need};

pub const ROUTE: Route = Route {
    name: "admin_products_list",
    needs: &[Need::TableRead, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(admin_products_list)),
    serve: serve!(admin_products_list),
};

#[utoipa::path(get, path = "/api/v1/admin/products", tag = "admin", security(("bearer" = [])),
    params(
        ("q" = Option<String>, Query, max_length = 200, description = "words over names and skus (a sku also whole)"),
        ("status" = Option<crate::domain::catalog::ProductStatus>, Query, description = "`draft`, `active` or `archived`"),
        ("category" = Option<String>, Query, pattern = "^\\s*(?=[a-z0-9-]{1,100}\\s*$)[a-z0-9]+(?:-[a-z0-9]+)*\\s*$", description = "a category's slug: products in it or under it"),
        ("low_stock" = Option<bool>, Query, description = "`true`: products with a variant at or under the low-stock threshold"),
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "1..=100, default 20"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page (same filters)")),
    responses(
        (status = 200, description = "A page of products, newest first", body = List<StaffProductView>),
        (status = 400, description = "`invalid_cursor`", body = Problem),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 403, description = "`forbidden`: not staff", body = Problem),
        (status = 422, description = "`validation_failed`: a bad filter or `limit`", body = Problem)))]
pub async fn admin_products_list(
    State(state): State<AppState>,
    _staff: Staff,
    uri: Uri,
) -> Result<Json<List<StaffProductView>>, ApiError> {
    let low_stock_threshold = crate::catalog::low_stock_threshold(state.reader()).await?;
    let axum::extract::Query(params) = axum::extract::Query::<StaffParams>::try_from_uri(&uri)
        .map_err(|e| ApiError::field("query", e.body_text()))?;
    let (filter, scope) = params.read(low_stock_threshold)?;
    let key = &state.auth().cursor_key;
    let (limit, after) = limit_and_position::<Position>(&uri, key, &scope)?;
    let index = snapshot::current(state.reader()).await?;
    let (found, end) = index.page(&filter, Sort::Newest, after.as_ref(), limit);
    Ok(Json(List {
        items: found
            .iter()
            .map(|e| {
                StaffProductView::new(e.product.clone(), e.variants.clone(), low_stock_threshold)
            })
            .collect(),
        next_cursor: end.and_then(|p| seal(&p, key, &scope)),
    }))
}
