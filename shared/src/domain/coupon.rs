//! Coupon rules, pure: what a code may look like, how one is made, and whether a coupon can be
//! applied by a buyer now (each refusal a stable code of API.md).

use serde::{Deserialize, Serialize};

use super::pricing::CouponValue;
use crate::error::ApiError;

/// A coupon as the rules see it (the stored item carries the same fields).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouponTerms {
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent_off: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_off: Option<i64>,
    /// The cart's subtotal (before discounts) must reach this.
    #[serde(default)]
    pub min_subtotal: i64,
    /// RFC 3339; none never expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_redemptions: Option<u32>,
    #[serde(default)]
    pub redemptions: u32,
    pub active: bool,
    /// A luck coupon is reserved to its winner until `reserved_until`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserved_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserved_until: Option<String>,
}

/// Why a coupon cannot be applied (API.md's codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// Unknown or switched off.
    CouponInvalid,
    CouponExpired,
    CouponMinSubtotal,
    CouponExhausted,
    /// Reserved to someone else.
    CouponReserved,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Self::CouponInvalid => "coupon_invalid",
            Self::CouponExpired => "coupon_expired",
            Self::CouponMinSubtotal => "coupon_min_subtotal",
            Self::CouponExhausted => "coupon_exhausted",
            Self::CouponReserved => "coupon_reserved",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Self::CouponInvalid => "no such coupon, or it is no longer offered",
            Self::CouponExpired => "the coupon has expired",
            Self::CouponMinSubtotal => "the cart's subtotal is below the coupon's minimum",
            Self::CouponExhausted => "the coupon has been used as often as it may be",
            Self::CouponReserved => "the coupon is reserved to another customer",
        }
    }
}

impl From<Refusal> for ApiError {
    fn from(r: Refusal) -> Self {
        ApiError::Coupon {
            code: r.code(),
            message: r.message(),
        }
    }
}

/// A code as given: 3 to 32 letters, digits or dashes, compared upper-case.
pub fn parse_code(raw: &str) -> Option<String> {
    let code = raw.trim().to_ascii_uppercase();
    ((3..=32).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .then_some(code)
}

/// A new code nobody can guess: `prefix` and 12 characters of Crockford base32 (60 random bits).
pub fn generate_code(prefix: &str) -> String {
    let ulid = ulid::Ulid::new().to_string();
    // The last 16 characters of a ULID are its 80 random bits.
    format!("{prefix}{}", &ulid[ulid.len() - 12..])
}

impl CouponTerms {
    /// What the coupon takes off if `buyer` (a user id, or none for a guest) may apply it at
    /// `now` (RFC 3339, fixed width) to a cart of `subtotal`.
    pub fn check(
        &self,
        buyer: Option<&str>,
        now: &str,
        subtotal: i64,
    ) -> Result<CouponValue, Refusal> {
        if !self.active {
            return Err(Refusal::CouponInvalid);
        }
        if let Some(until) = &self.reserved_until {
            if self.reserved_by.as_deref() != buyer && until.as_str() > now {
                return Err(Refusal::CouponReserved);
            }
            if until.as_str() <= now {
                return Err(Refusal::CouponExpired);
            }
        }
        if self.expires_at.as_deref().is_some_and(|at| at <= now) {
            return Err(Refusal::CouponExpired);
        }
        if self
            .max_redemptions
            .is_some_and(|max| self.redemptions >= max)
        {
            return Err(Refusal::CouponExhausted);
        }
        if subtotal < self.min_subtotal {
            return Err(Refusal::CouponMinSubtotal);
        }
        Ok(match (self.percent_off, self.amount_off) {
            (Some(p), _) => CouponValue::Percent(p),
            (None, Some(a)) => CouponValue::Amount(a),
            (None, None) => return Err(Refusal::CouponInvalid),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms() -> CouponTerms {
        CouponTerms {
            code: "SAVE10".into(),
            percent_off: Some(10),
            amount_off: None,
            min_subtotal: 1000,
            expires_at: Some("2026-12-01T00:00:00.000000Z".into()),
            max_redemptions: Some(2),
            redemptions: 1,
            active: true,
            reserved_by: None,
            reserved_until: None,
        }
    }

    const NOW: &str = "2026-11-25T12:00:00.000000Z";

    #[test]
    fn each_rule_has_its_refusal() {
        assert_eq!(terms().check(None, NOW, 1000), Ok(CouponValue::Percent(10)));
        assert_eq!(
            terms().check(None, NOW, 999),
            Err(Refusal::CouponMinSubtotal)
        );
        let off = CouponTerms {
            active: false,
            ..terms()
        };
        assert_eq!(off.check(None, NOW, 5000), Err(Refusal::CouponInvalid));
        assert_eq!(
            terms().check(None, "2026-12-01T00:00:00.000000Z", 5000),
            Err(Refusal::CouponExpired)
        );
        let used = CouponTerms {
            redemptions: 2,
            ..terms()
        };
        assert_eq!(used.check(None, NOW, 5000), Err(Refusal::CouponExhausted));
        let amount = CouponTerms {
            percent_off: None,
            amount_off: Some(700),
            ..terms()
        };
        assert_eq!(amount.check(None, NOW, 5000), Ok(CouponValue::Amount(700)));
    }

    #[test]
    fn a_reservation_holds_for_its_winner_only_until_it_ends() {
        let won = CouponTerms {
            reserved_by: Some("U1".into()),
            reserved_until: Some("2026-11-25T12:10:00.000000Z".into()),
            min_subtotal: 0,
            ..terms()
        };
        assert_eq!(won.check(Some("U1"), NOW, 1), Ok(CouponValue::Percent(10)));
        assert_eq!(won.check(Some("U2"), NOW, 1), Err(Refusal::CouponReserved));
        assert_eq!(won.check(None, NOW, 1), Err(Refusal::CouponReserved));
        let later = "2026-11-25T12:10:00.000000Z";
        assert_eq!(won.check(Some("U1"), later, 1), Err(Refusal::CouponExpired));
        assert_eq!(won.check(Some("U2"), later, 1), Err(Refusal::CouponExpired));
    }

    #[test]
    fn codes_are_plain_and_generated_ones_differ() {
        assert_eq!(parse_code(" save-10 "), Some("SAVE-10".into()));
        assert_eq!(parse_code("ab"), None);
        assert_eq!(parse_code("no spaces"), None);
        assert_eq!(parse_code(&"A".repeat(33)), None);
        let (a, b) = (generate_code("LUCK-"), generate_code("LUCK-"));
        assert_ne!(a, b);
        assert_eq!(a.len(), 17);
        assert_eq!(parse_code(&a), Some(a.clone()));
    }
}
