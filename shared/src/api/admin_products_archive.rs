//! `DELETE /api/v1/admin/products/{id}`: archives a product: hidden from the catalog, kept for
//! orders (and for staff). Archiving an archived product is a no-op.
//! The change is mirrored to Stripe by the worker (`catalog::stripe_sync`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::accounts;
use crate::catalog::product::update_error;
use crate::domain::catalog::ProductStatus;
use crate::domain::id::is_ulid;
use crate::error::{ApiError, Problem};
use crate::http::Staff;
use crate::state::{AppState, Need};
use crate::store::products::{self, ProductChange};

pub const ROUTE: Route = Route {
    name: "admin_products_archive",
    needs: &[Need::TableWrite, Need::AccessTokens, Need::Queue],
    router: || OpenApiRouter::new().routes(routes!(admin_products_archive)),
    serve: serve!(admin_products_archive),
};

#[utoipa::path(delete, path = "/api/v1/admin/products/{id}", tag = "admin",
    params(("id" = String, Path, description = "The product's id")), security(("bearer" = [])),
    responses(
        (status = 204, description = "Archived"),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 403, description = "`forbidden`: not staff", body = Problem),
        (status = 404, description = "`not_found`", body = Problem)))]
pub async fn admin_products_archive(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if !is_ulid(&id) {
        return Err(ApiError::NotFound);
    }
    let archive = ProductChange {
        status: Some(ProductStatus::Archived),
        ..ProductChange::default()
    };
    let now = accounts::rfc3339(accounts::now());
    products::update(state.table(), &id, &archive, &now)
        .await
        .map_err(update_error)?;
    crate::catalog::stripe_sync::queue(&state, &id).await;
    Ok(StatusCode::NO_CONTENT)
}
