//! `POST /api/v1/auth/register`: creates a customer account, queues the verification email and
//! signs the new user in.

use axum::extract::State;
use axum::http::{HeaderName, StatusCode, header};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::accounts::{self, SignedIn, UserView};
use crate::domain::{Email, Password, Role, text};
use crate::error::{ApiError, Problem};
use crate::http::Json;
use crate::state::{AppState, Need};
use crate::store::users::{self, CreateUserError, User};

pub const ROUTE: Route = Route {
    name: "auth_register",
    needs: &[
        Need::TableWrite,
        Need::Queue,
        Need::AccessTokens,
        Need::Links,
    ],
    router: || OpenApiRouter::new().routes(routes!(auth_register)),
    serve: serve!(auth_register),
};

#[derive(Deserialize, ToSchema)]
pub struct RegisterRequest {
    #[schema(schema_with = crate::domain::schema::email, example = "ada@example.com")]
    pub email: Email,
    /// 8 to 128 characters.
    #[schema(value_type = String, min_length = 8, max_length = 128)]
    pub password: Password,
    /// 1 to 100 characters, or `null`.
    #[schema(schema_with = crate::domain::schema::text_or_null::<100>)]
    pub name: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/auth/register", tag = "auth", request_body = RegisterRequest,
    responses(
        (status = 201, description = "Signed up and signed in", body = SignedIn, headers(("Location" = String, description = "The account: `/api/v1/me`"))),
        (status = 409, description = "`email_taken`", body = Problem),
        (status = 422, description = "`validation_failed`", body = Problem)))]
pub async fn auth_register(
    State(state): State<AppState>,
    Json(req): Json<RegisterRequest>,
) -> Result<(StatusCode, [(HeaderName, String); 1], Json<SignedIn>), ApiError> {
    let name = req
        .name
        .as_deref()
        .map(|n| text::clean(n, 100))
        .transpose()
        .map_err(|e| ApiError::field("name", e))?;
    let password_hash = accounts::hash_password(req.password).await?;
    let user = User::new(
        &req.email,
        name,
        Role::Customer,
        Some(password_hash),
        accounts::rfc3339(accounts::now()),
    );
    users::create(state.table(), &user, &req.email)
        .await
        .map_err(|e| match e {
            CreateUserError::EmailTaken => ApiError::EmailTaken,
            CreateUserError::Store(e) => e.into(),
        })?;
    accounts::send_verification(&state, &user).await?;
    let tokens = accounts::start_session(&state, &user).await?;
    tracing::info!(user = user.id, email = %req.email.redacted(), "account created");
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, "/api/v1/me".to_owned())],
        Json(SignedIn {
            user: UserView::from(&user),
            tokens,
        }),
    ))
}
