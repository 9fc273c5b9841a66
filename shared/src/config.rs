//! Typed configuration, read once at cold start from environment variables.
//!
//! A function reads only the variables its needs call for (`crate::need::Need::variables`);
//! a missing or malformed one stops start-up with an error that names it.

use std::time::Duration;

use crate::need::Need;

/// What one function knows about its surroundings: only the settings its needs call for
/// ([`Config::for_needs`]); the rest are `None`.
#[derive(Clone, Debug)]
pub struct Config {
    /// The single DynamoDB table (`TABLE_NAME`; `Need::TableRead`/`TableWrite`).
    pub table_name: Option<String>,
    /// The work queue the worker drains (`QUEUE_URL`; `Need::Queue`).
    pub queue_url: Option<String>,
    /// The queue the images worker drains (`IMAGE_QUEUE_URL`; `Need::ImageQueue`).
    pub image_queue_url: Option<String>,
    /// The work queue's dead-letter queue (`DEAD_LETTER_QUEUE_URL`; `Need::DeadLetters`).
    pub dead_letter_queue_url: Option<String>,
    /// The private bucket for product images and invoices (`BUCKET_NAME`; `Need::Blobs`).
    pub bucket_name: Option<String>,
    /// The sender and signature of every email (`Need::Mailer`).
    pub mail: Option<MailSettings>,
    /// Where the shop's front end lives, for links in emails (`PUBLIC_BASE_URL`; `Need::Links`).
    pub public_base_url: Option<String>,
    /// Further origins a Checkout Session may send the buyer back to, besides
    /// `PUBLIC_BASE_URL`'s (`ALLOWED_RETURN_ORIGINS`, comma-separated; `Need::Links`).
    pub allowed_return_origins: Vec<String>,
    /// Access-token keys and lifetimes (`Need::AccessTokens`).
    pub tokens: Option<TokenSettings>,
    /// Google sign-in (`Need::Google`).
    pub google: Option<GoogleSettings>,
    /// Stripe's API (`Need::Stripe`).
    pub stripe: Option<StripeSettings>,
    /// The webhook endpoint's signing secret (`STRIPE_WEBHOOK_SECRET`; `Need::StripeWebhook`).
    pub stripe_webhook_secret: Option<String>,
    /// Logs as JSON lines (Lambda) or human-readable text (`LOG_FORMAT` = `json` | `pretty`).
    pub log_format: LogFormat,
    /// Emulator endpoints; `None` on AWS. See [`Endpoints`].
    pub endpoints: Endpoints,
}

#[derive(Clone, Debug)]
pub struct MailSettings {
    /// The verified sender of every email (`EMAIL_FROM`).
    pub from: String,
    /// The shop's name, as emails sign off (`SHOP_NAME`, default `Shop`).
    pub shop_name: String,
}

#[derive(Clone, Debug)]
pub struct TokenSettings {
    /// Access-token signing keys, `kid=secret` pairs separated by commas; the first signs and
    /// all verify, so keys can rotate (`JWT_SIGNING_KEYS`). Each secret is at least 32 bytes.
    pub jwt_keys: Vec<(String, String)>,
    /// How long an access token lives (`ACCESS_TOKEN_TTL_SECONDS`, default 900).
    pub access_token_ttl: Duration,
    /// How long a refresh token lives (`REFRESH_TOKEN_TTL_SECONDS`, default 30 days).
    pub refresh_token_ttl: Duration,
}

#[derive(Clone, Debug)]
pub struct GoogleSettings {
    /// The OAuth client id Google ID tokens must be issued to (`GOOGLE_CLIENT_ID`); unset turns
    /// Google sign-in off.
    pub client_id: Option<String>,
    /// Where Google's signing keys are published (`GOOGLE_JWKS_URL`).
    pub jwks_url: String,
}

#[derive(Clone)]
pub struct StripeSettings {
    /// The secret API key (`STRIPE_SECRET_KEY`, `sk_live_...` or `sk_test_...`).
    pub secret_key: String,
    /// `https://api.stripe.com`, or localstripe's address (`STRIPE_API_BASE`).
    pub api_base: String,
}

impl std::fmt::Debug for StripeSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeSettings")
            .field("api_base", &self.api_base)
            .finish_non_exhaustive()
    }
}

/// Endpoint overrides that point the AWS SDK at local emulators.
#[derive(Clone, Debug, Default)]
pub struct Endpoints {
    /// DynamoDB Local (`DYNAMODB_ENDPOINT_URL`).
    pub dynamodb: Option<String>,
    /// moto, serving SQS, SES and S3 (`AWS_SERVICES_ENDPOINT_URL`).
    pub services: Option<String>,
}

