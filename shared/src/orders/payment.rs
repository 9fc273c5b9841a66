//! What a payment does to an order: the one idempotent follow-up behind the webhook's worker
//! job and `POST /orders/{id}/payment/sync`. Each step is a conditional write, so the same
//! fact applied five times (or by the webhook and a sync at once) changes the order once.
//!
//! - Succeeded: a payment that is not the order's total in its currency never makes it paid
//!   (refunded in full, recorded, staff told). Otherwise a pending order becomes `paid` in one
//!   transaction with the buyer's `order_count`/`total_spent` and the in-app notification; the
//!   cart it was locked to is emptied; the confirmation is mailed (once, by key). No path makes
//!   an order paid without checkout's conditions: a first-time discount needs the buyer's
//!   `order_count` still 0, and a payment for an order that was cancelled meanwhile takes its
//!   stock and redeems its coupon again (within its limits, expiry and reservation) in the
//!   same transaction. When any of that no longer holds, the payment is refunded in full and
//!   the customer told.
//! - Failed: recorded on the pending order (the customer may try again).
//! - Expired (a Checkout Session's page ran out): the pending order is cancelled and its
//!   stock and coupon go back, as the reservation's own expiry does.
//! - Refunded at Stripe (`charge.refunded`): the refunded total recorded (never lowered by
//!   this event), the status derived from paid − refunded.
//! - A refund failed at Stripe (`refund.updated` with `failed` or `canceled`): if it is one
//!   of the order's recorded refunds, its amount stops counting as refunded (once).

use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};

use super::{Mail, email, refund};
use crate::accounts;
use crate::domain::Email;
use crate::domain::order::OrderStatus;
use crate::error::ApiError;
use crate::notify::email::money;
use crate::notify::{EmailKind, Event, EventKind};
use crate::state::AppState;
use crate::store::idempotency::{self, IdempotencyError, NextAction, Saved, Scope};
use crate::store::orders::{self, Also, Lapsed, MoveError, Order, RejectedPayment, TrackingEntry};
use crate::store::{StoreError, carts, n, settings};
use crate::stripe::Payments;

/// A final fact about an order's payment, as Stripe reported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "fact", rename_all = "snake_case")]
pub enum Fact {
    Succeeded {
        order_id: String,
        intent_id: String,
        amount: i64,
        /// As Stripe reported it, lower-case (empty when it did not say).
        #[serde(default)]
        currency: String,
    },
    Failed {
        order_id: String,
        intent_id: String,
        message: Option<String>,
    },
    /// The total refunded so far on the order's payment.
    Refunded {
        order_id: String,
        amount_refunded: i64,
    },
    /// One refund did not go through after all.
    RefundFailed { order_id: String, refund_id: String },
    /// The order's Checkout Session expired unpaid.
    Expired {
        order_id: String,
        session_id: String,
    },
}

impl Fact {
    pub fn order_id(&self) -> &str {
        match self {
            Fact::Succeeded { order_id, .. }
            | Fact::Failed { order_id, .. }
            | Fact::Refunded { order_id, .. }
            | Fact::RefundFailed { order_id, .. }
            | Fact::Expired { order_id, .. } => order_id,
        }
    }
}

/// What applying a fact did.
pub struct Applied {
    pub order: Order,
    /// True when this call made the order paid (the webhook and a sync racing: one of them).
    pub made_paid: bool,
    /// The emails it calls for; sending them again is harmless (each has its key).
    pub mails: Vec<Mail>,
    /// The events it calls for (`order.paid`); publishing them again is harmless too.
    pub events: Vec<Event>,
}

const ATTEMPTS: u32 = 6;

/// Applies `fact` to its order. `None`: no such order here (another shop's event, or a
/// PaymentIntent that is not the order's).
pub async fn apply(state: &AppState, fact: &Fact) -> Result<Option<Applied>, ApiError> {
    match fact {
        Fact::Succeeded {
            order_id,
            intent_id,
            amount,
            currency,
        } => succeeded(state, order_id, intent_id, *amount, currency).await,
        Fact::Failed {
            order_id,
            intent_id,
            message,
        } => failed(state, order_id, intent_id, message.clone()).await,
        Fact::Refunded {
            order_id,
            amount_refunded,
        } => refunded(state, order_id, *amount_refunded).await,
        Fact::RefundFailed {
            order_id,
            refund_id,
        } => refund_failed(state, order_id, refund_id).await,
        Fact::Expired {
            order_id,
            session_id,
        } => expired(state, order_id, session_id).await,
    }
}

