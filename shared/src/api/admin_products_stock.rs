//! `PUT /api/v1/admin/products/{id}/stock`: staff set a variant's stock, or change it by a
//! delta, in one conditional write: it never goes below zero (409 `insufficient_stock`, with
//! what is `available`), however many changes run at once.

use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::catalog::product::MAX_STOCK;
use crate::domain::catalog::Sku;
use crate::domain::id::is_ulid;
use crate::error::{ApiError, Problem};
use crate::http::{Json, Staff};
use crate::state::{AppState, Need};
use crate::store::products::{self, StockChange, StockError};

pub const ROUTE: Route = Route {
    name: "admin_products_stock",
    needs: &[Need::TableWrite, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(admin_products_stock)),
    serve: serve!(admin_products_stock),
};

/// Exactly one of `set` or `delta`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StockRequest {
    #[schema(schema_with = crate::domain::schema::sku)]
    pub sku: Sku,
    /// The new stock, 0 to 1000000; exactly one of `set` and `delta`.
    #[schema(schema_with = crate::domain::schema::optional_int::<0, 1000000>)]
    pub set: Option<i64>,
    /// Added to the stock (negative takes away), -1000000 to 1000000.
    #[schema(schema_with = crate::domain::schema::optional_int::<-1000000, 1000000>)]
    pub delta: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct StockLevel {
    pub sku: String,
    pub stock: i64,
}

#[utoipa::path(put, path = "/api/v1/admin/products/{id}/stock", tag = "admin", request_body = StockRequest,
    params(("id" = String, Path, description = "The product's id")), security(("bearer" = [])),
    responses(
        (status = 200, description = "The variant's stock now", body = StockLevel),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 403, description = "`forbidden`: not staff", body = Problem),
        (status = 404, description = "`not_found`: no such product or sku", body = Problem),
        (status = 409, description = "`insufficient_stock`: the result would be below zero (`available` says how many there are)", body = Problem),
        (status = 422, description = "`validation_failed`: not exactly one of `set` and `delta`, or out of range", body = Problem)))]
pub async fn admin_products_stock(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<String>,
    Json(req): Json<StockRequest>,
) -> Result<Json<StockLevel>, ApiError> {
    let change = match (req.set, req.delta) {
        (Some(set), None) if (0..=MAX_STOCK).contains(&set) => StockChange::Set(set),
        (Some(_), None) => return Err(ApiError::field("set", "must be 0 to 1000000")),
        (None, Some(delta)) if (-MAX_STOCK..=MAX_STOCK).contains(&delta) => {
            StockChange::Delta(delta)
        }
        (None, Some(_)) => return Err(ApiError::field("delta", "must be -1000000 to 1000000")),
        _ => return Err(ApiError::field("body", "give exactly one of set and delta")),
    };
    if !is_ulid(&id) {
        return Err(ApiError::NotFound);
    }
    let sku = req.sku.as_str();
    let stock = products::change_stock(state.table(), &id, sku, change)
        .await
        .map_err(|e| match e {
            StockError::NotFound => ApiError::NotFound,
            StockError::Insufficient { available } => ApiError::InsufficientStock {
                skus: vec![sku.to_owned()],
                available: Some(available),
            },
            StockError::Store(e) => e.into(),
        })?;
    Ok(Json(StockLevel {
        sku: sku.to_owned(),
        stock,
    }))
}
