//! What happened in the shop that other systems hear of: an order paid, moved, cancelled or
//! refunded, a return asked for or received, a sku running low. Each event has an id made from
//! what it is about (`order-<id>-paid`), so publishing it twice (a webhook and a payment sync
//! both seeing the payment) is harmless: the worker counts it in the analytics once and
//! delivers it to each webhook subscription once.

use serde::{Deserialize, Serialize};

pub use crate::domain::event::EventKind;

/// One event: what it is about, by id (the worker reads the thing itself when it acts).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Unique per happening, stable across publications: `order-<id>-paid`,
    /// `order-<id>-refund-<refund id>`, `return-<id>-received`, `low-stock-<sku>-<day>`.
    pub id: String,
    pub kind: EventKind,
    pub at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// A refund's amount (minor units); a low sku's stock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<i64>,
}

impl Event {
    /// An event about an order; `what` tells it apart from the order's other events of the
    /// same kind (a refund's id), empty when there is one of its kind.
    pub fn order(kind: EventKind, order_id: &str, what: &str, at: &str) -> Self {
        let step = kind.name().trim_start_matches("order.");
        let id = if what.is_empty() {
            format!("order-{order_id}-{step}")
        } else {
            format!("order-{order_id}-{step}-{what}")
        };
        Self {
            id,
            kind,
            at: at.to_owned(),
            order_id: Some(order_id.to_owned()),
            return_id: None,
            sku: None,
            amount: None,
        }
    }

    /// A refund of `amount` made at Stripe as `refund_id`.
    pub fn refunded(order_id: &str, refund_id: &str, amount: i64, at: &str) -> Self {
        Self {
            amount: Some(amount),
            ..Self::order(EventKind::OrderRefunded, order_id, refund_id, at)
        }
    }

    pub fn returned(kind: EventKind, order_id: &str, return_id: &str, at: &str) -> Self {
        let step = kind.name().trim_start_matches("return.");
        Self {
            id: format!("return-{return_id}-{step}"),
            kind,
            at: at.to_owned(),
            order_id: Some(order_id.to_owned()),
            return_id: Some(return_id.to_owned()),
            sku: None,
            amount: None,
        }
    }

    /// A sku at or under the low-stock threshold on `day` (once a day at most).
    pub fn low_stock(sku: &str, stock: i64, day: &str, at: &str) -> Self {
        Self {
            id: format!("low-stock-{sku}-{day}"),
            kind: EventKind::ProductLowStock,
            at: at.to_owned(),
            order_id: None,
            return_id: None,
            sku: Some(sku.to_owned()),
            amount: Some(stock),
        }
    }
}

/// Puts each event on the work queue, keyed by its id. A queue failure is logged, not the
/// caller's failure: what the event tells of is done.
pub async fn publish(queue: &crate::aws::Queue, events: Vec<Event>) {
    for event in events {
        let key = format!("event-{}", event.id);
        if let Err(e) = super::enqueue_keyed(queue, key, super::Job::Event(event)).await {
            tracing::error!(error = %e, "an event could not be queued");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_name_what_happened_and_kinds_round_trip() {
        let e = Event::order(EventKind::OrderShipped, "01A", "", "t");
        assert_eq!(e.id, "order-01A-shipped");
        assert_eq!(
            Event::refunded("01A", "re_1", 5, "t").id,
            "order-01A-refunded-re_1"
        );
        assert_eq!(
            Event::returned(EventKind::ReturnReceived, "01A", "01A-01B", "t").id,
            "return-01A-01B-received"
        );
        for kind in EventKind::ALL {
            assert_eq!(EventKind::named(kind.name()), Some(kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.name());
        }
        assert_eq!(EventKind::named("order.nope"), None);
    }
}
