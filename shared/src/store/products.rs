//! Products and their variants.
//!
//! - `PRODUCT#<id>`/`PRODUCT`: the product (name, slug, status, tier, `price_from`, rating sum
//!   and count); on GSI1 `PRODUCTS#<status>` / `<created_at>#<id>`, newest first per status.
//! - `PRODUCT#<id>`/`VARIANT#<SKU>`: a sellable variant, holding its `stock`; one Query on the
//!   product's partition reads the product with every variant.
//! - `SLUG#<slug>`/`SLUG` and `SKU#<SKU>`/`SKU`: uniqueness claims pointing at the product,
//!   written with it in one transaction under `attribute_not_exists(PK)`, so two products can
//!   never share a slug or a sku, whatever runs at once. A sku's claim is also how a cart or a
//!   checkout finds its product by sku in one read.
//!
//! Stock never goes below zero: every decrement is conditional on there being enough.

use std::collections::BTreeMap;

use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{Put, ReturnValue, ReturnValuesOnConditionCheckFailure};
use serde::{Deserialize, Serialize};

use super::transact::Transaction;
use super::{StoreError, categories, condition_failed, get_item, n, s};
use crate::aws::{Table, TableReader};
use crate::domain::catalog::{ProductStatus, Tier};

/// At most this many variants per product (each takes two actions of the creating
/// transaction, which DynamoDB limits to 100).
pub const MAX_VARIANTS: usize = 40;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Product {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub featured: bool,
    pub tier: Tier,
    pub status: ProductStatus,
    /// The lowest variant price (what the catalog filters and sorts by).
    pub price_from: i64,
    #[serde(default)]
    pub rating_sum: i64,
    #[serde(default)]
    pub rating_count: u32,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Variant {
    pub sku: String,
    pub name: String,
    pub price: i64,
    pub stock: i64,
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    /// One of a kind: at most one per order.
    #[serde(default)]
    pub unique: bool,
}

#[derive(Serialize, Deserialize)]
struct ProductItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    r#type: String,
    #[serde(rename = "GSI1PK")]
    gsi1pk: String,
    #[serde(rename = "GSI1SK")]
    gsi1sk: String,
    #[serde(flatten)]
    product: Product,
}

#[derive(Serialize, Deserialize)]
struct VariantItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    r#type: String,
    product_id: String,
    #[serde(flatten)]
    variant: Variant,
}

pub fn product_pk(id: &str) -> String {
    format!("PRODUCT#{id}")
}

fn variant_sk(sku: &str) -> String {
    format!("VARIANT#{sku}")
}

fn slug_pk(slug: &str) -> String {
    format!("SLUG#{slug}")
}

fn sku_pk(sku: &str) -> String {
    format!("SKU#{sku}")
}

/// The label of a sku's claim in the creating transaction.
fn sku_label(sku: &str) -> String {
    format!("sku:{sku}")
}

#[derive(Debug, thiserror::Error)]
pub enum CreateProductError {
    #[error("a product with this slug exists")]
    SlugTaken,
    #[error("these skus belong to another product: {0:?}")]
    SkusTaken(Vec<String>),
    #[error("the category does not exist")]
    CategoryMissing,
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn claim(table: &Table, pk: String, kind: &str, product_id: &str) -> Put {
    Put::builder()
        .table_name(table.name())
        .item("PK", s(pk))
        .item("SK", s(kind.to_ascii_uppercase()))
        .item("type", s(format!("{kind}_claim")))
        .item("product_id", s(product_id))
        .condition_expression("attribute_not_exists(PK)")
        .build()
        .expect("table and item are set")
}

/// Creates a product with its variants, claiming its slug and every sku, in one transaction.
pub async fn create(
    table: &Table,
    product: &Product,
    variants: &[Variant],
) -> Result<(), CreateProductError> {
    let item = serde_dynamo::to_item(ProductItem {
        pk: product_pk(&product.id),
        sk: "PRODUCT".into(),
        r#type: "product".into(),
        gsi1pk: format!("PRODUCTS#{}", status_key(product.status)),
        gsi1sk: format!("{}#{}", product.created_at, product.id),
        product: product.clone(),
    })
    .map_err(|e| StoreError::serde("product", e))?;
    let mut tx = Transaction::new(table)
        .put(
            "slug",
            claim(table, slug_pk(&product.slug), "slug", &product.id),
        )
        .put(
            "product",
            Put::builder()
                .table_name(table.name())
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(PK)")
                .build()
                .expect("table and item are set"),
        );
    if let Some(category) = &product.category {
        tx = tx.check("category", categories::exists(table, category));
    }
    for variant in variants {
        let item = serde_dynamo::to_item(VariantItem {
            pk: product_pk(&product.id),
            sk: variant_sk(&variant.sku),
            r#type: "variant".into(),
            product_id: product.id.clone(),
            variant: variant.clone(),
        })
        .map_err(|e| StoreError::serde("variant", e))?;
        tx = tx
            .put(
                sku_label(&variant.sku),
                claim(table, sku_pk(&variant.sku), "sku", &product.id),
            )
            .put(
                format!("variant:{}", variant.sku),
                Put::builder()
                    .table_name(table.name())
                    .set_item(Some(item))
                    .build()
                    .expect("table and item are set"),
            );
    }
    tx.send().await.map_err(|e| {
        e.on_condition(|c| {
            if c.condition_failed("slug") {
                return Some(CreateProductError::SlugTaken);
            }
            let taken: Vec<String> = c
                .failed_conditions()
                .filter_map(|l| l.strip_prefix("sku:"))
                .map(str::to_owned)
                .collect();
            if !taken.is_empty() {
                return Some(CreateProductError::SkusTaken(taken));
            }
            c.condition_failed("category")
                .then_some(CreateProductError::CategoryMissing)
        })
    })?;
    Ok(())
}

fn status_key(status: ProductStatus) -> &'static str {
    match status {
        ProductStatus::Draft => "draft",
        ProductStatus::Active => "active",
        ProductStatus::Archived => "archived",
    }
}

