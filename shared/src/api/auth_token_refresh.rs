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
use crate::store::sessions::{self, Rotation};
use crate::store::users::{self, User};

pub const ROUTE: Route = Route {
    name: "auth_token_refresh",
    needs: &[Need::TableWrite, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(auth_token_refresh)),
    serve: serve!(auth_token_refresh),
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
        (status = 401, description = "`invalid_refresh_token`; `token_reused` (the session family is ended); `session_revoked` (every session was ended, as by a password reset)", body = Problem)))]
pub async fn auth_token_refresh(
    State(state): State<AppState>,
    Json(req): Json<RefreshRequest>,
) -> Result<Json<Refreshed>, ApiError> {
    let table = state.table();
    let keys = state.auth();
    // Only a token we made can go further: a made-up one never ends a real session.
    let presented = RefreshToken::parse(&req.refresh_token)
        .filter(|t| t.is_authentic(&keys.refresh_keys))
        .ok_or(ApiError::InvalidRefreshToken)?;
    let now = accounts::now();
    let session = sessions::get(table, &presented.user_id, &presented.family)
        .await?
        .filter(|s| s.expires_at > now.unix_timestamp())
        .ok_or(ApiError::InvalidRefreshToken)?;
    if presented.generation < session.generation {
        return reused(&state, &presented).await;
    }
    if presented.generation > session.generation || presented.hash() != session.token_hash {
        return Err(ApiError::InvalidRefreshToken);
    }
    let user = users::get(table, &presented.user_id)
        .await?
        .ok_or(ApiError::InvalidRefreshToken)?;
    let next = presented.next(keys.refresh_key());
    match sessions::rotate(table, &presented, &next, session.token_version).await? {
        Rotation::Rotated => {}
        // Another request rotated this token first: the same token was used twice.
        Rotation::Superseded => return reused(&state, &presented).await,
        // Every session was revoked (a password reset) since this one began.
        Rotation::Revoked => {
            sessions::delete(table, &presented.user_id, &presented.family).await?;
            return Err(ApiError::SessionRevoked);
        }
    }
    // The version the transaction just checked, not the one read before it.
    let user = User {
        token_version: session.token_version,
        ..user
    };
    Ok(Json(Refreshed {
        access_token: accounts::access_token(&state, &user, now),
        refresh_token: next.to_string(),
        expires_in: state.auth().access.ttl().as_secs(),
        token_type: "Bearer",
    }))
}

/// A retired token came back: a copy is in someone else's hands, so the family ends.
async fn reused(state: &AppState, token: &RefreshToken) -> Result<Json<Refreshed>, ApiError> {
    sessions::delete(state.table(), &token.user_id, &token.family).await?;
    tracing::warn!(
        user = token.user_id,
        family = token.family,
        "refresh token reused; session family ended"
    );
    Err(ApiError::TokenReused)
}
