//! `POST /api/v1/coupons/try-luck`: a signed-in customer tries their luck; every Nth counted
//! try wins a coupon reserved to them and put on their cart. A second try within 24 hours
//! answers the first one's result.

use axum::extract::State;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::cart::luck;
use crate::error::{ApiError, Problem};
use crate::http::{AuthUser, Json};
use crate::state::{AppState, Need};
use crate::store::luck::Outcome;

pub const ROUTE: Route = Route {
    name: "coupons_try_luck",
    needs: &[Need::TableWrite, Need::AccessTokens, Need::Queue],
    router: || OpenApiRouter::new().routes(routes!(coupons_try_luck)),
};

#[utoipa::path(post, path = "/api/v1/coupons/try-luck", tag = "cart", security(("bearer" = [])),
    responses(
        (status = 200, description = "`{won, position, coupon?}`: the same answer for every try within 24 hours", body = Outcome),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 429, description = "`busy`: another try of this user is still being decided", body = Problem)))]
pub async fn coupons_try_luck(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<Json<Outcome>, ApiError> {
    Ok(Json(luck::try_luck(&state, user).await?))
}
