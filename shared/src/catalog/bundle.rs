//! Bundles: what staff may make (the rules), what they cost, and how they are shown.
//!
//! - At least 3 distinct products, each sku once (3 to 20 skus); a `pro` bundle holds at least
//!   one pro-tier product. A broken rule is 422 `bundle_rules` naming the rule.
//! - `list_price` is the sum of the components' current prices; `price` takes the bundle's
//!   `discount_percent` (default 10) off with round-half-up, as PRICING.md's bundle discount.
//! - Availability is derived: as many bundles as the scarcest component has stock, and none
//!   while a component is off sale.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::aws::TableReader;
use crate::domain::catalog::{ProductStatus, Sku, Slug, StockStatus, Tier};
use crate::domain::text;
use crate::error::{ApiError, FieldError};
use crate::store::bundles::{self, Bundle, BundleType};
use crate::store::products::{self, Product, Variant};

const MIN_PRODUCTS: usize = 3;
const MAX_SKUS: usize = 20;

/// `POST /admin/bundles`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BundleInput {
    /// 1 to 200 characters.
    #[schema(schema_with = crate::domain::schema::text::<200>)]
    pub name: String,
    /// Made from the name when absent.
    #[schema(schema_with = crate::domain::schema::slug_or_null)]
    pub slug: Option<Slug>,
    #[serde(default)]
    #[schema(schema_with = crate::domain::schema::text_or_blank::<2000>)]
    pub description: String,
    #[serde(default = "standard")]
    pub r#type: BundleType,
    /// One unit of each; 3 to 20 skus of at least 3 distinct products.
    #[schema(schema_with = crate::domain::schema::bundle_skus)]
    pub skus: Vec<Sku>,
    /// 1 to 90, default 10.
    #[schema(schema_with = crate::domain::schema::optional_int::<1, 90>)]
    pub discount_percent: Option<i64>,
}

fn standard() -> BundleType {
    BundleType::Standard
}

/// `PATCH /admin/bundles/{slug}`: the fields given change; the same rules hold after.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BundlePatch {
    #[schema(schema_with = crate::domain::schema::text_or_null::<200>)]
    pub name: Option<String>,
    #[schema(schema_with = crate::domain::schema::optional_text::<2000>)]
    pub description: Option<String>,
    pub r#type: Option<BundleType>,
    #[schema(schema_with = crate::domain::schema::bundle_skus_or_null)]
    pub skus: Option<Vec<Sku>>,
    #[schema(schema_with = crate::domain::schema::optional_int::<1, 90>)]
    pub discount_percent: Option<i64>,
}

/// A checked change to a bundle; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct BundleChange {
    pub name: Option<String>,
    pub description: Option<String>,
    pub r#type: Option<BundleType>,
    pub skus: Option<Vec<Sku>>,
    pub discount_percent: Option<u8>,
}

/// How many times a change is decided again when the bundle changed meanwhile.
const UPDATE_ATTEMPTS: u32 = 5;

/// Applies `change`, keeping the rules (checked when the skus or the type change), and decides
/// again on what is there when another change got in first. Returns the bundle as it now is.
pub async fn update(
    table: &crate::aws::Table,
    slug: &str,
    change: &BundleChange,
    now: &str,
) -> Result<Bundle, ApiError> {
    for _ in 0..UPDATE_ATTEMPTS {
        let before = bundles::get(table, slug).await?.ok_or(ApiError::NotFound)?;
        let kind = change.r#type.unwrap_or(before.r#type);
        let (skus, product_ids) = match &change.skus {
            Some(skus) => {
                let components = components(table, skus).await?;
                check_rules(kind, &components)?;
                (
                    components.iter().map(|(_, v)| v.sku.clone()).collect(),
                    product_ids(&components),
                )
            }
            None => {
                // The components stay; a new type is checked against them.
                if kind != before.r#type {
                    let skus: Vec<_> = before
                        .skus
                        .iter()
                        .filter_map(|s| Sku::parse(s).ok())
                        .collect();
                    check_rules(kind, &components(table, &skus).await?)?;
                }
                (before.skus.clone(), before.product_ids.clone())
            }
        };
        let after = Bundle {
            name: change.name.clone().unwrap_or_else(|| before.name.clone()),
            description: change
                .description
                .clone()
                .unwrap_or_else(|| before.description.clone()),
            r#type: kind,
            discount_percent: change.discount_percent.unwrap_or(before.discount_percent),
            skus,
            product_ids,
            updated_at: now.to_owned(),
            ..before.clone()
        };
        if bundles::replace(table, &before, &after).await? {
            return Ok(after);
        }
    }
    Err(ApiError::Busy)
}

pub fn checked_name(name: &str) -> Result<String, ApiError> {
    text::clean(name, 200).map_err(|e| ApiError::field("name", e))
}

