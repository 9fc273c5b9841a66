//! Returns (API.md, "After-sale"): the buyer asks to send units of a delivered order back
//! within the return window; an admin receives them (refunding through the order's refund
//! path, optionally giving the stock back) or rejects them. The store's conditions
//! (`store::returns`) keep the units in returns within what was delivered, under any
//! concurrency; this module decides the rest and says what to email.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Mail, refund};
use crate::accounts;
use crate::domain::order::OrderStatus;
use crate::domain::returns::{self as rules, ReturnReason, ReturnStatus};
use crate::error::ApiError;
use crate::notify::email::money;
use crate::notify::{EmailKind, Event, EventKind, OrderSummaryLine};
use crate::state::AppState;
use crate::store::orders::{self as order_store, Order};
use crate::store::returns::{self as store, Return, ReturnError, ReturnLine, ReturnRefund};

/// How often a step is tried again when the order or the return changed under it.
const ATTEMPTS: u32 = 8;

/// The statuses a delivered order may be in when a return is asked for (money given back
/// already does not stop goods from coming back).
const RETURNABLE: [OrderStatus; 3] = [
    OrderStatus::Delivered,
    OrderStatus::PartiallyRefunded,
    OrderStatus::Refunded,
];

/// A return as the buyer and the admin see it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReturnView {
    /// `<order id>-<return id>`.
    pub id: String,
    pub order_id: String,
    pub order_number: String,
    pub status: ReturnStatus,
    pub reason: ReturnReason,
    pub comment: Option<String>,
    pub lines: Vec<ReturnLine>,
    /// What the lines were paid: the refund made on receipt unless the admin gives another.
    pub amount: i64,
    pub currency: String,
    /// True once receiving it gave the units back to stock.
    pub restocked: bool,
    /// Decided at receipt; `id` once Stripe made it, `error` while it failed.
    pub refund: Option<ReturnRefund>,
    /// The shop's note when it rejected the return.
    pub note: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub received_at: Option<String>,
}

impl ReturnView {
    pub fn new(r: Return) -> Self {
        Self {
            id: r.id,
            order_id: r.order_id,
            order_number: r.order_number,
            status: r.status,
            reason: r.reason,
            comment: r.comment,
            lines: r.lines,
            amount: r.amount,
            currency: r.currency,
            restocked: r.restocked,
            refund: r.refund,
            note: r.note,
            created_at: r.created_at,
            updated_at: r.updated_at,
            received_at: r.received_at,
        }
    }
}

/// What the buyer asks to send back: units per sku of the order (each sku once).
pub struct Asked {
    pub lines: Vec<(String, u32)>,
    pub reason: ReturnReason,
    pub comment: Option<String>,
}

/// When the order was delivered (its last `delivered` step), if it was.
fn delivered_at(order: &Order) -> Option<time::OffsetDateTime> {
    order
        .tracking
        .iter()
        .rev()
        .find(|t| t.status == OrderStatus::Delivered)
        .and_then(|t| accounts::parse_rfc3339(&t.at))
}

/// Opens a return of `asked` on `order` (the asker's own). 409 `invalid_state` before
/// delivery; 422 `return_window_closed` after the window, `return_exceeds_delivered` past
/// what was delivered less what is in other returns that are not rejected.
pub async fn request(
    state: &AppState,
    order: Order,
    asked: Asked,
) -> Result<(Return, Vec<Mail>, Vec<Event>), ApiError> {
    for (i, (sku, _)) in asked.lines.iter().enumerate() {
        if !order.lines.iter().any(|l| &l.sku == sku) {
            return Err(ApiError::field(
                format!("lines[{i}].sku"),
                "is not a line of this order",
            ));
        }
    }
    let days = crate::cart::current_settings(state)
        .await?
        .return_window_days;
    let mut order = order;
    for _ in 0..ATTEMPTS {
        let Some(delivered) = delivered_at(&order).filter(|_| RETURNABLE.contains(&order.status))
        else {
            return Err(ApiError::InvalidState {
                status: order_store::status_name(order.status),
                needs: "only a delivered order can be returned",
            });
        };
        let now = accounts::now();
        if !rules::within_window(delivered, days, now) {
            return Err(ApiError::ReturnWindowClosed { days });
        }
        let Some(counts) = order.returned.clone() else {
            store::ensure_counts(state.table(), &order.id).await?;
            order = fresh(state, &order.id).await?;
            continue;
        };
        let ret = new_return(&order, &asked, &counts, &accounts::rfc3339(now))?;
        let statuses: Vec<&str> = RETURNABLE
            .iter()
            .map(|s| order_store::status_name(*s))
            .collect();
        match store::request(state.table(), &ret, &counts, &statuses).await {
            Ok(()) => {
                let mails = mail(&order, &ret, None).into_iter().collect();
                let events = vec![Event::returned(
                    EventKind::ReturnRequested,
                    &order.id,
                    &ret.id,
                    &ret.created_at,
                )];
                return Ok((ret, mails, events));
            }
            Err(ReturnError::Moved) => order = fresh(state, &order.id).await?,
            Err(ReturnError::Store(e)) => return Err(e.into()),
        }
    }
    Err(ApiError::Busy)
}

