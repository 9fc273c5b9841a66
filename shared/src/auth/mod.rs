//! Authentication: password hashing, access tokens, refresh-token sessions, one-time tokens,
//! and Google sign-in. (The extractors that make a handler's signature say who may call it are
//! in `http`, above this layer.)

pub mod google;
pub mod jwt;
pub mod password_hash;

use crate::config::TokenSettings;

/// The keys a container parses once from its token settings.
pub struct AuthKeys {
    pub access: jwt::AccessTokens,
    /// How long a refresh token (a session) lives.
    pub refresh_token_ttl: std::time::Duration,
    /// Signs pagination cursors so a forged or foreign one is refused.
    pub cursor_key: Vec<u8>,
}

impl AuthKeys {
    pub fn new(settings: &TokenSettings) -> Self {
        let (_, first_secret) = settings
            .jwt_keys
            .first()
            .expect("configuration guarantees at least one key");
        Self {
            access: jwt::AccessTokens::new(&settings.jwt_keys, settings.access_token_ttl),
            refresh_token_ttl: settings.refresh_token_ttl,
            // A key of its own, derived so a cursor tag is never a valid token signature.
            cursor_key: crate::crypto::hmac_b64(first_secret.as_bytes(), b"pagination-cursor")
                .into_bytes(),
        }
    }
}
