//! `POST /api/v1/auth/token/refresh`: trades a refresh token for a new pair. Refresh tokens
//! rotate: the one presented is retired, and presenting a retired one again is reuse, which
//! ends that whole session family (the thief's copy and the owner's alike).

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::accounts;
use crate::domain::RefreshToken;
use crate::error::{ApiError, Problem};
use crate::http::Json;
use crate::state::{AppState, Need};
use crate::store::{sessions, users};

pub const ROUTE: Route = Route {
    name: "auth_token_refresh",
    needs: &[Need::TableWrite, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(auth_token_refresh)),
};

#[derive(Deserialize, ToSchema)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Serialize, ToSchema)]
pub struct Refreshed {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: u64,
    pub token_type: &'static str,
}

#[utoipa::path(post, path = "/api/v1/auth/token/refresh", tag = "auth", request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new access token and refresh token", body = Refreshed),
        (status = 401, description = "`invalid_refresh_token`, or `token_reused` (the session family is ended)", body = Problem)))]
pub async fn auth_token_refresh(
    State(state): State<AppState>,
    Json(req): Json<RefreshRequest>,
) -> Result<Json<Refreshed>, ApiError> {
    let table = state.table();
    let presented = RefreshToken::parse(&req.refresh_token).ok_or(ApiError::InvalidRefreshToken)?;
    let now = accounts::now();
    let session = sessions::get(table, &presented.user_id, &presented.family)
        .await?
        .filter(|s| s.expires_at > now.unix_timestamp())
        .ok_or(ApiError::InvalidRefreshToken)?;
    if presented.generation < session.generation {
        sessions::delete(table, &presented.user_id, &presented.family).await?;
        tracing::warn!(
            user = presented.user_id,
            family = presented.family,
            "refresh token reused; session family ended"
        );
        return Err(ApiError::TokenReused);
    }
    if presented.generation > session.generation || presented.hash() != session.token_hash {
        return Err(ApiError::InvalidRefreshToken);
    }
    let user = users::get(table, &presented.user_id)
        .await?
        .ok_or(ApiError::InvalidRefreshToken)?;
    let next = presented.next();
    if !sessions::rotate(table, &presented, &next).await? {
        // Another request rotated this token first: the same token was used twice.
        sessions::delete(table, &presented.user_id, &presented.family).await?;
        return Err(ApiError::TokenReused);
    }
    Ok(Json(Refreshed {
        access_token: accounts::access_token(&state, &user, now),
        refresh_token: next.to_string(),
        expires_in: state.auth().access.ttl().as_secs(),
        token_type: "Bearer",
    }))
}
