//! `POST /api/v1/auth/verify-email/resend`: sends a new verification link (none when the
//! address is verified already). Limited to 5 per 15 minutes per user.

use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::accounts;
use crate::error::{ApiError, Problem};
use crate::http::AuthUser;
use crate::state::{AppState, Need};

pub const ROUTE: Route = Route {
    name: "auth_verify_email_resend",
    needs: &[
        Need::TableWrite,
        Need::Queue,
        Need::AccessTokens,
        Need::Links,
    ],
    router: || OpenApiRouter::new().routes(routes!(auth_verify_email_resend)),
    serve: serve!(auth_verify_email_resend),
};

#[utoipa::path(post, path = "/api/v1/auth/verify-email/resend", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 202, description = "A new link is on its way (if the address is not verified yet)"),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 429, description = "`too_many_attempts`", body = Problem)))]
pub async fn auth_verify_email_resend(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<StatusCode, ApiError> {
    if user.user.email_verified {
        return Ok(StatusCode::ACCEPTED);
    }
    accounts::limit(&state, accounts::VERIFY_RESEND, user.id()).await?;
    accounts::send_verification(&state, &user.user).await?;
    Ok(StatusCode::ACCEPTED)
}
