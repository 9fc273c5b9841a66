//! Bundles: `BUNDLE#<slug>`/`BUNDLE` with its component skus, type and discount; on GSI1
//! `BUNDLES` and GSI2 `BUNDLES#<type>` (both `<created_at>#<slug>`), newest first.
//!
//! A cart line names a sku or a bundle's slug, so a bundle's slug is also claimed in the sku
//! namespace (`SKU#<SLUG>`, pointing at the bundle): a sku and a bundle can never share a name.
//! Each component product gets a membership item `BUNDLED#<product id>`/`BUNDLE#<slug>`, so a
//! product's page finds its bundles in one Query. All of it is written in one transaction.

use aws_sdk_dynamodb::types::{Delete, Put};
use serde::{Deserialize, Serialize};

use super::transact::Transaction;
use super::{Item, StoreError, get_item, s};
use crate::aws::{Table, TableReader};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BundleType {
    Standard,
    Pro,
    Special,
}

impl BundleType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::Pro => "pro",
            Self::Special => "special",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Bundle {
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Stored as `bundle_type`: every item's own `type` attribute says what the item is.
    #[serde(rename = "bundle_type")]
    pub r#type: BundleType,
    pub discount_percent: u8,
    /// One unit of each, in order.
    pub skus: Vec<String>,
    /// The products the skus belong to (distinct), for the membership items.
    pub product_ids: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Serialize, Deserialize)]
struct BundleItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    #[serde(rename = "GSI1PK")]
    gsi1pk: String,
    #[serde(rename = "GSI1SK")]
    gsi1sk: String,
    #[serde(rename = "GSI2PK")]
    gsi2pk: String,
    #[serde(rename = "GSI2SK")]
    gsi2sk: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(flatten)]
    bundle: Bundle,
}

fn bundle_pk(slug: &str) -> String {
    format!("BUNDLE#{slug}")
}

fn membership(table: &Table, product_id: &str, slug: &str) -> Put {
    Put::builder()
        .table_name(table.name())
        .item("PK", s(format!("BUNDLED#{product_id}")))
        .item("SK", s(bundle_pk(slug)))
        .item("type", s("bundle_membership"))
        .item("slug", s(slug))
        .build()
        .expect("table and item are set")
}

