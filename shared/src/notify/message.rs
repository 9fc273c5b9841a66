//! The typed envelope of every queue message. The worker dispatches on [`Job`].

use serde::{Deserialize, Serialize};

use super::email::EmailMessage;
use crate::aws::Queue;

/// One unit of work on the queue. `id` is made when the work is enqueued and travels with
/// every redelivery, so side effects are keyed on it and happen once.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Envelope {
    pub id: String,
    pub job: Job,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
pub enum Job {
    /// Send this email.
    Email(EmailMessage),
    /// Someone asked to reset the password of this address. The worker, not the request,
    /// looks the account up and sends the link, so the answer and its timing are the same
    /// whether or not the account exists.
    PasswordResetRequest { email: crate::domain::Email },
    /// A Stripe event whose signature was checked and whose id was recorded once: the
    /// worker applies it to its order (`orders::payment`).
    StripeEvent {
        event_id: String,
        kind: String,
        object: serde_json::Value,
    },
    /// A product was created, changed or archived: mirror it to Stripe
    /// (`catalog::stripe_sync`).
    SyncProduct { product_id: String },
    /// A pending order was given up without a Stripe client at hand (a cart change): close
    /// its PaymentIntent or Checkout Session at Stripe (`orders::refund::close_payment`).
    ClosePayment { order_id: String },
    /// Something happened that the analytics count and webhook subscriptions hear of
    /// (`notify::event`); the worker does both once per event id.
    Event(super::Event),
    /// One attempt to deliver an event to one webhook subscription (`webhooks::deliver`).
    WebhookDelivery {
        subscription_id: String,
        event_id: String,
        attempt: u32,
        /// Not before this time (RFC 3339): a retry later than SQS's longest delay (15 min)
        /// comes back early and is put off again.
        not_before: String,
    },
}

impl Envelope {
    pub fn new(job: Job) -> Self {
        Self {
            id: ulid::Ulid::new().to_string(),
            job,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("could not enqueue work: {0}")]
pub struct EnqueueError(String);

/// Puts one unit of work on the queue and returns its envelope id.
pub async fn enqueue(queue: &Queue, job: Job) -> Result<String, EnqueueError> {
    enqueue_envelope(queue, Envelope::new(job)).await
}

/// Puts work on the queue under an id of the caller's (say, `order-<id>-paid`): however
/// often it is enqueued, the worker does it once.
pub async fn enqueue_keyed(queue: &Queue, id: String, job: Job) -> Result<String, EnqueueError> {
    enqueue_envelope(queue, Envelope { id, job }).await
}

async fn enqueue_envelope(queue: &Queue, envelope: Envelope) -> Result<String, EnqueueError> {
    enqueue_after(queue, envelope, 0).await
}

/// Puts `envelope` on the queue, to be received after `delay_seconds` (at most 900).
pub async fn enqueue_after(
    queue: &Queue,
    envelope: Envelope,
    delay_seconds: i32,
) -> Result<String, EnqueueError> {
    let body = serde_json::to_string(&envelope).map_err(|e| EnqueueError(e.to_string()))?;
    queue
        .send_after(body, delay_seconds)
        .await
        .map_err(EnqueueError)?;
    Ok(envelope.id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Email;
    use crate::notify::EmailKind;

    #[test]
    fn envelopes_round_trip_through_json_with_a_stable_shape() {
        let env = Envelope {
            id: "01J0000000000000000000000".into(),
            job: Job::Email(EmailMessage {
                to: Email::parse("a@example.com").unwrap(),
                kind: EmailKind::PasswordReset {
                    link: "http://x/reset?token=t".into(),
                    expires_in_hours: 1,
                },
            }),
        };
        let json = serde_json::to_value(&env).unwrap();
        assert_eq!(json["job"]["type"], "email");
        assert_eq!(json["job"]["data"]["template"], "password_reset");
        assert_eq!(json["job"]["data"]["to"], "a@example.com");
        let back: Envelope = serde_json::from_value(json).unwrap();
        assert_eq!(back, env);
    }

    #[test]
    fn unknown_jobs_do_not_parse() {
        let raw = r#"{"id":"x","job":{"type":"launch_rockets","data":{}}}"#;
        assert!(serde_json::from_str::<Envelope>(raw).is_err());
    }
}
