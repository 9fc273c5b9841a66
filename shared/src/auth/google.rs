//! Google sign-in: verifies a Google ID token against Google's published keys (JWKS), fetched
//! once per container and kept as long as the response's `Cache-Control: max-age` allows.

use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde::Deserialize;
use tokio::sync::RwLock;

use crate::domain::Email;

const ISSUERS: [&str; 2] = ["accounts.google.com", "https://accounts.google.com"];
/// Without a usable max-age, keys are kept this long.
const DEFAULT_MAX_AGE: Duration = Duration::from_secs(3600);
/// A token naming an unknown key refetches the set, but not more often than this.
const MIN_REFETCH: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum GoogleError {
    #[error("the ID token is not valid: {0}")]
    Invalid(&'static str),
    #[error("Google's signing keys could not be fetched: {0}")]
    KeysUnavailable(String),
}

/// A refused ID token is the client's 401 in our own words; keys that could not be fetched are
/// a 503 naming Google, with what went wrong logged here and never sent.
impl From<GoogleError> for crate::error::ApiError {
    fn from(err: GoogleError) -> Self {
        match err {
            GoogleError::Invalid(why) => Self::InvalidIdToken(why),
            GoogleError::KeysUnavailable(why) => {
                tracing::warn!(error = %why, "Google's signing keys could not be fetched");
                Self::UpstreamUnavailable("Google sign-in")
            }
        }
    }
}

/// Who Google says signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoogleIdentity {
    pub sub: String,
    pub email: Email,
    pub name: Option<String>,
}

#[derive(Deserialize)]
struct IdClaims {
    sub: String,
    email: Option<String>,
    #[serde(default)]
    email_verified: Verified,
    name: Option<String>,
}

/// Google sends `email_verified` as a boolean, older tokens as the string "true".
#[derive(Deserialize, Default)]
#[serde(untagged)]
enum Verified {
    Bool(bool),
    Text(String),
    #[default]
    Missing,
}

struct CachedKeys {
    keys: JwkSet,
    fetched: Instant,
    max_age: Duration,
}

pub struct GoogleKeys {
    client_id: Option<String>,
    jwks_url: String,
    /// Built on first use, so functions that never verify a Google token neither build nor link it.
    http: std::sync::OnceLock<crate::outbound::Client>,
    cache: RwLock<Option<CachedKeys>>,
}

impl GoogleKeys {
    pub fn new(client_id: Option<String>, jwks_url: String) -> Self {
        Self {
            client_id,
            jwks_url,
            http: std::sync::OnceLock::new(),
            cache: RwLock::new(None),
        }
    }

    pub fn enabled(&self) -> bool {
        self.client_id.is_some()
    }

    pub async fn verify(&self, id_token: &str) -> Result<GoogleIdentity, GoogleError> {
        let client_id = self
            .client_id
            .as_deref()
            .ok_or(GoogleError::Invalid("Google sign-in is not configured"))?;
        let header =
            decode_header(id_token).map_err(|_| GoogleError::Invalid("malformed token"))?;
        if header.alg != Algorithm::RS256 {
            return Err(GoogleError::Invalid("unexpected algorithm"));
        }
        let kid = header.kid.ok_or(GoogleError::Invalid("no key id"))?;
        let key = self.key(&kid).await?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_audience(&[client_id]);
        validation.set_issuer(&ISSUERS);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 30;
        let claims = decode::<IdClaims>(id_token, &key, &validation)
            .map_err(|e| {
                GoogleError::Invalid(match e.kind() {
                    jsonwebtoken::errors::ErrorKind::ExpiredSignature => "expired",
                    jsonwebtoken::errors::ErrorKind::InvalidAudience => "issued to another client",
                    jsonwebtoken::errors::ErrorKind::InvalidIssuer => "not issued by Google",
                    jsonwebtoken::errors::ErrorKind::InvalidSignature => "bad signature",
                    _ => "rejected",
                })
            })?
            .claims;
        let verified = match claims.email_verified {
            Verified::Bool(b) => b,
            Verified::Text(t) => t == "true",
            Verified::Missing => false,
        };
        if !verified {
            return Err(GoogleError::Invalid(
                "the email address is not verified by Google",
            ));
        }
        let email = claims
            .email
            .as_deref()
            .and_then(|e| Email::parse(e).ok())
            .ok_or(GoogleError::Invalid("no usable email address"))?;
        Ok(GoogleIdentity {
            sub: claims.sub,
            email,
            name: claims.name,
        })
    }

    async fn key(&self, kid: &str) -> Result<DecodingKey, GoogleError> {
        {
            let cache = self.cache.read().await;
            if let Some(c) = cache.as_ref() {
                let fresh = c.fetched.elapsed() < c.max_age;
                if let Some(jwk) = c.keys.find(kid) {
                    if fresh {
                        return DecodingKey::from_jwk(jwk)
                            .map_err(|_| GoogleError::Invalid("unusable key"));
                    }
                } else if fresh && c.fetched.elapsed() < MIN_REFETCH {
                    return Err(GoogleError::Invalid("unknown key id"));
                }
            }
        }
        let fetched = self.fetch().await?;
        let jwk = fetched.keys.find(kid).cloned();
        *self.cache.write().await = Some(fetched);
        let jwk = jwk.ok_or(GoogleError::Invalid("unknown key id"))?;
        DecodingKey::from_jwk(&jwk).map_err(|_| GoogleError::Invalid("unusable key"))
    }

    async fn fetch(&self) -> Result<CachedKeys, GoogleError> {
        let http = self
            .http
            .get_or_init(|| crate::outbound::Client::new(Duration::from_secs(5)));
        let request = http::Request::get(&self.jwks_url)
            .body(bytes::Bytes::new())
            .map_err(|e| GoogleError::KeysUnavailable(e.to_string()))?;
        let response = http
            .send(request)
            .await
            .map_err(|e| GoogleError::KeysUnavailable(e.to_string()))?;
        if !response.is_success() {
            return Err(GoogleError::KeysUnavailable(format!(
                "status {}",
                response.status
            )));
        }
        let max_age = response
            .header("cache-control")
            .and_then(max_age)
            .unwrap_or(DEFAULT_MAX_AGE);
        let keys: JwkSet = serde_json::from_slice(&response.body)
            .map_err(|e| GoogleError::KeysUnavailable(e.to_string()))?;
        Ok(CachedKeys {
            keys,
            fetched: Instant::now(),
            max_age,
        })
    }
}

/// `public, max-age=19855, must-revalidate` → 19855 s.
fn max_age(cache_control: &str) -> Option<Duration> {
    cache_control
        .split(',')
        .filter_map(|d| d.trim().strip_prefix("max-age="))
        .find_map(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::max_age;
    use std::time::Duration;

    #[test]
    fn reads_max_age() {
        assert_eq!(
            max_age("public, max-age=19855, must-revalidate, no-transform"),
            Some(Duration::from_secs(19855))
        );
        assert_eq!(max_age("no-cache"), None);
    }
}
