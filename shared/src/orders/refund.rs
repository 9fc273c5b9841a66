//! Giving money and stock back: refunds (partial or full, never past paid − refunded) and
//! cancelling an order (stock and coupon back in one transaction; a pending PaymentIntent
//! cancelled at Stripe; a paid order refunded in full).
//!
//! A refund first holds its amount on the order (`payment.amount_refunded` moved under a
//! condition on the figure it read), then asks Stripe, then records Stripe's refund; two
//! refunds racing for the same balance cannot both hold it. If Stripe refuses, the hold is
//! given back.

use aws_sdk_dynamodb::types::AttributeValue;

use super::{Mail, email, invalid};
use crate::accounts;
use crate::domain::order::{Actor, OrderStatus};
use crate::error::ApiError;
use crate::notify::{Event, EventKind};
use crate::state::AppState;
use crate::store::carts;
use crate::store::orders::{self, Also, MoveError, Order, RefundRecord, TrackingEntry};
use crate::stripe::Payments;

/// How often a step is tried again when the order changed under it.
const ATTEMPTS: u32 = 6;

/// What a refund did.
pub struct Refunded {
    pub refund: RefundRecord,
    pub order: Order,
    pub mails: Vec<Mail>,
    /// `order.refunded`.
    pub events: Vec<Event>,
}

/// Refunds `amount` (default: all that is left) of a paid order, optionally giving its stock
/// back. 422 `refund_exceeds_balance` past what is left (a fully refunded order included);
/// 409 `invalid_transition` for an order with nothing paid.
pub async fn refund(
    state: &AppState,
    order_id: &str,
    amount: Option<i64>,
    reason: Option<String>,
    restock: bool,
) -> Result<Refunded, ApiError> {
    for _ in 0..ATTEMPTS {
        let order = orders::get(state.reader(), order_id)
            .await?
            .ok_or(ApiError::NotFound)?;
        let refundable = matches!(
            order.status,
            OrderStatus::Paid
                | OrderStatus::Processing
                | OrderStatus::Shipped
                | OrderStatus::Delivered
                | OrderStatus::PartiallyRefunded
        );
        let left = order.payment.amount_paid - order.payment.amount_refunded;
        // Paid and all of it given back (refunded, or cancelled and refunded): nothing is left.
        if order.payment.amount_paid > 0 && left <= 0 {
            return Err(ApiError::RefundExceedsBalance { left: 0 });
        }
        if !refundable || order.payment.amount_paid == 0 {
            return Err(invalid(order.status, OrderStatus::Refunded));
        }
        // A given amount is positive (checked where the request is read).
        let amount = amount.unwrap_or(left);
        if amount > left || left == 0 {
            return Err(ApiError::RefundExceedsBalance { left });
        }
        let Some(record) = at_stripe(state, &order, amount, reason.clone()).await? else {
            continue;
        };
        let order = settle(state, order_id, restock).await?;
        let status = order.status;
        let mails = Mail::new(
            &order,
            &format!("refund-{}", record.id),
            email::update(&order, status, None, Some(amount)),
        )
        .into_iter()
        .collect();
        let events = vec![Event::refunded(
            &order.id,
            &record.id,
            amount,
            &record.created_at,
        )];
        return Ok(Refunded {
            refund: record,
            order,
            mails,
            events,
        });
    }
    Err(ApiError::Busy)
}

/// Holds `amount` of `order`'s balance and refunds it at Stripe. `None`: the balance
/// changed since `order` was read (read it again).
pub async fn at_stripe(
    state: &AppState,
    order: &Order,
    amount: i64,
    reason: Option<String>,
) -> Result<Option<RefundRecord>, ApiError> {
    // The same hold (the balance it read and the amount) is the same refund at Stripe.
    let key = format!(
        "order-{}-refund-{}-{amount}",
        order.id, order.payment.amount_refunded
    );
    at_stripe_keyed(state, order, amount, reason, &key).await
}

