//! `POST /api/v1/admin/bundles`: staff make a bundle of skus (at least 3 distinct products; a
//! pro bundle holds a pro product): 422 `bundle_rules` naming a broken rule. Its slug is also
//! claimed as a sku, since a cart line may name it (409 `slug_taken`).

use axum::extract::State;
use axum::http::{StatusCode, header};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::accounts;
use crate::catalog::bundle::{self, BundleInput, BundleView};
use crate::domain::catalog::Slug;
use crate::error::{ApiError, Problem};
use crate::http::{Json, Staff};
use crate::state::{AppState, Need};
use crate::store::bundles::{self, Bundle, BundleError};

pub const ROUTE: Route = Route {
    name: "admin_bundles_create",
    needs: &[Need::TableWrite, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(admin_bundles_create)),
    serve: serve!(admin_bundles_create),
};

#[utoipa::path(post, path = "/api/v1/admin/bundles", tag = "admin", request_body = BundleInput, security(("bearer" = [])),
    responses(
        (status = 201, description = "The bundle with its prices", body = BundleView, headers(("Location" = String, description = "Its public URL: `/api/v1/bundles/{slug}`"))),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 403, description = "`forbidden`: not staff", body = Problem),
        (status = 409, description = "`slug_taken` (by a bundle or a sku)", body = Problem),
        (status = 422, description = "`bundle_rules` with the `rule` broken; `validation_failed`", body = Problem)))]
pub async fn admin_bundles_create(
    State(state): State<AppState>,
    _staff: Staff,
    Json(req): Json<BundleInput>,
) -> Result<
    (
        StatusCode,
        [(header::HeaderName, String); 1],
        Json<BundleView>,
    ),
    ApiError,
> {
    let low_stock_threshold = crate::catalog::low_stock_threshold(state.reader()).await?;
    let name = bundle::checked_name(&req.name)?;
    let slug = match req.slug {
        Some(slug) => slug,
        None => Slug::from_name(&name)
            .ok_or_else(|| ApiError::field("slug", "cannot be made from this name; give one"))?,
    };
    let description = bundle::checked_description(&req.description)?;
    let default = crate::store::settings::current(state.reader())
        .await?
        .bundle_discount_percent;
    let discount_percent = bundle::checked_discount(req.discount_percent, default)?;
    let table = state.table();
    let components = bundle::components(table, &req.skus).await?;
    bundle::check_rules(req.r#type, &components)?;
    let now = accounts::rfc3339(accounts::now());
    let made = Bundle {
        slug: slug.as_str().to_owned(),
        name,
        description,
        r#type: req.r#type,
        discount_percent,
        skus: components.iter().map(|(_, v)| v.sku.clone()).collect(),
        product_ids: bundle::product_ids(&components),
        created_at: now.clone(),
        updated_at: now,
    };
    bundles::create(table, &made).await.map_err(|e| match e {
        BundleError::SlugTaken => ApiError::SlugTaken,
        BundleError::Store(e) => e.into(),
    })?;
    let location = format!("/api/v1/bundles/{}", made.slug);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(bundle::view(table, &made, low_stock_threshold).await?),
    ))
}
