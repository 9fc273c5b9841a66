//! `PATCH /api/v1/admin/bundles/{slug}`: staff change a bundle; the same rules hold after
//! (422 `bundle_rules`; checked when the skus or the type change).

use axum::extract::{Path, State};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::accounts;
use crate::catalog::bundle::{self, BundleChange, BundlePatch, BundleView};
use crate::domain::catalog::Slug;
use crate::error::{ApiError, Problem};
use crate::http::{Json, Staff};
use crate::state::{AppState, Need};

pub const ROUTE: Route = Route {
    name: "admin_bundles_update",
    needs: &[Need::TableWrite, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(admin_bundles_update)),
    serve: serve!(admin_bundles_update),
};

#[utoipa::path(patch, path = "/api/v1/admin/bundles/{slug}", tag = "admin", request_body = BundlePatch,
    params(("slug" = String, Path, description = "The bundle's slug")), security(("bearer" = [])),
    responses(
        (status = 200, description = "The bundle as it now is", body = BundleView),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 403, description = "`forbidden`: not staff", body = Problem),
        (status = 404, description = "`not_found`", body = Problem),
        (status = 422, description = "`bundle_rules` with the `rule` broken; `validation_failed`", body = Problem)))]
pub async fn admin_bundles_update(
    State(state): State<AppState>,
    _staff: Staff,
    Path(slug): Path<String>,
    Json(patch): Json<BundlePatch>,
) -> Result<Json<BundleView>, ApiError> {
    let low_stock_threshold = crate::catalog::low_stock_threshold(state.reader()).await?;
    let change = BundleChange {
        name: patch
            .name
            .as_deref()
            .map(bundle::checked_name)
            .transpose()?,
        description: patch
            .description
            .as_deref()
            .map(bundle::checked_description)
            .transpose()?,
        r#type: patch.r#type,
        skus: patch.skus,
        discount_percent: patch
            .discount_percent
            .map(|p| bundle::checked_discount(Some(p), 0))
            .transpose()?,
    };
    let slug = Slug::parse(&slug).map_err(|_| ApiError::NotFound)?;
    let table = state.table();
    let now = accounts::rfc3339(accounts::now());
    let after = bundle::update(table, slug.as_str(), &change, &now).await?;
    Ok(Json(
        bundle::view(table, &after, low_stock_threshold).await?,
    ))
}
