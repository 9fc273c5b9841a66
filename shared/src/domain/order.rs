//! Order rules that need no storage: the state machine, the short number people read
//! (`HX-7K2M9Q`), and spreading an order-level discount over its lines so that a refund of
//! some lines is exact.

use serde::{Deserialize, Serialize};

/// Where an order is (API.md's state machine).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Stock reserved, awaiting payment.
    Pending,
    Paid,
    Processing,
    Shipped,
    Delivered,
    Cancelled,
    PartiallyRefunded,
    Refunded,
}

/// Who asks for a transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// A payment event (the webhook follow-up or a sync).
    Payment,
    /// The buyer (cancel only).
    Customer,
    Admin,
    /// The cleanup, when a reservation runs out.
    Expiry,
    /// A refund's recorded amounts.
    Refund,
}

impl OrderStatus {
    /// Whether `actor` may move an order from `self` to `to`; anything else is 409
    /// `invalid_transition`. `paid` is set only by a payment.
    pub fn may_become(self, to: OrderStatus, actor: Actor) -> bool {
        use OrderStatus::*;
        matches!(
            (self, to, actor),
            (Pending, Paid, Actor::Payment)
                | (
                    Pending,
                    Cancelled,
                    Actor::Customer | Actor::Admin | Actor::Expiry
                )
                | (Paid | Processing, Cancelled, Actor::Customer | Actor::Admin)
                | (Paid, Processing, Actor::Admin)
                | (Paid | Processing, Shipped, Actor::Admin)
                | (Shipped, Delivered, Actor::Admin)
                | (
                    Paid | Processing | Shipped | Delivered | PartiallyRefunded | Refunded,
                    PartiallyRefunded | Refunded,
                    Actor::Refund,
                )
        )
    }
}

/// Letters and digits a person cannot confuse (Crockford's base32: no I, L, O, U).
const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A new order number: `HX-` and six random characters (about a billion of them; the order
/// is written with a uniqueness condition on its number, and a clash draws again).
pub fn order_number() -> String {
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).expect("the system's random source works");
    let tail: String = bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect();
    format!("HX-{tail}")
}

/// `discount` spread over lines in proportion to their totals, to the minor unit: each line
/// gets the floor of its exact share, and the units left go one each to the lines with the
/// largest remainders (ties to the earlier line). The shares add up to `discount` exactly, and
/// no line gets more than its total, as long as `discount` is at most their sum.
pub fn spread(discount: i64, line_totals: &[i64]) -> Vec<i64> {
    let sum: i64 = line_totals.iter().map(|t| t.max(&0)).sum();
    if sum == 0 || discount <= 0 {
        return vec![0; line_totals.len()];
    }
    let discount = discount.min(sum);
    let exact: Vec<(i64, i128)> = line_totals
        .iter()
        .map(|t| {
            let num = i128::from(discount) * i128::from((*t).max(0));
            ((num / i128::from(sum)) as i64, num % i128::from(sum))
        })
        .collect();
    let mut shares: Vec<i64> = exact.iter().map(|(floor, _)| *floor).collect();
    let left = discount - shares.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..exact.len()).collect();
    order.sort_by(|a, b| exact[*b].1.cmp(&exact[*a].1).then(a.cmp(b)));
    for i in order.into_iter().take(left as usize) {
        shares[i] += 1;
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn numbers_look_like_the_contract_says() {
        let n = order_number();
        assert_eq!(n.len(), 9);
        assert!(n.starts_with("HX-"));
        assert!(n[3..].bytes().all(|b| ALPHABET.contains(&b)));
        assert_ne!(order_number(), order_number());
    }

    #[test]
    fn the_state_machine() {
        use Actor::*;
        use OrderStatus::*;
        assert!(Pending.may_become(Paid, Payment));
        assert!(
            !Pending.may_become(Paid, Admin),
            "paid is set only by a payment"
        );
        assert!(Pending.may_become(Cancelled, Expiry));
        assert!(Paid.may_become(Cancelled, Customer));
        assert!(!Shipped.may_become(Cancelled, Customer));
        assert!(Paid.may_become(Shipped, Admin) && Shipped.may_become(Delivered, Admin));
        assert!(!Delivered.may_become(Shipped, Admin));
        assert!(!Pending.may_become(Shipped, Admin));
        assert!(Delivered.may_become(PartiallyRefunded, Refund));
        assert!(PartiallyRefunded.may_become(Refunded, Refund));
        assert!(!Pending.may_become(Refunded, Refund), "nothing was paid");
        assert!(
            !Cancelled.may_become(Paid, Payment),
            "a late payment is handled apart"
        );
        assert!(!Refunded.may_become(Processing, Admin));
    }

    #[test]
    fn spreads_by_largest_remainder() {
        // 790 over 2500 and 6000: 232.35... and 557.64...: the second gets the unit left.
        assert_eq!(spread(790, &[2500, 6000]), vec![232, 558]);
        // Three equal lines and 100: 33.33 each; the first gets the unit left.
        assert_eq!(spread(100, &[100, 100, 100]), vec![34, 33, 33]);
        assert_eq!(spread(0, &[10, 20]), vec![0, 0]);
        assert_eq!(spread(50, &[0, 0]), vec![0, 0]);
        assert_eq!(
            spread(500, &[100, 200]),
            vec![100, 200],
            "capped at the total"
        );
    }

    proptest! {
        #[test]
        fn shares_add_up_and_stay_within_their_lines(
            totals in prop::collection::vec(0i64..=10_000_000, 1..40),
            fraction in 0.0f64..=1.0,
        ) {
            let sum: i64 = totals.iter().sum();
            let discount = (sum as f64 * fraction) as i64;
            let shares = spread(discount, &totals);
            prop_assert_eq!(shares.len(), totals.len());
            prop_assert_eq!(shares.iter().sum::<i64>(), if sum == 0 { 0 } else { discount });
            for (s, t) in shares.iter().zip(&totals) {
                prop_assert!(*s >= 0 && s <= t);
            }
        }
    }
}