/// [`at_stripe`] with Stripe's idempotency key given: one refund per key, whatever the
/// balance (a return's refund is keyed by the return).
pub async fn at_stripe_keyed(
    state: &AppState,
    order: &Order,
    amount: i64,
    reason: Option<String>,
    key: &str,
) -> Result<Option<RefundRecord>, ApiError> {
    let seen = order.payment.amount_refunded;
    if !orders::hold_refund(state.table(), &order.id, seen, amount).await? {
        return Ok(None);
    }
    let refund = match state
        .stripe()
        .create_refund(&order.payment.intent_id, amount, key)
        .await
    {
        Ok(r) => r,
        Err(err) => {
            tracing::error!(error = %err, order = order.id, "Stripe refused the refund; hold given back");
            orders::unhold_refund(state.table(), &order.id, amount).await?;
            return Err(ApiError::PaymentProviderUnavailable);
        }
    };
    let record = RefundRecord {
        id: refund.id,
        amount,
        status: refund.status.unwrap_or_else(|| "pending".to_owned()),
        reason,
        created_at: accounts::rfc3339(accounts::now()),
    };
    orders::add_refund(state.table(), &order.id, &record).await?;
    Ok(Some(record))
}

/// Moves an order whose refunded amount changed to `partially_refunded` or `refunded` (a
/// cancelled order stays cancelled), giving its stock back when `restock`.
pub async fn settle(state: &AppState, order_id: &str, restock: bool) -> Result<Order, ApiError> {
    for _ in 0..ATTEMPTS {
        let order = orders::get(state.reader(), order_id)
            .await?
            .ok_or(ApiError::NotFound)?;
        let p = &order.payment;
        let to = if p.amount_refunded >= p.amount_paid {
            OrderStatus::Refunded
        } else {
            OrderStatus::PartiallyRefunded
        };
        let moves = order.status != to && order.status.may_become(to, Actor::Refund);
        if !(moves || restock && order.stock_held) {
            return Ok(order);
        }
        let at = accounts::rfc3339(accounts::now());
        let entry = TrackingEntry::new(to, &at, Some("refund".to_owned()));
        let note = email::notification(&order, to, &at);
        let result = if restock && order.stock_held {
            orders::give_back(
                state.table(),
                &order,
                if moves { Some(to) } else { None },
                &entry,
            )
            .await
        } else {
            let also = Also {
                count_purchase: false,
                notification: Some(&note),
            };
            orders::transition(state.table(), &order, order.status, to, &entry, &[], &also).await
        };
        match result {
            Ok(()) => {
                return orders::get(state.reader(), order_id)
                    .await?
                    .ok_or(ApiError::NotFound);
            }
            Err(MoveError::Moved | MoveError::Lapsed(_)) => continue,
            Err(MoveError::Store(e)) => return Err(e.into()),
        }
    }
    Err(ApiError::Busy)
}

/// What a cancel did.
pub struct Cancelled {
    pub order: Order,
    pub mails: Vec<Mail>,
    /// `order.cancelled`, and `order.refunded` when money went back.
    pub events: Vec<Event>,
}

/// Cancels an order for `actor` (the customer or an admin): allowed while pending, paid or
/// processing. Its stock and coupon go back in one transaction with the status; a pending
/// PaymentIntent is cancelled at Stripe; a paid order is refunded in full. A cancelled order
/// whose refund did not go through is refunded again.
pub async fn cancel(
    state: &AppState,
    order: Order,
    actor: Actor,
    note: Option<String>,
) -> Result<Cancelled, ApiError> {
    let mut order = order;
    for _ in 0..ATTEMPTS {
        if order.status == OrderStatus::Cancelled {
            let owed = order.payment.amount_paid - order.payment.amount_refunded;
            if owed <= 0 {
                return Err(invalid(order.status, OrderStatus::Cancelled));
            }
            return finish_cancel(state, order, note).await;
        }
        if !order.status.may_become(OrderStatus::Cancelled, actor) {
            return Err(invalid(order.status, OrderStatus::Cancelled));
        }
        let at = accounts::rfc3339(accounts::now());
        let entry = TrackingEntry::new(OrderStatus::Cancelled, &at, note.clone());
        let notification = email::notification(&order, OrderStatus::Cancelled, &at);
        let also = Also {
            count_purchase: false,
            notification: Some(&notification),
        };
        match orders::release(
            state.table(),
            &order,
            order.status,
            &entry,
            &[],
            None,
            &also,
        )
        .await
        {
            Ok(()) => {
                carts::unlock(state.table(), &order.cart_id, &order.id).await?;
                let fresh = orders::get(state.reader(), &order.id)
                    .await?
                    .ok_or(ApiError::NotFound)?;
                return finish_cancel(state, fresh, note).await;
            }
            Err(MoveError::Moved | MoveError::Lapsed(_)) => {
                order = orders::get(state.reader(), &order.id)
                    .await?
                    .ok_or(ApiError::NotFound)?;
            }
            Err(MoveError::Store(e)) => return Err(e.into()),
        }
    }
    Err(ApiError::Busy)
}

