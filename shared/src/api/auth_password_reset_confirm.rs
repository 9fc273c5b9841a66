//! `POST /api/v1/auth/password-reset/confirm`: sets a new password with the emailed token and
//! ends every session of the account (refresh tokens and access tokens alike).

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::accounts;
use crate::domain::Password;
use crate::error::{ApiError, Problem};
use crate::http::Json;
use crate::state::{AppState, Need};
use crate::store::one_time_tokens::{self, Purpose};
use crate::store::{attempts, sessions, users};

pub const ROUTE: Route = Route {
    name: "auth_password_reset_confirm",
    needs: &[Need::TableWrite],
    router: || OpenApiRouter::new().routes(routes!(auth_password_reset_confirm)),
    serve: serve!(auth_password_reset_confirm),
};

#[derive(Deserialize, ToSchema)]
pub struct ConfirmRequest {
    pub token: String,
    #[schema(value_type = String, min_length = 8, max_length = 128)]
    pub new_password: Password,
}

#[derive(Serialize, ToSchema)]
pub struct PasswordChanged {
    pub password_changed: bool,
    /// How many sessions were ended.
    pub sessions_revoked: usize,
}

#[utoipa::path(post, path = "/api/v1/auth/password-reset/confirm", tag = "auth", request_body = ConfirmRequest,
    responses(
        (status = 200, description = "The password is changed and every session ended", body = PasswordChanged),
        (status = 400, description = "`invalid_token`: unknown, used or expired", body = Problem),
        (status = 422, description = "`validation_failed` (the new password)", body = Problem)))]
pub async fn auth_password_reset_confirm(
    State(state): State<AppState>,
    Json(req): Json<ConfirmRequest>,
) -> Result<Json<PasswordChanged>, ApiError> {
    let table = state.table();
    let used = one_time_tokens::consume(
        table,
        Purpose::PasswordReset,
        req.token.trim(),
        accounts::now(),
    )
    .await?
    .ok_or(ApiError::InvalidToken)?;
    let user_id = used.user_id;
    let phc = accounts::hash_password(req.new_password).await?;
    // Refused when the account's sessions were revoked since the link was issued: a newer
    // reset was used (this link is older), or the password otherwise changed.
    if !users::set_password_and_revoke(table, &user_id, &phc, used.token_version).await? {
        return Err(ApiError::InvalidToken);
    }
    // The version bump above already ends every session (no refresh of an older session
    // succeeds from then on); this removes the items.
    let sessions_revoked = sessions::delete_all(table, &user_id).await?;
    // Failed logins before the reset no longer count against the new password.
    if let Some(user) = users::get(table, &user_id).await? {
        attempts::reset(
            table,
            accounts::LOGIN,
            &accounts::login_subject(&user.email),
        )
        .await?;
    }
    Ok(Json(PasswordChanged {
        password_changed: true,
        sessions_revoked,
    }))
}