pub fn checked_description(description: &str) -> Result<String, ApiError> {
    match description.trim() {
        "" => Ok(String::new()),
        d => text::clean(d, 2000).map_err(|e| ApiError::field("description", e)),
    }
}

pub fn checked_discount(percent: Option<i64>, default: u8) -> Result<u8, ApiError> {
    match percent {
        None => Ok(default),
        Some(p @ 1..=90) => Ok(p as u8),
        Some(_) => Err(ApiError::field("discount_percent", "must be 1 to 90")),
    }
}

/// Each sku's product and variant, all on sale; an unknown or off-sale sku is a field error.
pub async fn components(
    table: &TableReader,
    skus: &[Sku],
) -> Result<Vec<(Product, Variant)>, ApiError> {
    if skus.len() > MAX_SKUS {
        return Err(ApiError::field("skus", "at most 20 skus"));
    }
    let mut seen = BTreeSet::new();
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for (i, sku) in skus.iter().enumerate() {
        if !seen.insert(sku.as_str()) {
            errors.push(FieldError::new(format!("skus[{i}]"), "appears twice"));
            continue;
        }
        match products::by_sku(table, sku.as_str()).await? {
            Some((p, v)) if p.status == ProductStatus::Active => out.push((p, v)),
            _ => errors.push(FieldError::new(
                format!("skus[{i}]"),
                "is no sku of a product on sale",
            )),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// The bundle rules over checked components.
pub fn check_rules(kind: BundleType, components: &[(Product, Variant)]) -> Result<(), ApiError> {
    let distinct: BTreeSet<&str> = components.iter().map(|(p, _)| p.id.as_str()).collect();
    if distinct.len() < MIN_PRODUCTS {
        return Err(ApiError::BundleRules {
            rule: "at_least_3_products",
            detail: format!(
                "a bundle holds at least 3 distinct products, not {}",
                distinct.len()
            ),
        });
    }
    if kind == BundleType::Pro && !components.iter().any(|(p, _)| p.tier == Tier::Pro) {
        return Err(ApiError::BundleRules {
            rule: "pro_bundle_needs_a_pro_product",
            detail: "a pro bundle holds at least one pro-tier product".to_owned(),
        });
    }
    Ok(())
}

/// The distinct product ids of the components, in order.
pub fn product_ids(components: &[(Product, Variant)]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (p, _) in components {
        if !out.contains(&p.id) {
            out.push(p.id.clone());
        }
    }
    out
}

/// `list_price` less `percent` %, rounded half up to the minor unit.
pub fn discounted(list_price: i64, percent: u8) -> i64 {
    list_price - (list_price * i64::from(percent) + 50) / 100
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BundleProductView {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub sku: String,
    pub price: i64,
    pub stock_status: StockStatus,
}

/// A bundle with its current prices and availability.
#[derive(Debug, Serialize, ToSchema)]
pub struct BundleView {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub r#type: BundleType,
    pub discount_percent: u8,
    pub products: Vec<BundleProductView>,
    pub list_price: i64,
    pub price: i64,
    pub stock_status: StockStatus,
    /// False while a component is off sale.
    pub available: bool,
}

/// The bundle as it is now: its components read afresh (one read per sku).
pub async fn view(
    table: &TableReader,
    bundle: &Bundle,
    low_stock_threshold: i64,
) -> Result<BundleView, ApiError> {
    let mut products = Vec::new();
    let mut list_price = 0;
    let mut available = true;
    let mut scarcest = i64::MAX;
    for sku in &bundle.skus {
        match products::by_sku(table, sku).await? {
            Some((p, v)) => {
                available &= p.status == ProductStatus::Active;
                list_price += v.price;
                scarcest = scarcest.min(v.stock);
                products.push(BundleProductView {
                    stock_status: StockStatus::of(v.stock, low_stock_threshold),
                    id: p.id,
                    slug: p.slug,
                    name: p.name,
                    sku: v.sku,
                    price: v.price,
                });
            }
            None => available = false,
        }
    }
    let stock = if available { scarcest.max(0) } else { 0 };
    Ok(BundleView {
        slug: bundle.slug.clone(),
        name: bundle.name.clone(),
        description: bundle.description.clone(),
        r#type: bundle.r#type,
        discount_percent: bundle.discount_percent,
        products,
        list_price,
        price: discounted(list_price, bundle.discount_percent),
        stock_status: StockStatus::of(stock, low_stock_threshold),
        available,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_discount_rounds_half_up_as_pricing_does() {
        // PRICING.md: a bundle of 2000 + 2000 + 2000 at 10 % is 600 off.
        assert_eq!(discounted(6000, 10), 5400);
        assert_eq!(discounted(1005, 10), 904, "100.5 rounds up to 101 off");
        assert_eq!(discounted(1004, 10), 904, "100.4 rounds down to 100 off");
        assert_eq!(discounted(0, 10), 0);
    }
}