impl Endpoints {
    /// True when any service is emulated: static credentials and path-style S3 are used.
    pub fn is_local(&self) -> bool {
        self.dynamodb.is_some() || self.services.is_some()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Pretty,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("environment variable {0} is required but not set")]
    Missing(&'static str),
    #[error("environment variable {name} has a bad value {value:?}: {expected}")]
    Invalid {
        name: &'static str,
        value: String,
        expected: &'static str,
    },
}

impl Config {
    /// Reads, from the process environment, the settings `needs` call for.
    pub fn from_env(needs: &[Need]) -> Result<Self, ConfigError> {
        Self::for_needs(needs, |name| std::env::var(name).ok())
    }

    /// Reads the settings `needs` call for through `lookup` (tests pass a map instead of the
    /// environment). A variable no need calls for is never read, so it is never required.
    pub fn for_needs(
        needs: &[Need],
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let has = |n: Need| needs.contains(&n);
        let required = |name: &'static str| {
            lookup(name)
                .filter(|v| !v.trim().is_empty())
                .ok_or(ConfigError::Missing(name))
        };
        let optional = |name: &'static str| lookup(name).filter(|v| !v.trim().is_empty());
        let when = |wanted: bool, name: &'static str| wanted.then(|| required(name)).transpose();
        let log_format = match optional("LOG_FORMAT").as_deref() {
            None => {
                // Lambda sets AWS_LAMBDA_FUNCTION_NAME; CloudWatch wants one JSON object a line.
                if lookup("AWS_LAMBDA_FUNCTION_NAME").is_some() {
                    LogFormat::Json
                } else {
                    LogFormat::Pretty
                }
            }
            Some("json") => LogFormat::Json,
            Some("pretty") => LogFormat::Pretty,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "LOG_FORMAT",
                    value: other.to_owned(),
                    expected: "json or pretty",
                });
            }
        };
        let mail = if has(Need::Mailer) {
            let from = required("EMAIL_FROM")?;
            if !from.contains('@') {
                return Err(ConfigError::Invalid {
                    name: "EMAIL_FROM",
                    value: from,
                    expected: "an email address",
                });
            }
            Some(MailSettings {
                from,
                shop_name: optional("SHOP_NAME").unwrap_or_else(|| "Shop".to_owned()),
            })
        } else {
            None
        };
        let seconds = |name: &'static str, default: u64| -> Result<Duration, ConfigError> {
            match optional(name) {
                None => Ok(Duration::from_secs(default)),
                Some(v) => v
                    .trim()
                    .parse::<u64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .map(Duration::from_secs)
                    .ok_or(ConfigError::Invalid {
                        name,
                        value: v,
                        expected: "a whole number of seconds above 0",
                    }),
            }
        };
        let tokens = if has(Need::AccessTokens) {
            let jwt_keys = parse_keys(&required("JWT_SIGNING_KEYS")?).ok_or_else(|| {
                ConfigError::Invalid {
                    name: "JWT_SIGNING_KEYS",
                    value: "(hidden)".to_owned(),
                    expected: "kid=secret pairs separated by commas, each secret at least 32 characters",
                }
            })?;
            Some(TokenSettings {
                jwt_keys,
                access_token_ttl: seconds("ACCESS_TOKEN_TTL_SECONDS", 900)?,
                refresh_token_ttl: seconds("REFRESH_TOKEN_TTL_SECONDS", 30 * 24 * 3600)?,
            })
        } else {
            None
        };
        let google = if has(Need::Google) {
            Some(GoogleSettings {
                client_id: optional("GOOGLE_CLIENT_ID"),
                jwks_url: url(
                    "GOOGLE_JWKS_URL",
                    optional("GOOGLE_JWKS_URL")
                        .unwrap_or_else(|| "https://www.googleapis.com/oauth2/v3/certs".to_owned()),
                )?,
            })
        } else {
            None
        };
        let stripe = if has(Need::Stripe) {
            Some(StripeSettings {
                secret_key: required("STRIPE_SECRET_KEY")?,
                api_base: url(
                    "STRIPE_API_BASE",
                    optional("STRIPE_API_BASE")
                        .unwrap_or_else(|| "https://api.stripe.com".to_owned()),
                )?,
            })
        } else {
            None
        };
        Ok(Self {
            table_name: when(has(Need::TableRead) || has(Need::TableWrite), "TABLE_NAME")?,
            queue_url: when(has(Need::Queue), "QUEUE_URL")?
                .map(|v| url("QUEUE_URL", v))
                .transpose()?,
            image_queue_url: when(has(Need::ImageQueue), "IMAGE_QUEUE_URL")?
                .map(|v| url("IMAGE_QUEUE_URL", v))
                .transpose()?,
            dead_letter_queue_url: when(has(Need::DeadLetters), "DEAD_LETTER_QUEUE_URL")?
                .map(|v| url("DEAD_LETTER_QUEUE_URL", v))
                .transpose()?,
            bucket_name: when(has(Need::Blobs), "BUCKET_NAME")?,
            mail,
            public_base_url: when(has(Need::Links), "PUBLIC_BASE_URL")?
                .map(|v| url("PUBLIC_BASE_URL", v))
                .transpose()?,
            allowed_return_origins: match optional("ALLOWED_RETURN_ORIGINS") {
                Some(list) if has(Need::Links) => list
                    .split(',')
                    .map(str::trim)
                    .filter(|o| !o.is_empty())
                    .map(|o| url("ALLOWED_RETURN_ORIGINS", o.to_owned()))
                    .collect::<Result<_, _>>()?,
                _ => Vec::new(),
            },
            tokens,
            google,
            stripe,
            stripe_webhook_secret: when(has(Need::StripeWebhook), "STRIPE_WEBHOOK_SECRET")?,
            log_format,
            endpoints: Endpoints {
                dynamodb: optional("DYNAMODB_ENDPOINT_URL")
                    .map(|v| url("DYNAMODB_ENDPOINT_URL", v))
                    .transpose()?,
                services: optional("AWS_SERVICES_ENDPOINT_URL")
                    .map(|v| url("AWS_SERVICES_ENDPOINT_URL", v))
                    .transpose()?,
            },
        })
    }

    /// The same configuration without the settings `needs` do not call for.
    pub fn only(&self, needs: &[Need]) -> Self {
        let has = |n: Need| needs.contains(&n);
        Self {
            table_name: self
                .table_name
                .clone()
                .filter(|_| has(Need::TableRead) || has(Need::TableWrite)),
            queue_url: self.queue_url.clone().filter(|_| has(Need::Queue)),
            image_queue_url: self
                .image_queue_url
                .clone()
                .filter(|_| has(Need::ImageQueue)),
            dead_letter_queue_url: self
                .dead_letter_queue_url
                .clone()
                .filter(|_| has(Need::DeadLetters)),
            bucket_name: self.bucket_name.clone().filter(|_| has(Need::Blobs)),
            mail: self.mail.clone().filter(|_| has(Need::Mailer)),
            public_base_url: self.public_base_url.clone().filter(|_| has(Need::Links)),
            allowed_return_origins: if has(Need::Links) {
                self.allowed_return_origins.clone()
            } else {
                Vec::new()
            },
            tokens: self.tokens.clone().filter(|_| has(Need::AccessTokens)),
            google: self.google.clone().filter(|_| has(Need::Google)),
            stripe: self.stripe.clone().filter(|_| has(Need::Stripe)),
            stripe_webhook_secret: self
                .stripe_webhook_secret
                .clone()
                .filter(|_| has(Need::StripeWebhook)),
            log_format: self.log_format,
            endpoints: self.endpoints.clone(),
        }
    }
}

