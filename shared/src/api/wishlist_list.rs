//! `GET /api/v1/wishlist`: the user's wished products with their current price and stock
//! status; a product archived (or made a draft) since is shown as unavailable, not an error.

use axum::extract::State;
use axum::http::Uri;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::catalog::product::overall_status;
use crate::domain::catalog::{ProductStatus, StockStatus};
use crate::error::{ApiError, Problem};
use crate::http::{AuthUser, Json};
use crate::paging::{List, Page, next_cursor};
use crate::state::{AppState, Need};
use crate::store::{products, wishlist};

pub const ROUTE: Route = Route {
    name: "wishlist_list",
    needs: &[Need::TableRead, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(wishlist_list)),
    serve: serve!(wishlist_list),
};

/// A wished product as it is now.
#[derive(Debug, Serialize, ToSchema)]
pub struct WishedProduct {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub price_from: i64,
    pub stock_status: StockStatus,
    /// False when the product is no longer on sale.
    pub available: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WishView {
    pub product: WishedProduct,
    pub added_at: String,
}

#[utoipa::path(get, path = "/api/v1/wishlist", tag = "wishlist", security(("bearer" = [])),
    params(
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "1..=100, default 20"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page")),
    responses(
        (status = 200, description = "A page of the wishlist", body = List<WishView>),
        (status = 400, description = "`invalid_cursor`", body = Problem),
        (status = 422, description = "`validation_failed`: `limit` outside 1..=100", body = Problem),
        (status = 401, description = "No valid access token", body = Problem)))]
pub async fn wishlist_list(
    State(state): State<AppState>,
    user: AuthUser,
    uri: Uri,
) -> Result<Json<List<WishView>>, ApiError> {
    let low_stock_threshold = crate::catalog::low_stock_threshold(state.reader()).await?;
    let table = state.reader();
    let scope = format!("wishlist:{}", user.id());
    let key = &state.auth().cursor_key;
    let page = Page::from_uri(&uri, key, &scope)?;
    let (wishes, last) = wishlist::page(table, user.id(), &page).await?;
    let mut items = Vec::with_capacity(wishes.len());
    // One read per entry; a page is at most 100.
    for wish in wishes {
        let Some((product, variants)) = products::get(table, &wish.product_id).await? else {
            continue;
        };
        let available = product.status == ProductStatus::Active;
        items.push(WishView {
            product: WishedProduct {
                stock_status: if available {
                    overall_status(&variants, low_stock_threshold)
                } else {
                    StockStatus::OutOfStock
                },
                available,
                id: product.id,
                slug: product.slug,
                name: product.name,
                price_from: product.price_from,
            },
            added_at: wish.added_at,
        });
    }
    Ok(Json(List {
        items,
        next_cursor: next_cursor(last, key, &scope),
    }))
}
