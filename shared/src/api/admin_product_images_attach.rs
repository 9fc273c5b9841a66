//! `POST /api/v1/admin/products/{id}/images`: staff attach an uploaded image by its key. The
//! object must exist, be at most 10 MB, carry the type its key names, and begin with that
//! type's signature bytes; anything else is 422 (and a refused object is deleted). The image
//! is attached with the original only; the images worker adds its display sizes a moment
//! later (attaching the same key again is harmless and asks for them again).

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::accounts;
use crate::catalog::image::{self, ImageJob, ImageType, MAX_IMAGE_BYTES};
use crate::catalog::product::StaffProductView;
use crate::domain::id::is_ulid;
use crate::domain::text;
use crate::error::{ApiError, Problem};
use crate::http::{Json, Staff};
use crate::state::{AppState, Need};
use crate::store::products::{self, Image, ImageError};

pub const ROUTE: Route = Route {
    name: "admin_product_images_attach",
    needs: &[
        Need::TableWrite,
        Need::Blobs,
        Need::ImageQueue,
        Need::AccessTokens,
    ],
    router: || OpenApiRouter::new().routes(routes!(admin_product_images_attach)),
    serve: serve!(admin_product_images_attach),
};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachRequest {
    /// The `key` of `POST /admin/products/{id}/images/uploads`.
    pub key: String,
    /// What the image shows, at most 200 characters.
    #[serde(default)]
    #[schema(schema_with = crate::domain::schema::text_or_blank::<200>)]
    pub alt: String,
}

#[utoipa::path(post, path = "/api/v1/admin/products/{id}/images", tag = "admin", request_body = AttachRequest,
    params(("id" = String, Path, description = "The product's id")), security(("bearer" = [])),
    responses(
        (status = 201, description = "The product with the image attached", body = StaffProductView, headers(("Location" = String, description = "The image: `/api/v1/admin/products/{id}/images/{image_id}`"))),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 403, description = "`forbidden`: not staff", body = Problem),
        (status = 404, description = "`not_found`: no such product", body = Problem),
        (status = 503, description = "`upstream_unavailable`: the image was attached but its display sizes could not be asked for; attach it again", body = Problem),
        (status = 422, description = "`validation_failed`: not this product's upload, nothing uploaded, not that image type, over 10 MB, or 10 images already", body = Problem)))]
pub async fn admin_product_images_attach(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<String>,
    Json(req): Json<AttachRequest>,
) -> Result<impl IntoResponse, ApiError> {
    if !is_ulid(&id) {
        return Err(ApiError::NotFound);
    }
    let alt = match req.alt.trim() {
        "" => String::new(),
        alt => text::clean(alt, 200).map_err(|e| ApiError::field("alt", e))?,
    };
    let (image_id, kind) = image::parse_original_key(&req.key, &id)
        .ok_or_else(|| ApiError::field("key", "is not an upload key of this product"))?;
    check_upload(&state, &req.key, kind).await?;
    let image = Image {
        url: state.blobs().public_url(&req.key),
        id: image_id,
        key: req.key,
        alt,
        content_type: kind.content_type().to_owned(),
        created_at: accounts::rfc3339(accounts::now()),
        sizes: None,
        position: None,
    };
    products::attach_image(state.table(), &id, &image, &image.created_at)
        .await
        .map_err(|e| match e {
            ImageError::NotFound => ApiError::NotFound,
            ImageError::TooMany => ApiError::field("images", "a product holds at most 10 images"),
            ImageError::Store(e) => e.into(),
        })?;
    // Not lost if this fails: the client sees an error and attaches again.
    let job = ImageJob {
        product_id: id.clone(),
        image_id: image.id.clone(),
        key: image.key.clone(),
    };
    let body = serde_json::to_string(&job).map_err(ApiError::internal)?;
    state.image_queue().send(body).await.map_err(|e| {
        tracing::warn!(error = %e, "the image queue refused the job");
        ApiError::UpstreamUnavailable("the image queue")
    })?;
    let view = StaffProductView::read(state.reader(), &id).await?;
    let location = format!("/api/v1/admin/products/{id}/images/{}", image.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(view),
    ))
}

/// The uploaded object is there and is what its key says; a refused one is deleted.
async fn check_upload(state: &AppState, key: &str, kind: ImageType) -> Result<(), ApiError> {
    let blobs = state.blobs();
    let head = blobs
        .head(key)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::field("key", "nothing was uploaded under this key"))?;
    let refusal = if head.size > MAX_IMAGE_BYTES {
        Some("the upload is over 10 MB")
    } else if head
        .content_type
        .as_deref()
        .and_then(ImageType::from_content_type)
        != Some(kind)
    {
        Some("the upload's content type is not the one asked for")
    } else {
        let first = blobs
            .first_bytes(key, 16)
            .await
            .map_err(ApiError::internal)?;
        (ImageType::sniff(&first) != Some(kind))
            .then_some("the upload is not a valid image of its type")
    };
    match refusal {
        None => Ok(()),
        Some(why) => {
            if let Err(e) = blobs.delete(key).await {
                tracing::warn!(error = %e, key, "a refused upload was not deleted");
            }
            Err(ApiError::field("key", why))
        }
    }
}
