//! Extractors that state in a handler's signature who may call it:
//! `AuthUser` (any signed-in user), `Staff` (staff or admin), `Admin`.
//!
//! A bearer token is checked for signature, algorithm and expiry, then against the user as
//! stored now: a deleted user, or one whose sessions were revoked since the token was issued,
//! is refused. The role is the stored one, so a demotion takes effect at once.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use crate::auth::jwt::TokenError;
use crate::domain::Role;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::users::{self, User};

/// A signed-in user.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub user: User,
}

impl AuthUser {
    pub fn id(&self) -> &str {
        &self.user.id
    }

    pub fn role(&self) -> Role {
        self.user.role
    }
}

/// A signed-in user with the staff role or above (catalog management).
#[derive(Debug, Clone)]
pub struct Staff(pub AuthUser);

/// A signed-in admin (orders, refunds, settings).
#[derive(Debug, Clone)]
pub struct Admin(pub AuthUser);

fn bearer(parts: &Parts) -> Result<&str, ApiError> {
    let value = parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or(ApiError::Unauthenticated)?;
    let (scheme, token) = value
        .trim()
        .split_once(' ')
        .ok_or(ApiError::InvalidAccessToken)?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::InvalidAccessToken);
    }
    Ok(token.trim())
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let claims = state
            .auth()
            .access
            .verify(bearer(parts)?)
            .map_err(|e| match e {
                TokenError::Expired => ApiError::AccessTokenExpired,
                TokenError::Invalid => ApiError::InvalidAccessToken,
            })?;
        let user = users::get(state.reader(), &claims.sub)
            .await?
            .ok_or(ApiError::InvalidAccessToken)?;
        if user.token_version != claims.ver {
            return Err(ApiError::SessionRevoked);
        }
        Ok(AuthUser { user })
    }
}

async fn with_role(parts: &mut Parts, state: &AppState, role: Role) -> Result<AuthUser, ApiError> {
    let user = AuthUser::from_request_parts(parts, state).await?;
    if user.role().allows(role) {
        Ok(user)
    } else {
        Err(ApiError::Forbidden)
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        with_role(parts, state, Role::Staff).await.map(Staff)
    }
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        with_role(parts, state, Role::Admin).await.map(Admin)
    }
}
