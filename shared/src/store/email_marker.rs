//! The sent-marker that makes a redelivered email message send nothing twice.
//!
//! Before sending, the worker claims `EMAIL_SENT#<message id>` with a condition; after SES
//! accepts the email it marks the claim `sent`. A claim whose worker died before finishing
//! can be taken over once its lease has passed, so a crash delays an email but never loses it.
//! If SES refuses, the claim is released and the message is retried by SQS.

use std::time::Duration;

use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValuesOnConditionCheckFailure};
use time::OffsetDateTime;

use super::{StoreError, applied, condition_failed, n, s};
use crate::aws::Table;

/// How long a claim holds before another delivery may take it over. Longer than any send.
pub const CLAIM_LEASE: Duration = Duration::from_secs(120);
/// How long a marker is kept: longer than SQS keeps a message (14 days at most).
pub const KEEP_FOR: Duration = Duration::from_secs(30 * 24 * 3600);

#[derive(Debug, PartialEq, Eq)]
pub enum Claim {
    /// This delivery may send the email.
    Acquired,
    /// An earlier delivery sent it already.
    AlreadySent,
    /// Another delivery is sending it right now; try again later.
    InProgress,
}

fn key(message_id: &str) -> [(&'static str, AttributeValue); 2] {
    [
        ("PK", s(format!("EMAIL_SENT#{message_id}"))),
        ("SK", s("SENT")),
    ]
}

pub async fn claim(
    table: &Table,
    message_id: &str,
    now: OffsetDateTime,
) -> Result<Claim, StoreError> {
    let [pk, sk] = key(message_id);
    let result = table
        .client
        .put_item()
        .table_name(&*table.name)
        .item(pk.0, pk.1)
        .item(sk.0, sk.1)
        .item("type", s("email_sent"))
        .item("state", s("sending"))
        .item("claimed_until", n((now + CLAIM_LEASE).unix_timestamp()))
        .item("expires_at", n((now + KEEP_FOR).unix_timestamp()))
        .condition_expression(
            "attribute_not_exists(PK) OR (#state = :sending AND claimed_until < :now)",
        )
        .expression_attribute_names("#state", "state")
        .expression_attribute_values(":sending", s("sending"))
        .expression_attribute_values(":now", n(now.unix_timestamp()))
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .send()
        .await;
    match result {
        Ok(_) => Ok(Claim::Acquired),
        Err(err) if condition_failed(&err) => {
            let old_item = match err.as_service_error() {
                Some(PutItemError::ConditionalCheckFailedException(e)) => e.item(),
                _ => None,
            };
            let sent = old_item
                .and_then(|item| item.get("state"))
                .is_some_and(|state| state == &s("sent"));
            Ok(if sent {
                Claim::AlreadySent
            } else {
                Claim::InProgress
            })
        }
        Err(err) => Err(StoreError::from_sdk("PutItem", &err)),
    }
}

pub async fn mark_sent(
    table: &Table,
    message_id: &str,
    provider_id: &str,
) -> Result<(), StoreError> {
    let [pk, sk] = key(message_id);
    table
        .client
        .update_item()
        .table_name(&*table.name)
        .key(pk.0, pk.1)
        .key(sk.0, sk.1)
        .update_expression("SET #state = :sent, provider_id = :pid REMOVE claimed_until")
        .expression_attribute_names("#state", "state")
        .expression_attribute_values(":sent", s("sent"))
        .expression_attribute_values(":pid", s(provider_id))
        .send()
        .await
        .map_err(|e| StoreError::from_sdk("UpdateItem", &e))?;
    Ok(())
}

/// Gives a claim back after a failed send, so the next delivery can try again at once.
pub async fn release(table: &Table, message_id: &str) -> Result<(), StoreError> {
    let [pk, sk] = key(message_id);
    let result = table
        .client
        .delete_item()
        .table_name(&*table.name)
        .key(pk.0, pk.1)
        .key(sk.0, sk.1)
        .condition_expression("#state = :sending")
        .expression_attribute_names("#state", "state")
        .expression_attribute_values(":sending", s("sending"))
        .send()
        .await;
    // Already released or sent: nothing to give back.
    applied("DeleteItem", result).map(|_| ())
}
