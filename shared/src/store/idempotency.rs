//! Doing a piece of work at most once per key, however often it is asked for: the worker's
//! emails (keyed by envelope id), and next checkout's and refunds' `Idempotency-Key` and
//! Stripe event ids.
//!
//! ```ignore
//! match idempotency::try_start(table, &scope, key, &fingerprint, now).await? {
//!     NextAction::StartProcessing => { /* do it */ idempotency::save(table, &scope, key, &saved).await? }
//!     NextAction::ReturnSaved(saved) => { /* answer as the first time */ }
//! }
//! ```
//!
//! `try_start` claims `IDEMPOTENCY#<scope>#<key>` with a lease, in one conditional write. The
//! claimant does the work and saves its outcome (`save`), or gives the claim back on failure
//! (`release`) so the next attempt can start at once. A claim whose holder died is taken over
//! once its lease has passed: a crash delays the work but never loses it. A claim carries the
//! request's fingerprint, so the same key with another request is refused (`KeyReused`)
//! instead of answering with someone else's response. A record lives for the scope's
//! `keep_for` (DynamoDB's TTL removes it; until then an expired record counts as absent).

use std::time::Duration;

use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValuesOnConditionCheckFailure};
use time::OffsetDateTime;

use super::{Item, StoreError, applied, condition_failed, n, s};
use crate::aws::Table;

/// What a kind of key is for, and how long its claims and records hold.
#[derive(Debug, Clone, Copy)]
pub struct Scope {
    /// Part of the stored key, so that keys of different purposes never meet.
    pub name: &'static str,
    /// How long a claim holds before another attempt may take it over: longer than the work.
    pub lease: Duration,
    /// How long the outcome is kept and answered with.
    pub keep_for: Duration,
}

/// A queued email: its envelope id is sent once. Kept longer than SQS keeps a message (14 days).
pub const EMAIL: Scope = Scope {
    name: "email",
    lease: Duration::from_secs(120),
    keep_for: Duration::from_secs(30 * 24 * 3600),
};

/// The longest key accepted (an `Idempotency-Key` header is a UUID in practice).
/// The longest stored key: an `Idempotency-Key` header (at most 255) with its owner before it.
pub const MAX_KEY_LEN: usize = 512;

/// What the work produced, to answer a repeated request with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    /// The HTTP status of the first answer (or 200 for work with no HTTP answer).
    pub status: u16,
    /// The first answer's body (or what the work returned, such as SES's message id).
    pub body: String,
}

/// What the caller does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextAction {
    /// This caller holds the key: do the work, then [`save`] (or [`release`] on failure).
    StartProcessing,
    /// The work was done before: answer with what it produced.
    ReturnSaved(Saved),
}

#[derive(Debug, thiserror::Error)]
pub enum IdempotencyError {
    /// Another attempt holds the key and is working on it now (HTTP: 409; worker: retry later).
    #[error("a request with this key is still being processed")]
    InProgress,
    /// The key was used for a different request (HTTP: 422 `idempotency_key_reused`).
    #[error("this key was used for a different request")]
    KeyReused,
    /// Empty, longer than [`MAX_KEY_LEN`], or with characters other than printable ASCII.
    #[error("an idempotency key is 1 to {MAX_KEY_LEN} printable ASCII characters")]
    InvalidKey,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A request's fingerprint: SHA-256 over its parts (say, the caller's id and the body), each
/// length-prefixed so that two different splits never collide.
pub fn fingerprint(parts: &[&[u8]]) -> String {
    let mut joined = Vec::new();
    for part in parts {
        joined.extend_from_slice(&(part.len() as u64).to_be_bytes());
        joined.extend_from_slice(part);
    }
    crate::crypto::sha256_hex_bytes(&joined)
}

