//! `POST /api/v1/admin/products`: staff add a product with its variants. Its slug (made from
//! the name when absent) and every sku are claimed with it in one transaction: 409
//! `slug_taken` / `sku_taken` (naming the skus), also when two requests race.
//! The change is mirrored to Stripe by the worker (`catalog::stripe_sync`).

use axum::extract::State;
use axum::http::{StatusCode, header};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::accounts;
use crate::catalog::product::{ProductInput, StaffProductView};
use crate::error::{ApiError, Problem};
use crate::http::{Json, Staff};
use crate::state::{AppState, Need};
use crate::store::products::{self, CreateProductError};

pub const ROUTE: Route = Route {
    name: "admin_products_create",
    needs: &[Need::TableWrite, Need::AccessTokens, Need::Queue],
    router: || OpenApiRouter::new().routes(routes!(admin_products_create)),
    serve: serve!(admin_products_create),
};

#[utoipa::path(post, path = "/api/v1/admin/products", tag = "admin", request_body = ProductInput, security(("bearer" = [])),
    responses(
        (status = 201, description = "The product as staff see it", body = StaffProductView, headers(("Location" = String, description = "Its staff URL: `/api/v1/admin/products/{id}`"))),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 403, description = "`forbidden`: not staff", body = Problem),
        (status = 409, description = "`slug_taken`; `sku_taken` with `skus`", body = Problem),
        (status = 422, description = "`validation_failed` naming each field (also an unknown category)", body = Problem)))]
pub async fn admin_products_create(
    State(state): State<AppState>,
    _staff: Staff,
    Json(req): Json<ProductInput>,
) -> Result<
    (
        StatusCode,
        [(header::HeaderName, String); 1],
        Json<StaffProductView>,
    ),
    ApiError,
> {
    let low_stock_threshold = crate::catalog::low_stock_threshold(state.reader()).await?;
    let (product, variants) = req.into_product(
        ulid::Ulid::new().to_string(),
        accounts::rfc3339(accounts::now()),
    )?;
    products::create(state.table(), &product, &variants)
        .await
        .map_err(|e| match e {
            CreateProductError::SlugTaken => ApiError::SlugTaken,
            CreateProductError::SkusTaken(skus) => ApiError::SkuTaken(skus),
            CreateProductError::CategoryMissing => ApiError::field("category", "no such category"),
            CreateProductError::Store(e) => e.into(),
        })?;
    crate::catalog::stripe_sync::queue(&state, &product.id).await;
    let location = format!("/api/v1/admin/products/{}", product.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(StaffProductView::new(
            product,
            variants,
            low_stock_threshold,
        )),
    ))
}
