//! Processed Stripe events: `STRIPE_EVENT#<event id>`/`EVENT`, written with a condition before
//! the event's follow-up is queued, so a redelivered event is acknowledged and not acted on
//! twice. Kept 30 days by TTL (Stripe retries for 3).

use super::{StoreError, applied, n, s};
use crate::aws::Table;

const SK: &str = "EVENT";
const KEEP_DAYS: i64 = 30;

fn pk(event_id: &str) -> String {
    format!("STRIPE_EVENT#{event_id}")
}

/// Records `event_id` as received; `false` when it was already.
pub async fn record(
    table: &Table,
    event_id: &str,
    kind: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let result = table
        .put_item()
        .item("PK", s(pk(event_id)))
        .item("SK", s(SK))
        .item("type", s("stripe_event"))
        .item("event_type", s(kind))
        .item("received_at", n(now))
        .item("expires_at", n(now + KEEP_DAYS * 24 * 3600))
        .condition_expression("attribute_not_exists(PK)")
        .send()
        .await;
    applied("PutItem", result)
}

/// Forgets `event_id` (its follow-up could not be queued: Stripe's retry must be acted on).
pub async fn forget(table: &Table, event_id: &str) -> Result<(), StoreError> {
    table
        .delete_item()
        .key("PK", s(pk(event_id)))
        .key("SK", s(SK))
        .send()
        .await
        .map_err(|e| StoreError::from_sdk("DeleteItem", &e))?;
    Ok(())
}