/// The return `asked` makes of `order` given the units already in returns (`counts`).
fn new_return(
    order: &Order,
    asked: &Asked,
    counts: &BTreeMap<String, u32>,
    at: &str,
) -> Result<Return, ApiError> {
    let mut lines = Vec::new();
    for (sku, quantity) in &asked.lines {
        let line = order
            .lines
            .iter()
            .find(|l| &l.sku == sku)
            .expect("checked against the order's lines");
        let before = counts.get(sku).copied().unwrap_or(0);
        let returnable = line.quantity.saturating_sub(before);
        if *quantity > returnable {
            return Err(ApiError::ReturnExceedsDelivered {
                sku: sku.clone(),
                returnable,
            });
        }
        lines.push(ReturnLine {
            sku: sku.clone(),
            name: line.name.clone(),
            quantity: *quantity,
            amount: rules::units_worth(
                line.line_total - line.discount,
                line.quantity,
                before,
                *quantity,
            ),
        });
    }
    Ok(Return {
        id: format!("{}-{}", order.id, ulid::Ulid::new()),
        order_id: order.id.clone(),
        order_number: order.number.clone(),
        status: ReturnStatus::Requested,
        reason: asked.reason,
        comment: asked.comment.clone(),
        amount: lines.iter().map(|l| l.amount).sum(),
        currency: order.currency.clone(),
        lines,
        restocked: false,
        refund: None,
        note: None,
        created_at: at.to_owned(),
        updated_at: at.to_owned(),
        received_at: None,
    })
}

