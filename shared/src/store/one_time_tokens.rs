//! One-time tokens (email verification, password reset): `<user id>.<32 random bytes>` in the
//! emailed link, stored as `USER#<id>`/`TOKEN#<sha256 of token>` with its purpose, expiry and
//! the user's token version when it was issued. Using one is a conditional delete, so it works
//! once and never after its expiry; a reset also requires the user's token version to be
//! unchanged, so a reset (or any revocation) makes every older reset link fail. Kept in the
//! user's partition, they go with the account.

use aws_sdk_dynamodb::types::ReturnValue;
use time::OffsetDateTime;

use super::users::user_pk;
use super::{StoreError, condition_failed, n, s};
use crate::aws::Table;
use crate::crypto::{random_token, sha256_hex};
use crate::domain::id::is_ulid;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    VerifyEmail,
    PasswordReset,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::VerifyEmail => "verify_email",
            Purpose::PasswordReset => "password_reset",
        }
    }
}

/// A token that was used up: whose it was and the user's token version when it was issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consumed {
    pub user_id: String,
    pub token_version: u64,
}

fn sort_key(token: &str) -> String {
    format!("TOKEN#{}", sha256_hex(token))
}

/// Makes a token for `user_id` and returns it (to be emailed; only its hash is stored).
pub async fn issue(
    table: &Table,
    purpose: Purpose,
    user_id: &str,
    token_version: u64,
    expires_at: OffsetDateTime,
) -> Result<String, StoreError> {
    let token = format!("{user_id}.{}", random_token(32));
    table
        .put_item()
        .item("PK", s(user_pk(user_id)))
        .item("SK", s(sort_key(&token)))
        .item("type", s("one_time_token"))
        .item("purpose", s(purpose.as_str()))
        .item("token_version", n(token_version))
        .item("expires_at", n(expires_at.unix_timestamp()))
        .condition_expression("attribute_not_exists(PK)")
        .send()
        .await
        .map_err(|e| StoreError::from_sdk("PutItem", &e))?;
    Ok(token)
}

/// Uses a token up: whose it was, or `None` if it is unknown, used, expired or for another
/// purpose.
pub async fn consume(
    table: &Table,
    purpose: Purpose,
    token: &str,
    now: OffsetDateTime,
) -> Result<Option<Consumed>, StoreError> {
    let Some((user_id, secret)) = token.split_once('.') else {
        return Ok(None);
    };
    if !is_ulid(user_id) || secret.is_empty() || token.len() > 256 {
        return Ok(None);
    }
    let result = table
        .delete_item()
        .key("PK", s(user_pk(user_id)))
        .key("SK", s(sort_key(token)))
        .condition_expression("purpose = :p AND expires_at > :now")
        .expression_attribute_values(":p", s(purpose.as_str()))
        .expression_attribute_values(":now", n(now.unix_timestamp()))
        .return_values(ReturnValue::AllOld)
        .send()
        .await;
    match result {
        Ok(out) => Ok(out.attributes.map(|a| Consumed {
            user_id: user_id.to_owned(),
            token_version: a
                .get("token_version")
                .and_then(|v| v.as_n().ok())
                .and_then(|v| v.parse().ok())
                .unwrap_or_default(),
        })),
        Err(e) if condition_failed(&e) => Ok(None),
        Err(e) => Err(StoreError::from_sdk("DeleteItem", &e)),
    }
}
