//! `POST /checkout`: the cart becomes a pending order holding its stock, then a Stripe
//! PaymentIntent is made for the order's total.
//!
//! 1. The cart is priced with the one pricing function (`cart::view`); every line must be on
//!    sale and within stock, and its coupon must still apply.
//! 2. `store::orders::place`: the order's number claimed and its details written, then one
//!    transaction: every sku's summed demand off its stock under `stock >= :q`, the coupon
//!    redeemed under its conditions, the order's head written; then the cart locked to the
//!    order (a cart has at most one pending order: a checkout that loses the lock discards
//!    its order whole and answers the winner's).
//! 3. The PaymentIntent (amount = total, metadata = order id, idempotency key from the order),
//!    or with `mode: "checkout_session"` a Checkout Session (the order's lines at what they
//!    cost after discounts, `expires_at` = the reservation's end, at least the 30 minutes
//!    Stripe asks for). If Stripe fails, step 2 is undone (`store::orders::release`) and the
//!    client gets 503 `payment_provider_unavailable`.
//!
//! An order that costs nothing (all of it discounted) is paid at once, without Stripe.
//! Checking out a cart that is locked to a pending order answers that order again.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{OrderView, order_token};
use crate::accounts::{self, address::AddressInput};
use crate::cart::{self, Caller};
use crate::domain::order::{self, OrderStatus};
use crate::domain::return_url::ReturnOrigins;
use crate::domain::{Email, text};
use crate::error::{ApiError, FieldError};
use crate::state::AppState;
use crate::store::attempts::{self, Counting};
use crate::store::carts::{self, Cart};
use crate::store::orders::{
    self, Order, OrderLine, Payment, PlaceError, ShippingAddress, Take, TrackingEntry,
};
use crate::store::{addresses, coupons};
use crate::stripe::{NewCheckoutSession, NewPaymentIntent, Payments, SessionLine};

/// The most different skus one checkout may take (one transaction holds at most 100 actions).
pub const MAX_SKUS: usize = 90;
/// The longest `notes` and `gift_message`, in characters.
const MAX_TEXT: usize = 500;
/// A Checkout Session's reservation is at least this long: Stripe refuses an `expires_at`
/// under 30 minutes from the session's creation (a minute more for the time until then).
const MIN_SESSION_MINUTES: i64 = 31;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckoutRequest {
    /// One of the signed-in buyer's saved addresses (not for guests)...
    #[schema(max_length = 64)]
    pub shipping_address_id: Option<String>,
    /// ...or an address given here: exactly one of the two.
    pub shipping_address: Option<ShippingInput>,
    /// A guest's address for the receipt (required for a guest; a user's account email is used).
    #[schema(schema_with = crate::domain::schema::optional_email)]
    pub email: Option<String>,
    #[schema(schema_with = crate::domain::schema::optional_text::<500>)]
    pub notes: Option<String>,
    #[schema(schema_with = crate::domain::schema::optional_text::<500>)]
    pub gift_message: Option<String>,
    /// `payment_intent` (the default: confirm with Stripe.js and `client_secret`) or
    /// `checkout_session` (send the buyer to `checkout_url`, Stripe's hosted page).
    #[schema(value_type = Option<CheckoutMode>)]
    pub mode: Option<String>,
    /// With `checkout_session`: where Stripe sends the buyer after paying: an https URL under
    /// the storefront's origin (`PUBLIC_BASE_URL`) or one of `ALLOWED_RETURN_ORIGINS`, at most
    /// 2048 characters, no spaces or control characters, no user name.
    #[schema(max_length = 2048, format = "uri")]
    pub success_url: Option<String>,
    /// With `checkout_session`: where Stripe sends a buyer who gives up (the same rules).
    #[schema(max_length = 2048, format = "uri")]
    pub cancel_url: Option<String>,
}

