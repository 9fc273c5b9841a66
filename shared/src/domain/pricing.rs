//! The pricing rules of the shop (PRICING.md), once: a cart's lines, the buyer, the applied
//! coupon and the settings in; every figure of the summary out. The cart view, checkout, the
//! Stripe amount and the order all call [`price`], so they cannot disagree.
//!
//! Amounts are integers in minor units. Every percentage is applied with round-half-up to the
//! minor unit, step by step in the documented order.

use serde::Serialize;
use time::Date;
use utoipa::ToSchema;

/// What a line is, for pricing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// One product variant.
    Item,
    /// A bundle: its unit price is the sum of its components' current prices.
    Bundle { discount_percent: u8 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    /// The current unit (list) price.
    pub unit_price: i64,
    pub quantity: u32,
    pub kind: LineKind,
}

/// Who is buying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Buyer {
    Guest,
    /// Signed in, with no paid order yet: gets the first-time discount and free delivery.
    FirstTime,
    Returning,
}

/// What an applied (and valid) coupon takes off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CouponValue {
    Percent(u8),
    /// Minor units, at most what is left.
    Amount(i64),
}

/// The settings pricing reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    pub first_time_discount_percent: u8,
    pub free_delivery_threshold: i64,
    pub delivery_fee: i64,
    pub currency: String,
}

impl From<&super::settings::Settings> for Rules {
    fn from(s: &super::settings::Settings) -> Self {
        Self {
            first_time_discount_percent: s.first_time_discount_percent,
            free_delivery_threshold: s.free_delivery_threshold,
            delivery_fee: s.delivery_fee,
            currency: s.currency.clone(),
        }
    }
}

/// Every figure of PRICING.md.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Summary {
    pub subtotal: i64,
    pub bundle_discount: i64,
    pub first_time_discount: i64,
    pub coupon_discount: i64,
    pub discounted_subtotal: i64,
    pub delivery_fee: i64,
    pub total: i64,
    pub amount_to_free_delivery: i64,
    /// The pricing date + 2 days (`YYYY-MM-DD`).
    pub estimated_delivery_date: String,
    pub currency: String,
    /// Each line's list total (unit price × quantity, before any discount), in line order.
    #[serde(skip)]
    pub line_totals: Vec<i64>,
}

/// `percent` % of a non-negative `amount`, rounded half up to the minor unit.
pub fn percent_of(amount: i64, percent: u8) -> i64 {
    (amount * i64::from(percent) + 50) / 100
}