/// After the status is cancelled: the money side at Stripe, and the email.
async fn finish_cancel(
    state: &AppState,
    mut order: Order,
    note: Option<String>,
) -> Result<Cancelled, ApiError> {
    let mut refunded = None;
    let at = order
        .tracking
        .iter()
        .rev()
        .find(|t| t.status == OrderStatus::Cancelled)
        .map_or_else(|| accounts::rfc3339(accounts::now()), |t| t.at.clone());
    let mut events = vec![Event::order(EventKind::OrderCancelled, &order.id, "", &at)];
    if order.payment.amount_paid > 0 {
        for _ in 0..ATTEMPTS {
            let owed = order.payment.amount_paid - order.payment.amount_refunded;
            if owed <= 0 {
                break;
            }
            if let Some(record) =
                at_stripe(state, &order, owed, Some("order cancelled".to_owned())).await?
            {
                refunded = Some(owed);
                events.push(Event::refunded(
                    &order.id,
                    &record.id,
                    owed,
                    &record.created_at,
                ));
            }
            order = orders::get(state.reader(), &order.id)
                .await?
                .ok_or(ApiError::NotFound)?;
        }
    } else if let Err(err) = close_payment(state, &mut order).await {
        tracing::warn!(error = %err, order = order.id, "the payment could not be closed at Stripe");
    }
    // A refund made later (a payment that came after the cancel) is news of its own.
    let what = if refunded.is_some() {
        "cancelled-refund"
    } else {
        "cancelled"
    };
    let mails = Mail::new(
        &order,
        what,
        email::update(&order, OrderStatus::Cancelled, note, refunded),
    )
    .into_iter()
    .collect();
    Ok(Cancelled {
        order,
        mails,
        events,
    })
}

/// Gives up a pending order without telling anyone yet (the caller's next step does): its
/// stock and coupon back, cancelled with `note` in its tracking, and the cart unlocked. An
/// order someone else moved meanwhile is left as it is.
pub async fn release_quietly(state: &AppState, order: &Order, note: &str) -> Result<(), ApiError> {
    let at = accounts::rfc3339(accounts::now());
    let entry = TrackingEntry::new(OrderStatus::Cancelled, &at, Some(note.to_owned()));
    let quiet = Also {
        count_purchase: false,
        notification: None,
    };
    let released = orders::release(
        state.table(),
        order,
        OrderStatus::Pending,
        &entry,
        &[],
        None,
        &quiet,
    );
    match released.await {
        Ok(()) | Err(MoveError::Moved | MoveError::Lapsed(_)) => {}
        Err(MoveError::Store(e)) => return Err(e.into()),
    }
    carts::unlock(state.table(), &order.cart_id, &order.id).await?;
    Ok(())
}

/// Closes the payment of an order that is cancelled with nothing paid, so it can no longer be
/// paid: its PaymentIntent cancelled, or its Checkout Session expired, at Stripe, and
/// `payment.canceled` recorded. Idempotent (Stripe is asked with a key per order, and a closed
/// payment is not asked again). If the buyer paid just before, the payment follow-up takes
/// the order under checkout's conditions or refunds it.
pub async fn close_payment(
    state: &AppState,
    order: &mut Order,
) -> Result<(), crate::stripe::StripeError> {
    let p = &order.payment;
    let open = order.status == OrderStatus::Cancelled
        && p.amount_paid == 0
        && !p.canceled
        && (!p.intent_id.is_empty() || !p.session_id.is_empty());
    if !open {
        return Ok(());
    }
    let closed = if p.intent_id.is_empty() {
        let key = format!("order-{}-expire", order.id);
        let expired = state.stripe().expire_checkout_session(&p.session_id, &key);
        // Refused: the session is closed already (its expiry may be what cancelled the
        // order). Stripe unreachable: not closed.
        expired.await.map(|_| ()).or_else(|err| {
            if err.is_transient() {
                return Err(err);
            }
            tracing::info!(error = %err, order = order.id, "the Checkout Session is closed already");
            Ok(())
        })
    } else {
        let key = format!("order-{}-cancel", order.id);
        state
            .stripe()
            .cancel_payment_intent(&p.intent_id, &key)
            .await
            .map(|_| ())
    };
    closed?;
    if let Err(e) = orders::set(
        state.table(),
        &order.id,
        &[("payment.canceled = :v", AttributeValue::Bool(true))],
        None,
    )
    .await
    {
        tracing::warn!(error = ?e, order = order.id, "the closed payment was not recorded");
    }
    order.payment.canceled = true;
    Ok(())
}
