//! A cart as clients see it: each line with its current and added price and whether it can be
//! bought, and the summary of the one pricing function.

use serde::Serialize;
use utoipa::ToSchema;

use super::{Caller, Facts, token};
use crate::accounts;
use crate::domain::catalog::{ProductStatus, StockStatus};
use crate::domain::coupon::Refusal;
use crate::domain::pricing::{self, Buyer, Line, LineKind as PriceKind, Summary};
use crate::domain::settings::Settings;
use crate::state::AppState;
use crate::store::carts::{Cart, CartLine, LineKind};
use crate::store::coupons::Coupon;

#[derive(Debug, Serialize, ToSchema)]
pub struct CartView {
    /// `null` until the cart's first change.
    pub id: Option<String>,
    pub lines: Vec<LineView>,
    /// The coupon on the cart, if any, and whether it applies now.
    pub coupon: Option<CouponView>,
    pub summary: Summary,
    /// True when a line's current price differs from its price when added (checkout charges
    /// the current one).
    pub prices_changed: bool,
    /// What changed since the cart was last seen (a line that can no longer be bought, ...).
    pub notices: Vec<String>,
    /// The pending order checkout locked this cart to: checking out again answers it;
    /// changing the cart cancels it first.
    pub pending_order: Option<String>,
    /// A guest's token, to send back as `X-Cart-Token`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cart_token: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CouponView {
    pub code: String,
    pub percent_off: Option<u8>,
    pub amount_off: Option<i64>,
    /// Reserved to this buyer until then (a luck coupon).
    pub reserved_until: Option<String>,
    /// False when it does not apply now (`problem` says why); the summary then leaves it out.
    pub applied: bool,
    /// `coupon_expired`, `coupon_min_subtotal`, ... when it does not apply.
    #[schema(value_type = Option<String>)]
    pub problem: Option<Refusal>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LineView {
    /// A variant's sku, or a bundle's slug upper-cased.
    pub sku: String,
    pub kind: LineKind,
    /// The variant's product (`null` for a bundle).
    pub product_id: Option<String>,
    pub name: String,
    pub quantity: u32,
    /// The price now (a bundle's: the sum of its products' prices, before its discount).
    pub unit_price: i64,
    pub price_at_add: i64,
    pub price_changed: bool,
    /// `unit_price` × `quantity`, before any discount.
    pub line_total: i64,
    pub stock_status: StockStatus,
    /// False when the line cannot be bought as it is: off sale, or more than the stock left
    /// for it beside the rest of the cart.
    pub available: bool,
}

/// The buyer pricing sees.
fn buyer(caller: &Caller) -> Buyer {
    match caller {
        Caller::User(u) if u.user.order_count == 0 => Buyer::FirstTime,
        Caller::User(_) => Buyer::Returning,
        Caller::Guest(_) | Caller::Nobody => Buyer::Guest,
    }
}

pub fn build(
    state: &AppState,
    caller: &Caller,
    cart: &Cart,
    facts: &Facts,
    coupon: Option<&Coupon>,
    settings: &Settings,
) -> CartView {
    let demand = facts.demand(&cart.lines);
    let stock = facts.stock();
    let mut notices = Vec::new();
    let mut priced = Vec::new();
    let lines: Vec<LineView> = cart
        .lines
        .iter()
        .map(|line| {
            let skus = facts.skus_of(line);
            let on_sale = facts.unit_price(line);
            let fits = super::demand::short(&demand, &stock, &skus).is_empty();
            let least = skus
                .iter()
                .map(|s| stock.get(s).copied().unwrap_or(0))
                .min()
                .unwrap_or(0);
            let (name, product_id) = describe(line, facts);
            let unit_price = on_sale.unwrap_or(line.price_at_add);
            if let Some(price) = on_sale {
                priced.push(Line {
                    unit_price: price,
                    quantity: line.quantity,
                    kind: match line.kind {
                        LineKind::Variant => PriceKind::Item,
                        LineKind::Bundle => PriceKind::Bundle {
                            discount_percent: facts
                                .bundles
                                .get(&line.target)
                                .map_or(0, |b| b.discount_percent),
                        },
                    },
                });
            } else {
                notices.push(format!("{name} can no longer be bought"));
            }
            LineView {
                sku: line.sku.clone(),
                kind: line.kind.clone(),
                product_id,
                name,
                quantity: line.quantity,
                unit_price,
                price_at_add: line.price_at_add,
                price_changed: unit_price != line.price_at_add,
                line_total: unit_price * i64::from(line.quantity),
                stock_status: StockStatus::of(least, settings.low_stock_threshold),
                available: on_sale.is_some() && fits,
            }
        })
        .collect();
    let now = accounts::now();
    let rules = settings.into();
    let buyer = buyer(caller);
    let before = pricing::price(&priced, buyer, None, &rules, now.date());
    let coupon = coupon.map(|c| {
        let checked = c
            .terms
            .check(caller.user_id(), &accounts::rfc3339(now), before.subtotal);
        if let Err(refusal) = checked {
            notices.push(format!("coupon {}: {}", c.terms.code, refusal.message()));
        }
        (c, checked)
    });
    let summary = match coupon.as_ref().and_then(|(_, checked)| checked.ok()) {
        Some(value) => pricing::price(&priced, buyer, Some(value), &rules, now.date()),
        None => before,
    };
    CartView {
        id: (cart.version > 0).then(|| cart.id.clone()),
        prices_changed: lines.iter().any(|l| l.price_changed),
        lines,
        coupon: coupon.map(|(c, checked)| CouponView {
            code: c.terms.code.clone(),
            percent_off: c.terms.percent_off,
            amount_off: c.terms.amount_off,
            reserved_until: c.terms.reserved_until.clone(),
            applied: checked.is_ok(),
            problem: checked.err(),
        }),
        summary,
        notices,
        pending_order: cart.pending_order.clone(),
        cart_token: match caller {
            Caller::Guest(id) => Some(token::issue(state.auth(), id)),
            _ => None,
        },
    }
}

/// A line's name and product, as the catalog has them (or its sku when gone).
fn describe(line: &CartLine, facts: &Facts) -> (String, Option<String>) {
    match line.kind {
        LineKind::Variant => match facts.variants.get(&line.sku) {
            Some((p, v)) if p.status != ProductStatus::Draft => {
                (format!("{} ({})", p.name, v.name), Some(p.id.clone()))
            }
            _ => (line.sku.clone(), Some(line.target.clone())),
        },
        LineKind::Bundle => (
            facts
                .bundles
                .get(&line.target)
                .map_or_else(|| line.sku.clone(), |b| b.name.clone()),
            None,
        ),
    }
}
