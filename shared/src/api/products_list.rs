//! `GET /api/v1/products`: the public listing of active products with every filter, sort and
//! the search of API.md, paginated; cacheable with a strong `ETag`. It reads this container's
//! catalog index (`catalog::snapshot`), never the table row by row.

use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::catalog::filters::PublicParams;
use crate::catalog::listing::Position;
use crate::catalog::product::ProductCard;
use crate::catalog::snapshot;
use crate::error::{ApiError, Problem};
use crate::http::cache::public_json;
use crate::paging::{List, limit_and_position, seal};
use crate::state::{AppState, Need};

pub const ROUTE: Route = Route {
    name: "products_list",
    // AccessTokens for the key that signs list cursors.
    needs: &[Need::TableRead, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(products_list)),
    serve: serve!(products_list),
};

#[utoipa::path(get, path = "/api/v1/products", tag = "catalog",
    params(
        ("category" = Option<String>, Query, pattern = "^\\s*(?=[a-z0-9-]{1,100}\\s*$)[a-z0-9]+(?:-[a-z0-9]+)*\\s*$", description = "a category's slug: products in it or under it"),
        ("q" = Option<String>, Query, max_length = 200, description = "words (all must match, whole or by a prefix of 2+) over name, description, tags and skus"),
        ("min_price" = Option<i64>, Query, minimum = 0, maximum = 100000000, description = "lowest `price_from`, inclusive, minor units"),
        ("max_price" = Option<i64>, Query, minimum = 0, maximum = 100000000, description = "highest `price_from`, inclusive, minor units"),
        ("in_stock" = Option<bool>, Query, description = "`true`: something to sell; `false`: nothing"),
        ("featured" = Option<bool>, Query, description = "featured products only (or not)"),
        ("tier" = Option<crate::domain::catalog::Tier>, Query, description = "`standard` or `pro`"),
        ("tag" = Option<String>, Query, max_length = 40, description = "products with this tag"),
        ("sort" = Option<String>, Query, pattern = "^(?:price|-price|name|-created_at|-rating)$", description = "`price`, `-price`, `name`, `-created_at` (default), `-rating`"),
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "1..=100, default 20"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page (same filters and sort)")),
    responses(
        (status = 200, description = "A page of products; `ETag` and a short public `Cache-Control`", body = List<ProductCard>),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        (status = 400, description = "`invalid_cursor`: forged, or from another list, filter or sort", body = Problem),
        (status = 422, description = "`validation_failed`: a bad filter, `sort` or `limit`", body = Problem)))]
pub async fn products_list(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let low_stock_threshold = crate::catalog::low_stock_threshold(state.reader()).await?;
    let axum::extract::Query(params) = axum::extract::Query::<PublicParams>::try_from_uri(&uri)
        .map_err(|e| ApiError::field("query", e.body_text()))?;
    let ((filter, sort), scope) = params.read()?;
    let key = &state.auth().cursor_key;
    let (limit, after) = limit_and_position::<Position>(&uri, key, &scope)?;
    let index = snapshot::current(state.reader()).await?;
    let (found, end) = index.page(&filter, sort, after.as_ref(), limit);
    let page = List {
        items: found
            .iter()
            .map(|e| ProductCard::new(&e.product, &e.variants, low_stock_threshold))
            .collect(),
        next_cursor: end.and_then(|p| seal(&p, key, &scope)),
    };
    Ok(public_json(&headers, &page))
}
