//! `POST /api/v1/admin/categories`: staff add a category, under a parent or at the top.

use axum::extract::State;
use axum::http::{StatusCode, header};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::accounts;
use crate::domain::catalog::Slug;
use crate::domain::text;
use crate::error::{ApiError, Problem};
use crate::http::{Json, Staff};
use crate::state::{AppState, Need};
use crate::store::categories::{self, Category, CategoryError};

pub const ROUTE: Route = Route {
    name: "admin_categories_create",
    needs: &[Need::TableWrite, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(admin_categories_create)),
    serve: serve!(admin_categories_create),
};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryInput {
    #[schema(schema_with = crate::domain::schema::slug, example = "mugs")]
    pub slug: Slug,
    /// 1 to 100 characters.
    #[schema(schema_with = crate::domain::schema::text::<100>)]
    pub name: String,
    /// The parent category's slug.
    #[schema(schema_with = crate::domain::schema::slug_or_null)]
    pub parent: Option<Slug>,
}

/// A category as staff see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryView {
    pub slug: String,
    pub name: String,
    pub parent: Option<String>,
    pub created_at: String,
}

impl From<Category> for CategoryView {
    fn from(c: Category) -> Self {
        Self {
            slug: c.slug,
            name: c.name,
            parent: c.parent,
            created_at: c.created_at,
        }
    }
}

/// The client errors of a category write.
pub fn category_error(e: CategoryError) -> ApiError {
    match e {
        CategoryError::SlugTaken => ApiError::SlugTaken,
        CategoryError::NotFound => ApiError::NotFound,
        CategoryError::ParentMissing => ApiError::field("parent", "no such category"),
        CategoryError::Cycle => {
            ApiError::field("parent", "would make the category its own ancestor")
        }
        CategoryError::TooDeep => ApiError::field(
            "parent",
            format!(
                "the tree may be at most {} levels deep",
                categories::MAX_DEPTH
            ),
        ),
        CategoryError::Store(e) => e.into(),
    }
}

#[utoipa::path(post, path = "/api/v1/admin/categories", tag = "admin", request_body = CategoryInput, security(("bearer" = [])),
    responses(
        (status = 201, description = "The category", body = CategoryView, headers(("Location" = String, description = "The category: `/api/v1/admin/categories/{slug}`"))),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 403, description = "`forbidden`: not staff", body = Problem),
        (status = 409, description = "`slug_taken`", body = Problem),
        (status = 422, description = "`validation_failed` (also an unknown parent)", body = Problem)))]
pub async fn admin_categories_create(
    State(state): State<AppState>,
    _staff: Staff,
    Json(req): Json<CategoryInput>,
) -> Result<
    (
        StatusCode,
        [(header::HeaderName, String); 1],
        Json<CategoryView>,
    ),
    ApiError,
> {
    let name = text::clean(&req.name, 100).map_err(|e| ApiError::field("name", e))?;
    let category = Category {
        slug: req.slug.as_str().to_owned(),
        name,
        parent: req.parent.map(|p| p.as_str().to_owned()),
        created_at: accounts::rfc3339(accounts::now()),
    };
    categories::create(state.table(), &category)
        .await
        .map_err(category_error)?;
    let location = format!("/api/v1/admin/categories/{}", category.slug);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(category.into()),
    ))
}