async fn load(state: &AppState, id: &str) -> Result<Option<Order>, StoreError> {
    if id.is_empty() || id.len() > 64 {
        return Ok(None);
    }
    orders::get(state.reader(), id).await
}

/// The order's own PaymentIntent, or none of ours.
fn ours(order: &Order, intent_id: &str) -> bool {
    order.payment.intent_id.is_empty() || order.payment.intent_id == intent_id
}

async fn succeeded(
    state: &AppState,
    order_id: &str,
    intent_id: &str,
    amount: i64,
    currency: &str,
) -> Result<Option<Applied>, ApiError> {
    for _ in 0..ATTEMPTS {
        let Some(order) = load(state, order_id).await? else {
            return Ok(None);
        };
        if !ours(&order, intent_id) {
            tracing::warn!(
                order = order_id,
                intent = intent_id,
                "a payment for another PaymentIntent than the order's; ignored"
            );
            return Ok(None);
        }
        if let Some(problem) = mismatch(&order, amount, currency) {
            return reject(state, &order, intent_id, amount, currency, problem)
                .await
                .map(Some);
        }
        let at = accounts::rfc3339(accounts::now());
        let entry = TrackingEntry::new(OrderStatus::Paid, &at, Some("payment received".to_owned()));
        let note = email::notification(&order, OrderStatus::Paid, &at);
        let also = Also {
            count_purchase: true,
            notification: Some(&note),
        };
        let paid = [
            ("payment.amount_paid = :v", n(amount)),
            (
                "payment.intent_id = :v",
                AttributeValue::S(intent_id.to_owned()),
            ),
        ];
        let result = match order.status {
            OrderStatus::Pending => {
                orders::transition(
                    state.table(),
                    &order,
                    OrderStatus::Pending,
                    OrderStatus::Paid,
                    &entry,
                    &paid,
                    &also,
                )
                .await
            }
            // Cancelled (by the customer, a cart change or the expiry) before the money came:
            // paid only under checkout's conditions, taken again now.
            OrderStatus::Cancelled if order.payment.amount_paid == 0 => {
                orders::retake(state.table(), &order, &entry, &paid, &also).await
            }
            // Paid already (this fact again, or the webhook and a sync both).
            _ => return Ok(Some(after_paid(state, order, false).await?)),
        };
        match result {
            Ok(()) => {
                if order.payment.intent_id.is_empty() && !intent_id.is_empty() {
                    // Made by a Checkout Session: refund events name only the PaymentIntent.
                    orders::link_intent(state.table(), order_id, intent_id).await?;
                }
                let order = orders::get(state.reader(), order_id)
                    .await?
                    .ok_or(ApiError::NotFound)?;
                return Ok(Some(after_paid(state, order, true).await?));
            }
            // A pending order whose first-time discount went to another paid order: given up
            // (stock and coupon back), then refunded as a late payment on the next round.
            Err(MoveError::Lapsed(lapsed)) if order.status == OrderStatus::Pending => {
                refund::release_quietly(state, &order, &lapsed.to_string()).await?;
            }
            Err(MoveError::Lapsed(lapsed)) => {
                tracing::warn!(order = order_id, %lapsed, "paid after it was cancelled, and checkout's conditions no longer hold: refunding");
                return refund_late(state, &order, intent_id, amount, &lapsed)
                    .await
                    .map(Some);
            }
            Err(MoveError::Moved) => {}
            Err(MoveError::Store(e)) => return Err(e.into()),
        }
    }
    Err(ApiError::Busy)
}

/// What makes a payment not this order's: another amount than its total, or another currency.
fn mismatch(order: &Order, amount: i64, currency: &str) -> Option<String> {
    if !currency.eq_ignore_ascii_case(&order.currency) {
        let said = if currency.is_empty() {
            "none"
        } else {
            currency
        };
        return Some(format!(
            "paid in currency {said}, the order is in {}",
            order.currency
        ));
    }
    (amount != order.total).then(|| format!("paid {amount}, the order costs {}", order.total))
}

