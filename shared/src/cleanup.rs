//! The EventBridge-scheduled sweep (every 5 minutes, template.yaml `CleanupFunction`).
//!
//! It releases what has run out: pending orders whose stock reservation has lapsed (their
//! stock and coupon go back, the payment is closed at Stripe, the customer is told) and luck
//! coupons whose reservation has passed (made unusable and taken off the winner's cart). Each
//! sweep is a Query on GSI2 by time, never a Scan.
//!
//! Safe to run twice at once, or again after a crash half-way: every change is a write
//! conditional on the state it leaves (an order's `pending`, a coupon's reservation), so the
//! second run finds nothing left to do, and a crash leaves only what the next run picks up.

use serde::Serialize;
use time::OffsetDateTime;

use crate::accounts;
use crate::domain::order::{Actor, OrderStatus};
use crate::error::ApiError;
use crate::orders::payment::{self, Fact};
use crate::orders::{self, refund};
use crate::state::{AppState, Need};
use crate::store::orders::Order;
use crate::store::{StoreError, carts, coupons};

/// The clients the cleanup function uses: the table, the queue (the customers' emails) and
/// Stripe (to ask about, and close, the payments of expiring orders).
pub const NEEDS: &[Need] = &[Need::TableWrite, Need::Queue, Need::Stripe];

/// What one run did, logged and returned (to the runtime, and by `POST /_local/schedules/cleanup`).
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct CleanupReport {
    /// The clock the run read (`at` when the local server was asked for another time).
    pub at: String,
    /// Pending orders cancelled because their reservation ran out.
    pub released_orders: Vec<String>,
    /// Pending orders found paid at Stripe (the webhook had not arrived yet): marked paid.
    pub paid_orders: Vec<String>,
    /// Luck coupons whose reservation ran out.
    pub freed_coupons: Vec<String>,
    /// What failed this time; the next run tries again.
    pub failed: Vec<String>,
}

pub async fn run(state: &AppState, now: OffsetDateTime) -> CleanupReport {
    let mut report = CleanupReport {
        at: accounts::rfc3339(now),
        ..CleanupReport::default()
    };
    if let Err(e) = release_orders(state, &mut report).await {
        tracing::error!(error = %e, "the pending orders could not be listed");
        report.failed.push("orders".to_owned());
    }
    if let Err(e) = free_coupons(state, &mut report).await {
        tracing::error!(error = %e, "the reserved coupons could not be listed");
        report.failed.push("coupons".to_owned());
    }
    tracing::info!(
        at = report.at,
        released_orders = report.released_orders.len(),
        paid_orders = report.paid_orders.len(),
        freed_coupons = report.freed_coupons.len(),
        failed = report.failed.len(),
        "cleanup finished"
    );
    report
}

async fn release_orders(state: &AppState, report: &mut CleanupReport) -> Result<(), StoreError> {
    let due = crate::store::orders::past_reservation(state.reader(), &report.at).await?;
    for id in due {
        match release_order(state, &id, &report.at).await {
            Ok(Some(Released::Cancelled)) => report.released_orders.push(id),
            Ok(Some(Released::FoundPaid)) => report.paid_orders.push(id),
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(order = id, error = ?e, "an expired order was not released");
                report.failed.push(id);
            }
        }
    }
    Ok(())
}

enum Released {
    Cancelled,
    FoundPaid,
}

/// Gives up one order whose reservation ran out at `at`, unless it was paid at Stripe
/// meanwhile. `None`: nothing to do (moved on, or another run got there first).
async fn release_order(state: &AppState, id: &str, at: &str) -> Result<Option<Released>, ApiError> {
    // The index is eventually consistent: act on the order as it is now.
    let Some(order) = crate::store::orders::get(state.reader(), id).await? else {
        return Ok(None);
    };
    if order.status != OrderStatus::Pending || order.reserved_until.as_str() > at {
        return Ok(None);
    }
    if let Some(paid) = paid_at_stripe(state, &order).await
        && let Some(applied) = payment::apply(state, &paid).await?
    {
        orders::post(state, applied.mails).await;
        orders::announce(state, applied.events).await;
        if applied.order.status != OrderStatus::Pending {
            return Ok(Some(Released::FoundPaid));
        }
    }
    let note = Some("the reservation ran out before the order was paid".to_owned());
    match refund::cancel(state, order, Actor::Expiry, note).await {
        Ok(cancelled) => {
            orders::post(state, cancelled.mails).await;
            orders::announce(state, cancelled.events).await;
            Ok(Some(Released::Cancelled))
        }
        // Paid or cancelled meanwhile (a webhook, a customer, another run): that stands.
        Err(ApiError::InvalidTransition { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The payment Stripe already took for `order`, when it did. Stripe unreachable counts as
/// not paid: the order is cancelled, and a payment arriving later takes the path every late
/// payment takes (the stock again, or a full refund).
async fn paid_at_stripe(state: &AppState, order: &Order) -> Option<Fact> {
    let p = &order.payment;
    if p.intent_id.is_empty() && p.session_id.is_empty() {
        return None;
    }
    match payment::ask_stripe(state, order).await {
        Ok(Some(fact @ Fact::Succeeded { .. })) => Some(fact),
        _ => None,
    }
}

async fn free_coupons(state: &AppState, report: &mut CleanupReport) -> Result<(), StoreError> {
    let now = accounts::rfc3339(accounts::now());
    for coupon in coupons::past_reservation(state.reader(), &report.at).await? {
        let code = coupon.terms.code.clone();
        match coupons::free(state.table(), &coupon, &now).await {
            Ok(true) => {
                if let Some(winner) = &coupon.terms.reserved_by {
                    let cart = carts::user_cart_id(winner);
                    if let Err(e) = carts::drop_coupon(state.table(), &cart, &code).await {
                        tracing::warn!(coupon = code, error = %e, "the freed coupon stays on its cart");
                    }
                }
                report.freed_coupons.push(code);
            }
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(coupon = code, error = %e, "a lapsed coupon was not freed");
                report.failed.push(code);
            }
        }
    }
    Ok(())
}
