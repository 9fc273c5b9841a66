//! `PATCH /api/v1/admin/bundles/{slug}`: staff change a bundle; the same rules hold after
//! (422 `bundle_rules`; checked when the skus or the type change). A change racing with another
//! is decided again on what the other left.

use axum::extract::{Path, State};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::accounts;
use crate::catalog::bundle::{self, BundlePatch, BundleView};
use crate::domain::catalog::{Sku, Slug};
use crate::error::{ApiError, Problem};
use crate::http::{Json, Staff};
use crate::state::{AppState, Need};
use crate::store::bundles::{self, Bundle, BundleError};

pub const ROUTE: Route = Route {
    name: "admin_bundles_update",
    needs: &[Need::TableWrite, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(admin_bundles_update)),
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
    let name = patch
        .name
        .as_deref()
        .map(bundle::checked_name)
        .transpose()?;
    let description = patch
        .description
        .as_deref()
        .map(bundle::checked_description)
        .transpose()?;
    let discount = patch
        .discount_percent
        .map(|p| bundle::checked_discount(Some(p)))
        .transpose()?;
    let slug = Slug::parse(&slug).map_err(|_| ApiError::NotFound)?;
    let table = state.table();
    for _ in 0..5 {
        let before = bundles::get(table, slug.as_str())
            .await?
            .ok_or(ApiError::NotFound)?;
        let kind = patch.r#type.unwrap_or(before.r#type);
        let (skus, product_ids) = match &patch.skus {
            Some(skus) => {
                let components = bundle::components(table, skus).await?;
                bundle::check_rules(kind, &components)?;
                (
                    components.iter().map(|(_, v)| v.sku.clone()).collect(),
                    bundle::product_ids(&components),
                )
            }
            None => {
                // The components stay; a new type is checked against them.
                if kind != before.r#type {
                    let skus: Vec<_> = before
                        .skus
                        .iter()
                        .filter_map(|s| Sku::parse(s).ok())
                        .collect();
                    bundle::check_rules(kind, &bundle::components(table, &skus).await?)?;
                }
                (before.skus.clone(), before.product_ids.clone())
            }
        };
        let after = Bundle {
            name: name.clone().unwrap_or_else(|| before.name.clone()),
            description: description
                .clone()
                .unwrap_or_else(|| before.description.clone()),
            r#type: kind,
            discount_percent: discount.unwrap_or(before.discount_percent),
            skus,
            product_ids,
            updated_at: accounts::rfc3339(accounts::now()),
            ..before.clone()
        };
        match bundles::replace(table, &before, &after).await {
            Ok(()) => return Ok(Json(bundle::view(table, &after).await?)),
            // Changed meanwhile: decide again on what is there now.
            Err(BundleError::NotFound) => continue,
            Err(BundleError::SlugTaken) => return Err(ApiError::SlugTaken),
            Err(BundleError::Store(e)) => return Err(e.into()),
        }
    }
    Err(ApiError::Busy)
}
