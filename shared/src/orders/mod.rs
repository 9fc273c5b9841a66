//! Orders: checkout ([`checkout`]), what a payment does to an order ([`payment`]), cancelling
//! and refunding ([`refund`]), and who may see which order ([`Asker`]). Every `api::orders_*`,
//! `api::admin_orders_*`, `api::checkout` and `api::stripe_webhook` route is a few lines over
//! these, and the worker's payment follow-up calls [`payment::apply`].

pub mod checkout;
pub mod email;
pub mod list;
pub mod payment;
pub mod refund;
pub mod returns;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::AuthKeys;
use crate::crypto::{hmac_b64, hmac_matches};
use crate::domain::Email;
use crate::domain::order::OrderStatus;
use crate::error::ApiError;
use crate::http::AuthUser;
use crate::notify::{EmailKind, EmailMessage, Job, enqueue_keyed};
use crate::state::AppState;
use crate::store::orders::{self, Order, OrderLine, ShippingAddress};

/// An order as its buyer (and an admin) sees it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OrderView {
    pub id: String,
    /// Short and unique, for people: `HX-7K2M9Q`.
    pub number: String,
    pub status: OrderStatus,
    pub email: String,
    pub lines: Vec<OrderLine>,
    pub subtotal: i64,
    pub bundle_discount: i64,
    pub first_time_discount: i64,
    pub coupon_discount: i64,
    pub delivery_fee: i64,
    pub total: i64,
    pub currency: String,
    pub coupon: Option<String>,
    pub shipping_address: ShippingAddress,
    pub notes: Option<String>,
    pub gift_message: Option<String>,
    /// While pending: when the reserved stock goes back.
    pub reserved_until: Option<String>,
    pub estimated_delivery_date: String,
    pub payment: PaymentView,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&Order> for OrderView {
    fn from(o: &Order) -> Self {
        Self {
            id: o.id.clone(),
            number: o.number.clone(),
            status: o.status,
            email: o.email.clone(),
            lines: o.lines.clone(),
            subtotal: o.subtotal,
            bundle_discount: o.bundle_discount,
            first_time_discount: o.first_time_discount,
            coupon_discount: o.coupon_discount,
            delivery_fee: o.delivery_fee,
            total: o.total,
            currency: o.currency.clone(),
            coupon: o.coupon.clone(),
            shipping_address: o.shipping_address.clone(),
            notes: o.notes.clone(),
            gift_message: o.gift_message.clone(),
            reserved_until: (o.status == OrderStatus::Pending).then(|| o.reserved_until.clone()),
            estimated_delivery_date: o.estimated_delivery_date.clone(),
            payment: PaymentView::from(o),
            created_at: o.created_at.clone(),
            updated_at: o.updated_at.clone(),
        }
    }
}

/// `GET /orders/{id}/payment`: derived from the recorded amounts, never stored on its own.
#[derive(Debug, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct PaymentView {
    /// `requires_payment`, `succeeded`, `failed`, `partially_refunded`, `refunded`, `canceled`.
    pub status: String,
    /// The order's total.
    pub amount: i64,
    pub amount_paid: i64,
    pub amount_refunded: i64,
    pub currency: String,
    /// The Stripe PaymentIntent id (for a Checkout Session, once paid).
    pub provider_ref: Option<String>,
    /// The Checkout Session, when the order is paid on Stripe's page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkout_session_id: Option<String>,
    /// Payments that did not match the order (another amount or currency): never counted as
    /// paid, each refunded in full.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rejected: Vec<orders::RejectedPayment>,
}

impl From<&Order> for PaymentView {
    fn from(o: &Order) -> Self {
        let p = &o.payment;
        // An order that cost nothing was paid as it was placed.
        let free =
            o.total == 0 && !matches!(o.status, OrderStatus::Pending | OrderStatus::Cancelled);
        let status = if free {
            "succeeded"
        } else if p.amount_paid == 0 {
            if p.canceled || (o.status == OrderStatus::Cancelled && !p.failed) {
                "canceled"
            } else if p.failed {
                "failed"
            } else {
                "requires_payment"
            }
        } else if p.amount_refunded >= p.amount_paid {
            "refunded"
        } else if p.amount_refunded > 0 {
            "partially_refunded"
        } else {
            "succeeded"
        };
        Self {
            status: status.to_owned(),
            amount: o.total,
            amount_paid: p.amount_paid,
            amount_refunded: p.amount_refunded,
            currency: o.currency.clone(),
            provider_ref: (!p.intent_id.is_empty()).then(|| p.intent_id.clone()),
            checkout_session_id: (!p.session_id.is_empty()).then(|| p.session_id.clone()),
            rejected: p.rejected.clone(),
        }
    }
}

