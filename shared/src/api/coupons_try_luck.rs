//! `POST /api/v1/coupons/try-luck`: a signed-in customer tries their luck; every Nth counted
//! try wins a coupon reserved to them and put on their cart. A second try within 24 hours
//! answers the first one's result.

use axum::extract::State;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::cart::{luck, luck::LuckAnswer};
use crate::error::{ApiError, Problem};
use crate::http::{AuthUser, ClientAddress, Json};
use crate::state::{AppState, Need};
use crate::store::attempts::{self, Counting};

pub const ROUTE: Route = Route {
    name: "coupons_try_luck",
    needs: &[Need::TableWrite, Need::AccessTokens, Need::Queue],
    router: || OpenApiRouter::new().routes(routes!(coupons_try_luck)),
    serve: serve!(coupons_try_luck),
};

#[utoipa::path(post, path = "/api/v1/coupons/try-luck", tag = "cart", security(("bearer" = [])),
    responses(
        (status = 200, description = "`{won, coupon?}`: the same answer for every try within 24 hours (the position drawn is not shown: it would tell a watcher when the next try wins)", body = LuckAnswer),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 429, description = "`busy`: another try of this user is still being decided; `too_many_attempts` (with Retry-After): past the tries per source address per hour (settings `limits.luck_tries_per_address_per_hour`)", body = Problem)))]
pub async fn coupons_try_luck(
    State(state): State<AppState>,
    user: AuthUser,
    ClientAddress(client): ClientAddress,
) -> Result<Json<LuckAnswer>, ApiError> {
    // Accounts are cheap to make: tries are limited per source address too.
    attempts::within_hourly_limit(
        state.table(),
        "luck_address",
        &client,
        |l| l.luck_tries_per_address_per_hour,
        Counting::Attempts,
    )
    .await?;
    Ok(Json(luck::try_luck(&state, user).await?.into()))
}