async fn fresh(state: &AppState, order_id: &str) -> Result<Order, ApiError> {
    order_store::get(state.reader(), order_id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// A return and its order, or 404.
pub async fn find(state: &AppState, id: &str) -> Result<(Return, Order), ApiError> {
    let ret = store::get(state.reader(), id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let order = fresh(state, &ret.order_id).await?;
    Ok((ret, order))
}

/// The units a return gives back to stock: (product id, sku, units, index of the order's
/// take), a bundle by its components, each no more than the order still holds.
fn restock_of(order: &Order, ret: &Return) -> Vec<(String, String, i64, usize)> {
    if !order.stock_held {
        return Vec::new();
    }
    let mut units: BTreeMap<String, i64> = BTreeMap::new();
    for rl in &ret.lines {
        let Some(line) = order.lines.iter().find(|l| l.sku == rl.sku) else {
            continue;
        };
        let skus = if line.components.is_empty() {
            vec![line.sku.clone()]
        } else {
            line.components.clone()
        };
        for sku in skus {
            *units.entry(sku).or_default() += i64::from(rl.quantity);
        }
    }
    units
        .into_iter()
        .filter_map(|(sku, q)| {
            let (index, take) = order.takes.iter().enumerate().find(|(_, t)| t.sku == sku)?;
            let q = q.min(take.quantity);
            (q > 0).then(|| (take.product_id.clone(), sku, q, index))
        })
        .collect()
}

/// Receives a requested return: its status, and the stock when `restock`, in one
/// transaction; then refunds `refund_amount` (default: the lines' amounts, never more than
/// is left to refund) through the order's refund path, keyed by the return so that Stripe
/// makes it once. A refund that failed leaves it `received` with the error; receiving it
/// again retries the refund only. Anything else received is 409 `invalid_transition`.
pub async fn receive(
    state: &AppState,
    id: &str,
    restock: bool,
    refund_amount: Option<i64>,
) -> Result<(Return, Order, Vec<Mail>, Vec<Event>), ApiError> {
    for _ in 0..ATTEMPTS {
        let (ret, order) = find(state, id).await?;
        let owed = ret
            .refund
            .as_ref()
            .filter(|r| r.id.is_none() && r.amount > 0);
        match (ret.status, owed) {
            (ReturnStatus::Requested, _) => {}
            (ReturnStatus::Received, Some(_)) => return pay(state, ret, order).await,
            (from, _) => {
                return Err(ApiError::InvalidTransition {
                    from: from.name(),
                    to: ReturnStatus::Received.name(),
                });
            }
        }
        let left = order.payment.amount_paid - order.payment.amount_refunded;
        let amount = match refund_amount {
            Some(a) if a > left => return Err(ApiError::RefundExceedsBalance { left }),
            Some(a) => a,
            None => ret.amount.min(left).max(0),
        };
        let decided = ReturnRefund {
            amount,
            id: None,
            error: None,
        };
        let stock = if restock {
            restock_of(&order, &ret)
        } else {
            Vec::new()
        };
        let at = accounts::rfc3339(accounts::now());
        match store::receive(state.table(), &ret, &decided, &stock, &at).await {
            Ok(()) => {}
            Err(ReturnError::Moved) => continue,
            Err(ReturnError::Store(e)) => return Err(e.into()),
        }
        let (ret, order) = find(state, id).await?;
        if amount == 0 {
            let mails = mail(&order, &ret, None).into_iter().collect();
            let events = vec![received(&ret)];
            return Ok((ret, order, mails, events));
        }
        return pay(state, ret, order).await;
    }
    Err(ApiError::Busy)
}

/// Makes a received return's refund at Stripe and records it (`refunded`), or records why it
/// failed (stays `received`).
async fn pay(
    state: &AppState,
    ret: Return,
    order: Order,
) -> Result<(Return, Order, Vec<Mail>, Vec<Event>), ApiError> {
    let decided = ret.refund.clone().expect("a received return owes a refund");
    let key = format!("return-{}", ret.id);
    let reason = Some(format!("return {}", ret.id));
    let mut order = order;
    let mut made = None;
    let mut error = None;
    for _ in 0..ATTEMPTS {
        let left = order.payment.amount_paid - order.payment.amount_refunded;
        // Another refund may have taken part of the balance since the receipt decided.
        let amount = decided.amount.min(left);
        if amount <= 0 {
            error = Some("nothing is left to refund on this order".to_owned());
            break;
        }
        match refund::at_stripe_keyed(state, &order, amount, reason.clone(), &key).await {
            Ok(Some(record)) => {
                made = Some(record);
                break;
            }
            Ok(None) => order = fresh(state, &order.id).await?,
            Err(ApiError::PaymentProviderUnavailable) => {
                error = Some("the payment provider refused or was unreachable; receive the return again to retry".to_owned());
                break;
            }
            Err(e) => return Err(e),
        }
    }
    let at = accounts::rfc3339(accounts::now());
    let outcome = ReturnRefund {
        amount: made.as_ref().map_or(decided.amount, |r| r.amount),
        id: made.as_ref().map(|r| r.id.clone()),
        error: if made.is_some() {
            None
        } else {
            error.or(Some("the refund could not be made; try again".to_owned()))
        },
    };
    store::refund_done(state.table(), &ret, &outcome, &at).await?;
    if made.is_some() {
        order = refund::settle(state, &order.id, false).await?;
    }
    let (ret, _) = find(state, &ret.id).await?;
    let mut events = vec![received(&ret)];
    events.extend(
        made.as_ref()
            .map(|r| Event::refunded(&order.id, &r.id, r.amount, &r.created_at)),
    );
    let refunded = made.map(|r| money(r.amount, &order.currency));
    let mails = mail(&order, &ret, refunded).into_iter().collect();
    Ok((ret, order, mails, events))
}

/// Rejects a requested return with the admin's `note`: its units may be asked for again.
pub async fn reject(
    state: &AppState,
    id: &str,
    note: &str,
) -> Result<(Return, Order, Vec<Mail>, Vec<Event>), ApiError> {
    for _ in 0..ATTEMPTS {
        let (ret, order) = find(state, id).await?;
        if ret.status != ReturnStatus::Requested {
            return Err(ApiError::InvalidTransition {
                from: ret.status.name(),
                to: ReturnStatus::Rejected.name(),
            });
        }
        let seen = order.returned.clone().unwrap_or_default();
        let at = accounts::rfc3339(accounts::now());
        match store::reject(state.table(), &ret, note, &seen, &at).await {
            Ok(()) => {
                let (ret, order) = find(state, id).await?;
                let mails = mail(&order, &ret, None).into_iter().collect();
                return Ok((ret, order, mails, Vec::new()));
            }
            Err(ReturnError::Moved) => continue,
            Err(ReturnError::Store(e)) => return Err(e.into()),
        }
    }
    Err(ApiError::Busy)
}

/// `return.received`, at the receipt.
fn received(ret: &Return) -> Event {
    let at = ret.received_at.as_deref().unwrap_or(&ret.updated_at);
    Event::returned(EventKind::ReturnReceived, &ret.order_id, &ret.id, at)
}

/// The email of a return's step, sent once per return and status.
fn mail(order: &Order, ret: &Return, refunded: Option<String>) -> Option<Mail> {
    let status = if ret.status == ReturnStatus::Received
        && ret.refund.as_ref().is_some_and(|r| r.error.is_some())
    {
        // The customer hears of the refund when it is made, not of the failed try.
        "received"
    } else {
        ret.status.name()
    };
    let kind = EmailKind::ReturnUpdate {
        status: status.to_owned(),
        order_number: order.number.clone(),
        lines: ret
            .lines
            .iter()
            .map(|l| OrderSummaryLine {
                name: l.name.clone(),
                quantity: l.quantity,
                total: money(l.amount, &order.currency),
            })
            .collect(),
        refunded,
        note: ret.note.clone(),
    };
    Mail::new(order, &format!("return-{}-{status}", ret.id), kind)
}