/// How the buyer pays (the document's name for `mode`).
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum CheckoutMode {
    PaymentIntent,
    CheckoutSession,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShippingInput {
    #[schema(schema_with = crate::domain::schema::text::<100>)]
    pub name: String,
    #[schema(schema_with = crate::domain::schema::text::<200>)]
    pub line1: String,
    #[schema(schema_with = crate::domain::schema::optional_text::<200>)]
    pub line2: Option<String>,
    #[schema(schema_with = crate::domain::schema::text::<100>)]
    pub city: String,
    #[schema(schema_with = crate::domain::schema::text::<20>)]
    pub postcode: String,
    /// ISO 3166-1 alpha-2, e.g. `GB`.
    #[schema(schema_with = crate::domain::schema::country)]
    pub country: String,
    #[schema(schema_with = crate::domain::schema::optional_phone)]
    pub phone: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CheckoutResponse {
    pub order: OrderView,
    pub payment: PaymentStart,
    /// A guest's token to read and cancel this order (`?token=`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_token: Option<String>,
}

/// What the client needs to take the payment: `client_secret` (mode `payment_intent`) or
/// `checkout_url` (mode `checkout_session`); neither when the order costs nothing and is paid.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PaymentStart {
    /// For Stripe.js `confirmPayment`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_intent_id: Option<String>,
    /// Stripe's hosted payment page for this order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkout_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkout_session_id: Option<String>,
}

/// How the buyer pays.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Mode {
    PaymentIntent,
    CheckoutSession {
        success_url: String,
        cancel_url: String,
    },
}

/// What the request says, checked.
struct Checked {
    mode: Mode,
    email: Option<Email>,
    address: Option<ShippingAddress>,
    address_id: Option<String>,
    notes: Option<String>,
    gift_message: Option<String>,
}

fn check(
    req: &CheckoutRequest,
    caller: &Caller,
    origins: &ReturnOrigins,
) -> Result<Checked, ApiError> {
    let mut errors = Vec::new();
    let mode = mode(&mut errors, req, origins);
    // A given email must be one, whoever sends it; a signed-in buyer's account email is used.
    let given = req
        .email
        .as_deref()
        .map(Email::parse)
        .transpose()
        .unwrap_or_else(|e| {
            errors.push(FieldError::new("email", e.to_string()));
            None
        });
    let email = match (given, caller) {
        (None, Caller::Guest(_) | Caller::Nobody) if req.email.is_none() => {
            errors.push(FieldError::new("email", "a guest checkout needs an email"));
            None
        }
        (_, Caller::User(_)) => None,
        (given, _) => given,
    };
    let mut address = None;
    match (&req.shipping_address_id, &req.shipping_address, caller) {
        (Some(_), Some(_), _) => errors.push(FieldError::new(
            "shipping_address",
            "give shipping_address_id or shipping_address, not both",
        )),
        (None, None, _) => errors.push(FieldError::new(
            "shipping_address",
            "a shipping_address (or a shipping_address_id) is required",
        )),
        (Some(_), None, Caller::Guest(_) | Caller::Nobody) => errors.push(FieldError::new(
            "shipping_address_id",
            "saved addresses are for signed-in buyers; send shipping_address",
        )),
        (None, Some(input), _) => {
            let as_input = AddressInput {
                label: None,
                name: input.name.clone(),
                line1: input.line1.clone(),
                line2: input.line2.clone(),
                city: input.city.clone(),
                postcode: input.postcode.clone(),
                country: input.country.clone(),
                phone: input.phone.clone(),
                is_default: false,
            };
            match as_input.into_address(String::new(), String::new()) {
                Ok((a, _)) => address = Some(shipping(a)),
                Err(ApiError::Validation(list)) => {
                    errors.extend(list.into_iter().map(|e| {
                        FieldError::new(format!("shipping_address.{}", e.field), e.message)
                    }))
                }
                Err(other) => return Err(other),
            }
        }
        (Some(_), None, Caller::User(_)) => {}
    }
    let notes = text::optional(&mut errors, "notes", req.notes.as_deref(), MAX_TEXT);
    let gift_message = text::optional(
        &mut errors,
        "gift_message",
        req.gift_message.as_deref(),
        MAX_TEXT,
    );
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    Ok(Checked {
        mode: mode.unwrap_or(Mode::PaymentIntent),
        email,
        address,
        address_id: req.shipping_address_id.clone(),
        notes,
        gift_message,
    })
}

