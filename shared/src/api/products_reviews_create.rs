//! `POST /api/v1/products/{slug}/reviews`: a signed-in user reviews an active product, once
//! (409 `review_exists`); the product's rating changes in the same transaction.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::accounts;
use crate::catalog::review::review_error;
use crate::catalog::{self, review::ReviewInput, review::ReviewView};
use crate::error::{ApiError, Problem};
use crate::http::{AuthUser, Json};
use crate::state::{AppState, Need};
use crate::store::attempts::{self, Counting};
use crate::store::orders;
use crate::store::reviews::{self, Review};

pub const ROUTE: Route = Route {
    name: "products_reviews_create",
    needs: &[Need::TableWrite, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(products_reviews_create)),
    serve: serve!(products_reviews_create),
};

#[utoipa::path(post, path = "/api/v1/products/{slug}/reviews", tag = "catalog", request_body = ReviewInput,
    params(("slug" = String, Path, description = "The product's slug")), security(("bearer" = [])),
    responses(
        (status = 201, description = "The review", body = ReviewView, headers(("Location" = String, description = "The review: `/api/v1/reviews/{id}`"))),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 404, description = "`not_found`", body = Problem),
        (status = 409, description = "`review_exists`: one review per user and product", body = Problem),
        (status = 429, description = "`too_many_attempts` (with Retry-After): past the user's reviews per hour (settings `limits.reviews_per_hour`)", body = Problem)))]
pub async fn products_reviews_create(
    State(state): State<AppState>,
    user: AuthUser,
    Path(slug): Path<String>,
    Json(req): Json<ReviewInput>,
) -> Result<
    (
        StatusCode,
        [(header::HeaderName, String); 1],
        Json<ReviewView>,
    ),
    ApiError,
> {
    let (rating, title, comment) = req.checked()?;
    let table = state.table();
    let per_hour = |l: &crate::domain::settings::Limits| l.reviews_per_hour;
    attempts::within_hourly_limit(table, "review", user.id(), per_hour, Counting::Attempts).await?;
    let (product, _) = catalog::active_product(table, &slug).await?;
    let now = accounts::rfc3339(accounts::now());
    // One of the user's paid orders has this product.
    let verified_purchase = orders::bought(table, user.id(), &product.id).await?;
    let review = Review {
        id: reviews::new_review_id(&product.id),
        product_id: product.id,
        user_id: user.id().to_owned(),
        author: user.user.name.clone(),
        rating,
        title,
        comment,
        verified_purchase,
        helpful_count: 0,
        created_at: now.clone(),
        updated_at: now,
    };
    reviews::create(table, &review)
        .await
        .map_err(review_error)?;
    let location = format!("/api/v1/reviews/{}", review.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(review.into()),
    ))
}