/// Prices a cart on `today`.
pub fn price(
    lines: &[Line],
    buyer: Buyer,
    coupon: Option<CouponValue>,
    rules: &Rules,
    today: Date,
) -> Summary {
    let line_totals: Vec<i64> = lines
        .iter()
        .map(|l| l.unit_price.max(0) * i64::from(l.quantity))
        .collect();
    let subtotal: i64 = line_totals.iter().sum();
    let bundle_discount: i64 = lines
        .iter()
        .zip(&line_totals)
        .map(|(l, total)| match l.kind {
            LineKind::Bundle { discount_percent } => percent_of(*total, discount_percent),
            LineKind::Item => 0,
        })
        .sum();
    let after_bundles = subtotal - bundle_discount;
    let first_time_discount = match buyer {
        Buyer::FirstTime => percent_of(after_bundles, rules.first_time_discount_percent),
        Buyer::Guest | Buyer::Returning => 0,
    };
    let left = after_bundles - first_time_discount;
    let coupon_discount = match coupon {
        Some(CouponValue::Percent(p)) => percent_of(left, p),
        Some(CouponValue::Amount(a)) => a.clamp(0, left),
        None => 0,
    };
    let discounted_subtotal = left - coupon_discount;
    let free = lines.is_empty()
        || discounted_subtotal >= rules.free_delivery_threshold
        || buyer == Buyer::FirstTime;
    let delivery_fee = if free { 0 } else { rules.delivery_fee };
    Summary {
        subtotal,
        bundle_discount,
        first_time_discount,
        coupon_discount,
        discounted_subtotal,
        delivery_fee,
        total: discounted_subtotal + delivery_fee,
        amount_to_free_delivery: if delivery_fee == 0 && !lines.is_empty() {
            0
        } else {
            (rules.free_delivery_threshold - discounted_subtotal).max(0)
        },
        estimated_delivery_date: (today + time::Duration::days(2)).to_string(),
        currency: rules.currency.clone(),
        line_totals,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn rules() -> Rules {
        Rules {
            first_time_discount_percent: 10,
            free_delivery_threshold: 4000,
            delivery_fee: 499,
            currency: "gbp".to_owned(),
        }
    }

    fn item(unit_price: i64, quantity: u32) -> Line {
        Line {
            unit_price,
            quantity,
            kind: LineKind::Item,
        }
    }

    fn bundle(unit_price: i64, quantity: u32, discount_percent: u8) -> Line {
        Line {
            unit_price,
            quantity,
            kind: LineKind::Bundle { discount_percent },
        }
    }

    /// (subtotal, bundle, first-time, coupon, delivery, total)
    fn figures(s: &Summary) -> (i64, i64, i64, i64, i64, i64) {
        (
            s.subtotal,
            s.bundle_discount,
            s.first_time_discount,
            s.coupon_discount,
            s.delivery_fee,
            s.total,
        )
    }

    const TODAY: Date = date!(2026 - 11 - 25);

    #[test]
    fn the_worked_examples_of_pricing_md() {
        let r = rules();
        let ten = Some(CouponValue::Percent(10));
        let cases: [(Vec<Line>, Buyer, Option<CouponValue>, _); 6] = [
            (
                vec![item(1999, 2)],
                Buyer::Returning,
                None,
                (3998, 0, 0, 0, 499, 4497),
            ),
            (
                vec![item(4000, 1)],
                Buyer::Returning,
                None,
                (4000, 0, 0, 0, 0, 4000),
            ),
            (
                vec![item(2500, 1), bundle(6000, 1, 10)],
                Buyer::FirstTime,
                ten,
                (8500, 600, 790, 711, 0, 6399),
            ),
            (
                vec![item(4400, 1)],
                Buyer::Returning,
                ten,
                (4400, 0, 0, 440, 499, 4459),
            ),
            (
                vec![item(1333, 3)],
                Buyer::Guest,
                None,
                (3999, 0, 0, 0, 499, 4498),
            ),
            (
                vec![item(1005, 1)],
                Buyer::FirstTime,
                None,
                (1005, 0, 101, 0, 0, 904),
            ),
        ];
        for (lines, buyer, coupon, want) in cases {
            let s = price(&lines, buyer, coupon, &r, TODAY);
            assert_eq!(figures(&s), want, "{lines:?} {buyer:?} {coupon:?}");
        }
    }

    #[test]
    fn the_rest_of_the_summary() {
        let s = price(&[item(1999, 2)], Buyer::Returning, None, &rules(), TODAY);
        assert_eq!(s.amount_to_free_delivery, 2);
        assert_eq!(s.estimated_delivery_date, "2026-11-27");
        assert_eq!(s.currency, "gbp");
        assert_eq!(s.line_totals, vec![3998]);
        let free = price(&[item(4000, 1)], Buyer::Returning, None, &rules(), TODAY);
        assert_eq!(free.amount_to_free_delivery, 0);
        let empty = price(&[], Buyer::Guest, None, &rules(), TODAY);
        assert_eq!((empty.total, empty.delivery_fee), (0, 0));
    }

    #[test]
    fn an_amount_coupon_larger_than_the_rest_takes_only_the_rest() {
        let s = price(
            &[item(1500, 1)],
            Buyer::Returning,
            Some(CouponValue::Amount(5000)),
            &rules(),
            TODAY,
        );
        assert_eq!(figures(&s), (1500, 0, 0, 1500, 499, 499));
    }

    #[test]
    fn the_free_delivery_threshold_met_exactly_after_discounts() {
        // 4500 − 500 (amount coupon) = 4000: exactly the threshold, so delivery is free.
        let s = price(
            &[item(1500, 3)],
            Buyer::Returning,
            Some(CouponValue::Amount(500)),
            &rules(),
            TODAY,
        );
        assert_eq!(figures(&s), (4500, 0, 0, 500, 0, 4000));
        // One penny under it pays delivery.
        let s = price(
            &[item(1500, 3)],
            Buyer::Returning,
            Some(CouponValue::Amount(501)),
            &rules(),
            TODAY,
        );
        assert_eq!((s.delivery_fee, s.amount_to_free_delivery), (499, 1));
    }

    #[test]
    fn bundle_first_time_and_percent_coupon_with_other_numbers() {
        // Two bundles at 15 % of 3 × 1234 = 3702 each, and 2 × 999.
        let s = price(
            &[bundle(3702, 2, 15), item(999, 2)],
            Buyer::FirstTime,
            Some(CouponValue::Percent(20)),
            &rules(),
            TODAY,
        );
        // subtotal 7404 + 1998 = 9402; bundle round(1110.6) = 1111; first-time round(829.1) =
        // 829; coupon 20 % of 7462 = round(1492.4) = 1492; total 5970, free delivery.
        assert_eq!(figures(&s), (9402, 1111, 829, 1492, 0, 5970));
    }

    fn any_line() -> impl Strategy<Value = Line> {
        (0i64..=1_000_000, 1u32..=99, prop::option::of(0u8..=90)).prop_map(|(p, q, b)| Line {
            unit_price: p,
            quantity: q,
            kind: b.map_or(LineKind::Item, |d| LineKind::Bundle {
                discount_percent: d,
            }),
        })
    }

    fn any_coupon() -> impl Strategy<Value = Option<CouponValue>> {
        prop_oneof![
            Just(None),
            (0u8..=100).prop_map(|p| Some(CouponValue::Percent(p))),
            (0i64..=10_000_000).prop_map(|a| Some(CouponValue::Amount(a))),
        ]
    }

    fn any_buyer() -> impl Strategy<Value = Buyer> {
        prop_oneof![
            Just(Buyer::Guest),
            Just(Buyer::FirstTime),
            Just(Buyer::Returning)
        ]
    }

    proptest! {
        #[test]
        fn figures_add_up_and_no_discount_exceeds_its_base(
            lines in prop::collection::vec(any_line(), 0..20),
            buyer in any_buyer(),
            coupon in any_coupon(),
            first_time in 0u8..=90,
            threshold in 0i64..=100_000,
            fee in 0i64..=2_000,
        ) {
            let r = Rules { first_time_discount_percent: first_time, free_delivery_threshold: threshold, delivery_fee: fee, currency: "gbp".into() };
            let s = price(&lines, buyer, coupon, &r, TODAY);
            prop_assert!(s.total >= 0 && s.discounted_subtotal >= 0);
            prop_assert_eq!(s.subtotal, s.line_totals.iter().sum::<i64>());
            let bundled: i64 = lines.iter().zip(&s.line_totals)
                .filter(|(l, _)| matches!(l.kind, LineKind::Bundle { .. }))
                .map(|(_, t)| *t).sum();
            prop_assert!((0..=bundled).contains(&s.bundle_discount));
            let after_bundles = s.subtotal - s.bundle_discount;
            prop_assert!((0..=after_bundles).contains(&s.first_time_discount));
            let left = after_bundles - s.first_time_discount;
            prop_assert!((0..=left).contains(&s.coupon_discount));
            prop_assert_eq!(
                s.discounted_subtotal,
                s.subtotal - s.bundle_discount - s.first_time_discount - s.coupon_discount
            );
            prop_assert_eq!(s.total, s.discounted_subtotal + s.delivery_fee);
            prop_assert!(s.delivery_fee == 0 || s.delivery_fee == fee);
            if s.delivery_fee > 0 {
                prop_assert_eq!(s.amount_to_free_delivery, threshold - s.discounted_subtotal);
            } else {
                prop_assert!(s.amount_to_free_delivery == 0 || lines.is_empty());
            }
            if buyer != Buyer::FirstTime {
                prop_assert_eq!(s.first_time_discount, 0);
            }
        }
    }
}
