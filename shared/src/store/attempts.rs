//! Brute-force limits: a counter per (action, subject) in a fixed window, `ATTEMPTS#<action>#<subject>`
//! with a TTL. Each attempt is counted *before* it is judged, with one atomic ADD, so parallel
//! guesses cannot slip past the limit.
//!
//! Requests that are limited as such (password-reset mails) count every attempt. Password
//! guesses count only their failures ([`Counting::Failures`]): an attempt holds a slot while
//! it is judged (`attempts`), a failure keeps it and adds to `failures`, a success clears the
//! window ([`reset`]). So at most `limit` wrong guesses are ever judged in a window, however
//! many arrive at once, and a right password is refused only while `limit` other guesses are
//! being judged at that moment: then with `Retry-After: 1`, not the rest of the window.

use std::time::Duration;

use aws_sdk_dynamodb::types::ReturnValue;
use time::OffsetDateTime;

use super::{StoreError, condition_failed, n, s};
use crate::aws::Table;

/// The window of the per-client limits that count per hour.
pub const HOUR: Duration = Duration::from_secs(3600);

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

/// What counts against the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counting {
    /// Every attempt.
    Attempts,
    /// Failed attempts only (recorded with [`failed`]); a success is [`reset`].
    Failures,
}

/// Counts one attempt; refuses it when it is beyond `limit` within the current `window`.
pub async fn count(
    table: &Table,
    action: &str,
    subject: &str,
    limit: u32,
    window: Duration,
    now: OffsetDateTime,
    counting: Counting,
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
                if get("attempts") <= i64::from(limit) {
                    return Ok(Attempt::Allowed);
                }
                let locked = Attempt::Refused {
                    retry_after: Duration::from_secs((get("window_ends") - now_s).max(1) as u64),
                };
                if counting == Counting::Attempts || get("failures") >= i64::from(limit) {
                    return Ok(locked);
                }
                // The slots are held by attempts being judged right now: this one gives its
                // slot back and is asked to come again in a moment.
                add(table, action, subject, "attempts", -1).await?;
                return Ok(Attempt::Refused {
                    retry_after: Duration::from_secs(1),
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
            .item("failures", n(0))
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

/// Counts one attempt at `action` by `subject` (see [`count`]); past `limit` in `window` it is
/// refused with 429 `too_many_attempts` and how long to wait.
pub async fn within_limit(
    table: &Table,
    action: &str,
    subject: &str,
    limit: u32,
    window: Duration,
    counting: Counting,
) -> Result<(), crate::error::ApiError> {
    let now = OffsetDateTime::now_utc();
    match count(table, action, subject, limit, window, now, counting).await? {
        Attempt::Allowed => Ok(()),
        Attempt::Refused { retry_after } => Err(crate::error::ApiError::TooManyAttempts {
            retry_after_secs: retry_after.as_secs(),
        }),
    }
}

/// [`within_limit`] for one of the settings' per-client limits per hour (`limit` picks it
/// from `limits`).
pub async fn within_hourly_limit(
    table: &Table,
    action: &str,
    subject: &str,
    limit: fn(&crate::domain::settings::Limits) -> u32,
    counting: Counting,
) -> Result<(), crate::error::ApiError> {
    let limits = super::settings::current(table).await?.limits;
    within_limit(table, action, subject, limit(&limits), HOUR, counting).await
}

/// Gives a counted attempt's slot back (under [`Counting::Failures`]: it succeeded, and a
/// success must not clear the failures around it, as one of a coupon code would).
pub async fn give_back(table: &Table, action: &str, subject: &str) -> Result<(), StoreError> {
    add(table, action, subject, "attempts", -1).await
}

/// Adds `by` to the window's `counter` (`attempts` or `failures`), if the window is still
/// there.
async fn add(
    table: &Table,
    action: &str,
    subject: &str,
    counter: &str,
    by: i64,
) -> Result<(), StoreError> {
    let result = table
        .update_item()
        .key("PK", s(pk(action, subject)))
        .key("SK", s("WINDOW"))
        .update_expression("ADD #counter :by")
        .condition_expression("attribute_exists(PK)")
        .expression_attribute_names("#counter", counter)
        .expression_attribute_values(":by", n(by))
        .send()
        .await;
    super::applied("UpdateItem", result).map(|_| ())
}

/// Records that a counted attempt failed (under [`Counting::Failures`]): it keeps its slot.
/// A window cleared meanwhile by a success is left cleared.
pub async fn failed(table: &Table, action: &str, subject: &str) -> Result<(), StoreError> {
    add(table, action, subject, "failures", 1).await
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
