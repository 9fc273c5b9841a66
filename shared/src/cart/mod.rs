//! The cart: who is asking ([`Caller`]: a signed-in user, or a guest with a signed token),
//! what its lines are in the catalog now ([`Facts`]), and changing it under the version it was
//! read at ([`change`]). Every route of `api::cart_*` is a few lines over these.
//!
//! Stock is checked on the summed demand of the whole cart (`demand`), so a bundle and one of
//! its own products draw on one stock. Prices come from the one pricing function
//! (`domain::pricing`) through [`view`].

pub mod demand;
pub mod luck;
pub mod token;
pub mod view;

use std::collections::{BTreeMap, HashMap};

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use crate::accounts;
use crate::domain::catalog::{ProductStatus, Sku};
use crate::domain::coupon::Refusal;
use crate::domain::order::OrderStatus;
use crate::domain::settings::Settings;
use crate::error::ApiError;
use crate::http::AuthUser;
use crate::notify::{Job, enqueue_keyed};
use crate::state::AppState;
use crate::store::bundles::{self, Bundle};
use crate::store::carts::{self, Cart, CartLine, CartStatus, LineKind};
use crate::store::coupons::{self, Coupon};
use crate::store::orders::{self, Also, MoveError, TrackingEntry};
use crate::store::products::{self, Product, SkuTarget, Variant};
use crate::store::{StoreError, settings};
pub use view::CartView;

/// The most of one line.
pub const MAX_QUANTITY: u32 = 99;
/// The most lines of one cart (checkout writes every sku in one transaction).
pub const MAX_LINES: usize = 90;
/// How often a change is tried when other changes to the same cart keep winning the race.
const ATTEMPTS: u32 = 8;

/// Waits a little more after each lost race (5, 10, 20 ms ..., jittered).
async fn after_lost_race(attempt: u32) {
    let base = std::time::Duration::from_millis(5 << attempt.min(6));
    tokio::time::sleep(crate::store::transact::jittered(base)).await;
}

/// The header a guest sends their cart token in.
pub const CART_TOKEN: &str = "x-cart-token";

/// Who is asking for a cart.
pub enum Caller {
    User(AuthUser),
    /// A guest with a valid token for this cart id.
    Guest(String),
    /// A guest with no cart yet.
    Nobody,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    /// A bearer token, if sent, must be valid (and wins over a cart token); a cart token, if
    /// sent, must be one this shop issued.
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if parts.headers.contains_key(AUTHORIZATION) {
            return AuthUser::from_request_parts(parts, state)
                .await
                .map(Caller::User);
        }
        match parts.headers.get(CART_TOKEN) {
            None => Ok(Caller::Nobody),
            Some(raw) => raw
                .to_str()
                .ok()
                .and_then(|t| token::verify(state.auth(), t))
                .map(Caller::Guest)
                .ok_or(ApiError::InvalidCartToken),
        }
    }
}

impl Caller {
    pub fn cart_id(&self) -> Option<String> {
        match self {
            Caller::User(u) => Some(carts::user_cart_id(u.id())),
            Caller::Guest(id) => Some(id.clone()),
            Caller::Nobody => None,
        }
    }

    /// The signed-in user's id; `None` for a guest.
    pub fn user_id(&self) -> Option<&str> {
        match self {
            Caller::User(u) => Some(u.id()),
            Caller::Guest(_) | Caller::Nobody => None,
        }
    }

    /// An empty cart for this caller, not stored yet (made by its first change).
    fn new_cart(&self, now: time::OffsetDateTime) -> Cart {
        Cart::new(
            self.cart_id().unwrap_or_default(),
            self.user_id().map(str::to_owned),
            &accounts::rfc3339(now),
        )
    }
}

/// A cart's lines as the catalog has them now: each variant (with its product) and bundle
/// they name.
#[derive(Default)]
pub struct Facts {
    pub variants: HashMap<String, (Product, Variant)>,
    pub bundles: HashMap<String, Bundle>,
}

impl Facts {
    /// The skus one unit of `line` takes.
    pub fn skus_of(&self, line: &CartLine) -> Vec<String> {
        match line.kind {
            LineKind::Variant => vec![line.sku.clone()],
            LineKind::Bundle => line.components.iter().map(|(_, s)| s.clone()).collect(),
        }
    }

    /// Whether the line takes a one-of-a-kind variant (so at most 1 of it fits).
    pub fn one_of_a_kind(&self, line: &CartLine) -> bool {
        self.skus_of(line)
            .iter()
            .any(|s| self.variants.get(s).is_some_and(|(_, v)| v.unique))
    }

