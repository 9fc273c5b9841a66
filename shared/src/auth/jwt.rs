//! Access tokens: short-lived HS256 JWTs with `sub`, `role`, `exp`, `iat`, `jti`, `ver` and a
//! `kid` header. The first configured key signs; every configured key verifies, so a key can be
//! rotated in without logging everyone out. The algorithm is pinned: `alg: none` and RS/ES
//! tokens are refused whatever their header says.

use std::collections::HashMap;
use std::time::Duration;

use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::domain::Role;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub sub: String,
    pub role: Role,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    /// The user's token version when issued; revoking every session bumps it.
    pub ver: u64,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the access token has expired")]
    Expired,
    #[error("the access token is not valid")]
    Invalid,
}

/// How far in the future an access token's `iat` may be (clock skew between functions).
pub const IAT_LEEWAY: Duration = Duration::from_secs(30);

pub struct AccessTokens {
    signing_kid: String,
    signing: EncodingKey,
    verifying: HashMap<String, DecodingKey>,
    ttl: Duration,
}

impl AccessTokens {
    pub fn new(keys: &[(String, String)], ttl: Duration) -> Self {
        let (kid, secret) = keys
            .first()
            .expect("configuration guarantees at least one key");
        Self {
            signing_kid: kid.clone(),
            signing: EncodingKey::from_secret(secret.as_bytes()),
            verifying: keys
                .iter()
                .map(|(k, s)| (k.clone(), DecodingKey::from_secret(s.as_bytes())))
                .collect(),
            ttl,
        }
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    pub fn issue(&self, user_id: &str, role: Role, version: u64, now: OffsetDateTime) -> String {
        let claims = Claims {
            sub: user_id.to_owned(),
            role,
            iat: now.unix_timestamp(),
            exp: now.unix_timestamp() + self.ttl.as_secs() as i64,
            jti: ulid::Ulid::new().to_string(),
            ver: version,
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.signing_kid.clone());
        encode(&header, &claims, &self.signing).expect("HS256 signing cannot fail")
    }

    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        self.verify_at(token, OffsetDateTime::now_utc())
    }

    /// Verifies as of `now` for the issue time: a token issued more than [`IAT_LEEWAY`] in the
    /// future, or not valid before a time still to come (`nbf`), is refused. (`exp` and `nbf` are
    /// checked against the system clock by jsonwebtoken.)
    pub fn verify_at(&self, token: &str, now: OffsetDateTime) -> Result<Claims, TokenError> {
        let header = decode_header(token).map_err(|_| TokenError::Invalid)?;
        if header.alg != Algorithm::HS256 {
            return Err(TokenError::Invalid);
        }
        let key = header
            .kid
            .as_deref()
            .and_then(|kid| self.verifying.get(kid))
            .ok_or(TokenError::Invalid)?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.validate_nbf = true;
        validation.set_required_spec_claims(&["exp", "iat", "sub"]);
        let claims = decode::<Claims>(token, key, &validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            })?;
        if claims.iat > now.unix_timestamp() + IAT_LEEWAY.as_secs() as i64 {
            return Err(TokenError::Invalid);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn keys(pairs: &[(&str, &str)]) -> AccessTokens {
        let owned: Vec<_> = pairs
            .iter()
            .map(|(k, s)| (k.to_string(), s.to_string()))
            .collect();
        AccessTokens::new(&owned, Duration::from_secs(900))
    }

    const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    #[test]
    fn issues_and_verifies_with_the_claims() {
        let tokens = keys(&[("k1", A)]);
        let t = tokens.issue("user-1", Role::Staff, 3, OffsetDateTime::now_utc());
        let claims = tokens.verify(&t).unwrap();
        assert_eq!(
            (claims.sub.as_str(), claims.role, claims.ver),
            ("user-1", Role::Staff, 3)
        );
        assert_eq!(claims.exp - claims.iat, 900);
        assert_eq!(decode_header(&t).unwrap().kid.as_deref(), Some("k1"));
    }

    #[test]
    fn rotation_accepts_the_old_key_and_signs_with_the_new() {
        let old = keys(&[("k1", A)]);
        let rotated = keys(&[("k2", B), ("k1", A)]);
        let t = old.issue("u", Role::Customer, 0, OffsetDateTime::now_utc());
        assert!(rotated.verify(&t).is_ok());
        let t2 = rotated.issue("u", Role::Customer, 0, OffsetDateTime::now_utc());
        assert_eq!(decode_header(&t2).unwrap().kid.as_deref(), Some("k2"));
        assert_eq!(
            old.verify(&t2),
            Err(TokenError::Invalid),
            "k2 unknown to the old set"
        );
    }

    #[test]
    fn refuses_other_keys_expired_tokens_and_other_algorithms() {
        let tokens = keys(&[("k1", A)]);
        let forged = keys(&[("k1", B)]).issue("u", Role::Admin, 0, OffsetDateTime::now_utc());
        assert_eq!(tokens.verify(&forged), Err(TokenError::Invalid));
        let old = tokens.issue(
            "u",
            Role::Customer,
            0,
            OffsetDateTime::now_utc() - Duration::from_secs(901),
        );
        assert_eq!(tokens.verify(&old), Err(TokenError::Expired));
        // alg: none, with a valid-looking payload and no signature.
        let b64 = |v: serde_json::Value| URL_SAFE_NO_PAD.encode(v.to_string());
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let payload = b64(
            serde_json::json!({"sub":"u","role":"admin","iat":now,"exp":now+900,"jti":"x","ver":0}),
        );
        let none = format!(
            "{}.{}.",
            b64(serde_json::json!({"alg":"none","typ":"JWT","kid":"k1"})),
            payload
        );
        assert_eq!(tokens.verify(&none), Err(TokenError::Invalid));
        assert_eq!(tokens.verify("garbage"), Err(TokenError::Invalid));
    }

    #[test]
    fn refuses_tokens_from_the_future() {
        let tokens = keys(&[("k1", A)]);
        let now = OffsetDateTime::now_utc();
        // Issued an hour ahead (still unexpired): refused; within the leeway: fine.
        let ahead = tokens.issue("u", Role::Customer, 0, now + Duration::from_secs(3600));
        assert_eq!(tokens.verify(&ahead), Err(TokenError::Invalid));
        let skewed = tokens.issue("u", Role::Customer, 0, now + Duration::from_secs(10));
        assert!(tokens.verify(&skewed).is_ok());
        // A signed token that is not valid before an hour from now.
        let claims = serde_json::json!({
            "sub": "u", "role": "customer", "iat": now.unix_timestamp(),
            "exp": now.unix_timestamp() + 900, "nbf": now.unix_timestamp() + 3600,
            "jti": "x", "ver": 0
        });
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("k1".into());
        let early = encode(&header, &claims, &EncodingKey::from_secret(A.as_bytes())).unwrap();
        assert_eq!(tokens.verify(&early), Err(TokenError::Invalid));
    }
}
