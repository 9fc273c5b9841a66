//! `POST /api/v1/auth/oauth/google`: signs in with a Google ID token. The token is verified
//! against Google's keys and this shop's client id; an account with the same (Google-verified)
//! email is linked rather than duplicated. An account whose email was never verified may have
//! been registered by someone else: linking takes it over (its password and sessions end).

use axum::extract::State;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::accounts::{self, SignedIn, UserView};
use crate::aws::Table;
use crate::domain::Role;
use crate::error::{ApiError, Problem};
use crate::http::Json;
use crate::state::{AppState, Need};
use crate::store::sessions;
use crate::store::users::{self, CreateUserError, User};

pub const ROUTE: Route = Route {
    name: "auth_oauth_google",
    needs: &[Need::TableWrite, Need::AccessTokens, Need::Google],
    router: || OpenApiRouter::new().routes(routes!(auth_oauth_google)),
    serve: serve!(auth_oauth_google),
};

#[derive(Deserialize, ToSchema)]
pub struct GoogleRequest {
    pub id_token: String,
}

#[utoipa::path(post, path = "/api/v1/auth/oauth/google", tag = "auth", request_body = GoogleRequest,
    responses(
        (status = 200, description = "Signed in; the account is created or linked by email", body = SignedIn),
        (status = 401, description = "`invalid_id_token`", body = Problem),
        (status = 403, description = "`google_sign_in_disabled`: no client id configured", body = Problem)))]
pub async fn auth_oauth_google(
    State(state): State<AppState>,
    Json(req): Json<GoogleRequest>,
) -> Result<Json<SignedIn>, ApiError> {
    let google = state.google();
    if !google.enabled() {
        return Err(ApiError::GoogleSignInDisabled);
    }
    let identity = google.verify(req.id_token.trim()).await?;
    let table = state.table();
    let user = match users::by_email(table, &identity.email).await? {
        Some(existing) => {
            link(table, &existing, &identity.sub).await?;
            users::get(table, &existing.id)
                .await?
                .ok_or(ApiError::InvalidIdToken("the account is gone"))?
        }
        None => {
            let mut user = User::new(
                &identity.email,
                identity.name.clone(),
                Role::Customer,
                None,
                accounts::rfc3339(accounts::now()),
            );
            user.email_verified = true;
            user.google_sub = Some(identity.sub.clone());
            match users::create(table, &user, &identity.email).await {
                Ok(()) => user,
                // A sign-up with this address won a race: link to it instead.
                Err(CreateUserError::EmailTaken) => {
                    let existing = users::by_email(table, &identity.email)
                        .await?
                        .ok_or(ApiError::EmailTaken)?;
                    link(table, &existing, &identity.sub).await?;
                    users::get(table, &existing.id)
                        .await?
                        .ok_or(ApiError::InvalidIdToken("the account is gone"))?
                }
                Err(CreateUserError::Store(e)) => return Err(e.into()),
            }
        }
    };
    let tokens = accounts::start_session(&state, &user).await?;
    Ok(Json(SignedIn {
        user: UserView::from(&user),
        tokens,
    }))
}

/// Links the Google identity to an account with its (Google-verified) address. A verified
/// account keeps its password and sessions; an unverified one is taken over, since whoever
/// registered it may not own the address.
async fn link(table: &Table, user: &User, sub: &str) -> Result<(), ApiError> {
    if user.email_verified {
        if user.google_sub.as_deref() != Some(sub) {
            users::link_google(table, &user.id, sub).await?;
        }
        return Ok(());
    }
    if users::take_over_unverified(table, &user.id, sub).await? {
        let ended = sessions::delete_all(table, &user.id).await?;
        tracing::info!(
            user = user.id,
            sessions_ended = ended,
            "unverified account taken over by Google sign-in"
        );
    } else {
        // Verified meanwhile: link as for any verified account.
        users::link_google(table, &user.id, sub).await?;
    }
    Ok(())
}
