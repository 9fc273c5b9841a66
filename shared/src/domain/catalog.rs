//! Catalog values, parsed once at the edge: slugs, skus, prices, product status and tier, and
//! the rule by which the public sees stock (never as a number).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

/// A URL name (products, categories, bundles): 1 to 100 of `a-z`, `0-9` and single inner
/// hyphens.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Slug(String);

pub const MAX_SLUG: usize = 100;

impl Slug {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let ok = !raw.is_empty()
            && raw.len() <= MAX_SLUG
            && !raw.starts_with('-')
            && !raw.ends_with('-')
            && !raw.contains("--")
            && raw
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err("must be 1 to 100 lowercase letters, digits and single hyphens (not first or last)")
        }
    }

    /// A slug made from a name: ASCII letters and digits kept (lowercased), every other run of
    /// characters one hyphen. `None` when nothing is left (a name of only symbols or non-Latin
    /// letters: the caller then asks for a slug).
    pub fn from_name(name: &str) -> Option<Self> {
        let mut out = String::new();
        for c in name.chars() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            } else if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        }
        let mut slug = out.trim_end_matches('-').to_owned();
        slug.truncate(MAX_SLUG);
        let slug = slug.trim_end_matches('-');
        Self::parse(slug).ok()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Slug {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Slug::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// A stock-keeping unit: 1 to 64 of letters, digits, `-`, `_` and `.`; unique across the shop
/// in any letter case, so it is kept upper-case.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Sku(String);

impl Sku {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let raw = raw.trim();
        let ok = !raw.is_empty()
            && raw.len() <= 64
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
        if ok {
            Ok(Self(raw.to_ascii_uppercase()))
        } else {
            Err("must be 1 to 64 letters, digits, '-', '_' or '.'")
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Sku {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Sku {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Sku::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// A price in minor units of the shop's currency (pence): 0 to 100,000,000 (a million pounds).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Price(i64);

pub const MAX_PRICE: i64 = 100_000_000;

impl Price {
    pub fn new(minor: i64) -> Result<Self, &'static str> {
        if (0..=MAX_PRICE).contains(&minor) {
            Ok(Self(minor))
        } else {
            Err("must be a whole number of minor units from 0 to 100000000")
        }
    }

    pub fn minor(self) -> i64 {
        self.0
    }
}

impl<'de> Deserialize<'de> for Price {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Price::new(i64::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// Only active products are public; archived ones are kept for orders.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProductStatus {
    Draft,
    #[default]
    Active,
    Archived,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    #[default]
    Standard,
    Pro,
}

/// How the public sees a variant's stock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StockStatus {
    InStock,
    /// At or under the low-stock threshold, and above zero.
    LowStock,
    OutOfStock,
}

/// The low-stock threshold until store settings exist (API.md `low_stock_threshold`).
pub const DEFAULT_LOW_STOCK_THRESHOLD: i64 = 5;

impl StockStatus {
    pub fn of(stock: i64, low_stock_threshold: i64) -> Self {
        if stock <= 0 {
            Self::OutOfStock
        } else if stock <= low_stock_threshold {
            Self::LowStock
        } else {
            Self::InStock
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_plain_and_made_from_names() {
        assert!(Slug::parse("blue-mug-2").is_ok());
        for bad in ["", "Blue", "-a", "a-", "a--b", "a b", "é", &"a".repeat(101)] {
            assert!(Slug::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            Slug::from_name("  The Blue Mug (350 ml)! ")
                .unwrap()
                .as_str(),
            "the-blue-mug-350-ml"
        );
        assert_eq!(Slug::from_name("Café Noir").unwrap().as_str(), "caf-noir");
        assert!(Slug::from_name("!!!").is_none());
        assert!(Slug::from_name("茶").is_none());
        assert!(Slug::from_name(&"ab ".repeat(80)).unwrap().as_str().len() <= MAX_SLUG);
    }

    #[test]
    fn skus_are_upper_case_and_plain() {
        assert_eq!(
            Sku::parse(" mug-blue_1.0 ").unwrap().as_str(),
            "MUG-BLUE_1.0"
        );
        for bad in ["", "a b", "a/b", &"A".repeat(65)] {
            assert!(Sku::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn prices_and_stock_status() {
        assert!(Price::new(0).is_ok() && Price::new(MAX_PRICE).is_ok());
        assert!(Price::new(-1).is_err() && Price::new(MAX_PRICE + 1).is_err());
        assert!(serde_json::from_str::<Price>("12.5").is_err());
        assert_eq!(StockStatus::of(0, 5), StockStatus::OutOfStock);
        assert_eq!(StockStatus::of(5, 5), StockStatus::LowStock);
        assert_eq!(StockStatus::of(6, 5), StockStatus::InStock);
    }
}
