//! Stripe, through a small typed client of our own (docs/architecture.md, "Why not
//! async-stripe"): form-encoded requests, an `Idempotency-Key` on every POST, a pinned
//! `Stripe-Version`, response types holding only the fields we read (tolerating every other
//! and missing optional ones, since accounts run different API versions), and Stripe's typed
//! error body. It uses the project's one HTTP client stack (`outbound`).
//!
//! Checkout and the payment follow-ups use it through [`Payments`], so a test can count or fail
//! the calls without a network.

pub mod event;
pub mod signature;

use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

use serde::Deserialize;

/// The API version every request is pinned to.
pub const API_VERSION: &str = "2024-06-20";

/// An object Stripe sends either as its id or expanded.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum IdOrObject {
    Id(String),
    Object { id: String },
}

impl IdOrObject {
    pub fn id(&self) -> &str {
        match self {
            Self::Id(id) | Self::Object { id } => id,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PaymentIntent {
    pub id: String,
    pub amount: i64,
    /// What was actually taken (Stripe's `amount_received`); absent from older API versions.
    #[serde(default)]
    pub amount_received: Option<i64>,
    pub currency: String,
    /// `requires_payment_method`, `requires_confirmation`, `requires_action`, `processing`,
    /// `succeeded`, `canceled`, ...
    pub status: String,
    #[serde(default)]
    pub client_secret: Option<String>,
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
    #[serde(default)]
    pub latest_charge: Option<IdOrObject>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Refund {
    pub id: String,
    pub amount: i64,
    /// `pending`, `succeeded`, `failed`, `canceled`.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub payment_intent: Option<String>,
}

/// A Checkout Session (`mode=payment`): Stripe's hosted payment page for one order.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CheckoutSession {
    pub id: String,
    /// Where to send the buyer; absent once the session is complete or expired.
    #[serde(default)]
    pub url: Option<String>,
    /// `open`, `complete`, `expired`.
    pub status: String,
    /// `paid`, `unpaid`, `no_payment_required`.
    pub payment_status: String,
    #[serde(default)]
    pub amount_total: Option<i64>,
    #[serde(default)]
    pub currency: Option<String>,
    /// Made when the buyer pays (since API 2022-08-01).
    #[serde(default)]
    pub payment_intent: Option<IdOrObject>,
    #[serde(default)]
    pub client_reference_id: Option<String>,
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
}

/// One line of a Checkout Session: a synced Price of the catalog (`price`), or priced inline
/// at `unit_amount`.
#[derive(Debug, Clone)]
pub struct SessionLine {
    pub name: String,
    pub unit_amount: i64,
    pub quantity: u32,
    pub price: Option<String>,
}

/// A Price of a Product (catalog sync reads these).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Price {
    pub id: String,
    #[serde(default)]
    pub unit_amount: Option<i64>,
    pub currency: String,
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct PriceList {
    data: Vec<Price>,
}

/// A catalog product as Stripe should know it (its id is the shop's product id).
#[derive(Debug, Clone)]
pub struct ProductSync<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub active: bool,
}

/// A Checkout Session to create.
#[derive(Debug, Clone)]
pub struct NewCheckoutSession<'a> {
    pub currency: &'a str,
    pub lines: &'a [SessionLine],
    pub success_url: &'a str,
    pub cancel_url: &'a str,
    /// Unix seconds; Stripe takes 30 minutes to 24 hours from now.
    pub expires_at: i64,
    /// The order id (also in `metadata` of the session and of its PaymentIntent).
    pub client_reference_id: &'a str,
    pub customer_email: &'a str,
    pub metadata: &'a [(&'a str, &'a str)],
}

/// A PaymentIntent to create.
#[derive(Debug, Clone)]
pub struct NewPaymentIntent<'a> {
    pub amount: i64,
    pub currency: &'a str,
    pub metadata: &'a [(&'a str, &'a str)],
    /// Set to pay at once (tests, and localstripe, which cannot confirm with a method later).
    pub payment_method: Option<&'a str>,
    pub confirm: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StripeError {
    /// Stripe answered with its error body.
    #[error("Stripe refused ({status} {kind}{}): {message}", code.as_deref().map(|c| format!(", {c}")).unwrap_or_default())]
    Api {
        status: u16,
        kind: String,
        code: Option<String>,
        message: String,
    },
    #[error("Stripe could not be reached: {0}")]
    Transport(String),
    #[error("Stripe's answer was not understood: {0}")]
    Decode(String),
}

impl StripeError {
    /// Worth trying again later: Stripe was unreachable, overloaded or failing.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Transport(_) => true,
            Self::Api { status, .. } => *status == 429 || *status >= 500,
            Self::Decode(_) => false,
        }
    }
}

