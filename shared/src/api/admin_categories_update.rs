//! `PATCH /api/v1/admin/categories/{slug}`: staff rename a category or move it (`parent`: a
//! slug, or `null` for the top). A category never becomes its own ancestor.

use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use super::admin_categories_create::{CategoryView, category_error};
use crate::domain::catalog::Slug;
use crate::domain::text;
use crate::error::{ApiError, Problem};
use crate::http::{Json, Staff};
use crate::state::{AppState, Need};
use crate::store::categories::{self, CategoryChange};

pub const ROUTE: Route = Route {
    name: "admin_categories_update",
    needs: &[Need::TableWrite, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(admin_categories_update)),
    serve: serve!(admin_categories_update),
};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryPatch {
    #[schema(schema_with = crate::domain::schema::text_or_null::<100>)]
    pub name: Option<String>,
    /// A slug to move under, or `null` to move to the top; absent leaves it.
    #[serde(default, deserialize_with = "crate::domain::patch::present")]
    #[schema(schema_with = crate::domain::schema::slug_or_null)]
    pub parent: Option<Option<Slug>>,
}

#[utoipa::path(patch, path = "/api/v1/admin/categories/{slug}", tag = "admin", request_body = CategoryPatch,
    params(("slug" = String, Path, description = "The category's slug")), security(("bearer" = [])),
    responses(
        (status = 200, description = "The category as it now is", body = CategoryView),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 403, description = "`forbidden`: not staff", body = Problem),
        (status = 404, description = "`not_found`", body = Problem),
        (status = 422, description = "`validation_failed`: also an unknown parent, or one that would make it its own ancestor", body = Problem)))]
pub async fn admin_categories_update(
    State(state): State<AppState>,
    _staff: Staff,
    Path(slug): Path<String>,
    Json(patch): Json<CategoryPatch>,
) -> Result<Json<CategoryView>, ApiError> {
    let slug = Slug::parse(&slug).map_err(|_| ApiError::NotFound)?;
    let change = CategoryChange {
        name: patch
            .name
            .as_deref()
            .map(|n| text::clean(n, 100))
            .transpose()
            .map_err(|e| ApiError::field("name", e))?,
        parent: patch.parent.map(|p| p.map(|slug| slug.as_str().to_owned())),
    };
    let category = categories::update(state.table(), slug.as_str(), &change)
        .await
        .map_err(category_error)?;
    Ok(Json(category.into()))
}
