//! Outbound webhooks: the worker's side. An event ([`crate::notify::Event`]) becomes one
//! queue message per subscription that wants it ([`fan_out`]); each message is one attempt
//! ([`deliver`]): the address checked again on what the name resolves to now, a POST signed
//! `Shop-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">` (as Stripe signs), 10 s at
//! most, no redirect followed, logged; a failure is tried again after 30 s, 1, 2, 4 ...
//! minutes (at most 6 hours apart) until 24 hours have passed, then the delivery is failed.

pub mod address;

use std::time::{Duration, Instant};

use serde_json::json;
use time::OffsetDateTime;

use crate::accounts;
use crate::notify::{self, Envelope, Event, EventKind, Job};
use crate::orders::OrderView;
use crate::orders::returns::ReturnView;
use crate::state::AppState;
use crate::store::webhooks::{self as store, Attempt, Delivery, Outcome, Subscription};
use crate::store::{StoreError, orders, returns};

/// How long one attempt may take.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// How long a delivery is retried.
const RETRY_FOR: time::Duration = time::Duration::hours(24);
/// The longest pause between two attempts.
const LONGEST_PAUSE: u64 = 6 * 3600;

#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("could not queue the delivery: {0}")]
    Queue(String),
}

/// The pause before attempt `next` (2 = the first retry): `base` doubled each time, at most
/// six hours. `base` is 30 s, or 1 s on the local stack.
pub fn pause_before(next: u32, base: u64) -> u64 {
    let doublings = next.saturating_sub(2).min(20);
    (base << doublings).min(LONGEST_PAUSE)
}

fn base_pause(state: &AppState) -> u64 {
    if state.is_local() { 1 } else { 30 }
}

/// What every attempt of `event` sends: `{id, type, created_at, data}`, `data` holding the
/// order or the return as the API shows it now, or the low sku.
async fn body(state: &AppState, event: &Event) -> Result<Option<String>, WebhookError> {
    let data = match event.kind {
        EventKind::ProductLowStock => json!({"sku": event.sku, "stock": event.amount}),
        EventKind::ReturnRequested | EventKind::ReturnReceived => {
            let Some(ret) = returns::get(
                state.reader(),
                event.return_id.as_deref().unwrap_or_default(),
            )
            .await?
            else {
                return Ok(None);
            };
            json!({"return": ReturnView::new(ret)})
        }
        _ => {
            let Some(order) = orders::get(
                state.reader(),
                event.order_id.as_deref().unwrap_or_default(),
            )
            .await?
            else {
                return Ok(None);
            };
            let mut data = json!({"order": OrderView::from(&order)});
            if event.kind == EventKind::OrderRefunded {
                data["refund"] = json!({"amount": event.amount});
            }
            data
        }
    };
    let body = json!({
        "id": format!("evt_{}", event.id),
        "type": event.kind.name(),
        "created_at": event.at,
        "data": data,
    });
    Ok(Some(body.to_string()))
}

/// One delivery message per subscription that wants `event`, each made once however often
/// the event is published (the delivery's claim).
pub async fn fan_out(state: &AppState, event: &Event) -> Result<usize, WebhookError> {
    let wanted: Vec<Subscription> = store::all(state.reader())
        .await?
        .into_iter()
        .filter(|s| s.events.contains(&event.kind))
        .collect();
    if wanted.is_empty() {
        return Ok(0);
    }
    let Some(body) = body(state, event).await? else {
        tracing::warn!(
            event = event.id,
            "the event's subject is gone; nothing to deliver"
        );
        return Ok(0);
    };
    let now = accounts::rfc3339(accounts::now());
    let mut queued = 0;
    for sub in wanted {
        let delivery = Delivery {
            event_id: event.id.clone(),
            kind: event.kind,
            body: body.clone(),
            outcome: Outcome::Pending,
            attempts: 0,
            created_at: now.clone(),
        };
        if !store::claim(state.table(), &sub.id, &delivery).await? {
            continue;
        }
        queue_attempt(state.queue(), &sub.id, &event.id, 1, &now, 0).await?;
        queued += 1;
    }
    Ok(queued)
}

async fn queue_attempt(
    queue: &crate::aws::Queue,
    subscription_id: &str,
    event_id: &str,
    attempt: u32,
    not_before: &str,
    delay: u64,
) -> Result<(), WebhookError> {
    let envelope = Envelope {
        id: format!("deliver-{subscription_id}-{event_id}-{attempt}-{not_before}"),
        job: Job::WebhookDelivery {
            subscription_id: subscription_id.to_owned(),
            event_id: event_id.to_owned(),
            attempt,
            not_before: not_before.to_owned(),
        },
    };
    let delay = i32::try_from(delay.min(900)).unwrap_or(900);
    notify::enqueue_after(queue, envelope, delay)
        .await
        .map(|_| ())
        .map_err(|e| WebhookError::Queue(e.to_string()))
}

/// Sends a delivery that failed (or was delivered) again, from its first attempt, with its
/// original body and event id (`shopctl webhooks resend`). False: no such delivery, or it is
/// still being retried.
pub async fn resend(
    table: &crate::aws::Table,
    queue: &crate::aws::Queue,
    subscription_id: &str,
    event_id: &str,
) -> Result<bool, WebhookError> {
    let now = accounts::rfc3339(accounts::now());
    if !store::reopen(table, subscription_id, event_id, &now).await? {
        return Ok(false);
    }
    queue_attempt(queue, subscription_id, event_id, 1, &now, 0).await?;
    Ok(true)
}

