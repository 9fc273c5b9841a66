//! `POST /api/v1/admin/products/{id}/images/uploads`: staff ask to upload an image (JPEG, PNG or
//! WebP, at most 10 MB) and get a presigned S3 PUT bound to that content type and size, valid
//! for 15 minutes, and the key to attach it by.

use std::time::Duration;

use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::accounts;
use crate::catalog::image::{self, ImageType, MAX_IMAGE_BYTES};
use crate::domain::id::is_ulid;
use crate::error::{ApiError, Problem};
use crate::http::{Json, Staff};
use crate::state::{AppState, Need};
use crate::store::products;

pub const ROUTE: Route = Route {
    name: "admin_product_images_upload",
    needs: &[Need::TableRead, Need::Blobs, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(admin_product_images_upload)),
    serve: serve!(admin_product_images_upload),
};

/// How long an upload URL works.
const UPLOAD_WINDOW: Duration = Duration::from_secs(15 * 60);

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UploadRequest {
    /// `image/jpeg`, `image/png` or `image/webp`.
    #[schema(schema_with = crate::domain::schema::image_content_type)]
    pub content_type: String,
    /// Bytes, 1 to 10485760.
    #[schema(minimum = 1, maximum = 10485760)]
    pub size: i64,
}

#[derive(Serialize, ToSchema)]
pub struct UploadSlot {
    /// PUT the file here with exactly this `Content-Type` and `Content-Length`.
    pub upload_url: String,
    /// Attach it with `POST /admin/products/{id}/images`.
    pub key: String,
    pub expires_at: String,
}

#[utoipa::path(post, path = "/api/v1/admin/products/{id}/images/uploads", tag = "admin", request_body = UploadRequest,
    params(("id" = String, Path, description = "The product's id")), security(("bearer" = [])),
    responses(
        (status = 200, description = "Where to upload, and the key to attach", body = UploadSlot),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 403, description = "`forbidden`: not staff", body = Problem),
        (status = 404, description = "`not_found`: no such product", body = Problem),
        (status = 422, description = "`validation_failed`: another type, or more than 10 MB", body = Problem)))]
pub async fn admin_product_images_upload(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<String>,
    Json(req): Json<UploadRequest>,
) -> Result<Json<UploadSlot>, ApiError> {
    let kind = ImageType::from_content_type(&req.content_type).ok_or_else(|| {
        ApiError::field(
            "content_type",
            "must be image/jpeg, image/png or image/webp",
        )
    })?;
    if !(1..=MAX_IMAGE_BYTES).contains(&req.size) {
        return Err(ApiError::field("size", "must be 1 to 10485760 bytes"));
    }
    if !is_ulid(&id) || products::get(state.reader(), &id).await?.is_none() {
        return Err(ApiError::NotFound);
    }
    let key = image::original_key(&id, &ulid::Ulid::new().to_string(), kind);
    let upload_url = state
        .blobs()
        .presign_put(&key, kind.content_type(), req.size, UPLOAD_WINDOW)
        .await
        .map_err(ApiError::internal)?;
    let expires = accounts::now() + UPLOAD_WINDOW;
    Ok(Json(UploadSlot {
        upload_url,
        key,
        expires_at: accounts::rfc3339(expires),
    }))
}
