//! Authentication: password hashing, access tokens, refresh-token sessions, one-time tokens,
//! and Google sign-in. (The extractors that make a handler's signature say who may call it are
//! in `http`, above this layer.)

pub mod google;
pub mod jwt;
pub mod password_hash;

use crate::config::TokenSettings;

/// The keys a container parses once from its token settings. Each purpose gets a key of its
/// own, derived from the signing keys, so no tag of one kind is ever valid as another.
pub struct AuthKeys {
    pub access: jwt::AccessTokens,
    /// How long a refresh token (a session) lives.
    pub refresh_token_ttl: std::time::Duration,
    /// Signs pagination cursors so a forged or foreign one is refused.
    pub cursor_key: Vec<u8>,
    /// Sign guest cart tokens (the first) and check them (all), so they rotate with the
    /// access-token keys.
    pub cart_keys: Vec<Vec<u8>>,
    /// Make refresh-token secrets (the first) and check them (all), one per signing key, so
    /// they rotate with the access-token keys.
    pub refresh_keys: Vec<Vec<u8>>,
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
            cursor_key: crate::crypto::hmac_b64(first_secret.as_bytes(), b"pagination-cursor")
                .into_bytes(),
            cart_keys: settings
                .jwt_keys
                .iter()
                .map(|(_, secret)| {
                    crate::crypto::hmac_b64(secret.as_bytes(), b"guest-cart-token").into_bytes()
                })
                .collect(),
            refresh_keys: settings
                .jwt_keys
                .iter()
                .map(|(_, secret)| {
                    crate::crypto::hmac_b64(secret.as_bytes(), b"refresh-token").into_bytes()
                })
                .collect(),
        }
    }
}

impl AuthKeys {
    /// The key new refresh tokens are made with.
    pub fn refresh_key(&self) -> &[u8] {
        &self.refresh_keys[0]
    }
}
