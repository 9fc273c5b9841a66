//! `POST /api/v1/cart/merge`: on sign-in, moves a guest cart (by its token) into the user's
//! cart, quantities added and capped by stock, and retires the guest cart; merging the same
//! token again does nothing.

use axum::extract::State;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::cart::{self, CartView, token};
use crate::error::{ApiError, Problem};
use crate::http::{AuthUser, Json};
use crate::state::{AppState, Need};

pub const ROUTE: Route = Route {
    name: "cart_merge",
    needs: &[Need::TableWrite, Need::AccessTokens, Need::Queue],
    router: || OpenApiRouter::new().routes(routes!(cart_merge)),
    serve: serve!(cart_merge),
};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    /// The guest cart's token.
    pub cart_token: String,
}

#[utoipa::path(post, path = "/api/v1/cart/merge", tag = "cart", request_body = MergeRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The user's cart after the merge", body = CartView),
        (status = 401, description = "No valid access token, or `invalid_cart_token`", body = Problem),
        (status = 404, description = "`cart_not_found`: no such guest cart (expired)", body = Problem)))]
pub async fn cart_merge(
    State(state): State<AppState>,
    user: AuthUser,
    Json(req): Json<MergeRequest>,
) -> Result<Json<CartView>, ApiError> {
    let guest = token::verify(state.auth(), &req.cart_token).ok_or(ApiError::InvalidCartToken)?;
    Ok(Json(cart::merge(&state, user, &guest).await?))
}