/// A guest's order token: `<HMAC of the order id>`, from the cart-token keys with a purpose
/// of its own, so it rotates with the signing keys and opens only its own order.
pub fn order_token(keys: &AuthKeys, order_id: &str) -> String {
    hmac_b64(&keys.cart_keys[0], format!("order:{order_id}").as_bytes())
}

fn token_opens(keys: &AuthKeys, order_id: &str, token: &str) -> bool {
    let message = format!("order:{order_id}");
    keys.cart_keys
        .iter()
        .any(|k| hmac_matches(k, message.as_bytes(), token.trim()))
}

/// Who asks about an order: a signed-in user (their own orders), or a guest with an order's
/// token (`?token=`). Neither is 401.
pub enum Asker {
    User(AuthUser),
    Guest(String),
}

impl FromRequestParts<AppState> for Asker {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if parts.headers.contains_key(AUTHORIZATION) {
            return AuthUser::from_request_parts(parts, state)
                .await
                .map(Asker::User);
        }
        let axum::extract::Query(mut query) = axum::extract::Query::<
            std::collections::HashMap<String, String>,
        >::try_from_uri(&parts.uri)
        .map_err(|e| ApiError::field("query", e.body_text()))?;
        query
            .remove("token")
            .filter(|t| !t.is_empty())
            .map(Asker::Guest)
            .ok_or(ApiError::Unauthenticated)
    }
}

impl Asker {
    pub fn user_id(&self) -> Option<&str> {
        match self {
            Asker::User(u) => Some(u.id()),
            Asker::Guest(_) => None,
        }
    }
}

/// The order `id` if `asker` may see it; someone else's (or none) is 404 alike.
pub async fn owned(state: &AppState, asker: &Asker, id: &str) -> Result<Order, ApiError> {
    if id.len() > 64 {
        return Err(ApiError::NotFound);
    }
    let order = orders::get(state.reader(), id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mine = match asker {
        Asker::User(u) => order.user_id.as_deref() == Some(u.id()),
        Asker::Guest(token) => order.user_id.is_none() && token_opens(state.auth(), id, token),
    };
    if mine {
        Ok(order)
    } else {
        Err(ApiError::NotFound)
    }
}

/// `invalid_transition` for a move the state machine refuses.
pub fn invalid(from: OrderStatus, to: OrderStatus) -> ApiError {
    ApiError::InvalidTransition {
        from: orders::status_name(from),
        to: orders::status_name(to),
    }
}

/// An email an order step asks for, sent once per `key` by whoever delivers it (a route
/// queues it with [`post`]; the worker sends it at once).
#[derive(Debug, Clone)]
pub struct Mail {
    pub key: String,
    pub to: Email,
    pub kind: EmailKind,
}

impl Mail {
    pub fn new(order: &Order, what: &str, kind: EmailKind) -> Option<Self> {
        Some(Self {
            key: email::key(order, what),
            to: Email::parse(&order.email).ok()?,
            kind,
        })
    }
}

/// Publishes `events` for the worker (`Need::Queue`): analytics and webhooks, each once per
/// event id however often it is published.
pub async fn announce(state: &AppState, events: Vec<crate::notify::Event>) {
    crate::notify::publish(state.queue(), events).await;
}

/// Queues `mails` for the worker (`Need::Queue`). A queue failure is logged, not the
/// caller's failure: the order step itself is done.
pub async fn post(state: &AppState, mails: Vec<Mail>) {
    for mail in mails {
        let job = Job::Email(EmailMessage {
            to: mail.to,
            kind: mail.kind,
        });
        if let Err(e) = enqueue_keyed(state.queue(), mail.key.clone(), job).await {
            tracing::error!(error = %e, key = mail.key, "an order email could not be queued");
        }
    }
}