/// A refused payment is refunded once per PaymentIntent, however often it is reported.
const REJECTED: Scope = Scope {
    name: "rejected-payment",
    lease: std::time::Duration::from_secs(60),
    keep_for: std::time::Duration::from_secs(90 * 24 * 3600),
};

/// A payment that is not the order's total in its currency never makes the order paid: the
/// whole amount is refunded, the payment recorded on the order (`payment.rejected`), and the
/// shop's staff are told (an error in the logs, and an email to `staff_email` when set).
async fn reject(
    state: &AppState,
    order: &Order,
    intent_id: &str,
    amount: i64,
    currency: &str,
    problem: String,
) -> Result<Applied, ApiError> {
    tracing::error!(
        order = order.id,
        intent = intent_id,
        amount,
        currency,
        total = order.total,
        problem,
        "a payment that does not match its order: refused and refunded"
    );
    let table = state.table();
    let fingerprint = idempotency::fingerprint(&[intent_id.as_bytes()]);
    let now = accounts::now();
    let mut mails = Vec::new();
    match idempotency::try_start(table, &REJECTED, intent_id, &fingerprint, now).await {
        Ok(NextAction::ReturnSaved(_)) => {}
        Err(IdempotencyError::InProgress) => return Err(ApiError::Busy),
        Err(IdempotencyError::Store(e)) => return Err(e.into()),
        Err(e) => return Err(ApiError::Internal(e.into())),
        Ok(NextAction::StartProcessing) => {
            let refund = if amount > 0 {
                let key = format!("payment-{intent_id}-rejected");
                match state.stripe().create_refund(intent_id, amount, &key).await {
                    Ok(r) => Some(r.id),
                    Err(err) => {
                        tracing::error!(error = %err, order = order.id, "the refused payment could not be refunded yet; retried");
                        idempotency::release(table, &REJECTED, intent_id).await?;
                        return Err(ApiError::PaymentProviderUnavailable);
                    }
                }
            } else {
                None
            };
            let rejected = RejectedPayment {
                intent_id: intent_id.to_owned(),
                amount,
                currency: currency.to_lowercase(),
                problem,
                refund_id: refund.clone(),
                at: accounts::rfc3339(now),
            };
            orders::add_rejected(table, &order.id, &rejected).await?;
            let saved = Saved {
                status: 200,
                body: refund.clone().unwrap_or_default(),
            };
            idempotency::save(table, &REJECTED, intent_id, &saved).await?;
            let staff = settings::current(state.reader()).await?.staff_email;
            if let Some(to) = staff.as_deref().and_then(|e| Email::parse(e).ok()) {
                mails.push(Mail {
                    key: email::key(order, &format!("rejected-{intent_id}")),
                    to,
                    kind: EmailKind::PaymentRejected {
                        order_number: order.number.clone(),
                        order_id: order.id.clone(),
                        paid: money(amount, if currency.is_empty() { "?" } else { currency }),
                        expected: money(order.total, &order.currency),
                        intent_id: intent_id.to_owned(),
                        refund_id: refund,
                    },
                });
            }
        }
    }
    let order = orders::get(state.reader(), &order.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Applied {
        order,
        made_paid: false,
        events: Vec::new(),
        mails,
    })
}

/// Once paid: the cart it was locked to is emptied, and the confirmation goes out.
async fn after_paid(state: &AppState, order: Order, made_paid: bool) -> Result<Applied, ApiError> {
    let mut mails = Vec::new();
    let mut events = Vec::new();
    if order.status != OrderStatus::Cancelled {
        let at = accounts::rfc3339(accounts::now());
        carts::clear_paid(state.table(), &order.cart_id, &order.id, &at).await?;
        mails.extend(Mail::new(&order, "paid", email::confirmation(&order)));
        events.push(paid_event(&order));
    }
    Ok(Applied {
        order,
        made_paid,
        mails,
        events,
    })
}

/// `order.paid`, at the time the order's tracking says it was paid.
fn paid_event(order: &Order) -> Event {
    let at = order
        .tracking
        .iter()
        .find(|t| t.status == OrderStatus::Paid)
        .map_or_else(|| order.updated_at.clone(), |t| t.at.clone());
    Event::order(EventKind::OrderPaid, &order.id, "", &at)
}

