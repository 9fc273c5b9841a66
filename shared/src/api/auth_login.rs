//! `POST /api/v1/auth/login`: email and password to tokens.
//!
//! A wrong password and an unknown email get the same 401 after the same Argon2 work. Every
//! attempt for an address is counted before it is judged: past 5 within 15 minutes the answer
//! is 429 with `Retry-After`, even for the right password.

use axum::extract::State;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::accounts::{self, SignedIn, UserView};
use crate::domain::Email;
use crate::error::{ApiError, Problem};
use crate::http::Json;
use crate::state::{AppState, Need};
use crate::store::users;

pub const ROUTE: Route = Route {
    name: "auth_login",
    needs: &[Need::TableWrite, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(auth_login)),
    serve: serve!(auth_login),
};

/// A user id no account has (ULIDs are made from the clock and never all zeros).
const NO_SUCH_USER: &str = "00000000000000000000000000";

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = SignedIn),
        (status = 401, description = "`invalid_credentials`", body = Problem),
        (status = 429, description = "`too_many_attempts`, with Retry-After", body = Problem)))]
pub async fn auth_login(
    State(state): State<AppState>,
    Json(req): Json<LoginRequest>,
) -> Result<Json<SignedIn>, ApiError> {
    let table = state.table();
    let email = Email::parse(&req.email).ok();
    // Two reads whether or not the address has an account, so the answer's timing says nothing.
    let user_id = match &email {
        Some(email) => users::id_by_email(table, email).await?,
        None => None,
    };
    let user = users::get(table, user_id.as_deref().unwrap_or(NO_SUCH_USER)).await?;
    let phc = user.as_ref().and_then(|u| u.password_hash.clone());
    let subject = accounts::login_subject(&req.email);
    let matches = accounts::attempt_password(&state, &subject, req.password, phc).await?;
    let Some(user) = user.filter(|_| matches) else {
        return Err(ApiError::InvalidCredentials);
    };
    let tokens = accounts::start_session(&state, &user).await?;
    Ok(Json(SignedIn {
        user: UserView::from(&user),
        tokens,
    }))
}
