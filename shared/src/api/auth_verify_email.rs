//! `POST /api/v1/auth/verify-email`: confirms an email address with the token from the email.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::accounts;
use crate::error::{ApiError, Problem};
use crate::http::Json;
use crate::state::{AppState, Need};
use crate::store::one_time_tokens::{self, Purpose};
use crate::store::users;

pub const ROUTE: Route = Route {
    name: "auth_verify_email",
    needs: &[Need::TableWrite],
    router: || OpenApiRouter::new().routes(routes!(auth_verify_email)),
    serve: serve!(auth_verify_email),
};

#[derive(Deserialize, ToSchema)]
pub struct VerifyEmailRequest {
    pub token: String,
}

#[derive(Serialize, ToSchema)]
pub struct Verified {
    pub email_verified: bool,
}

#[utoipa::path(post, path = "/api/v1/auth/verify-email", tag = "auth", request_body = VerifyEmailRequest,
    responses(
        (status = 200, description = "The address is verified", body = Verified),
        (status = 400, description = "`invalid_token`: unknown, used or expired", body = Problem)))]
pub async fn auth_verify_email(
    State(state): State<AppState>,
    Json(req): Json<VerifyEmailRequest>,
) -> Result<Json<Verified>, ApiError> {
    let table = state.table();
    let used = one_time_tokens::consume(
        table,
        Purpose::VerifyEmail,
        req.token.trim(),
        accounts::now(),
    )
    .await?
    .ok_or(ApiError::InvalidToken)?;
    if !users::mark_email_verified(table, &used.user_id).await? {
        return Err(ApiError::InvalidToken);
    }
    Ok(Json(Verified {
        email_verified: true,
    }))
}
