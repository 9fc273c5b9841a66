//! Refresh tokens: opaque strings `<user id>.<family>.<generation>.<secret>`, stored only as
//! a SHA-256 hash on the session item of their family. Each refresh hands out generation + 1
//! and retires the one presented; presenting a retired generation is reuse.

use super::id::is_ulid;
use crate::crypto::random_token;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken {
    pub user_id: String,
    pub family: String,
    pub generation: u64,
    secret: String,
}

impl RefreshToken {
    /// The first token of a new session family.
    pub fn new_family(user_id: &str) -> Self {
        Self {
            user_id: user_id.to_owned(),
            family: ulid::Ulid::new().to_string(),
            generation: 0,
            secret: random_token(32),
        }
    }

    /// The token that replaces this one.
    pub fn next(&self) -> Self {
        Self {
            user_id: self.user_id.clone(),
            family: self.family.clone(),
            generation: self.generation + 1,
            secret: random_token(32),
        }
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

    #[test]
    fn tokens_round_trip_and_rotate_within_their_family() {
        let t = RefreshToken::new_family(&ulid::Ulid::new().to_string());
        assert_eq!(RefreshToken::parse(&t.to_string()), Some(t.clone()));
        let n = t.next();
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
}