/// What the customer is told when a late payment is refunded.
fn late_refund_note(lapsed: &Lapsed) -> &'static str {
    match lapsed {
        Lapsed::Stock(_) => {
            "your payment arrived after the order was cancelled and the items were no longer in stock, so it was refunded in full"
        }
        Lapsed::Coupon => {
            "your payment arrived after the order was cancelled and its coupon no longer applies (used up, expired or withdrawn), so it was refunded in full"
        }
        Lapsed::FirstOrder => {
            "your payment arrived after the order was cancelled and its first-order discount went to another order of yours, so it was refunded in full"
        }
    }
}

/// A payment for a cancelled order that checkout's conditions no longer allow: the money is
/// recorded, then all of it refunded, and the customer told.
async fn refund_late(
    state: &AppState,
    order: &Order,
    intent_id: &str,
    amount: i64,
    lapsed: &Lapsed,
) -> Result<Applied, ApiError> {
    if order.payment.intent_id.is_empty() {
        // A Checkout Session's PaymentIntent: the refund is made against it.
        orders::link_intent(state.table(), &order.id, intent_id).await?;
    }
    orders::set(
        state.table(),
        &order.id,
        &[
            ("payment.amount_paid = :v", n(amount)),
            (
                "payment.intent_id = :v",
                AttributeValue::S(intent_id.to_owned()),
            ),
        ],
        Some(OrderStatus::Cancelled),
    )
    .await?;
    let cancelled = refund::cancel(
        state,
        orders::get(state.reader(), &order.id)
            .await?
            .ok_or(ApiError::NotFound)?,
        crate::domain::order::Actor::Admin,
        Some(late_refund_note(lapsed).to_owned()),
    )
    .await?;
    Ok(Applied {
        order: cancelled.order,
        made_paid: false,
        // The cancel is news; a refund of money never counted as a sale is not.
        events: cancelled
            .events
            .into_iter()
            .filter(|e| e.kind == EventKind::OrderCancelled)
            .collect(),
        mails: cancelled.mails,
    })
}

async fn failed(
    state: &AppState,
    order_id: &str,
    intent_id: &str,
    message: Option<String>,
) -> Result<Option<Applied>, ApiError> {
    let Some(order) = load(state, order_id).await? else {
        return Ok(None);
    };
    if !ours(&order, intent_id) {
        return Ok(None);
    }
    let mut clauses = vec![("payment.failed = :v", AttributeValue::Bool(true))];
    if let Some(m) = message {
        clauses.push(("payment.failure_message = :v", AttributeValue::S(m)));
    }
    // Recorded only while pending: a later success wins over an earlier failure.
    orders::set(
        state.table(),
        order_id,
        &clauses,
        Some(OrderStatus::Pending),
    )
    .await?;
    let order = orders::get(state.reader(), order_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Some(Applied {
        order,
        made_paid: false,
        events: Vec::new(),
        mails: Vec::new(),
    }))
}

async fn refunded(
    state: &AppState,
    order_id: &str,
    amount_refunded: i64,
) -> Result<Option<Applied>, ApiError> {
    for _ in 0..ATTEMPTS {
        let Some(order) = load(state, order_id).await? else {
            return Ok(None);
        };
        let seen = order.payment.amount_refunded;
        if amount_refunded <= seen {
            // Known already (our own refund, or this event again).
            return Ok(Some(Applied {
                order,
                made_paid: false,
                events: Vec::new(),
                mails: Vec::new(),
            }));
        }
        let top = amount_refunded.min(order.payment.amount_paid);
        if !orders::hold_refund(state.table(), order_id, seen, top - seen).await? {
            continue;
        }
        let order = refund::settle(state, order_id, false).await?;
        let status = order.status;
        let mails = Mail::new(
            &order,
            &format!("refunded-{top}"),
            email::update(&order, status, None, Some(top - seen)),
        )
        .into_iter()
        .collect();
        return Ok(Some(Applied {
            order,
            made_paid: false,
            events: Vec::new(),
            mails,
        }));
    }
    Err(ApiError::Busy)
}