/// A product with its variants (in sku order), read consistently in one Query.
pub async fn get(
    table: &TableReader,
    id: &str,
) -> Result<Option<(Product, Vec<Variant>)>, StoreError> {
    let out = table
        .query()
        .key_condition_expression("PK = :pk")
        .expression_attribute_values(":pk", s(product_pk(id)))
        .consistent_read(true)
        .send()
        .await
        .map_err(|e| StoreError::from_sdk("Query", &e))?;
    let mut product = None;
    let mut variants = Vec::new();
    for item in out.items.unwrap_or_default() {
        let sk = item.get("SK").and_then(|v| v.as_s().ok()).cloned();
        match sk.as_deref() {
            Some("PRODUCT") => {
                let p: ProductItem =
                    serde_dynamo::from_item(item).map_err(|e| StoreError::serde("product", e))?;
                product = Some(p.product);
            }
            Some(sk) if sk.starts_with("VARIANT#") => {
                let v: VariantItem =
                    serde_dynamo::from_item(item).map_err(|e| StoreError::serde("variant", e))?;
                variants.push(v.variant);
            }
            // Reviews and other items of the product's partition are not part of it.
            _ => {}
        }
    }
    Ok(product.map(|p| (p, variants)))
}

/// The id of the product with this slug.
pub async fn id_by_slug(table: &TableReader, slug: &str) -> Result<Option<String>, StoreError> {
    Ok(get_item(table, slug_pk(slug), "SLUG")
        .await?
        .and_then(|item| item.get("product_id").and_then(|v| v.as_s().ok()).cloned()))
}

/// A change of a variant's stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StockChange {
    /// Sets it (never below zero: checked before).
    Set(i64),
    /// Adds to it; a result below zero is refused.
    Delta(i64),
}

#[derive(Debug, thiserror::Error)]
pub enum StockError {
    #[error("no such variant")]
    NotFound,
    #[error("only {available} in stock")]
    Insufficient { available: i64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Changes a variant's stock in one conditional write and returns the new stock.
pub async fn change_stock(
    table: &Table,
    product_id: &str,
    sku: &str,
    change: StockChange,
) -> Result<i64, StockError> {
    let update = table
        .update_item()
        .key("PK", s(product_pk(product_id)))
        .key("SK", s(variant_sk(sku)))
        .return_values(ReturnValue::UpdatedNew)
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
    let update = match change {
        StockChange::Set(value) => update
            .update_expression("SET stock = :value")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":value", n(value)),
        // Adding: the variant must exist. Taking away: there must be enough.
        StockChange::Delta(delta) if delta >= 0 => update
            .update_expression("SET stock = stock + :delta")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":delta", n(delta)),
        StockChange::Delta(delta) => update
            .update_expression("SET stock = stock - :take")
            .condition_expression("stock >= :take")
            .expression_attribute_values(":take", n(-delta)),
    };
    match update.send().await {
        Ok(out) => Ok(out
            .attributes
            .and_then(|a| a.get("stock").and_then(|v| v.as_n().ok()?.parse().ok()))
            .unwrap_or_default()),
        Err(err) if condition_failed(&err) => {
            let old = match err.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(e)) => e.item(),
                _ => None,
            };
            match old.and_then(|item| item.get("stock")?.as_n().ok()?.parse().ok()) {
                Some(available) => Err(StockError::Insufficient { available }),
                None => Err(StockError::NotFound),
            }
        }
        Err(err) => Err(StoreError::from_sdk("UpdateItem", &err).into()),
    }
}
