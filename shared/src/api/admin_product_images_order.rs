//! `PUT /api/v1/admin/products/{id}/images/order`: staff put a product's images in the order
//! the storefront shows them (`{ids: [...]}`, exactly the product's image ids).

use std::collections::BTreeSet;

use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::accounts;
use crate::catalog::product::StaffProductView;
use crate::domain::id::is_ulid;
use crate::error::{ApiError, Problem};
use crate::http::{Json, Staff};
use crate::state::{AppState, Need};
use crate::store::StoreError;
use crate::store::products::{self, ImageError, MAX_IMAGES};

pub const ROUTE: Route = Route {
    name: "admin_product_images_order",
    needs: &[Need::TableWrite, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(admin_product_images_order)),
    serve: serve!(admin_product_images_order),
};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImageOrder {
    /// Every image id of the product, once each, first shown first.
    #[schema(schema_with = crate::domain::schema::image_ids)]
    pub ids: Vec<String>,
}

#[utoipa::path(put, path = "/api/v1/admin/products/{id}/images/order", tag = "admin", request_body = ImageOrder,
    params(("id" = String, Path, description = "The product's id")), security(("bearer" = [])),
    responses(
        (status = 200, description = "The product with its images in that order", body = StaffProductView),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 403, description = "`forbidden`: not staff", body = Problem),
        (status = 404, description = "`not_found`: no such product", body = Problem),
        (status = 429, description = "`busy`: an image was attached or detached meanwhile; read the product and order again", body = Problem),
        (status = 422, description = "`validation_failed`: `ids` is not exactly the product's images, each once", body = Problem)))]
pub async fn admin_product_images_order(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<String>,
    Json(req): Json<ImageOrder>,
) -> Result<Json<StaffProductView>, ApiError> {
    if !is_ulid(&id) {
        return Err(ApiError::NotFound);
    }
    let (product, _) = products::get(state.reader(), &id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let asked: BTreeSet<&str> = req.ids.iter().map(String::as_str).collect();
    let held: BTreeSet<&str> = product.images.keys().map(String::as_str).collect();
    if req.ids.len() > MAX_IMAGES || asked.len() != req.ids.len() || asked != held {
        return Err(ApiError::field(
            "ids",
            "must list every image of the product exactly once",
        ));
    }
    let now = accounts::rfc3339(accounts::now());
    products::reorder_images(state.table(), &id, &req.ids, &now)
        .await
        .map_err(|e| match e {
            ImageError::NotFound | ImageError::TooMany => ApiError::from(StoreError::contended(
                "the product's images changed meanwhile",
            )),
            ImageError::Store(e) => e.into(),
        })?;
    Ok(Json(StaffProductView::read(state.reader(), &id).await?))
}