/// Makes attempt `attempt` of one delivery, logs it, and queues the next one or settles it.
pub async fn deliver(
    state: &AppState,
    subscription_id: &str,
    event_id: &str,
    attempt: u32,
    not_before: &str,
) -> Result<(), WebhookError> {
    let now = accounts::now();
    if let Some(due) = accounts::parse_rfc3339(not_before)
        && due > now
    {
        // Came back early (SQS delays at most 15 minutes): put it off again.
        let wait = (due - now).whole_seconds().max(1) as u64;
        return queue_attempt(
            state.queue(),
            subscription_id,
            event_id,
            attempt,
            not_before,
            wait,
        )
        .await;
    }
    let Some(sub) = store::get(state.reader(), subscription_id).await? else {
        tracing::info!(
            subscription = subscription_id,
            "the subscription was deleted; delivery dropped"
        );
        return Ok(());
    };
    let Some(delivery) = store::delivery(state.reader(), subscription_id, event_id).await? else {
        return Ok(());
    };
    if delivery.outcome != Outcome::Pending || delivery.attempts >= attempt {
        return Ok(());
    }
    let started = Instant::now();
    let t = now.unix_timestamp();
    let sent = send(state, &sub, &delivery, t).await;
    let duration_ms = started.elapsed().as_millis() as u64;
    let (status_code, error) = match sent {
        Ok(code) if (200..300).contains(&code) => (Some(code), None),
        Ok(code) => (Some(code), Some(format!("the receiver answered {code}"))),
        Err(e) => (None, Some(e)),
    };
    let next_at =
        now + time::Duration::seconds(pause_before(attempt + 1, base_pause(state)) as i64);
    let started_at = accounts::parse_rfc3339(&delivery.created_at).unwrap_or(now);
    let (outcome, next) = if error.is_none() {
        (Outcome::Delivered, None)
    } else if next_at > started_at + RETRY_FOR {
        (Outcome::Failed, None)
    } else {
        (Outcome::Pending, Some(next_at))
    };
    let log = Attempt {
        event_id: event_id.to_owned(),
        event: delivery.kind,
        attempt,
        at: accounts::rfc3339(now),
        status_code,
        duration_ms,
        error: error.clone(),
        next_retry_at: next.map(accounts::rfc3339),
        outcome,
    };
    store::record(state.table(), subscription_id, &log).await?;
    tracing::info!(
        subscription = subscription_id,
        event = event_id,
        attempt,
        ?status_code,
        ?error,
        ?outcome,
        "webhook attempt"
    );
    if let Some(next) = next {
        let wait = (next - OffsetDateTime::now_utc()).whole_seconds().max(0) as u64;
        queue_attempt(
            state.queue(),
            subscription_id,
            event_id,
            attempt + 1,
            &accounts::rfc3339(next),
            wait,
        )
        .await?;
    }
    Ok(())
}

/// One signed POST; the receiver's status, or why there was none.
async fn send(
    state: &AppState,
    sub: &Subscription,
    delivery: &Delivery,
    t: i64,
) -> Result<u16, String> {
    let target = address::resolve(&sub.url, state.is_local(), &address::SystemResolver).await?;
    let signature = crate::stripe::signature::sign(delivery.body.as_bytes(), &sub.secret, t);
    let client = crate::outbound::Client::pinned(TIMEOUT, target.address.ip());
    let request = http::Request::post(target.url.as_str())
        .header("content-type", "application/json")
        .header("user-agent", "shop-webhooks/1")
        .header("shop-signature", signature)
        .header("shop-event-id", format!("evt_{}", delivery.event_id))
        .header("shop-event-type", delivery.kind.name())
        .body(bytes::Bytes::from(delivery.body.clone()))
        .map_err(|e| format!("could not be sent: {e}"))?;
    // Redirects are not followed: the client never does.
    let response = client.send(request).await.map_err(|e| e.to_string())?;
    Ok(response.status)
}

/// How a receiver checks a delivery: the signature over `t.body` with the subscription's
/// secret, `t` within 5 minutes of `now` (docs/operations.md shows the same in Python).
pub fn verify(secret: &str, header: &str, body: &[u8], now: i64) -> bool {
    crate::stripe::signature::verify(Some(header), body, &[secret], now, 300).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_double_from_the_base_up_to_six_hours_and_cover_a_day() {
        assert_eq!(pause_before(2, 30), 30);
        assert_eq!(pause_before(3, 30), 60);
        assert_eq!(pause_before(4, 30), 120);
        assert_eq!(pause_before(12, 30), 6 * 3600);
        assert_eq!(pause_before(40, 30), 6 * 3600);
        // The attempts 24 hours allow: about a dozen.
        let mut elapsed = 0;
        let mut attempts = 1;
        while elapsed + pause_before(attempts + 1, 30) <= 24 * 3600 {
            elapsed += pause_before(attempts + 1, 30);
            attempts += 1;
        }
        assert!((10..=16).contains(&attempts), "{attempts}");
    }

    #[test]
    fn a_signature_verifies_with_its_secret_only() {
        let body = br#"{"id":"evt_x"}"#;
        let header = crate::stripe::signature::sign(body, "whsec_1", 1_700_000_000);
        assert!(verify("whsec_1", &header, body, 1_700_000_010));
        assert!(!verify("whsec_2", &header, body, 1_700_000_010));
        assert!(!verify("whsec_1", &header, b"{}", 1_700_000_010));
    }
}
