//! `GET /api/v1/bundles`: bundles, newest first, `?type=standard|pro|special`, paginated; each
//! with its products, `list_price`, `price` and `discount_percent` as they are now.

use axum::extract::State;
use axum::http::Uri;
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::catalog::bundle::{self, BundleView};
use crate::error::{ApiError, Problem};
use crate::http::Json;
use crate::http::query::choice;
use crate::paging::{List, Page, next_cursor};
use crate::state::{AppState, Need};
use crate::store::bundles::{self, BundleType};

pub const ROUTE: Route = Route {
    name: "bundles_list",
    // AccessTokens for the key that signs list cursors.
    needs: &[Need::TableRead, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(bundles_list)),
    serve: serve!(bundles_list),
};

#[derive(Deserialize)]
struct Filter {
    r#type: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/bundles", tag = "catalog",
    params(
        ("type" = Option<crate::store::bundles::BundleType>, Query, description = "`standard`, `pro` or `special`"),
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "1..=100, default 20"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page")),
    responses(
        (status = 200, description = "A page of bundles, newest first", body = List<BundleView>),
        (status = 400, description = "`invalid_cursor`", body = Problem),
        (status = 422, description = "`validation_failed`: an unknown `type` or a bad `limit`", body = Problem)))]
pub async fn bundles_list(
    State(state): State<AppState>,
    uri: Uri,
) -> Result<Json<List<BundleView>>, ApiError> {
    let low_stock_threshold = crate::catalog::low_stock_threshold(state.reader()).await?;
    let axum::extract::Query(filter) = axum::extract::Query::<Filter>::try_from_uri(&uri)
        .map_err(|e| ApiError::field("query", e.body_text()))?;
    let kind: Option<BundleType> = choice(
        filter.r#type.as_deref(),
        "type",
        "must be standard, pro or special",
    )?;
    let scope = format!("bundles:{}", kind.map_or("all", BundleType::as_str));
    let key = &state.auth().cursor_key;
    let page = Page::from_uri(&uri, key, &scope)?;
    let table = state.reader();
    let (found, last) = bundles::page(table, kind, &page).await?;
    let mut items = Vec::with_capacity(found.len());
    for b in &found {
        items.push(bundle::view(table, b, low_stock_threshold).await?);
    }
    Ok(Json(List {
        items,
        next_cursor: next_cursor(last, key, &scope),
    }))
}