fn mode(
    errors: &mut Vec<FieldError>,
    req: &CheckoutRequest,
    origins: &ReturnOrigins,
) -> Option<Mode> {
    let urls = [
        ("success_url", req.success_url.as_deref()),
        ("cancel_url", req.cancel_url.as_deref()),
    ];
    match req.mode.as_deref() {
        None | Some("payment_intent") => {
            for (field, url) in urls {
                if url.is_some() {
                    errors.push(FieldError::new(field, "only with mode checkout_session"));
                }
            }
            Some(Mode::PaymentIntent)
        }
        Some("checkout_session") => {
            let [success_url, cancel_url] =
                urls.map(|(field, url)| return_url(errors, field, url, origins));
            Some(Mode::CheckoutSession {
                success_url: success_url?,
                cancel_url: cancel_url?,
            })
        }
        Some(_) => {
            errors.push(FieldError::new(
                "mode",
                "must be payment_intent or checkout_session",
            ));
            None
        }
    }
}

/// A URL under the storefront's origins that Stripe may send the buyer back to.
fn return_url(
    errors: &mut Vec<FieldError>,
    field: &str,
    raw: Option<&str>,
    origins: &ReturnOrigins,
) -> Option<String> {
    let Some(raw) = raw else {
        errors.push(FieldError::new(
            field,
            "required with mode checkout_session",
        ));
        return None;
    };
    origins
        .check(raw)
        .map_err(|why| errors.push(FieldError::new(field, why)))
        .ok()
}

fn shipping(a: addresses::Address) -> ShippingAddress {
    ShippingAddress {
        name: a.name,
        line1: a.line1,
        line2: a.line2,
        city: a.city,
        postcode: a.postcode,
        country: a.country,
        phone: a.phone,
    }
}

/// How often the whole checkout is tried when the cart or an order number changes under it.
const ATTEMPTS: u32 = 4;

/// Checks the cart out (see the module's description).
pub async fn checkout(
    state: &AppState,
    caller: &Caller,
    client: &str,
    req: &CheckoutRequest,
) -> Result<CheckoutResponse, ApiError> {
    if matches!(caller, Caller::Nobody) {
        return Err(ApiError::CartEmpty);
    }
    let checked = check(req, caller, &state.return_origins())?;
    let address = match (&checked.address, &checked.address_id, caller) {
        (Some(a), _, _) => a.clone(),
        (None, Some(id), Caller::User(u)) => addresses::get(state.reader(), u.id(), id)
            .await?
            .map(shipping)
            .ok_or_else(|| ApiError::field("shipping_address_id", "no such saved address"))?,
        _ => unreachable!("check() requires an address"),
    };
    let mut counted = false;
    for _ in 0..ATTEMPTS {
        let Some(cart) = cart::stored(state, caller).await? else {
            return Err(ApiError::CartEmpty);
        };
        if let Some(order_id) = &cart.pending_order
            && let Some(answer) = pending_answer(state, caller, order_id).await?
        {
            return Ok(answer);
        }
        if cart.lines.is_empty() {
            return Err(ApiError::CartEmpty);
        }
        let order = build(state, caller, &cart, &checked, address.clone()).await?;
        if order.total > MAX_STRIPE_AMOUNT {
            return Err(ApiError::field(
                "cart",
                format!(
                    "the total {} is more than one payment can take ({MAX_STRIPE_AMOUNT} in minor units)",
                    order.total
                ),
            ));
        }
        if !counted {
            // A new order is about to hold stock: counted once per checkout, not per retry.
            within_limits(state, caller, client, checked.email.as_ref()).await?;
            counted = true;
        }
        match orders::place(state.table(), &order, cart.version).await {
            Ok(()) if order.total == 0 => return paid_already(state, caller, order).await,
            Ok(()) => return pay(state, caller, order, &checked.mode).await,
            // Another checkout of this same cart may hold the stock or the coupon for a
            // moment (it locks the cart after its transaction): if the cart moved, look again.
            Err(PlaceError::Short(_) | PlaceError::Coupon)
                if cart_moved(state, caller, cart.version).await? =>
            {
                continue;
            }
            Err(PlaceError::Short(skus)) => {
                return Err(ApiError::InsufficientStock {
                    available: None,
                    skus,
                });
            }
            Err(PlaceError::Coupon) => return Err(coupon_conflict(state, &order, caller).await?),
            // Another change (or checkout) of this cart won: look again.
            Err(PlaceError::CartChanged | PlaceError::NumberTaken) => continue,
            Err(PlaceError::Store(e)) => return Err(e.into()),
        }
    }
    Err(ApiError::Busy)
}

