//! Authentication: password hashing, access tokens, refresh-token sessions, one-time tokens,
//! Google sign-in, and the extractors that make a handler's signature say who may call it.

mod extract;
pub mod google;
pub mod jwt;
pub mod password_hash;
pub mod refresh;
pub mod secret;

pub use extract::{Admin, AuthUser, Staff};

use crate::config::Config;

/// The keys a container parses once from its configuration.
pub struct AuthKeys {
    pub access: jwt::AccessTokens,
    pub google: google::GoogleKeys,
    /// Signs pagination cursors so a forged or foreign one is refused.
    pub cursor_key: Vec<u8>,
}

impl AuthKeys {
    pub fn from_config(config: &Config) -> Self {
        let (_, first_secret) = config
            .jwt_keys
            .first()
            .expect("configuration guarantees at least one key");
        Self {
            access: jwt::AccessTokens::new(&config.jwt_keys, config.access_token_ttl),
            google: google::GoogleKeys::new(
                config.google_client_id.clone(),
                config.google_jwks_url.clone(),
            ),
            // A key of its own, derived so a cursor tag is never a valid token signature.
            cursor_key: secret::hmac_b64(first_secret.as_bytes(), b"pagination-cursor")
                .into_bytes(),
        }
    }
}
