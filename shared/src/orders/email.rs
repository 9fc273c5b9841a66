//! What an order's emails and in-app notifications say, built from the order as stored.

use crate::domain::order::OrderStatus;
use crate::notify::email::money;
use crate::notify::{EmailKind, OrderSummary, OrderSummaryLine};
use crate::store::notifications::Notification;
use crate::store::orders::{self, Order};

/// The order as its emails show it.
pub fn summary(order: &Order) -> OrderSummary {
    let c = &order.currency;
    let a = &order.shipping_address;
    let mut address = vec![a.name.clone(), a.line1.clone()];
    address.extend(a.line2.clone());
    address.push(format!("{} {}", a.postcode, a.city));
    address.push(a.country.clone());
    OrderSummary {
        number: order.number.clone(),
        lines: order
            .lines
            .iter()
            .map(|l| OrderSummaryLine {
                name: l.name.clone(),
                quantity: l.quantity,
                total: money(l.line_total, c),
            })
            .collect(),
        subtotal: money(order.subtotal, c),
        discounts: money(
            -(order.bundle_discount + order.first_time_discount + order.coupon_discount),
            c,
        ),
        delivery_fee: money(order.delivery_fee, c),
        total: money(order.total, c),
        address,
        estimated_delivery_date: order.estimated_delivery_date.clone(),
        notes: order.notes.clone(),
        gift_message: order.gift_message.clone(),
    }
}

/// The confirmation sent once the order is paid.
pub fn confirmation(order: &Order) -> EmailKind {
    EmailKind::OrderConfirmation {
        order: Box::new(summary(order)),
    }
}

/// The email of a later step (shipped, delivered, cancelled, refunded).
pub fn update(
    order: &Order,
    status: OrderStatus,
    note: Option<String>,
    refunded: Option<i64>,
) -> EmailKind {
    let last = order.tracking.iter().rev().find(|t| t.status == status);
    EmailKind::OrderUpdate {
        status: orders::status_name(status).to_owned(),
        order: Box::new(summary(order)),
        note,
        tracking_number: last.and_then(|t| t.tracking_number.clone()),
        carrier: last.and_then(|t| t.carrier.clone()),
        refunded: refunded
            .filter(|a| *a > 0)
            .map(|a| money(a, &order.currency)),
    }
}

/// The in-app notification of a status change, made at `at`.
pub fn notification(order: &Order, status: OrderStatus, at: &str) -> Notification {
    let what = match status {
        OrderStatus::Paid => "was paid: thank you",
        OrderStatus::Processing => "is being prepared",
        OrderStatus::Shipped => "is on its way",
        OrderStatus::Delivered => "was delivered",
        OrderStatus::Cancelled => "was cancelled",
        OrderStatus::PartiallyRefunded => "was partly refunded",
        OrderStatus::Refunded => "was refunded",
        OrderStatus::Pending => "is awaiting payment",
    };
    Notification {
        id: ulid::Ulid::new().to_string(),
        kind: "order_status".to_owned(),
        title: format!("Order {}", order.number),
        body: format!("Your order {} {what}.", order.number),
        order_id: Some(order.id.clone()),
        created_at: at.to_owned(),
    }
}

/// The key that makes an email about `order` reaching `what` go out once.
pub fn key(order: &Order, what: &str) -> String {
    format!("order-{}-{what}", order.id)
}