/// What the shop asks of its payment provider.
pub trait Payments: Send + Sync {
    fn create_payment_intent(
        &self,
        new: &NewPaymentIntent<'_>,
        idempotency_key: &str,
    ) -> impl Future<Output = Result<PaymentIntent, StripeError>> + Send;

    fn retrieve_payment_intent(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<PaymentIntent, StripeError>> + Send;

    fn cancel_payment_intent(
        &self,
        id: &str,
        idempotency_key: &str,
    ) -> impl Future<Output = Result<PaymentIntent, StripeError>> + Send;

    fn create_checkout_session(
        &self,
        new: &NewCheckoutSession<'_>,
        idempotency_key: &str,
    ) -> impl Future<Output = Result<CheckoutSession, StripeError>> + Send;

    fn retrieve_checkout_session(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<CheckoutSession, StripeError>> + Send;

    /// Closes an open session so it can no longer be paid.
    fn expire_checkout_session(
        &self,
        id: &str,
        idempotency_key: &str,
    ) -> impl Future<Output = Result<CheckoutSession, StripeError>> + Send;

    /// Creates or updates the Product `product.id`.
    fn put_product(
        &self,
        product: &ProductSync<'_>,
        idempotency_key: &str,
    ) -> impl Future<Output = Result<(), StripeError>> + Send;

    /// The Product's active Prices (the first 100).
    fn active_prices(
        &self,
        product_id: &str,
    ) -> impl Future<Output = Result<Vec<Price>, StripeError>> + Send;

    /// A new one-time Price of a Product for one sku (`metadata[sku]`).
    fn create_price(
        &self,
        product_id: &str,
        sku: &str,
        currency: &str,
        unit_amount: i64,
        idempotency_key: &str,
    ) -> impl Future<Output = Result<Price, StripeError>> + Send;

    /// Prices cannot change or be deleted: an outdated one is made inactive.
    fn deactivate_price(
        &self,
        id: &str,
        idempotency_key: &str,
    ) -> impl Future<Output = Result<(), StripeError>> + Send;

    /// Refunds `amount` (always given: bounding refunds is ours) of a PaymentIntent.
    fn create_refund(
        &self,
        payment_intent: &str,
        amount: i64,
        idempotency_key: &str,
    ) -> impl Future<Output = Result<Refund, StripeError>> + Send;
}

/// The Stripe API (or localstripe at another base URL).
#[derive(Clone)]
pub struct Stripe {
    /// Built on the first call, not at start-up: making it loads the TLS roots, which would
    /// add milliseconds to every cold start of a function that may answer without Stripe.
    http: std::sync::Arc<std::sync::OnceLock<crate::outbound::Client>>,
    base: std::sync::Arc<str>,
    secret_key: std::sync::Arc<str>,
}

impl std::fmt::Debug for Stripe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stripe")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

impl Stripe {
    /// `base` is `https://api.stripe.com` on AWS.
    pub fn new(base: &str, secret_key: &str) -> Self {
        Self {
            http: std::sync::Arc::default(),
            base: base.trim_end_matches('/').into(),
            secret_key: secret_key.into(),
        }
    }

    /// The client a function's configuration names (`Need::Stripe`, read at start-up).
    pub fn from_config(config: &crate::config::Config) -> Self {
        let settings = config
            .stripe
            .as_ref()
            .expect("Need::Stripe reads STRIPE_SECRET_KEY at start-up");
        Self::new(&settings.api_base, &settings.secret_key)
    }

    fn http(&self) -> &crate::outbound::Client {
        self.http
            .get_or_init(|| crate::outbound::Client::new(Duration::from_secs(20)))
    }

    async fn send<T: serde::de::DeserializeOwned>(
        &self,
        request: http::request::Builder,
        body: String,
    ) -> Result<T, StripeError> {
        let request = request
            .header("authorization", format!("Bearer {}", self.secret_key))
            .header("stripe-version", API_VERSION)
            .body(bytes::Bytes::from(body))
            .map_err(|e| StripeError::Transport(e.to_string()))?;
        let response = self
            .http()
            .send(request)
            .await
            .map_err(|e| StripeError::Transport(e.to_string()))?;
        let (status, bytes) = (response.status, response.body);
        if (200..300).contains(&status) {
            return serde_json::from_slice(&bytes).map_err(|e| StripeError::Decode(e.to_string()));
        }
        let detail = serde_json::from_slice::<ErrorBody>(&bytes)
            .ok()
            .map(|b| b.error);
        Err(StripeError::Api {
            status,
            kind: detail
                .as_ref()
                .and_then(|d| d.kind.clone())
                .unwrap_or_else(|| "api_error".to_owned()),
            code: detail.as_ref().and_then(|d| d.code.clone()),
            message: detail
                .and_then(|d| d.message)
                .unwrap_or_else(|| String::from_utf8_lossy(&bytes).chars().take(200).collect()),
        })
    }

    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T, StripeError> {
        let mut url = format!("{}{path}", self.base);
        if !query.is_empty() {
            url.push('?');
            url.push_str(&crate::outbound::form(query));
        }
        self.send(http::Request::get(url), String::new()).await
    }

    async fn post<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        idempotency_key: &str,
        form: &[(String, String)],
    ) -> Result<T, StripeError> {
        let request = http::Request::post(format!("{}{path}", self.base))
            .header("idempotency-key", idempotency_key)
            .header("content-type", "application/x-www-form-urlencoded");
        self.send(request, crate::outbound::form(form)).await
    }
}

impl Payments for Stripe {
    async fn create_payment_intent(
        &self,
        new: &NewPaymentIntent<'_>,
        idempotency_key: &str,
    ) -> Result<PaymentIntent, StripeError> {
        let mut form = vec![
            ("amount".to_owned(), new.amount.to_string()),
            ("currency".to_owned(), new.currency.to_owned()),
        ];
        for (k, v) in new.metadata {
            form.push((format!("metadata[{k}]"), (*v).to_owned()));
        }
        if let Some(pm) = new.payment_method {
            form.push(("payment_method".to_owned(), pm.to_owned()));
        }
        if new.confirm {
            form.push(("confirm".to_owned(), "true".to_owned()));
        }
        self.post("/v1/payment_intents", idempotency_key, &form)
            .await
    }

