//! `PATCH /api/v1/admin/products/{id}`: staff change a product. Variants merge by sku; stock
//! changes only through the stock route; a new slug or sku is claimed in the same transaction
//! (409 `slug_taken` / `sku_taken`). Price changes do not touch existing orders.
//! The change is mirrored to Stripe by the worker (`catalog::stripe_sync`).

use axum::extract::{Path, State};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::accounts;
use crate::catalog::product::{ProductPatch, StaffProductView, update_error};
use crate::domain::id::is_ulid;
use crate::error::{ApiError, Problem};
use crate::http::{Json, Staff};
use crate::state::{AppState, Need};
use crate::store::products;

pub const ROUTE: Route = Route {
    name: "admin_products_update",
    needs: &[Need::TableWrite, Need::AccessTokens, Need::Queue],
    router: || OpenApiRouter::new().routes(routes!(admin_products_update)),
    serve: serve!(admin_products_update),
};

#[utoipa::path(patch, path = "/api/v1/admin/products/{id}", tag = "admin", request_body = ProductPatch,
    params(("id" = String, Path, description = "The product's id")), security(("bearer" = [])),
    responses(
        (status = 200, description = "The product as it now is", body = StaffProductView),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 403, description = "`forbidden`: not staff", body = Problem),
        (status = 404, description = "`not_found`", body = Problem),
        (status = 409, description = "`slug_taken`; `sku_taken` with `skus`", body = Problem),
        (status = 422, description = "`validation_failed` naming each field", body = Problem)))]
pub async fn admin_products_update(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<String>,
    Json(patch): Json<ProductPatch>,
) -> Result<Json<StaffProductView>, ApiError> {
    let low_stock_threshold = crate::catalog::low_stock_threshold(state.reader()).await?;
    let change = patch.into_change()?;
    if !is_ulid(&id) {
        return Err(ApiError::NotFound);
    }
    let now = accounts::rfc3339(accounts::now());
    let (product, variants) = products::update(state.table(), &id, &change, &now)
        .await
        .map_err(update_error)?;
    crate::catalog::stripe_sync::queue(&state, &id).await;
    Ok(Json(StaffProductView::new(
        product,
        variants,
        low_stock_threshold,
    )))
}