    /// Current stock of every sku the facts hold.
    pub fn stock(&self) -> BTreeMap<String, i64> {
        self.variants
            .iter()
            .map(|(sku, (p, v))| {
                let sellable = p.status == ProductStatus::Active;
                (sku.clone(), if sellable { v.stock } else { 0 })
            })
            .collect()
    }

    /// The line's unit price now, `None` when it can no longer be bought at any price (its
    /// product or bundle is gone, archived or a draft).
    pub fn unit_price(&self, line: &CartLine) -> Option<i64> {
        let active = |sku: &str| {
            self.variants
                .get(sku)
                .filter(|(p, _)| p.status == ProductStatus::Active)
                .map(|(_, v)| v.price)
        };
        match line.kind {
            LineKind::Variant => active(&line.sku),
            LineKind::Bundle => {
                self.bundles.get(&line.target)?;
                line.components.iter().map(|(_, sku)| active(sku)).sum()
            }
        }
    }

    /// Demand of every line, summed per sku.
    pub fn demand(&self, lines: &[CartLine]) -> BTreeMap<String, i64> {
        let skus: Vec<(Vec<String>, u32)> = lines
            .iter()
            .map(|l| (self.skus_of(l), l.quantity))
            .collect();
        demand::demand(skus.iter().map(|(s, q)| (s.as_slice(), *q)))
    }
}

/// Reads what `cart`'s lines name. A bundle line whose bundle changed its components since is
/// brought up to date (saved with the cart's next change).
pub async fn facts(state: &AppState, cart: &mut Cart) -> Result<Facts, StoreError> {
    let reader = state.reader();
    let mut facts = Facts::default();
    for line in cart.lines.iter_mut().filter(|l| l.kind == LineKind::Bundle) {
        let Some(bundle) = bundles::get(reader, &line.target).await? else {
            continue;
        };
        let skus: Vec<&String> = line.components.iter().map(|(_, s)| s).collect();
        if skus != bundle.skus.iter().collect::<Vec<_>>() {
            line.components = components(reader, &bundle).await?;
        }
        facts.bundles.insert(bundle.slug.clone(), bundle);
    }
    let keys: Vec<(String, String)> = cart
        .lines
        .iter()
        .flat_map(|l| match l.kind {
            LineKind::Variant => vec![(l.target.clone(), l.sku.clone())],
            LineKind::Bundle => l.components.clone(),
        })
        .collect();
    for (product, variant) in products::variants_by_key(reader, &keys).await? {
        facts
            .variants
            .insert(variant.sku.clone(), (product, variant));
    }
    Ok(facts)
}

/// A bundle's components as (product id, sku).
async fn components(
    reader: &crate::aws::TableReader,
    bundle: &Bundle,
) -> Result<Vec<(String, String)>, StoreError> {
    let mut out = Vec::with_capacity(bundle.skus.len());
    for sku in &bundle.skus {
        if let Some(SkuTarget::Variant { product_id }) = products::sku_target(reader, sku).await? {
            out.push((product_id, sku.clone()));
        }
    }
    Ok(out)
}

/// What a sku sent by a client names, ready to become a line: an active product's variant or
/// a bundle. Anything else is 404.
pub struct Target {
    pub sku: String,
    pub kind: LineKind,
    pub target: String,
    pub components: Vec<(String, String)>,
    pub unit_price: i64,
    /// One of a kind: at most 1.
    pub unique: bool,
}

pub async fn target(state: &AppState, raw_sku: &str) -> Result<Target, ApiError> {
    let sku = Sku::parse(raw_sku).map_err(|_| ApiError::NotFound)?;
    let reader = state.reader();
    match products::sku_target(reader, sku.as_str()).await? {
        Some(SkuTarget::Variant { product_id }) => {
            let key = [(product_id.clone(), sku.as_str().to_owned())];
            let (product, variant) = products::variants_by_key(reader, &key)
                .await?
                .pop()
                .filter(|(p, _)| p.status == ProductStatus::Active)
                .ok_or(ApiError::NotFound)?;
            Ok(Target {
                sku: variant.sku,
                kind: LineKind::Variant,
                target: product.id,
                components: Vec::new(),
                unit_price: variant.price,
                unique: variant.unique,
            })
        }
        Some(SkuTarget::Bundle { slug }) => {
            let bundle = bundles::get(reader, &slug)
                .await?
                .ok_or(ApiError::NotFound)?;
            let components = components(reader, &bundle).await?;
            let parts = products::variants_by_key(reader, &components).await?;
            if parts.len() != bundle.skus.len()
                || parts.iter().any(|(p, _)| p.status != ProductStatus::Active)
            {
                return Err(ApiError::NotFound);
            }
            Ok(Target {
                sku: sku.as_str().to_owned(),
                kind: LineKind::Bundle,
                target: bundle.slug,
                components,
                unit_price: parts.iter().map(|(_, v)| v.price).sum(),
                unique: parts.iter().any(|(_, v)| v.unique),
            })
        }
        None => Err(ApiError::NotFound),
    }
}