/// The most one Stripe payment can take: 8 digits in minor units.
pub const MAX_STRIPE_AMOUNT: i64 = 99_999_999;

/// Per-client limits on placing orders (settings `limits`): orders per caller per hour, and
/// for a guest, orders per email address and per source address within a reservation's time
/// (what one can hold pending at once). 429 `too_many_attempts` past one.
async fn within_limits(
    state: &AppState,
    caller: &Caller,
    client: &str,
    email: Option<&Email>,
) -> Result<(), ApiError> {
    let settings = cart::current_settings(state).await?;
    let limits = settings.limits;
    let table = state.table();
    let counted = Counting::Attempts;
    let subject = caller.user_id().unwrap_or(client);
    attempts::within_limit(
        table,
        "checkout",
        subject,
        limits.checkouts_per_hour,
        attempts::HOUR,
        counted,
    )
    .await?;
    if caller.user_id().is_none() {
        let reservation = Duration::from_secs(
            60 * u64::from(
                settings
                    .stock_reservation_minutes
                    .max(MIN_SESSION_MINUTES as u32),
            ),
        );
        if let Some(email) = email {
            let per_email = limits.guest_orders_per_email;
            attempts::within_limit(
                table,
                "guest_order_email",
                &email.key(),
                per_email,
                reservation,
                counted,
            )
            .await?;
        }
        let per_address = limits.guest_orders_per_address;
        attempts::within_limit(
            table,
            "guest_order_address",
            client,
            per_address,
            reservation,
            counted,
        )
        .await?;
    }
    Ok(())
}

