//! `POST /api/v1/auth/password-reset`: asks for a reset link. Always 202: the account look-up
//! and the email happen in the worker, so neither the answer nor its timing tells whether the
//! address has an account. Limited to 5 requests per 15 minutes per address.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::accounts;
use crate::domain::Email;
use crate::error::{ApiError, Problem};
use crate::http::Json;
use crate::notify::{self, Job};
use crate::state::{AppState, Need};

pub const ROUTE: Route = Route {
    name: "auth_password_reset",
    needs: &[Need::TableWrite, Need::Queue],
    router: || OpenApiRouter::new().routes(routes!(auth_password_reset)),
    serve: serve!(auth_password_reset),
};

#[derive(Deserialize, ToSchema)]
pub struct PasswordResetRequest {
    #[schema(schema_with = crate::domain::schema::email)]
    pub email: Email,
}

#[utoipa::path(post, path = "/api/v1/auth/password-reset", tag = "auth", request_body = PasswordResetRequest,
    responses(
        (status = 202, description = "If the address has an account, a link is on its way"),
        (status = 422, description = "`validation_failed`", body = Problem),
        (status = 429, description = "`too_many_attempts`", body = Problem)))]
pub async fn auth_password_reset(
    State(state): State<AppState>,
    Json(req): Json<PasswordResetRequest>,
) -> Result<StatusCode, ApiError> {
    accounts::limit(&state, accounts::PASSWORD_RESET, &req.email.key()).await?;
    notify::enqueue(
        state.queue(),
        Job::PasswordResetRequest { email: req.email },
    )
    .await
    .map_err(ApiError::internal)?;
    Ok(StatusCode::ACCEPTED)
}