    async fn retrieve_payment_intent(&self, id: &str) -> Result<PaymentIntent, StripeError> {
        self.get(&format!("/v1/payment_intents/{id}"), &[]).await
    }

    async fn cancel_payment_intent(
        &self,
        id: &str,
        idempotency_key: &str,
    ) -> Result<PaymentIntent, StripeError> {
        let path = format!("/v1/payment_intents/{id}/cancel");
        self.post(&path, idempotency_key, &[]).await
    }

    async fn create_checkout_session(
        &self,
        new: &NewCheckoutSession<'_>,
        idempotency_key: &str,
    ) -> Result<CheckoutSession, StripeError> {
        let mut form = vec![
            ("mode".to_owned(), "payment".to_owned()),
            ("success_url".to_owned(), new.success_url.to_owned()),
            ("cancel_url".to_owned(), new.cancel_url.to_owned()),
            ("expires_at".to_owned(), new.expires_at.to_string()),
            (
                "client_reference_id".to_owned(),
                new.client_reference_id.to_owned(),
            ),
            ("customer_email".to_owned(), new.customer_email.to_owned()),
        ];
        for (i, line) in new.lines.iter().enumerate() {
            let item = |field: &str| format!("line_items[{i}]{field}");
            if let Some(price) = &line.price {
                form.push((item("[price]"), price.clone()));
            } else {
                form.push((item("[price_data][currency]"), new.currency.to_owned()));
                form.push((
                    item("[price_data][unit_amount]"),
                    line.unit_amount.to_string(),
                ));
                form.push((item("[price_data][product_data][name]"), line.name.clone()));
            }
            form.push((item("[quantity]"), line.quantity.to_string()));
        }
        for (k, v) in new.metadata {
            form.push((format!("metadata[{k}]"), (*v).to_owned()));
            form.push((
                format!("payment_intent_data[metadata][{k}]"),
                (*v).to_owned(),
            ));
        }
        self.post("/v1/checkout/sessions", idempotency_key, &form)
            .await
    }

