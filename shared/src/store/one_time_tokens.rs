//! One-time tokens (email verification, password reset): `TOKEN#<sha256 of token>`/`TOKEN`
//! with its purpose, user and expiry. The token itself is only ever in the email. Using one is
//! a conditional delete, so it works once and never after its expiry.

use aws_sdk_dynamodb::types::ReturnValue;
use time::OffsetDateTime;

use super::{StoreError, condition_failed, n, s};
use crate::aws::Table;
use crate::crypto::{random_token, sha256_hex};

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

/// Makes a token for `user_id` and returns it (to be emailed; only its hash is stored).
pub async fn issue(
    table: &Table,
    purpose: Purpose,
    user_id: &str,
    expires_at: OffsetDateTime,
) -> Result<String, StoreError> {
    let token = random_token(32);
    table
        .put_item()
        .item("PK", s(format!("TOKEN#{}", sha256_hex(&token))))
        .item("SK", s("TOKEN"))
        .item("type", s("one_time_token"))
        .item("purpose", s(purpose.as_str()))
        .item("user_id", s(user_id))
        .item("expires_at", n(expires_at.unix_timestamp()))
        .condition_expression("attribute_not_exists(PK)")
        .send()
        .await
        .map_err(|e| StoreError::from_sdk("PutItem", &e))?;
    Ok(token)
}

/// Uses a token up: the user it was for, or `None` if it is unknown, used, expired or for
/// another purpose.
pub async fn consume(
    table: &Table,
    purpose: Purpose,
    token: &str,
    now: OffsetDateTime,
) -> Result<Option<String>, StoreError> {
    if token.is_empty() || token.len() > 256 {
        return Ok(None);
    }
    let result = table
        .delete_item()
        .key("PK", s(format!("TOKEN#{}", sha256_hex(token))))
        .key("SK", s("TOKEN"))
        .condition_expression("purpose = :p AND expires_at > :now")
        .expression_attribute_values(":p", s(purpose.as_str()))
        .expression_attribute_values(":now", n(now.unix_timestamp()))
        .return_values(ReturnValue::AllOld)
        .send()
        .await;
    match result {
        Ok(out) => Ok(out
            .attributes
            .and_then(|a| a.get("user_id").and_then(|v| v.as_s().ok()).cloned())),
        Err(e) if condition_failed(&e) => Ok(None),
        Err(e) => Err(StoreError::from_sdk("DeleteItem", &e)),
    }
}