/// A failed refund among the order's own: its amount no longer counts as refunded.
async fn refund_failed(
    state: &AppState,
    order_id: &str,
    refund_id: &str,
) -> Result<Option<Applied>, ApiError> {
    let Some(order) = load(state, order_id).await? else {
        return Ok(None);
    };
    let Some(at) = order.payment.refunds.iter().position(|r| r.id == refund_id) else {
        tracing::warn!(
            order = order_id,
            refund = refund_id,
            "a refund the shop did not make failed at Stripe; check the order by hand"
        );
        return Ok(None);
    };
    if orders::fail_refund(state.table(), order_id, at, &order.payment.refunds[at]).await? {
        tracing::error!(
            order = order_id,
            refund = refund_id,
            "a refund failed at Stripe: the money is still with the shop"
        );
    }
    let order = refund::settle(state, order_id, false).await?;
    Ok(Some(Applied {
        order,
        made_paid: false,
        events: Vec::new(),
        mails: Vec::new(),
    }))
}

/// The order's Checkout Session ran out unpaid: the pending order is given up.
async fn expired(
    state: &AppState,
    order_id: &str,
    session_id: &str,
) -> Result<Option<Applied>, ApiError> {
    let Some(order) = load(state, order_id).await? else {
        return Ok(None);
    };
    if order.payment.session_id != session_id {
        return Ok(None);
    }
    if order.status != OrderStatus::Pending {
        return Ok(Some(Applied {
            order,
            made_paid: false,
            events: Vec::new(),
            mails: Vec::new(),
        }));
    }
    let cancelled = match refund::cancel(
        state,
        order,
        crate::domain::order::Actor::Expiry,
        Some("the payment page expired before it was paid".to_owned()),
    )
    .await
    {
        Ok(c) => c,
        // Paid (or cancelled) meanwhile: that outcome stands.
        Err(ApiError::InvalidTransition { .. }) => {
            return Ok(load(state, order_id).await?.map(|order| Applied {
                order,
                made_paid: false,
                events: Vec::new(),
                mails: Vec::new(),
            }));
        }
        Err(e) => return Err(e),
    };
    Ok(Some(Applied {
        order: cancelled.order,
        made_paid: false,
        // The cancel is news; a refund of money never counted as a sale is not.
        events: cancelled
            .events
            .into_iter()
            .filter(|e| e.kind == EventKind::OrderCancelled)
            .collect(),
        mails: cancelled.mails,
    }))
}

/// What Stripe says now about `order`'s payment (`POST /orders/{id}/payment/sync`): its
/// PaymentIntent, or else its Checkout Session. `None`: nothing final yet.
pub async fn ask_stripe(state: &AppState, order: &Order) -> Result<Option<Fact>, ApiError> {
    let unavailable = |e: crate::stripe::StripeError| {
        tracing::warn!(error = %e, order = order.id, "Stripe could not be asked about the payment");
        ApiError::PaymentProviderUnavailable
    };
    let p = &order.payment;
    if !p.intent_id.is_empty() {
        let intent = state
            .stripe()
            .retrieve_payment_intent(&p.intent_id)
            .await
            .map_err(unavailable)?;
        return Ok((intent.status == "succeeded").then(|| Fact::Succeeded {
            order_id: order.id.clone(),
            intent_id: intent.id,
            amount: intent.amount_received.unwrap_or(intent.amount),
            currency: intent.currency.to_lowercase(),
        }));
    }
    if p.session_id.is_empty() {
        return Ok(None);
    }
    let session = state
        .stripe()
        .retrieve_checkout_session(&p.session_id)
        .await
        .map_err(unavailable)?;
    Ok(session_fact(
        order.id.clone(),
        &session.id,
        &session.status,
        &session.payment_status,
        session.payment_intent.as_ref().map(|i| i.id().to_owned()),
        session.amount_total.unwrap_or(0),
        session.currency.unwrap_or_default(),
    ))
}

/// What a Checkout Session's state means for its order.
fn session_fact(
    order_id: String,
    session_id: &str,
    status: &str,
    payment_status: &str,
    intent_id: Option<String>,
    amount: i64,
    currency: String,
) -> Option<Fact> {
    match (status, payment_status) {
        ("complete", "paid") => Some(Fact::Succeeded {
            order_id,
            intent_id: intent_id.unwrap_or_default(),
            amount,
            currency: currency.to_lowercase(),
        }),
        ("expired", _) => Some(Fact::Expired {
            order_id,
            session_id: session_id.to_owned(),
        }),
        _ => None,
    }
}

