//! The local shop's admin account, so it is usable at once (the demo catalog is `demo.rs`).

use shop::AppState;
use shop::accounts;
use shop::domain::{Email, Password, Role};
use shop::store::users::{self, CreateUserError, User};

/// The admin account to make; a password is generated (and printed) when none is given.
#[derive(Clone, Debug)]
pub struct AdminSeed {
    pub email: String,
    pub password: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("LOCAL_ADMIN_EMAIL {0:?} is not an email address")]
    BadEmail(String),
    #[error("LOCAL_ADMIN_PASSWORD: {0}")]
    BadPassword(&'static str),
    #[error("seeding failed: {0}")]
    Store(String),
}

/// What was seeded, to be printed.
pub struct Seeded {
    pub admin_email: String,
    /// The generated password, when one was generated and the account is new.
    pub admin_password: Option<String>,
    pub admin_created: bool,
}

pub async fn admin(state: &AppState, seed: &AdminSeed) -> Result<Seeded, SeedError> {
    let email = Email::parse(&seed.email).map_err(|_| SeedError::BadEmail(seed.email.clone()))?;
    let generated = seed
        .password
        .is_none()
        .then(|| shop::crypto::random_token(12));
    let plain = seed
        .password
        .clone()
        .or_else(|| generated.clone())
        .unwrap_or_default();
    let password = Password::parse(&plain).map_err(SeedError::BadPassword)?;
    let password_hash = accounts::hash_password(password)
        .await
        .map_err(|e| SeedError::Store(e.to_string()))?;
    let mut user = User::new(
        &email,
        Some("Shop admin".to_owned()),
        Role::Admin,
        Some(password_hash),
        accounts::rfc3339(accounts::now()),
    );
    user.email_verified = true;
    match users::create(state.table(), &user, &email).await {
        Ok(()) => Ok(Seeded {
            admin_email: user.email,
            admin_password: generated,
            admin_created: true,
        }),
        Err(CreateUserError::EmailTaken) => Ok(Seeded {
            admin_email: user.email,
            admin_password: None,
            admin_created: false,
        }),
        Err(CreateUserError::Store(e)) => Err(SeedError::Store(e.to_string())),
    }
}
