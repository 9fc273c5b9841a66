//! Brute-force limits: a counter per (action, subject) in a fixed window, `ATTEMPTS#<action>#<subject>`
//! with a TTL. Each attempt is counted *before* it is judged, with one atomic ADD, so parallel
//! guesses cannot slip past the limit.

use std::time::Duration;

use aws_sdk_dynamodb::types::ReturnValue;
use time::OffsetDateTime;

use super::{StoreError, condition_failed, n, s};
use crate::aws::Table;

#[derive(Debug, PartialEq, Eq)]
pub enum Attempt {
    Allowed,
    /// Over the limit; try again after this long.
    Refused {
        retry_after: Duration,
    },
}

/// The subject (an email address, a user id) is stored hashed: no address in the key, and no
/// length a caller could push past DynamoDB's key limit.
fn pk(action: &str, subject: &str) -> String {
    format!("ATTEMPTS#{action}#{}", crate::crypto::sha256_hex(subject))
}

/// Counts one attempt; refuses it when it is beyond `limit` within the current `window`.
pub async fn count(
    table: &Table,
    action: &str,
    subject: &str,
    limit: u32,
    window: Duration,
    now: OffsetDateTime,
) -> Result<Attempt, StoreError> {
    let now_s = now.unix_timestamp();
    for _ in 0..3 {
        // Count within the open window.
        let counted = table
            .update_item()
            .key("PK", s(pk(action, subject)))
            .key("SK", s("WINDOW"))
            .update_expression("ADD attempts :one")
            .condition_expression("window_ends > :now")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":now", n(now_s))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match counted {
            Ok(out) => {
                let attrs = out.attributes.unwrap_or_default();
                let get = |k: &str| {
                    attrs
                        .get(k)
                        .and_then(|v| v.as_n().ok())
                        .and_then(|v| v.parse::<i64>().ok())
                        .unwrap_or(0)
                };
                return Ok(if get("attempts") > i64::from(limit) {
                    Attempt::Refused {
                        retry_after: Duration::from_secs((get("window_ends") - now_s).max(1) as u64),
                    }
                } else {
                    Attempt::Allowed
                });
            }
            Err(e) if condition_failed(&e) => {}
            Err(e) => return Err(StoreError::from_sdk("UpdateItem", &e)),
        }
        // No open window: open one with this attempt, unless another request just did.
        let window_ends = now_s + window.as_secs() as i64;
        let opened = table
            .put_item()
            .item("PK", s(pk(action, subject)))
            .item("SK", s("WINDOW"))
            .item("type", s("attempts"))
            .item("attempts", n(1))
            .item("window_ends", n(window_ends))
            .item("expires_at", n(window_ends))
            .condition_expression("attribute_not_exists(PK) OR window_ends <= :now")
            .expression_attribute_values(":now", n(now_s))
            .send()
            .await;
        match opened {
            Ok(_) => return Ok(Attempt::Allowed),
            Err(e) if condition_failed(&e) => continue,
            Err(e) => return Err(StoreError::from_sdk("PutItem", &e)),
        }
    }
    Err(StoreError::serde(
        "attempts",
        "the attempt counter kept changing under contention",
    ))
}

/// Clears the counter (after a successful login).
pub async fn reset(table: &Table, action: &str, subject: &str) -> Result<(), StoreError> {
    table
        .delete_item()
        .key("PK", s(pk(action, subject)))
        .key("SK", s("WINDOW"))
        .send()
        .await
        .map_err(|e| StoreError::from_sdk("DeleteItem", &e))?;
    Ok(())
}
