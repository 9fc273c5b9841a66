//! `DELETE /api/v1/admin/products/{id}/images/{image_id}`: staff detach an image; its objects
//! (the original and the display sizes) are deleted from the bucket.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::accounts;
use crate::domain::id::is_ulid;
use crate::error::{ApiError, Problem};
use crate::http::Staff;
use crate::state::{AppState, Need};
use crate::store::products::{self, ImageError};

pub const ROUTE: Route = Route {
    name: "admin_product_images_delete",
    needs: &[Need::TableWrite, Need::Blobs, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(admin_product_images_delete)),
    serve: serve!(admin_product_images_delete),
};

#[utoipa::path(delete, path = "/api/v1/admin/products/{id}/images/{image_id}", tag = "admin",
    params(("id" = String, Path, description = "The product's id"),
        ("image_id" = String, Path, description = "The image's id")), security(("bearer" = [])),
    responses(
        (status = 204, description = "Detached and deleted"),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 403, description = "`forbidden`: not staff", body = Problem),
        (status = 404, description = "`not_found`: no such product or image", body = Problem)))]
pub async fn admin_product_images_delete(
    State(state): State<AppState>,
    _staff: Staff,
    Path((id, image_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    if !is_ulid(&id) || !is_ulid(&image_id) {
        return Err(ApiError::NotFound);
    }
    let now = accounts::rfc3339(accounts::now());
    let image = products::detach_image(state.table(), &id, &image_id, &now)
        .await
        .map_err(|e| match e {
            ImageError::NotFound | ImageError::TooMany => ApiError::NotFound,
            ImageError::Store(e) => e.into(),
        })?;
    let mut keys = vec![image.key];
    if let Some(sizes) = image.sizes {
        keys.extend([sizes.thumbnail.key, sizes.large.key]);
    }
    for key in keys.iter().filter(|k| !k.is_empty()) {
        // The image is detached either way; an object left behind is only storage.
        if let Err(e) = state.blobs().delete(key).await {
            tracing::warn!(error = %e, key, "a detached image's object was not deleted");
        }
    }
    Ok(StatusCode::NO_CONTENT)
}