impl Target {
    /// A new line of `quantity` of this.
    pub fn line(&self, quantity: u32) -> CartLine {
        CartLine {
            sku: self.sku.clone(),
            kind: self.kind.clone(),
            target: self.target.clone(),
            quantity,
            price_at_add: self.unit_price,
            added_at: accounts::rfc3339(accounts::now()),
            components: self.components.clone(),
        }
    }
}

/// The caller's cart as stored: `None` when they have none yet. A guest's retired or expired
/// cart is 404 `cart_not_found`.
pub async fn stored(state: &AppState, caller: &Caller) -> Result<Option<Cart>, ApiError> {
    let Some(id) = caller.cart_id() else {
        return Ok(None);
    };
    let cart = carts::get(state.reader(), &id).await?;
    match (caller, cart) {
        (_, Some(cart)) if cart.status == CartStatus::Open && !expired(&cart) => Ok(Some(cart)),
        (Caller::User(_), _) => Ok(None),
        _ => Err(ApiError::CartNotFound),
    }
}

/// DynamoDB deletes expired items within days, not at once: an expired cart is gone already.
fn expired(cart: &Cart) -> bool {
    cart.expires_at
        .is_some_and(|at| at <= accounts::now().unix_timestamp())
}

/// The caller's cart with its view (an empty cart when they have none).
pub async fn read(state: &AppState, caller: &Caller) -> Result<CartView, ApiError> {
    let settings = settings::current(state.reader()).await?;
    let mut cart = match stored(state, caller).await? {
        Some(cart) => cart,
        None => caller.new_cart(accounts::now()),
    };
    let facts = facts(state, &mut cart).await?;
    let coupon = coupon_of(state, &cart).await?;
    Ok(view::build(
        state,
        caller,
        &cart,
        &facts,
        coupon.as_ref(),
        &settings,
    ))
}

/// The coupon on the cart, as stored now.
pub async fn coupon_of(state: &AppState, cart: &Cart) -> Result<Option<Coupon>, StoreError> {
    match &cart.coupon {
        Some(code) => coupons::get(state.reader(), code).await,
        None => Ok(None),
    }
}

/// What an edit did to the cart: the line whose quantity grew, if any (its stock is checked).
pub type Grown = Option<String>;

/// Applies `edit` to the caller's cart (made for them if `create` and they have none) and
/// stores it if the stock of a grown line allows, under the version read; a race with another
/// change to the same cart is run again. Answers the new view.
pub async fn change(
    state: &AppState,
    caller: &Caller,
    create: bool,
    edit: impl FnMut(&mut Cart) -> Result<Grown, ApiError>,
) -> Result<CartView, ApiError> {
    change_with(state, caller, create, false, edit).await
}

/// Puts coupon `code` on the caller's cart; it must apply now (else 422 with the reason).
pub async fn apply_coupon(
    state: &AppState,
    caller: &Caller,
    code: &str,
) -> Result<CartView, ApiError> {
    change_with(state, caller, true, true, |cart| {
        cart.coupon = Some(code.to_owned());
        Ok(None)
    })
    .await
}

