//! Outbound webhook subscriptions and their deliveries, all in the subscription's partition
//! (`WEBHOOK#<id>`):
//! - `WEBHOOK`: the subscription (url, events, signing secret); GSI1 `WEBHOOKS` lists them all;
//! - `EVENT#<event id>`: one event to deliver to it, with the exact body every attempt sends,
//!   written once (the claim that makes a redelivered event go out once) and updated with
//!   the outcome;
//! - `ATTEMPT#<at>#<event id>#<n>`: each attempt's log line (status, duration, error, next
//!   retry), kept 30 days.

use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};

use super::{Item, StoreError, n, s};
use crate::aws::{Table, TableReader};
use crate::domain::event::EventKind;
use crate::paging::Page;

const ALL: &str = "WEBHOOKS";
const SK: &str = "WEBHOOK";
/// How long attempt logs are kept.
const LOG_DAYS: i64 = 30;

pub fn pk(id: &str) -> String {
    format!("WEBHOOK#{id}")
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Subscription {
    pub id: String,
    pub url: String,
    pub events: Vec<EventKind>,
    /// The HMAC key of `Shop-Signature` (shown once, when it is made).
    pub secret: String,
    pub created_at: String,
}

#[derive(Serialize, Deserialize)]
struct SubscriptionItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    r#type: String,
    #[serde(rename = "GSI1PK")]
    gsi1pk: String,
    #[serde(rename = "GSI1SK")]
    gsi1sk: String,
    #[serde(flatten)]
    sub: Subscription,
}

pub async fn create(table: &Table, sub: &Subscription) -> Result<(), StoreError> {
    let item = serde_dynamo::to_item(SubscriptionItem {
        pk: pk(&sub.id),
        sk: SK.into(),
        r#type: "webhook".into(),
        gsi1pk: ALL.into(),
        gsi1sk: format!("{}#{}", sub.created_at, sub.id),
        sub: sub.clone(),
    })
    .map_err(|e| StoreError::serde("webhook", e))?;
    table
        .put_item()
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(PK)")
        .send()
        .await
        .map_err(|e| StoreError::from_sdk("PutItem", &e))?;
    Ok(())
}

pub async fn get(table: &TableReader, id: &str) -> Result<Option<Subscription>, StoreError> {
    super::get_item(table, pk(id), SK)
        .await?
        .map(|item| {
            serde_dynamo::from_item::<_, SubscriptionItem>(item)
                .map(|i| i.sub)
                .map_err(|e| StoreError::serde("webhook", e))
        })
        .transpose()
}

/// Deletes a subscription (false: there was none). Its events and logs stay until their TTL;
/// a retry of one finds the subscription gone and stops.
pub async fn delete(table: &Table, id: &str) -> Result<bool, StoreError> {
    let result = table
        .delete_item()
        .key("PK", s(pk(id)))
        .key("SK", s(SK))
        .condition_expression("attribute_exists(PK)")
        .send()
        .await;
    super::applied("DeleteItem", result)
}

/// Every subscription (the worker's fan-out reads them all; a shop has a handful).
pub async fn all(table: &TableReader) -> Result<Vec<Subscription>, StoreError> {
    let items: Vec<SubscriptionItem> = super::gsi1_all(table, ALL, "webhook").await?;
    Ok(items.into_iter().map(|i| i.sub).collect())
}

/// A page of subscriptions, newest first.
pub async fn page(
    table: &TableReader,
    page: &Page,
) -> Result<(Vec<Subscription>, Option<Item>), StoreError> {
    let query = table
        .query()
        .index_name("GSI1")
        .key_condition_expression("GSI1PK = :pk")
        .expression_attribute_values(":pk", s(ALL));
    let (items, last) = super::newest_first::<SubscriptionItem>(query, page, "webhook").await?;
    Ok((items.into_iter().map(|i| i.sub).collect(), last))
}

/// Where one event's delivery to one subscription stands.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Not delivered yet; another attempt is due.
    Pending,
    Delivered,
    /// Retried for 24 hours without a 2xx.
    Failed,
}

/// One event bound for one subscription, with the body every attempt sends.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Delivery {
    pub event_id: String,
    pub kind: EventKind,
    pub body: String,
    pub outcome: Outcome,
    pub attempts: u32,
    pub created_at: String,
}

fn event_sk(event_id: &str) -> String {
    format!("EVENT#{event_id}")
}

