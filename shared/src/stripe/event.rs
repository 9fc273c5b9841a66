//! Webhook events: only the envelope is read here (`id`, `type`, `data.object`), tolerating
//! every other field and any API version; what an event means for an order is decided by
//! `orders::payment`.

use serde::Deserialize;

/// The events the shop acts on (all final; STRIPE.md). Anything else is acknowledged and
/// left alone.
pub const ACTED_ON: &[&str] = &[
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
    "charge.refunded",
    "refund.updated",
];

#[derive(Debug, Clone, Deserialize)]
pub struct Event {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub data: EventData,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EventData {
    pub object: serde_json::Value,
}

impl Event {
    pub fn parse(body: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(body)
    }

    pub fn acted_on(&self) -> bool {
        ACTED_ON.contains(&self.kind.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_envelope_of_any_version() {
        let e = Event::parse(
            br#"{"id":"evt_1","object":"event","api_version":"2017-08-15","type":"payment_intent.succeeded",
                 "data":{"object":{"id":"pi_1","metadata":{"order_id":"O"}}},"livemode":false}"#,
        )
        .unwrap();
        assert_eq!(e.id, "evt_1");
        assert!(e.acted_on());
        assert_eq!(e.data.object["metadata"]["order_id"], "O");
        assert!(Event::parse(br#"{"id":"evt_1"}"#).is_err());
    }
}