fn item(bundle: &Bundle) -> Result<Item, StoreError> {
    let by_time = format!("{}#{}", bundle.created_at, bundle.slug);
    serde_dynamo::to_item(BundleItem {
        pk: bundle_pk(&bundle.slug),
        sk: "BUNDLE".into(),
        gsi1pk: "BUNDLES".into(),
        gsi1sk: by_time.clone(),
        gsi2pk: format!("BUNDLES#{}", bundle.r#type.as_str()),
        gsi2sk: by_time,
        kind: "bundle".into(),
        bundle: bundle.clone(),
    })
    .map_err(|e| StoreError::serde("bundle", e))
}

#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// Another bundle, or a sku, has this name.
    #[error("the slug is taken")]
    SlugTaken,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Creates a bundle with its sku-namespace claim and its memberships, in one transaction.
pub async fn create(table: &Table, bundle: &Bundle) -> Result<(), BundleError> {
    let mut tx = Transaction::new(table)
        .put(
            "claim",
            Put::builder()
                .table_name(table.name())
                .item("PK", s(format!("SKU#{}", bundle.slug.to_ascii_uppercase())))
                .item("SK", s("SKU"))
                .item("type", s("sku_claim"))
                .item("bundle", s(&bundle.slug))
                .condition_expression("attribute_not_exists(PK)")
                .build()
                .expect("table and item are set"),
        )
        .put(
            "bundle",
            Put::builder()
                .table_name(table.name())
                .set_item(Some(item(bundle)?))
                .condition_expression("attribute_not_exists(PK)")
                .build()
                .expect("table and item are set"),
        );
    for product_id in &bundle.product_ids {
        tx = tx.put(
            format!("member:{product_id}"),
            membership(table, product_id, &bundle.slug),
        );
    }
    tx.send().await.map_err(|e| {
        e.on_condition(|c| {
            (c.condition_failed("claim") || c.condition_failed("bundle"))
                .then_some(BundleError::SlugTaken)
        })
    })?;
    Ok(())
}

/// Replaces a bundle (same slug) if it is still as read (`before.updated_at`), moving its
/// memberships from `before`'s products to `bundle`'s. `false` when it changed meanwhile (or is
/// gone): decide again.
pub async fn replace(table: &Table, before: &Bundle, bundle: &Bundle) -> Result<bool, StoreError> {
    let mut tx = Transaction::new(table).put(
        "bundle",
        Put::builder()
            .table_name(table.name())
            .set_item(Some(item(bundle)?))
            .condition_expression("updated_at = :seen")
            .expression_attribute_values(":seen", s(&before.updated_at))
            .build()
            .expect("table and item are set"),
    );
    for gone in before
        .product_ids
        .iter()
        .filter(|p| !bundle.product_ids.contains(p))
    {
        tx = tx.delete(
            format!("left:{gone}"),
            Delete::builder()
                .table_name(table.name())
                .key("PK", s(format!("BUNDLED#{gone}")))
                .key("SK", s(bundle_pk(&bundle.slug)))
                .build()
                .expect("table and key are set"),
        );
    }
    for added in bundle
        .product_ids
        .iter()
        .filter(|p| !before.product_ids.contains(p))
    {
        tx = tx.put(
            format!("member:{added}"),
            membership(table, added, &bundle.slug),
        );
    }
    match tx.send().await {
        Ok(_) => Ok(true),
        Err(err)
            if err
                .cancelled()
                .is_some_and(|c| c.condition_failed("bundle")) =>
        {
            Ok(false)
        }
        Err(err) => Err(err.into_store_error()),
    }
}

pub async fn get(table: &TableReader, slug: &str) -> Result<Option<Bundle>, StoreError> {
    get_item(table, bundle_pk(slug), "BUNDLE")
        .await?
        .map(|item| serde_dynamo::from_item::<_, BundleItem>(item).map(|i| i.bundle))
        .transpose()
        .map_err(|e| StoreError::serde("bundle", e))
}

/// One page of bundles, newest first: all of them, or those of one type.
pub async fn page(
    table: &TableReader,
    r#type: Option<BundleType>,
    page: &crate::paging::Page,
) -> Result<(Vec<Bundle>, Option<Item>), StoreError> {
    let query = match r#type {
        Some(t) => table
            .query()
            .index_name("GSI2")
            .key_condition_expression("GSI2PK = :pk")
            .expression_attribute_values(":pk", s(format!("BUNDLES#{}", t.as_str()))),
        None => table
            .query()
            .index_name("GSI1")
            .key_condition_expression("GSI1PK = :pk")
            .expression_attribute_values(":pk", s("BUNDLES")),
    };
    let (items, last) = super::newest_first::<BundleItem>(query, page, "bundle").await?;
    Ok((items.into_iter().map(|i| i.bundle).collect(), last))
}

/// The slugs of the bundles a product belongs to.
pub async fn of_product(table: &TableReader, product_id: &str) -> Result<Vec<String>, StoreError> {
    let out = table
        .query()
        .key_condition_expression("PK = :pk")
        .expression_attribute_values(":pk", s(format!("BUNDLED#{product_id}")))
        .send()
        .await
        .map_err(|e| StoreError::from_sdk("Query", &e))?;
    Ok(out
        .items
        .unwrap_or_default()
        .iter()
        .filter_map(|i| i.get("slug").and_then(|v| v.as_s().ok()).cloned())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bundle_survives_its_item_and_keeps_the_item_type() {
        let bundle = Bundle {
            slug: "starter".into(),
            name: "Starter".into(),
            description: String::new(),
            r#type: BundleType::Pro,
            discount_percent: 10,
            skus: vec!["A".into(), "B".into(), "C".into()],
            product_ids: vec!["p1".into(), "p2".into(), "p3".into()],
            created_at: "t".into(),
            updated_at: "t".into(),
        };
        let stored = item(&bundle).unwrap();
        assert_eq!(stored["type"], s("bundle"));
        let back: BundleItem = serde_dynamo::from_item(stored).unwrap();
        assert_eq!(back.bundle, bundle);
    }
}
