//! What the account routes share: the user as clients see it, starting a session, sending the
//! verification email, and password hashing off the async threads.

pub mod address;

use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::auth::password_hash;
use crate::domain::RefreshToken;
use crate::domain::{Email, Password, Role};
use crate::error::ApiError;
use crate::notify::{self, EmailKind, EmailMessage, Job};
use crate::state::AppState;
use crate::store::attempts::{self, Counting};
use crate::store::one_time_tokens::{self, Purpose};
use crate::store::{sessions, users::User};

/// The store's currency until store settings exist (lowercase ISO 4217, Stripe's convention).
pub const DEFAULT_CURRENCY: &str = "gbp";
/// How long an email-verification link works.
pub const VERIFY_EMAIL_HOURS: u32 = 24;
/// How long a password-reset link works.
pub const PASSWORD_RESET_HOURS: u32 = 1;

/// Brute-force limits: at most this many attempts per subject within the window, then 429.
pub const MAX_ATTEMPTS: u32 = 5;
pub const ATTEMPT_WINDOW: std::time::Duration = std::time::Duration::from_secs(15 * 60);
/// The limited actions (each has its own counters).
pub const LOGIN: &str = "login";
pub const PASSWORD_RESET: &str = "password_reset";
pub const VERIFY_RESEND: &str = "verify_resend";

/// Counts one attempt at `action` for `subject` (an email key, a user id); past the limit it
/// is refused with 429 `too_many_attempts` and how long to wait.
pub async fn limit(state: &AppState, action: &str, subject: &str) -> Result<(), ApiError> {
    limit_counting(state, action, subject, Counting::Attempts).await
}

async fn limit_counting(
    state: &AppState,
    action: &str,
    subject: &str,
    counting: Counting,
) -> Result<(), ApiError> {
    attempts::within_limit(
        state.table(),
        action,
        subject,
        MAX_ATTEMPTS,
        ATTEMPT_WINDOW,
        counting,
    )
    .await
}

/// A user as the API shows it (`GET /me`).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: String,
    pub email: String,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub marketing_opt_in: bool,
    pub email_verified: bool,
    pub role: Role,
    /// True until the user has a paid order (the first-time discount applies).
    pub first_time_buyer: bool,
    pub order_count: u32,
    /// Minor units of `currency`.
    pub total_spent: i64,
    pub currency: String,
    pub created_at: String,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        Self {
            id: u.id.clone(),
            email: u.email.clone(),
            name: u.name.clone(),
            phone: u.phone.clone(),
            marketing_opt_in: u.marketing_opt_in,
            email_verified: u.email_verified,
            role: u.role,
            first_time_buyer: u.order_count == 0,
            order_count: u.order_count,
            total_spent: u.total_spent,
            currency: DEFAULT_CURRENCY.to_owned(),
            created_at: u.created_at.clone(),
        }
    }
}

/// A fresh access token and refresh token.
#[derive(Debug, Serialize, ToSchema)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    pub token_type: &'static str,
}

/// A signed-in user with their tokens (register, login, Google sign-in).
#[derive(Debug, Serialize, ToSchema)]
pub struct SignedIn {
    pub user: UserView,
    #[serde(flatten)]
    pub tokens: Tokens,
}

pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// An RFC 3339 time as sent by a client, any offset.
pub fn parse_rfc3339(raw: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(raw.trim(), &time::format_description::well_known::Rfc3339).ok()
}

/// `t` in UTC as RFC 3339 with exactly 6 fractional digits: the fixed width makes text order
/// time order, which sort keys (`<created_at>#<id>`) and the listings' sorts rely on.
pub fn rfc3339(t: OffsetDateTime) -> String {
    const FORMAT: &[time::format_description::BorrowedFormatItem<'_>] = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
    );
    t.to_offset(time::UtcOffset::UTC)
        .format(FORMAT)
        .expect("UTC times format")
}

/// Issues an access token for `user` at `now`.
pub fn access_token(state: &AppState, user: &User, now: OffsetDateTime) -> String {
    state
        .auth()
        .access
        .issue(&user.id, user.role, user.token_version, now)
}

/// Starts a new session family for `user`: an access token and the family's first refresh token.
pub async fn start_session(state: &AppState, user: &User) -> Result<Tokens, ApiError> {
    let now = now();
    let refresh = RefreshToken::new_family(&user.id, state.auth().refresh_key());
    sessions::create(
        state.table(),
        &refresh,
        user.token_version,
        now + state.auth().refresh_token_ttl,
    )
    .await?;
    Ok(Tokens {
        access_token: access_token(state, user, now),
        refresh_token: refresh.to_string(),
        expires_in: state.auth().access.ttl().as_secs(),
        token_type: "Bearer",
    })
}

/// Issues a verification token and queues the email that carries it.
pub async fn send_verification(state: &AppState, user: &User) -> Result<(), ApiError> {
    let expires = now() + time::Duration::hours(i64::from(VERIFY_EMAIL_HOURS));
    let token = one_time_tokens::issue(
        state.table(),
        Purpose::VerifyEmail,
        &user.id,
        user.token_version,
        expires,
    )
    .await?;
    let to = Email::parse(&user.email).map_err(ApiError::internal)?;
    let link = format!("{}/verify-email?token={token}", state.public_base_url());
    let kind = EmailKind::VerifyEmail {
        name: user.name.clone(),
        link,
        expires_in_hours: VERIFY_EMAIL_HOURS,
    };
    notify::enqueue(state.queue(), Job::Email(EmailMessage { to, kind }))
        .await
        .map_err(ApiError::internal)?;
    Ok(())
}

/// The subject an address's password attempts are counted under: its lowercased key (or the
/// lowercased text when it is no address, so malformed ones are limited too).
pub fn login_subject(email: &str) -> String {
    Email::parse(email)
        .map(|e| e.key())
        .unwrap_or_else(|_| email.trim().to_lowercase())
}

/// One attempt at a password, as login and account deletion make it: it holds a slot under
/// `subject` while it is judged, and only failures keep theirs (429 once 5 failed in the
/// window, even when right; `store::attempts`); a password over 1 KiB never reaches Argon2,
/// and a right one clears the failures. `phc` `None` (no such account) costs the same time as
/// a wrong password.
pub async fn attempt_password(
    state: &AppState,
    subject: &str,
    password: String,
    phc: Option<String>,
) -> Result<bool, ApiError> {
    limit_counting(state, LOGIN, subject, Counting::Failures).await?;
    let password = if password.len() > 1024 {
        String::new()
    } else {
        password
    };
    let matches = verify_password(password, phc).await?;
    if matches {
        attempts::reset(state.table(), LOGIN, subject).await?;
    } else {
        attempts::failed(state.table(), LOGIN, subject).await?;
    }
    Ok(matches)
}

/// Argon2id takes tens of milliseconds of CPU: it runs on the blocking pool.
pub async fn hash_password(password: Password) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || password_hash::hash(&password))
        .await
        .map_err(ApiError::internal)
}

/// Verifies against the stored hash, or against a dummy hash when there is none, so that
/// an unknown account costs the same time as a wrong password.
pub async fn verify_password(password: String, phc: Option<String>) -> Result<bool, ApiError> {
    tokio::task::spawn_blocking(move || match phc {
        Some(phc) => password_hash::verify(&password, &phc),
        None => {
            password_hash::verify_dummy(&password);
            false
        }
    })
    .await
    .map_err(ApiError::internal)
}