/// What a Stripe event says about an order's payment, if anything the shop acts on. The
/// order is the PaymentIntent's `metadata.order_id`, or the one the PaymentIntent was made for.
pub async fn fact_of(
    state: &AppState,
    kind: &str,
    object: &serde_json::Value,
) -> Result<Option<Fact>, ApiError> {
    let text = |v: &serde_json::Value| v.as_str().map(str::to_owned);
    // `payment_intent` may come as its id or expanded.
    let intent_of = |v: &serde_json::Value| text(v).or_else(|| text(&v["id"]));
    let order_of = |intent: &str, metadata: &serde_json::Value| {
        let from_metadata = text(&metadata["order_id"]);
        let intent = intent.to_owned();
        async move {
            match from_metadata {
                Some(id) => Ok::<_, ApiError>(Some(id)),
                None => Ok(orders::id_of_intent(state.reader(), &intent).await?),
            }
        }
    };
    let fact = match kind {
        "payment_intent.succeeded" | "payment_intent.payment_failed" => {
            let Some(intent_id) = text(&object["id"]) else {
                return Ok(None);
            };
            let Some(order_id) = order_of(&intent_id, &object["metadata"]).await? else {
                return Ok(None);
            };
            if kind == "payment_intent.succeeded" {
                // What was taken; localstripe's PaymentIntents carry only `amount`.
                let amount = object["amount_received"]
                    .as_i64()
                    .or_else(|| object["amount"].as_i64())
                    .unwrap_or(0);
                Fact::Succeeded {
                    order_id,
                    intent_id,
                    amount,
                    currency: text(&object["currency"]).unwrap_or_default().to_lowercase(),
                }
            } else {
                Fact::Failed {
                    order_id,
                    intent_id,
                    message: text(&object["last_payment_error"]["message"]),
                }
            }
        }
        "charge.refunded" => {
            let Some(intent_id) = intent_of(&object["payment_intent"]) else {
                return Ok(None);
            };
            let Some(order_id) = order_of(&intent_id, &object["metadata"]).await? else {
                return Ok(None);
            };
            Fact::Refunded {
                order_id,
                amount_refunded: object["amount_refunded"].as_i64().unwrap_or(0),
            }
        }
        // One refund; only its failure matters here (the totals come with `charge.refunded`).
        "refund.updated" => {
            let failed = matches!(
                text(&object["status"]).as_deref(),
                Some("failed" | "canceled")
            );
            let (Some(refund_id), Some(intent_id)) =
                (text(&object["id"]), intent_of(&object["payment_intent"]))
            else {
                return Ok(None);
            };
            if !failed {
                return Ok(None);
            }
            let Some(order_id) = order_of(&intent_id, &object["metadata"]).await? else {
                return Ok(None);
            };
            Fact::RefundFailed {
                order_id,
                refund_id,
            }
        }
        "checkout.session.completed"
        | "checkout.session.async_payment_succeeded"
        | "checkout.session.async_payment_failed"
        | "checkout.session.expired" => {
            let (Some(session_id), Some(order_id)) = (
                text(&object["id"]),
                text(&object["metadata"]["order_id"])
                    .or_else(|| text(&object["client_reference_id"])),
            ) else {
                return Ok(None);
            };
            let intent_id = intent_of(&object["payment_intent"]);
            if kind == "checkout.session.async_payment_failed" {
                return Ok(Some(Fact::Failed {
                    order_id,
                    intent_id: intent_id.unwrap_or_default(),
                    message: Some("the payment did not go through".to_owned()),
                }));
            }
            let status = text(&object["status"]).unwrap_or_default();
            let payment_status = text(&object["payment_status"]).unwrap_or_default();
            let amount = object["amount_total"].as_i64().unwrap_or(0);
            return Ok(session_fact(
                order_id,
                &session_id,
                &status,
                &payment_status,
                intent_id,
                amount,
                text(&object["currency"]).unwrap_or_default(),
            ));
        }
        _ => return Ok(None),
    };
    Ok(Some(fact))
}