/// Records `delivery` for `subscription` unless it is there already: false when another
/// publication of the same event claimed it first (it goes out once).
pub async fn claim(
    table: &Table,
    subscription: &str,
    delivery: &Delivery,
) -> Result<bool, StoreError> {
    let mut item: Item =
        serde_dynamo::to_item(delivery).map_err(|e| StoreError::serde("delivery", e))?;
    item.insert("PK".into(), s(pk(subscription)));
    item.insert("SK".into(), s(event_sk(&delivery.event_id)));
    item.insert("type".into(), s("webhook_event"));
    item.insert("expires_at".into(), n(expiry(&delivery.created_at)));
    let result = table
        .put_item()
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(PK)")
        .send()
        .await;
    super::applied("PutItem", result)
}

pub async fn delivery(
    table: &TableReader,
    subscription: &str,
    event_id: &str,
) -> Result<Option<Delivery>, StoreError> {
    super::get_item(table, pk(subscription), &event_sk(event_id))
        .await?
        .map(|item| serde_dynamo::from_item(item).map_err(|e| StoreError::serde("delivery", e)))
        .transpose()
}

/// Opens a settled delivery again (a person re-sending it): pending, no attempts, its 24
/// hours counted from `now`. False when there is no such delivery or it is still pending.
pub async fn reopen(
    table: &Table,
    subscription: &str,
    event_id: &str,
    now: &str,
) -> Result<bool, StoreError> {
    let pending = serde_dynamo::to_attribute_value(Outcome::Pending)
        .map_err(|e| StoreError::serde("delivery", e))?;
    let result = table
        .update_item()
        .key("PK", s(pk(subscription)))
        .key("SK", s(event_sk(event_id)))
        .update_expression("SET outcome = :p, attempts = :zero, created_at = :now")
        .condition_expression("attribute_exists(PK) AND outcome <> :p")
        .expression_attribute_values(":p", pending)
        .expression_attribute_values(":zero", n(0))
        .expression_attribute_values(":now", s(now))
        .send()
        .await;
    super::applied("UpdateItem", result)
}

/// One attempt's log line.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Attempt {
    pub event_id: String,
    #[schema(value_type = String, example = "order.paid")]
    pub event: EventKind,
    /// 1 for the first try.
    pub attempt: u32,
    pub at: String,
    /// The receiver's HTTP status, if it answered.
    pub status_code: Option<u16>,
    pub duration_ms: u64,
    /// Why it did not count as delivered (a refused address, a timeout, a non-2xx).
    pub error: Option<String>,
    /// When the next attempt is due; `null` when delivered or given up.
    pub next_retry_at: Option<String>,
    /// Where the delivery stands after this attempt.
    pub outcome: Outcome,
}

/// Logs an attempt and moves the delivery's outcome and count, one after the other (the log
/// is for people; the outcome decides).
pub async fn record(
    table: &Table,
    subscription: &str,
    attempt: &Attempt,
) -> Result<(), StoreError> {
    let mut item: Item =
        serde_dynamo::to_item(attempt).map_err(|e| StoreError::serde("attempt", e))?;
    item.insert("PK".into(), s(pk(subscription)));
    item.insert(
        "SK".into(),
        s(format!(
            "ATTEMPT#{}#{}#{:04}",
            attempt.at, attempt.event_id, attempt.attempt
        )),
    );
    item.insert("type".into(), s("webhook_attempt"));
    item.insert("expires_at".into(), n(expiry(&attempt.at)));
    table
        .put_item()
        .set_item(Some(item))
        .send()
        .await
        .map_err(|e| StoreError::from_sdk("PutItem", &e))?;
    let outcome = serde_dynamo::to_attribute_value(attempt.outcome)
        .map_err(|e| StoreError::serde("attempt", e))?;
    table
        .update_item()
        .key("PK", s(pk(subscription)))
        .key("SK", s(event_sk(&attempt.event_id)))
        .update_expression("SET outcome = :o, attempts = :a")
        .condition_expression("attribute_exists(PK)")
        .expression_attribute_values(":o", outcome)
        .expression_attribute_values(":a", n(attempt.attempt))
        .send()
        .await
        .map_err(|e| StoreError::from_sdk("UpdateItem", &e))?;
    Ok(())
}

/// A page of a subscription's attempts, newest first.
pub async fn attempts(
    table: &TableReader,
    subscription: &str,
    page: &Page,
) -> Result<(Vec<Attempt>, Option<Item>), StoreError> {
    let query = table
        .query()
        .key_condition_expression("PK = :pk AND begins_with(SK, :a)")
        .expression_attribute_values(":pk", s(pk(subscription)))
        .expression_attribute_values(":a", AttributeValue::S("ATTEMPT#".into()));
    super::newest_first::<Attempt>(query, page, "attempt").await
}

fn expiry(at: &str) -> i64 {
    let t = time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    t.unix_timestamp() + LOG_DAYS * 86_400
}
