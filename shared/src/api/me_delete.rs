//! `DELETE /api/v1/me`: deletes the caller's account. The current password proves it is them
//! (or, for an account with no password, a fresh Google ID token for the same Google account).
//! The profile and email claim go in one transaction, so the address can register again at
//! once; sessions, addresses, notifications and one-time tokens go with them.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::accounts;
use crate::error::{ApiError, Problem};
use crate::http::{AuthUser, Json};
use crate::state::{AppState, Need};
use crate::store::{orders, users};

pub const ROUTE: Route = Route {
    name: "me_delete",
    needs: &[Need::TableWrite, Need::AccessTokens, Need::Google],
    router: || OpenApiRouter::new().routes(routes!(me_delete)),
    serve: serve!(me_delete),
};

/// The proof that the caller is the account's owner: its password, or for an account that
/// signs in only with Google, a fresh Google ID token.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteAccountRequest {
    pub password: Option<String>,
    pub id_token: Option<String>,
}

#[utoipa::path(delete, path = "/api/v1/me", tag = "account", request_body = DeleteAccountRequest, security(("bearer" = [])),
    responses(
        (status = 204, description = "The account and everything personal in it are deleted"),
        (status = 401, description = "No valid access token; `invalid_credentials` (wrong password); `invalid_id_token` (not this account's Google identity)", body = Problem),
        (status = 422, description = "`validation_failed`: `password` is required (or `id_token` for a Google-only account)", body = Problem),
        (status = 429, description = "`too_many_attempts` at the password, with Retry-After", body = Problem),
        (status = 503, description = "`upstream_unavailable`: Google's keys could not be fetched", body = Problem)))]
pub async fn me_delete(
    State(state): State<AppState>,
    caller: AuthUser,
    Json(req): Json<DeleteAccountRequest>,
) -> Result<StatusCode, ApiError> {
    let user = &caller.user;
    let table = state.table();
    match (&user.password_hash, &user.google_sub) {
        (Some(phc), _) => {
            let password = req
                .password
                .filter(|p| !p.is_empty())
                .ok_or_else(|| ApiError::field("password", "your current password is required"))?;
            // Guessed passwords count against the same limit as logins.
            let subject = accounts::login_subject(&user.email);
            if !accounts::attempt_password(&state, &subject, password, Some(phc.clone())).await? {
                return Err(ApiError::InvalidCredentials);
            }
        }
        (None, Some(sub)) => {
            let id_token = req
                .id_token
                .filter(|t| !t.trim().is_empty())
                .ok_or_else(|| {
                    ApiError::field("id_token", "a Google ID token of this account is required")
                })?;
            let identity = state.google().verify(id_token.trim()).await?;
            if identity.sub != *sub {
                return Err(ApiError::InvalidIdToken("it is another Google account's"));
            }
        }
        // An account with neither cannot sign in at all; a reset gives it a password.
        (None, None) => return Err(ApiError::InvalidCredentials),
    }
    // The orders kept for the books lose their personal data first: if the deletion then
    // fails, the account can try again; the other way round, nobody could.
    let erased = orders::erase_buyer(table, &user.id).await?;
    let removed = users::delete_account(table, user)
        .await?
        .ok_or(ApiError::InvalidAccessToken)?;
    tracing::info!(
        user = user.id,
        items_removed = removed,
        orders_erased = erased,
        "account deleted"
    );
    Ok(StatusCode::NO_CONTENT)
}
