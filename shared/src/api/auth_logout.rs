//! `POST /api/v1/auth/logout`: ends the session family of the refresh token given.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::domain::RefreshToken;
use crate::error::{ApiError, Problem};
use crate::http::AuthUser;
use crate::http::Json;
use crate::state::{AppState, Need};
use crate::store::sessions;

pub const ROUTE: Route = Route {
    name: "auth_logout",
    needs: &[Need::TableWrite, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(auth_logout)),
    serve: serve!(auth_logout),
};

#[derive(Deserialize, ToSchema)]
pub struct LogoutRequest {
    pub refresh_token: String,
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", request_body = LogoutRequest,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "The refresh token no longer works"),
        (status = 401, description = "No valid access token", body = Problem)))]
pub async fn auth_logout(
    State(state): State<AppState>,
    user: AuthUser,
    Json(req): Json<LogoutRequest>,
) -> Result<StatusCode, ApiError> {
    // Another user's or a malformed token is ignored: logging out twice is not an error.
    if let Some(token) = RefreshToken::parse(&req.refresh_token).filter(|t| t.user_id == user.id())
    {
        sessions::delete(state.table(), &token.user_id, &token.family).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}
