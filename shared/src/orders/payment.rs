//! What a payment does to an order: the one idempotent follow-up behind the webhook's worker
//! job and `POST /orders/{id}/payment/sync`. Each step is a conditional write, so the same
//! fact applied five times (or by the webhook and a sync at once) changes the order once.
//!
//! - Succeeded: a pending order becomes `paid` in one transaction with the buyer's
//!   `order_count`/`total_spent` and the in-app notification; the cart it was locked to is
//!   emptied; the confirmation is mailed (once, by key). A payment for an order that was
//!   cancelled meanwhile takes the stock again if all of it is there (the order becomes paid),
//!   and otherwise is refunded in full and the customer is told.
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
use crate::domain::order::OrderStatus;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::orders::{self, Also, MoveError, Order, TrackingEntry};
use crate::store::{StoreError, carts, n};
use crate::stripe::Payments;

/// A final fact about an order's payment, as Stripe reported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "fact", rename_all = "snake_case")]
pub enum Fact {
    Succeeded {
        order_id: String,
        intent_id: String,
        amount: i64,
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
        } => succeeded(state, order_id, intent_id, *amount).await,
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
        if amount != order.total {
            tracing::error!(
                order = order_id,
                amount,
                total = order.total,
                "the amount paid is not the order's total"
            );
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
            // Cancelled (by the customer, a cart change or the expiry) before the money came.
            OrderStatus::Cancelled if order.payment.amount_paid == 0 => {
                match orders::retake(state.table(), &order, &entry, &paid, &also).await {
                    Err(MoveError::Short(skus)) => {
                        tracing::warn!(
                            order = order_id,
                            ?skus,
                            "paid after it was cancelled and the stock is gone: refunding"
                        );
                        return refund_late(state, &order, intent_id, amount)
                            .await
                            .map(Some);
                    }
                    other => other,
                }
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
            Err(MoveError::Moved | MoveError::Short(_)) => continue,
            Err(MoveError::Store(e)) => return Err(e.into()),
        }
    }
    Err(ApiError::Busy)
}

/// Once paid: the cart it was locked to is emptied, and the confirmation goes out.
async fn after_paid(state: &AppState, order: Order, made_paid: bool) -> Result<Applied, ApiError> {
    let mut mails = Vec::new();
    if order.status != OrderStatus::Cancelled {
        let at = accounts::rfc3339(accounts::now());
        carts::clear_paid(state.table(), &order.cart_id, &order.id, &at).await?;
        mails.extend(Mail::new(&order, "paid", email::confirmation(&order)));
    }
    Ok(Applied {
        order,
        made_paid,
        mails,
    })
}

/// A payment for a cancelled order whose stock is gone: the money is recorded, then all of
/// it refunded, and the customer told.
async fn refund_late(
    state: &AppState,
    order: &Order,
    intent_id: &str,
    amount: i64,
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
        Some("your payment arrived after the order was cancelled and the items were no longer in stock, so it was refunded in full".to_owned()),
    )
    .await?;
    Ok(Applied {
        order: cancelled.order,
        made_paid: false,
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
                mails: Vec::new(),
            }));
        }
        Err(e) => return Err(e),
    };
    Ok(Some(Applied {
        order: cancelled.order,
        made_paid: false,
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
            amount: intent.amount,
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
        session.amount_total.unwrap_or(order.total),
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
) -> Option<Fact> {
    match (status, payment_status) {
        ("complete", "paid") => Some(Fact::Succeeded {
            order_id,
            intent_id: intent_id.unwrap_or_default(),
            amount,
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
                let amount = object["amount_received"]
                    .as_i64()
                    .filter(|a| *a > 0)
                    .or_else(|| object["amount"].as_i64())
                    .unwrap_or(0);
                Fact::Succeeded {
                    order_id,
                    intent_id,
                    amount,
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
            ));
        }
        _ => return Ok(None),
    };
    Ok(Some(fact))
}