    async fn retrieve_checkout_session(&self, id: &str) -> Result<CheckoutSession, StripeError> {
        self.get(&format!("/v1/checkout/sessions/{id}"), &[]).await
    }

    async fn expire_checkout_session(
        &self,
        id: &str,
        idempotency_key: &str,
    ) -> Result<CheckoutSession, StripeError> {
        let path = format!("/v1/checkout/sessions/{id}/expire");
        self.post(&path, idempotency_key, &[]).await
    }

    async fn put_product(
        &self,
        product: &ProductSync<'_>,
        idempotency_key: &str,
    ) -> Result<(), StripeError> {
        let mut form = vec![
            ("name".to_owned(), product.name.to_owned()),
            ("active".to_owned(), product.active.to_string()),
        ];
        if !product.description.is_empty() {
            form.push(("description".to_owned(), product.description.to_owned()));
        }
        let path = format!("/v1/products/{}", product.id);
        let updated = self
            .post::<serde_json::Value>(&path, idempotency_key, &form)
            .await;
        match updated {
            Err(StripeError::Api { status: 404, .. }) => {
                form.push(("id".to_owned(), product.id.to_owned()));
                form.push(("metadata[product_id]".to_owned(), product.id.to_owned()));
                let key = format!("{idempotency_key}-create");
                self.post::<serde_json::Value>("/v1/products", &key, &form)
                    .await
                    .map(|_| ())
            }
            other => other.map(|_| ()),
        }
    }

    async fn active_prices(&self, product_id: &str) -> Result<Vec<Price>, StripeError> {
        let query = [
            ("product", product_id),
            ("active", "true"),
            ("limit", "100"),
        ];
        let list: PriceList = self.get("/v1/prices", &query).await?;
        Ok(list.data)
    }

    async fn create_price(
        &self,
        product_id: &str,
        sku: &str,
        currency: &str,
        unit_amount: i64,
        idempotency_key: &str,
    ) -> Result<Price, StripeError> {
        let form = [
            ("product".to_owned(), product_id.to_owned()),
            ("currency".to_owned(), currency.to_owned()),
            ("unit_amount".to_owned(), unit_amount.to_string()),
            ("metadata[sku]".to_owned(), sku.to_owned()),
        ];
        self.post("/v1/prices", idempotency_key, &form).await
    }

    async fn deactivate_price(&self, id: &str, idempotency_key: &str) -> Result<(), StripeError> {
        let path = format!("/v1/prices/{id}");
        let form = [("active".to_owned(), "false".to_owned())];
        self.post::<serde_json::Value>(&path, idempotency_key, &form)
            .await
            .map(|_| ())
    }

    async fn create_refund(
        &self,
        payment_intent: &str,
        amount: i64,
        idempotency_key: &str,
    ) -> Result<Refund, StripeError> {
        let form = [
            ("payment_intent".to_owned(), payment_intent.to_owned()),
            ("amount".to_owned(), amount.to_string()),
        ];
        self.post("/v1/refunds", idempotency_key, &form).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_only_what_it_needs_from_either_shape() {
        let expanded: PaymentIntent = serde_json::from_str(
            r#"{"id":"pi_1","object":"payment_intent","amount":4497,"currency":"gbp",
                "status":"succeeded","client_secret":"pi_1_secret_x","metadata":{"order_id":"O1"},
                "latest_charge":{"id":"ch_1","object":"charge"},"amount_capturable":0}"#,
        )
        .unwrap();
        assert_eq!(
            expanded.latest_charge.as_ref().map(IdOrObject::id),
            Some("ch_1")
        );
        assert_eq!(expanded.metadata["order_id"], "O1");
        let bare: PaymentIntent = serde_json::from_str(
            r#"{"id":"pi_2","amount":1,"currency":"gbp","status":"requires_payment_method","latest_charge":"ch_2"}"#,
        )
        .unwrap();
        assert_eq!(
            bare.latest_charge.as_ref().map(IdOrObject::id),
            Some("ch_2")
        );
        assert!(bare.client_secret.is_none());
    }

    #[test]
    fn transient_errors_are_the_ones_worth_retrying() {
        let api = |status| StripeError::Api {
            status,
            kind: "api_error".into(),
            code: None,
            message: "m".into(),
        };
        assert!(api(503).is_transient() && api(429).is_transient());
        assert!(!api(402).is_transient() && !api(400).is_transient());
        assert!(StripeError::Transport("reset".into()).is_transient());
    }
}
