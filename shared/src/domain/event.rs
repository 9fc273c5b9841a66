//! The kinds of event the shop publishes (`notify::event`) and webhook subscriptions name.

use serde::{Deserialize, Serialize};

/// The kinds of event, as subscriptions name them (`order.paid`, ...).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
pub enum EventKind {
    #[serde(rename = "order.paid")]
    OrderPaid,
    #[serde(rename = "order.processing")]
    OrderProcessing,
    #[serde(rename = "order.shipped")]
    OrderShipped,
    #[serde(rename = "order.delivered")]
    OrderDelivered,
    #[serde(rename = "order.cancelled")]
    OrderCancelled,
    #[serde(rename = "order.refunded")]
    OrderRefunded,
    #[serde(rename = "return.requested")]
    ReturnRequested,
    #[serde(rename = "return.received")]
    ReturnReceived,
    #[serde(rename = "product.low_stock")]
    ProductLowStock,
}

impl EventKind {
    pub const ALL: [EventKind; 9] = [
        Self::OrderPaid,
        Self::OrderProcessing,
        Self::OrderShipped,
        Self::OrderDelivered,
        Self::OrderCancelled,
        Self::OrderRefunded,
        Self::ReturnRequested,
        Self::ReturnReceived,
        Self::ProductLowStock,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::OrderPaid => "order.paid",
            Self::OrderProcessing => "order.processing",
            Self::OrderShipped => "order.shipped",
            Self::OrderDelivered => "order.delivered",
            Self::OrderCancelled => "order.cancelled",
            Self::OrderRefunded => "order.refunded",
            Self::ReturnRequested => "return.requested",
            Self::ReturnReceived => "return.received",
            Self::ProductLowStock => "product.low_stock",
        }
    }

    pub fn named(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}
