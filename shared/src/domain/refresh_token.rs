//! Refresh tokens: opaque strings `<user id>.<family>.<generation>.<secret>`, stored only as
//! a SHA-256 hash on the session item of their family. Each refresh hands out generation + 1
//! and retires the one presented; presenting a retired generation is reuse.
//!
//! A generation's secret is an HMAC of (user, family, generation) under the server's refresh
//! key, so a presented token can be checked to be one we issued before anything else is done:
//! a made-up token with a real user and family and a lower generation is simply invalid, and
//! only a genuine retired token (a stolen copy) triggers reuse detection.

use super::id::is_ulid;
use crate::crypto::{hmac_b64, hmac_matches};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken {
    pub user_id: String,
    pub family: String,
    pub generation: u64,
    secret: String,
}

/// What a generation's secret is the HMAC of.
fn message(user_id: &str, family: &str, generation: u64) -> String {
    format!("refresh|{user_id}|{family}|{generation}")
}

impl RefreshToken {
    /// The first token of a new session family, its secret made with `key`.
    pub fn new_family(user_id: &str, key: &[u8]) -> Self {
        Self::make(user_id, &ulid::Ulid::new().to_string(), 0, key)
    }

    /// The token that replaces this one.
    pub fn next(&self, key: &[u8]) -> Self {
        Self::make(&self.user_id, &self.family, self.generation + 1, key)
    }

    fn make(user_id: &str, family: &str, generation: u64, key: &[u8]) -> Self {
        Self {
            user_id: user_id.to_owned(),
            family: family.to_owned(),
            generation,
            secret: hmac_b64(key, message(user_id, family, generation).as_bytes()),
        }
    }

    /// True when one of `keys` made this token (the first key makes them; older ones still
    /// verify while keys rotate).
    pub fn is_authentic<K: AsRef<[u8]>>(&self, keys: &[K]) -> bool {
        let message = message(&self.user_id, &self.family, self.generation);
        keys.iter()
            .any(|k| hmac_matches(k.as_ref(), message.as_bytes(), &self.secret))
    }

    pub fn parse(raw: &str) -> Option<Self> {
        let mut parts = raw.trim().split('.');
        let (user_id, family, generation, secret) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some()
            || !is_ulid(user_id)
            || !is_ulid(family)
            || secret.len() < 32
            || secret.len() > 128
        {
            return None;
        }
        Some(Self {
            user_id: user_id.to_owned(),
            family: family.to_owned(),
            generation: generation.parse().ok()?,
            secret: secret.to_owned(),
        })
    }

    pub fn hash(&self) -> String {
        crate::crypto::sha256_hex(&self.to_string())
    }
}

impl std::fmt::Display for RefreshToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}.{}.{}.{}",
            self.user_id, self.family, self.generation, self.secret
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"a refresh key for the tests, long enough";

    #[test]
    fn tokens_round_trip_and_rotate_within_their_family() {
        let t = RefreshToken::new_family(&ulid::Ulid::new().to_string(), KEY);
        assert_eq!(RefreshToken::parse(&t.to_string()), Some(t.clone()));
        let n = t.next(KEY);
        assert_eq!((n.family.as_str(), n.generation), (t.family.as_str(), 1));
        assert_ne!(n.hash(), t.hash());
        for bad in [
            "",
            "a.b.c",
            "a.b.x.secretsecretsecretsecretsecretsecret",
            "a.b.1.short",
            "a.b.1.s.e",
        ] {
            assert_eq!(RefreshToken::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn only_tokens_made_with_our_key_are_authentic() {
        let t = RefreshToken::new_family(&ulid::Ulid::new().to_string(), KEY);
        let n = t.next(KEY);
        assert!(t.is_authentic(&[KEY]) && n.is_authentic(&[b"old key".as_slice(), KEY]));
        assert!(!t.is_authentic(&[b"another key".as_slice()]));
        // The same user, family and generation with a made-up secret.
        let forged = format!(
            "{}.{}.{}.{}",
            t.user_id,
            t.family,
            t.generation,
            "A".repeat(43)
        );
        assert!(!RefreshToken::parse(&forged).unwrap().is_authentic(&[KEY]));
        // A genuine token's secret moved to another generation.
        let moved = format!("{}.{}.{}.{}", n.user_id, n.family, 5, n.secret);
        assert!(!RefreshToken::parse(&moved).unwrap().is_authentic(&[KEY]));
    }
}
