//! `GET /api/v1/products/{slug}/reviews`: an active product's reviews, newest first, paginated.

use axum::extract::{Path, State};
use axum::http::Uri;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::catalog::{self, review::ReviewView};
use crate::error::{ApiError, Problem};
use crate::http::Json;
use crate::paging::{List, Page, next_cursor};
use crate::state::{AppState, Need};
use crate::store::reviews;

pub const ROUTE: Route = Route {
    name: "products_reviews_list",
    // AccessTokens for the key that signs list cursors.
    needs: &[Need::TableRead, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(products_reviews_list)),
    serve: serve!(products_reviews_list),
};

#[utoipa::path(get, path = "/api/v1/products/{slug}/reviews", tag = "catalog",
    params(
        ("slug" = String, Path, description = "The product's slug"),
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "1..=100, default 20"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page")),
    responses(
        (status = 200, description = "A page of reviews, newest first", body = List<ReviewView>),
        (status = 400, description = "`invalid_cursor`", body = Problem),
        (status = 422, description = "`validation_failed`: `limit` outside 1..=100", body = Problem),
        (status = 404, description = "`not_found`", body = Problem)))]
pub async fn products_reviews_list(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    uri: Uri,
) -> Result<Json<List<ReviewView>>, ApiError> {
    let table = state.reader();
    let (product, _) = catalog::active_product(table, &slug).await?;
    let scope = format!("reviews:{}", product.id);
    let key = &state.auth().cursor_key;
    let page = Page::from_uri(&uri, key, &scope)?;
    let (found, last) = reviews::page(table, &product.id, &page).await?;
    Ok(Json(List {
        items: found.into_iter().map(ReviewView::from).collect(),
        next_cursor: next_cursor(last, key, &scope),
    }))
}