/// Whether the caller's cart is no longer the version `read` (changed, or locked to an order).
/// Asked twice, 50 ms apart: a concurrent checkout of the cart locks it with one write right
/// after its transaction, so a refusal caused by it is followed by its lock within that time.
async fn cart_moved(state: &AppState, caller: &Caller, read: u64) -> Result<bool, ApiError> {
    for pause in [None, Some(Duration::from_millis(50))] {
        if let Some(pause) = pause {
            tokio::time::sleep(pause).await;
        }
        let now = cart::stored(state, caller).await?;
        if now.is_none_or(|now| now.version != read) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The answer for a cart already locked to `order_id`, if that order is still pending (a
/// concurrent checkout may still be making its PaymentIntent: wait for it a little).
async fn pending_answer(
    state: &AppState,
    caller: &Caller,
    order_id: &str,
) -> Result<Option<CheckoutResponse>, ApiError> {
    for _ in 0..50 {
        let Some(order) = orders::get(state.reader(), order_id).await? else {
            return Ok(None);
        };
        if order.status != OrderStatus::Pending {
            return Ok(None);
        }
        if !order.payment.intent_id.is_empty() || !order.payment.session_id.is_empty() {
            return Ok(Some(response(state, caller, &order)));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(ApiError::Busy)
}

fn response(state: &AppState, caller: &Caller, order: &Order) -> CheckoutResponse {
    CheckoutResponse {
        order: OrderView::from(order),
        payment: PaymentStart {
            client_secret: order.payment.client_secret.clone(),
            payment_intent_id: Some(order.payment.intent_id.clone()).filter(|i| !i.is_empty()),
            checkout_url: order.payment.checkout_url.clone(),
            checkout_session_id: Some(order.payment.session_id.clone()).filter(|i| !i.is_empty()),
        },
        order_token: match caller {
            Caller::User(_) => None,
            _ => Some(order_token(state.auth(), &order.id)),
        },
    }
}

/// The pending order the cart makes now, priced and with its stock takes.
async fn build(
    state: &AppState,
    caller: &Caller,
    cart: &Cart,
    checked: &Checked,
    address: ShippingAddress,
) -> Result<Order, ApiError> {
    let settings = cart::current_settings(state).await?;
    let mut cart = cart.clone();
    let facts = cart::facts(state, &mut cart).await?;
    let coupon = cart::coupon_of(state, &cart).await?;
    let view = cart::view::build(state, caller, &cart, &facts, coupon.as_ref(), &settings);
    let unavailable: Vec<String> = view
        .lines
        .iter()
        .filter(|l| !l.available)
        .map(|l| l.sku.clone())
        .collect();
    if !unavailable.is_empty() {
        return Err(ApiError::InsufficientStock {
            available: None,
            skus: unavailable,
        });
    }
    if let Some(c) = &view.coupon
        && let Some(problem) = c.problem
    {
        return Err(ApiError::CouponConflict {
            code: problem.code(),
            message: problem.message(),
        });
    }
    let demand = facts.demand(&cart.lines);
    if demand.len() > MAX_SKUS {
        return Err(ApiError::CartTooLarge { max: MAX_SKUS });
    }
    let product_of = |sku: &str| facts.variants.get(sku).map(|(p, _)| p.id.clone());
    let takes: Vec<Take> = demand
        .iter()
        .map(|(sku, quantity)| Take {
            product_id: product_of(sku).unwrap_or_default(),
            sku: sku.clone(),
            quantity: *quantity,
        })
        .collect();
    let summary = &view.summary;
    // Each line's own bundle discount, then the order-level ones spread by what is left.
    let bundle_parts: Vec<i64> = cart
        .lines
        .iter()
        .zip(&view.lines)
        .map(|(line, v)| match line.kind {
            carts::LineKind::Bundle => crate::domain::pricing::percent_of(
                v.line_total,
                facts
                    .bundles
                    .get(&line.target)
                    .map_or(0, |b| b.discount_percent),
            ),
            carts::LineKind::Variant => 0,
        })
        .collect();
    let after_bundles: Vec<i64> = view
        .lines
        .iter()
        .zip(&bundle_parts)
        .map(|(v, b)| v.line_total - b)
        .collect();
    let spread = order::spread(
        summary.first_time_discount + summary.coupon_discount,
        &after_bundles,
    );
    let lines: Vec<OrderLine> = view
        .lines
        .iter()
        .enumerate()
        .map(|(i, v)| OrderLine {
            sku: v.sku.clone(),
            product_id: v.product_id.clone(),
            name: v.name.clone(),
            quantity: v.quantity,
            unit_price: v.unit_price,
            line_total: v.line_total,
            discount: bundle_parts[i] + spread[i],
            components: match cart.lines[i].kind {
                carts::LineKind::Bundle => cart.lines[i]
                    .components
                    .iter()
                    .map(|(_, sku)| sku.clone())
                    .collect(),
                carts::LineKind::Variant => Vec::new(),
            },
            stripe_price: facts
                .variants
                .get(&v.sku)
                .and_then(|(_, variant)| variant.stripe_price.as_ref())
                .filter(|p| p.amount == v.unit_price)
                .map(|p| p.id.clone()),
        })
        .collect();
    let now = accounts::now();
    let created_at = accounts::rfc3339(now);
    let mut minutes = i64::from(settings.stock_reservation_minutes);
    if matches!(checked.mode, Mode::CheckoutSession { .. }) {
        minutes = minutes.max(MIN_SESSION_MINUTES);
    }
    let reserved_until = accounts::rfc3339(now + time::Duration::minutes(minutes));
    let email = match (caller, &checked.email) {
        (Caller::User(u), _) => u.user.email.to_lowercase(),
        (_, Some(e)) => e.as_str().to_lowercase(),
        _ => unreachable!("check() requires a guest's email"),
    };
    Ok(Order {
        id: ulid::Ulid::new().to_string(),
        number: order::order_number(),
        status: OrderStatus::Pending,
        user_id: caller.user_id().map(str::to_owned),
        email,
        cart_id: cart.id.clone(),
        lines,
        takes,
        stock_held: true,
        subtotal: summary.subtotal,
        bundle_discount: summary.bundle_discount,
        first_time_discount: summary.first_time_discount,
        coupon_discount: summary.coupon_discount,
        delivery_fee: summary.delivery_fee,
        total: summary.total,
        currency: summary.currency.clone(),
        coupon: view
            .coupon
            .as_ref()
            .filter(|c| c.applied)
            .map(|c| c.code.clone()),
        coupon_redeemed: view.coupon.as_ref().is_some_and(|c| c.applied),
        shipping_address: address,
        notes: checked.notes.clone(),
        gift_message: checked.gift_message.clone(),
        reserved_until,
        estimated_delivery_date: summary.estimated_delivery_date.clone(),
        payment: Payment::default(),
        tracking: vec![TrackingEntry::new(
            OrderStatus::Pending,
            &created_at,
            Some("order placed; stock reserved".to_owned()),
        )],
        created_at: created_at.clone(),
        updated_at: created_at,
        returned: Some(Default::default()),
    })
}

/// The coupon's refusal as the checkout's 409: what it says now, or exhausted (it was the
/// redemption's condition that failed).
async fn coupon_conflict(
    state: &AppState,
    order: &Order,
    caller: &Caller,
) -> Result<ApiError, ApiError> {
    let code = order.coupon.as_deref().unwrap_or_default();
    let refusal = match coupons::get(state.reader(), code).await? {
        Some(c) => c
            .terms
            .check(
                caller.user_id(),
                &accounts::rfc3339(accounts::now()),
                order.subtotal,
            )
            .err()
            .unwrap_or(crate::domain::coupon::Refusal::CouponExhausted),
        None => crate::domain::coupon::Refusal::CouponInvalid,
    };
    Ok(ApiError::CouponConflict {
        code: refusal.code(),
        message: refusal.message(),
    })
}

/// Starts the payment of a placed order at Stripe; undoes the order if Stripe fails.
async fn pay(
    state: &AppState,
    caller: &Caller,
    mut order: Order,
    mode: &Mode,
) -> Result<CheckoutResponse, ApiError> {
    let metadata = [
        ("order_id", order.id.as_str()),
        ("order_number", order.number.as_str()),
    ];
    let started = match mode {
        Mode::PaymentIntent => {
            let new = NewPaymentIntent {
                amount: order.total,
                currency: &order.currency,
                metadata: &metadata,
                payment_method: None,
                confirm: false,
            };
            let key = format!("order-{}-intent", order.id);
            let made = state.stripe().create_payment_intent(&new, &key).await;
            made.map(Started::Intent)
        }
        Mode::CheckoutSession {
            success_url,
            cancel_url,
        } => {
            let lines = session_lines(
                &order.lines,
                order.delivery_fee,
                order.total,
                &format!("Order {}", order.number),
            );
            let expires_at = time::OffsetDateTime::parse(
                &order.reserved_until,
                &time::format_description::well_known::Rfc3339,
            )
            .map_err(|e| ApiError::Internal(e.into()))?
            .unix_timestamp();
            let new = NewCheckoutSession {
                currency: &order.currency,
                lines: &lines,
                success_url,
                cancel_url,
                expires_at,
                client_reference_id: &order.id,
                customer_email: &order.email,
                metadata: &metadata,
            };
            let key = format!("order-{}-session", order.id);
            let made = state.stripe().create_checkout_session(&new, &key).await;
            made.map(Started::Session)
        }
    };
    match started {
        Ok(Started::Intent(intent)) => {
            let secret = intent.client_secret.as_deref();
            orders::set_intent(state.table(), &order.id, &intent.id, secret).await?;
            order.payment.intent_id = intent.id;
            order.payment.client_secret = intent.client_secret;
        }
        Ok(Started::Session(session)) => {
            let url = session.url.as_deref();
            orders::set_session(state.table(), &order.id, &session.id, url).await?;
            order.payment.session_id = session.id;
            order.payment.checkout_url = session.url;
        }
        Err(err) => {
            tracing::error!(error = %err, order = order.id, "Stripe refused to start the payment; releasing the order");
            undo(state, &order).await?;
            return Err(ApiError::PaymentProviderUnavailable);
        }
    }
    Ok(response(state, caller, &order))
}

/// What Stripe made to take an order's payment.
enum Started {
    Intent(crate::stripe::PaymentIntent),
    Session(crate::stripe::CheckoutSession),
}

/// A Checkout Session's lines for `order`: each line at what it costs after its discounts
/// (as one item when discounted, so the amounts are exact), then the delivery fee. They add
/// up to the order's total; should they not, one line named `whole` carries the total.
pub fn session_lines(
    order_lines: &[OrderLine],
    delivery_fee: i64,
    total: i64,
    whole: &str,
) -> Vec<SessionLine> {
    let mut lines: Vec<SessionLine> = order_lines
        .iter()
        .map(|l| {
            let whole_units = l.unit_price * i64::from(l.quantity) == l.line_total;
            if l.discount == 0 && whole_units {
                SessionLine {
                    name: l.name.clone(),
                    unit_amount: l.unit_price,
                    quantity: l.quantity,
                    price: l.stripe_price.clone(),
                }
            } else {
                SessionLine {
                    name: format!("{} × {}", l.name, l.quantity),
                    unit_amount: l.line_total - l.discount,
                    quantity: 1,
                    price: None,
                }
            }
        })
        .collect();
    if delivery_fee > 0 {
        lines.push(SessionLine {
            name: "Delivery".to_owned(),
            unit_amount: delivery_fee,
            quantity: 1,
            price: None,
        });
    }
    let sum: i64 = lines
        .iter()
        .map(|l| l.unit_amount * i64::from(l.quantity))
        .sum();
    if sum == total {
        lines
    } else {
        tracing::error!(
            sum,
            total,
            whole,
            "the order's lines do not add up to its total; one line for the whole order"
        );
        vec![SessionLine {
            name: whole.to_owned(),
            unit_amount: total,
            quantity: 1,
            price: None,
        }]
    }
}

/// An order that costs nothing is paid as it is placed (Stripe takes no zero payment).
async fn paid_already(
    state: &AppState,
    caller: &Caller,
    order: Order,
) -> Result<CheckoutResponse, ApiError> {
    let fact = super::payment::Fact::Succeeded {
        order_id: order.id.clone(),
        intent_id: String::new(),
        amount: 0,
        currency: order.currency.clone(),
    };
    let applied = super::payment::apply(state, &fact)
        .await?
        .ok_or(ApiError::NotFound)?;
    super::post(state, applied.mails).await;
    super::announce(state, applied.events).await;
    Ok(response(state, caller, &applied.order))
}

/// Gives back what a placed order took (its PaymentIntent could not be made).
async fn undo(state: &AppState, order: &Order) -> Result<(), ApiError> {
    super::refund::release_quietly(state, order, "the payment could not be started").await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(name: &str, quantity: u32, unit_price: i64, discount: i64) -> OrderLine {
        OrderLine {
            sku: name.to_lowercase(),
            product_id: None,
            name: name.to_owned(),
            quantity,
            unit_price,
            line_total: unit_price * i64::from(quantity),
            discount,
            components: Vec::new(),
            stripe_price: None,
        }
    }

    fn amounts(lines: &[SessionLine]) -> Vec<(String, i64, u32)> {
        lines
            .iter()
            .map(|l| (l.name.clone(), l.unit_amount, l.quantity))
            .collect()
    }

    #[test]
    fn session_lines_charge_exactly_the_order_total() {
        // Undiscounted lines keep their unit price and quantity; a discounted one becomes one
        // item at what it costs; the delivery fee is a line of its own.
        let lines = [line("Mug", 2, 1250, 0), line("Tee", 3, 999, 301)];
        let got = session_lines(&lines, 499, 2500 + 2997 - 301 + 499, "Order HX-1");
        assert_eq!(
            amounts(&got),
            [
                ("Mug".to_owned(), 1250, 2),
                ("Tee × 3".to_owned(), 2696, 1),
                ("Delivery".to_owned(), 499, 1)
            ]
        );
        // Should the parts not add up, one line carries the total.
        let got = session_lines(&lines, 0, 1234, "Order HX-1");
        assert_eq!(amounts(&got), [("Order HX-1".to_owned(), 1234, 1)]);
    }
}