async fn change_with(
    state: &AppState,
    caller: &Caller,
    create: bool,
    applying_coupon: bool,
    mut edit: impl FnMut(&mut Cart) -> Result<Grown, ApiError>,
) -> Result<CartView, ApiError> {
    let settings = settings::current(state.reader()).await?;
    // A guest's first add makes their cart (and its token); a guest with no cart has nothing
    // to change.
    let new_guest = match caller {
        Caller::Nobody if create => Some(ulid::Ulid::new().to_string()),
        Caller::Nobody => return Err(ApiError::CartNotFound),
        _ => None,
    };
    let guest_caller;
    let caller = match &new_guest {
        Some(id) => {
            guest_caller = Caller::Guest(id.clone());
            &guest_caller
        }
        None => caller,
    };
    for attempt in 0..ATTEMPTS {
        if attempt > 0 {
            after_lost_race(attempt).await;
        }
        let now = accounts::now();
        let mut cart = match stored(state, caller).await {
            Ok(Some(cart)) => cart,
            // A user's cart is made by their first change.
            Ok(None) => caller.new_cart(now),
            Err(ApiError::CartNotFound) if new_guest.is_some() => caller.new_cart(now),
            Err(e) => return Err(e),
        };
        if !give_up_pending_order(state, &mut cart).await? {
            continue;
        }
        let grown = edit(&mut cart)?;
        let facts = facts(state, &mut cart).await?;
        if let Some(sku) = &grown {
            check_stock(&cart, &facts, sku)?;
        }
        let coupon = coupon_of(state, &cart).await?;
        let mut view = view::build(state, caller, &cart, &facts, coupon.as_ref(), &settings);
        let refusal = view.coupon.as_ref().and_then(|c| c.problem);
        match (refusal, &coupon) {
            // A coupon being applied must apply now.
            (Some(refusal), _) if applying_coupon => {
                return Err(ApiError::from(refusal));
            }
            // A luck coupon whose reservation ran out leaves the winner's cart.
            (Some(Refusal::CouponExpired), Some(c)) if c.luck => {
                cart.coupon = None;
                let notices = std::mem::take(&mut view.notices);
                view = view::build(state, caller, &cart, &facts, None, &settings);
                view.notices = notices;
            }
            _ => {}
        }
        cart.updated_at = accounts::rfc3339(now);
        if cart.user_id.is_none() {
            let days = i64::from(settings.guest_cart_days);
            cart.expires_at = Some((now + time::Duration::days(days)).unix_timestamp());
        }
        if carts::save(state.table(), &mut cart).await? {
            view.id = Some(cart.id.clone());
            return Ok(view);
        }
    }
    Err(ApiError::Busy)
}

/// A cart being changed gives up the pending order checkout locked it to (API.md: changing
/// the cart cancels that order first, giving back its stock and coupon). `true`: go on with
/// `cart` (now unlocked); `false`: the cart was written meanwhile (read it again).
async fn give_up_pending_order(state: &AppState, cart: &mut Cart) -> Result<bool, ApiError> {
    let Some(order_id) = cart.pending_order.clone() else {
        return Ok(true);
    };
    let order = orders::get(state.reader(), &order_id).await?;
    let Some(order) = order.filter(|o| o.status == OrderStatus::Pending) else {
        // Paid, cancelled or expired already: the cart is simply no longer locked.
        cart.pending_order = None;
        return Ok(true);
    };
    let mut unlocked = cart.clone();
    unlocked.pending_order = None;
    let put = carts::put_as_read(state.table().name(), &mut unlocked)?;
    let entry = TrackingEntry::new(
        OrderStatus::Cancelled,
        &accounts::rfc3339(accounts::now()),
        Some("the cart was changed after checkout".to_owned()),
    );
    let no_more = Also {
        count_purchase: false,
        notification: None,
    };
    match orders::release(
        state.table(),
        &order,
        OrderStatus::Pending,
        &entry,
        &[],
        Some(put),
        &no_more,
    )
    .await
    {
        Ok(()) => {
            close_payment_later(state, &order).await;
            Ok(false)
        }
        Err(MoveError::Moved | MoveError::Lapsed(_)) => Ok(false),
        Err(MoveError::Store(e)) => Err(e.into()),
    }
}

/// Queues the closing of a given-up order's payment at Stripe (the cart functions hold no
/// Stripe key): the worker cancels its PaymentIntent or expires its Checkout Session, retried
/// until Stripe answers. If the queue refuses, the order is released all the same; a payment
/// that still arrives is taken only under checkout's conditions, or refunded.
async fn close_payment_later(state: &AppState, order: &orders::Order) {
    if order.payment.intent_id.is_empty() && order.payment.session_id.is_empty() {
        return;
    }
    let job = Job::ClosePayment {
        order_id: order.id.clone(),
    };
    let key = format!("order-{}-close-payment", order.id);
    if let Err(e) = enqueue_keyed(state.queue(), key, job).await {
        tracing::error!(error = %e, order = order.id, "closing the given-up order's payment could not be queued");
    }
}

/// The grown line still fits: one of a kind at most 1, and every sku it takes within stock
/// given the rest of the cart.
fn check_stock(cart: &Cart, facts: &Facts, sku: &str) -> Result<(), ApiError> {
    let Some(line) = cart.line(sku) else {
        return Ok(());
    };
    if facts.one_of_a_kind(line) && line.quantity > 1 {
        return Err(ApiError::field(
            "quantity",
            "this is one of a kind: at most 1",
        ));
    }
    let short = demand::short(
        &facts.demand(&cart.lines),
        &facts.stock(),
        &facts.skus_of(line),
    );
    if short.is_empty() {
        return Ok(());
    }
    Err(ApiError::InsufficientStock {
        available: (short.len() == 1).then(|| short[0].1),
        skus: short.into_iter().map(|(s, _)| s).collect(),
    })
}