/// An http(s) URL without its trailing slash.
fn url(name: &'static str, value: String) -> Result<String, ConfigError> {
    if value.starts_with("http://") || value.starts_with("https://") {
        Ok(value.trim_end_matches('/').to_owned())
    } else {
        Err(ConfigError::Invalid {
            name,
            value,
            expected: "an http:// or https:// URL",
        })
    }
}

/// `kid=secret,kid2=secret2` → pairs; `None` when malformed, a kid repeats or a secret is short.
fn parse_keys(raw: &str) -> Option<Vec<(String, String)>> {
    let mut keys: Vec<(String, String)> = Vec::new();
    for pair in raw.split(',') {
        let (kid, secret) = pair.trim().split_once('=')?;
        let (kid, secret) = (kid.trim(), secret.trim());
        let kid_ok = !kid.is_empty()
            && kid.len() <= 64
            && kid
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !kid_ok || secret.len() < 32 || keys.iter().any(|(k, _)| k == kid) {
            return None;
        }
        keys.push((kid.to_owned(), secret.to_owned()));
    }
    (!keys.is_empty()).then_some(keys)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn base() -> HashMap<&'static str, &'static str> {
        HashMap::from([
            ("TABLE_NAME", "shop"),
            ("QUEUE_URL", "http://127.0.0.1:5050/123/shop-work"),
            ("IMAGE_QUEUE_URL", "http://127.0.0.1:5050/123/shop-images"),
            (
                "DEAD_LETTER_QUEUE_URL",
                "http://127.0.0.1:5050/123/shop-dead",
            ),
            ("BUCKET_NAME", "shop-images"),
            ("EMAIL_FROM", "shop@example.com"),
            ("PUBLIC_BASE_URL", "http://127.0.0.1:3000/"),
            ("JWT_SIGNING_KEYS", "k1=0123456789abcdef0123456789abcdef"),
            ("STRIPE_SECRET_KEY", "sk_test_1"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_1"),
        ])
    }

    fn load(vars: &HashMap<&'static str, &'static str>) -> Result<Config, ConfigError> {
        Config::for_needs(Need::ALL, |k| vars.get(k).map(|v| v.to_string()))
    }

    #[test]
    fn reads_a_complete_environment() {
        let cfg = load(&base()).unwrap();
        assert_eq!(cfg.table_name.as_deref(), Some("shop"));
        assert_eq!(
            cfg.public_base_url.as_deref(),
            Some("http://127.0.0.1:3000")
        );
        assert_eq!(cfg.log_format, LogFormat::Pretty);
        assert!(!cfg.endpoints.is_local());
    }

    #[test]
    fn names_the_missing_variable() {
        let mut vars = base();
        vars.remove("TABLE_NAME");
        assert_eq!(load(&vars).unwrap_err(), ConfigError::Missing("TABLE_NAME"));
        let msg = load(&vars).unwrap_err().to_string();
        assert!(msg.contains("TABLE_NAME"), "{msg}");
    }

    #[test]
    fn names_a_malformed_variable() {
        let mut vars = base();
        vars.insert("QUEUE_URL", "not a url");
        assert!(matches!(
            load(&vars),
            Err(ConfigError::Invalid {
                name: "QUEUE_URL",
                ..
            })
        ));
        vars = base();
        vars.insert("LOG_FORMAT", "xml");
        assert!(matches!(
            load(&vars),
            Err(ConfigError::Invalid {
                name: "LOG_FORMAT",
                ..
            })
        ));
        vars = base();
        vars.insert("JWT_SIGNING_KEYS", "k1=short");
        assert!(matches!(
            load(&vars),
            Err(ConfigError::Invalid {
                name: "JWT_SIGNING_KEYS",
                ..
            })
        ));
        vars = base();
        vars.insert("ACCESS_TOKEN_TTL_SECONDS", "0");
        assert!(matches!(
            load(&vars),
            Err(ConfigError::Invalid {
                name: "ACCESS_TOKEN_TTL_SECONDS",
                ..
            })
        ));
        vars = base();
        vars.insert("EMAIL_FROM", "nobody");
        assert!(matches!(
            load(&vars),
            Err(ConfigError::Invalid {
                name: "EMAIL_FROM",
                ..
            })
        ));
    }

    #[test]
    fn a_function_reads_only_what_its_needs_call_for() {
        // Health needs nothing: an empty environment is enough, and no secret is read.
        let cfg = Config::for_needs(&[], |_| None).unwrap();
        assert!(cfg.table_name.is_none() && cfg.tokens.is_none() && cfg.mail.is_none());
        let read = std::cell::RefCell::new(Vec::new());
        let vars = base();
        let cfg = Config::for_needs(&[Need::TableRead], |k| {
            read.borrow_mut().push(k.to_owned());
            vars.get(k).map(|v| v.to_string())
        })
        .unwrap();
        assert_eq!(cfg.table_name.as_deref(), Some("shop"));
        assert!(
            !read.borrow().iter().any(|k| k == "JWT_SIGNING_KEYS"),
            "{read:?}"
        );
        // A need's variable is required once the need is declared.
        assert_eq!(
            Config::for_needs(&[Need::AccessTokens], |_| None).unwrap_err(),
            ConfigError::Missing("JWT_SIGNING_KEYS")
        );
        // Narrowing drops what the needs do not call for.
        let all = load(&base()).unwrap();
        let narrowed = all.only(&[Need::Links]);
        assert!(narrowed.tokens.is_none() && narrowed.table_name.is_none());
        assert!(narrowed.public_base_url.is_some());
    }

    #[test]
    fn reads_rotating_keys() {
        let a = "a".repeat(32);
        let b = "b".repeat(40);
        assert_eq!(
            parse_keys(&format!("new={b}, old={a}")).unwrap(),
            vec![("new".to_owned(), b.clone()), ("old".to_owned(), a.clone())]
        );
        assert!(
            parse_keys(&format!("k={a},k={b}")).is_none(),
            "a repeated kid"
        );
        assert!(parse_keys(&format!("bad kid={a}")).is_none());
        assert!(parse_keys("").is_none());
    }

    #[test]
    fn lambda_defaults_to_json_logs_and_endpoints_make_it_local() {
        let mut vars = base();
        vars.insert("AWS_LAMBDA_FUNCTION_NAME", "HealthFunction");
        vars.insert("DYNAMODB_ENDPOINT_URL", "http://127.0.0.1:8000");
        let cfg = load(&vars).unwrap();
        assert_eq!(cfg.log_format, LogFormat::Json);
        assert!(cfg.endpoints.is_local());
    }
}