/// Where a key's record lives: its own partition, or (`home`) the partition of the user it
/// belongs to, so that deleting the account deletes it too (a kept checkout answer holds the
/// buyer's email and address).
fn key_attrs(scope: &Scope, home: Option<&str>, key: &str) -> [(&'static str, AttributeValue); 2] {
    match home {
        None => [
            ("PK", s(format!("IDEMPOTENCY#{}#{key}", scope.name))),
            ("SK", s("KEY")),
        ],
        Some(user_id) => [
            ("PK", s(super::users::user_pk(user_id))),
            ("SK", s(format!("IDEMPOTENCY#{}#{key}", scope.name))),
        ],
    }
}

fn valid_key(key: &str) -> bool {
    !key.is_empty() && key.len() <= MAX_KEY_LEN && key.bytes().all(|b| (0x21..0x7f).contains(&b))
}

/// Claims `key` for this attempt, or says why not.
pub async fn try_start(
    table: &Table,
    scope: &Scope,
    key: &str,
    fingerprint: &str,
    now: OffsetDateTime,
) -> Result<NextAction, IdempotencyError> {
    try_start_at(table, scope, None, key, fingerprint, now).await
}

/// [`try_start`] for a key whose record lives in user `home`'s partition.
pub async fn try_start_at(
    table: &Table,
    scope: &Scope,
    home: Option<&str>,
    key: &str,
    fingerprint: &str,
    now: OffsetDateTime,
) -> Result<NextAction, IdempotencyError> {
    if !valid_key(key) {
        return Err(IdempotencyError::InvalidKey);
    }
    let [pk, sk] = key_attrs(scope, home, key);
    let result = table
        .put_item()
        .item(pk.0, pk.1)
        .item(sk.0, sk.1)
        .item("type", s("idempotency"))
        .item("scope", s(scope.name))
        .item("state", s("in_progress"))
        .item("fingerprint", s(fingerprint))
        .item("claimed_until", n((now + scope.lease).unix_timestamp()))
        .item("expires_at", n((now + scope.keep_for).unix_timestamp()))
        // Free, expired (TTL deletes lazily), or an abandoned claim of the same request.
        .condition_expression(
            "attribute_not_exists(PK) OR expires_at < :now \
             OR (#state = :in_progress AND claimed_until < :now AND fingerprint = :fp)",
        )
        .expression_attribute_names("#state", "state")
        .expression_attribute_values(":in_progress", s("in_progress"))
        .expression_attribute_values(":now", n(now.unix_timestamp()))
        .expression_attribute_values(":fp", s(fingerprint))
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .send()
        .await;
    match result {
        Ok(_) => Ok(NextAction::StartProcessing),
        Err(err) if condition_failed(&err) => {
            let old = match err.as_service_error() {
                Some(PutItemError::ConditionalCheckFailedException(e)) => e.item(),
                _ => None,
            };
            judge(old, fingerprint)
        }
        Err(err) => Err(StoreError::from_sdk("PutItem", &err).into()),
    }
}

/// Why a claim was refused, from the record that holds the key.
fn judge(old: Option<&Item>, fingerprint: &str) -> Result<NextAction, IdempotencyError> {
    let text = |name: &str| old.and_then(|i| i.get(name)).and_then(|v| v.as_s().ok());
    if text("fingerprint").is_some_and(|fp| fp != fingerprint) {
        return Err(IdempotencyError::KeyReused);
    }
    if text("state").map(String::as_str) != Some("done") {
        return Err(IdempotencyError::InProgress);
    }
    let status = old
        .and_then(|i| i.get("response_status"))
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| StoreError::serde("idempotency record", "no response_status"))?;
    Ok(NextAction::ReturnSaved(Saved {
        status,
        body: text("response_body").cloned().unwrap_or_default(),
    }))
}

/// Records what the work produced; later attempts with the key get it back.
pub async fn save(
    table: &Table,
    scope: &Scope,
    key: &str,
    saved: &Saved,
) -> Result<(), StoreError> {
    save_at(table, scope, None, key, saved).await
}

/// [`save`] for a key whose record lives in user `home`'s partition.
pub async fn save_at(
    table: &Table,
    scope: &Scope,
    home: Option<&str>,
    key: &str,
    saved: &Saved,
) -> Result<(), StoreError> {
    let [pk, sk] = key_attrs(scope, home, key);
    table
        .update_item()
        .key(pk.0, pk.1)
        .key(sk.0, sk.1)
        .update_expression(
            "SET #state = :done, response_status = :status, response_body = :body \
             REMOVE claimed_until",
        )
        .expression_attribute_names("#state", "state")
        .expression_attribute_values(":done", s("done"))
        .expression_attribute_values(":status", n(saved.status))
        .expression_attribute_values(":body", s(&saved.body))
        .send()
        .await
        .map_err(|e| StoreError::from_sdk("UpdateItem", &e))?;
    Ok(())
}

/// Gives a claim back after the work failed, so the next attempt can start at once.
/// A record that is done (or gone) is left as it is.
pub async fn release(table: &Table, scope: &Scope, key: &str) -> Result<(), StoreError> {
    release_at(table, scope, None, key).await
}

/// [`release`] for a key whose record lives in user `home`'s partition.
pub async fn release_at(
    table: &Table,
    scope: &Scope,
    home: Option<&str>,
    key: &str,
) -> Result<(), StoreError> {
    let [pk, sk] = key_attrs(scope, home, key);
    let result = table
        .delete_item()
        .key(pk.0, pk.1)
        .key(sk.0, sk.1)
        .condition_expression("#state = :in_progress")
        .expression_attribute_names("#state", "state")
        .expression_attribute_values(":in_progress", s("in_progress"))
        .send()
        .await;
    applied("DeleteItem", result).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(state: &str, fp: &str) -> Item {
        Item::from([
            ("state".to_owned(), s(state)),
            ("fingerprint".to_owned(), s(fp)),
            ("response_status".to_owned(), n(201)),
            ("response_body".to_owned(), s("{\"id\":1}")),
        ])
    }

    #[test]
    fn a_refused_claim_is_judged_by_the_record_that_holds_the_key() {
        assert_eq!(
            judge(Some(&record("done", "a")), "a").unwrap(),
            NextAction::ReturnSaved(Saved {
                status: 201,
                body: "{\"id\":1}".into()
            })
        );
        assert!(matches!(
            judge(Some(&record("in_progress", "a")), "a"),
            Err(IdempotencyError::InProgress)
        ));
        // Another request under the same key, done or not: refused, never answered.
        for state in ["done", "in_progress"] {
            assert!(matches!(
                judge(Some(&record(state, "a")), "b"),
                Err(IdempotencyError::KeyReused)
            ));
        }
    }

    #[test]
    fn keys_and_fingerprints() {
        assert!(valid_key("0b6f6f1e-6c1d-4a3e-9b1a-1d2c3e4f5a6b"));
        assert!(!valid_key(""));
        assert!(!valid_key("has space"));
        assert!(!valid_key("é"));
        assert!(!valid_key(&"k".repeat(MAX_KEY_LEN + 1)));
        assert_eq!(fingerprint(&[b"ab", b"c"]), fingerprint(&[b"ab", b"c"]));
        assert_ne!(fingerprint(&[b"ab", b"c"]), fingerprint(&[b"a", b"bc"]));
    }
}