/// Where the line of `sku` is (a sku as a client sent it), else 404 `not_in_cart`.
pub fn line_at(cart: &Cart, sku: &str) -> Result<usize, ApiError> {
    let sku = sku.trim().to_ascii_uppercase();
    cart.lines
        .iter()
        .position(|l| l.sku == sku)
        .ok_or(ApiError::NotInCart)
}

/// A quantity a client sent for a line: 1..=99 (0 too when `zero_removes`).
pub fn quantity(raw: i64, zero_removes: bool) -> Result<u32, ApiError> {
    let min = if zero_removes { 0 } else { 1 };
    if (min..=i64::from(MAX_QUANTITY)).contains(&raw) {
        Ok(raw as u32)
    } else {
        Err(ApiError::field(
            "quantity",
            format!("must be a whole number from {min} to {MAX_QUANTITY}"),
        ))
    }
}

/// The settings the cart priced with, for a route that needs them besides.
pub async fn current_settings(state: &AppState) -> Result<Settings, ApiError> {
    Ok(settings::current(state.reader()).await?)
}

/// Moves guest cart `guest_id` into `user`'s cart: quantities added and capped by what stock
/// allows beside the rest of the cart (the user's own lines first), one of a kind at most 1;
/// the user's coupon kept, else the guest's. The guest cart is retired in the same
/// transaction, so a second merge of its token does nothing.
pub async fn merge(state: &AppState, user: AuthUser, guest_id: &str) -> Result<CartView, ApiError> {
    let caller = Caller::User(user);
    let settings = settings::current(state.reader()).await?;
    for attempt in 0..ATTEMPTS {
        if attempt > 0 {
            after_lost_race(attempt).await;
        }
        let guest = match carts::get(state.reader(), guest_id).await? {
            Some(g) if expired(&g) => return Err(ApiError::CartNotFound),
            Some(g) if g.status == CartStatus::Retired => return read(state, &caller).await,
            Some(g) => g,
            None => return Err(ApiError::CartNotFound),
        };
        let now = accounts::now();
        let mut cart = match stored(state, &caller).await? {
            Some(cart) => cart,
            None => caller.new_cart(now),
        };
        if !give_up_pending_order(state, &mut cart).await? {
            continue;
        }
        let mut grown = Vec::new();
        for line in &guest.lines {
            let count = cart.lines.len();
            match cart.lines.iter_mut().find(|l| l.sku == line.sku) {
                Some(mine) => mine.quantity += line.quantity,
                None if count < MAX_LINES => cart.lines.push(line.clone()),
                None => continue,
            }
            grown.push(line.sku.clone());
        }
        if cart.coupon.is_none() {
            cart.coupon = guest.coupon.clone();
        }
        let facts = facts(state, &mut cart).await?;
        let coupon = coupon_of(state, &cart).await?;
        cap(&mut cart, &facts, &grown);
        cart.updated_at = accounts::rfc3339(now);
        let at = cart.updated_at.clone();
        if carts::merge(state.table(), &mut cart, guest_id, guest.version, &at).await? {
            return Ok(view::build(
                state,
                &caller,
                &cart,
                &facts,
                coupon.as_ref(),
                &settings,
            ));
        }
    }
    Err(ApiError::Busy)
}

/// Lowers each of the `grown` lines to what fits beside every other line (in cart order), and
/// drops those where nothing fits.
fn cap(cart: &mut Cart, facts: &Facts, grown: &[String]) {
    let stock = facts.stock();
    for sku in grown {
        let Some(at) = cart.lines.iter().position(|l| &l.sku == sku) else {
            continue;
        };
        let others: Vec<CartLine> = cart
            .lines
            .iter()
            .filter(|l| &l.sku != sku)
            .cloned()
            .collect();
        let skus = facts.skus_of(&cart.lines[at]);
        let max = if facts.one_of_a_kind(&cart.lines[at]) {
            1
        } else {
            MAX_QUANTITY
        };
        let fits = demand::most_that_fit(&skus, &facts.demand(&others), &stock, max);
        let line = &mut cart.lines[at];
        line.quantity = line.quantity.min(fits);
        if line.quantity == 0 {
            cart.lines.remove(at);
        }
    }
}
