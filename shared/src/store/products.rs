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
use super::{StoreError, catalog_version, categories, condition_failed, get_item, n, s};
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
    /// Attached images by id: a map, so that one is changed or removed by its id alone.
    #[serde(default)]
    pub images: BTreeMap<String, Image>,
}

/// An image attached to a product: the uploaded original and, once the images worker made
/// them, its display sizes. URLs are public (the bucket's `images/` prefix).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Image {
    pub id: String,
    pub key: String,
    pub url: String,
    pub alt: String,
    pub content_type: String,
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sizes: Option<ImageSizes>,
    /// Where staff put it (`PUT .../images/order`); none: after those, oldest first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct ImageSizes {
    pub thumbnail: SizedImage,
    pub large: SizedImage,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct SizedImage {
    #[serde(skip_serializing_if = "String::is_empty", default)]
    #[schema(ignore)]
    pub key: String,
    pub url: String,
    pub width: u32,
    pub height: u32,
}

/// At most this many images per product.
pub const MAX_IMAGES: usize = 10;

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("no such product or image")]
    NotFound,
    #[error("the product has {MAX_IMAGES} images already")]
    TooMany,
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn image_update(
    table: &Table,
    product_id: &str,
) -> aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder {
    table
        .update_item()
        .key("PK", s(product_pk(product_id)))
        .key("SK", s("PRODUCT"))
        .expression_attribute_names("#images", "images")
}

/// Attaches `image` (it also moves `updated_at`, so a staff edit read before it decides again
/// rather than overwriting it).
pub async fn attach_image(
    table: &Table,
    product_id: &str,
    image: &Image,
    now: &str,
) -> Result<(), ImageError> {
    let value: aws_sdk_dynamodb::types::AttributeValue =
        serde_dynamo::to_attribute_value(image).map_err(|e| StoreError::serde("image", e))?;
    let result = image_update(table, product_id)
        .update_expression("SET #images.#id = :image, updated_at = :now")
        .condition_expression("attribute_exists(PK) AND size(#images) < :max")
        .expression_attribute_names("#id", &image.id)
        .expression_attribute_values(":image", value.clone())
        .expression_attribute_values(":now", s(now))
        .expression_attribute_values(":max", n(MAX_IMAGES))
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .send()
        .await;
    match result {
        Ok(_) => {
            catalog_version::bump(table).await;
            Ok(())
        }
        Err(err) if condition_failed(&err) => {
            let old = match err.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(e)) => e.item(),
                _ => None,
            };
            match old {
                None => Err(ImageError::NotFound),
                Some(item) if item.contains_key("images") => Err(ImageError::TooMany),
                // A product stored before images existed: give it the map with this image.
                Some(_) => {
                    let first = image_update(table, product_id)
                        .update_expression("SET #images = :map, updated_at = :now")
                        .condition_expression(
                            "attribute_exists(PK) AND attribute_not_exists(#images)",
                        )
                        .expression_attribute_values(
                            ":map",
                            aws_sdk_dynamodb::types::AttributeValue::M(
                                [(image.id.clone(), value)].into(),
                            ),
                        )
                        .expression_attribute_values(":now", s(now))
                        .send()
                        .await;
                    if super::applied("UpdateItem", first)? {
                        catalog_version::bump(table).await;
                        Ok(())
                    } else {
                        Err(StoreError::contended("the product's images changed meanwhile").into())
                    }
                }
            }
        }
        Err(err) => Err(StoreError::from_sdk("UpdateItem", &err).into()),
    }
}

/// Records an image's display sizes; `false` when the image is no longer attached.
pub async fn set_image_sizes(
    table: &Table,
    product_id: &str,
    image_id: &str,
    sizes: &ImageSizes,
    now: &str,
) -> Result<bool, StoreError> {
    let value: aws_sdk_dynamodb::types::AttributeValue =
        serde_dynamo::to_attribute_value(sizes).map_err(|e| StoreError::serde("image sizes", e))?;
    let result = image_update(table, product_id)
        .update_expression("SET #images.#id.sizes = :sizes, updated_at = :now")
        .condition_expression("attribute_exists(#images.#id)")
        .expression_attribute_names("#id", image_id)
        .expression_attribute_values(":sizes", value)
        .expression_attribute_values(":now", s(now))
        .send()
        .await;
    let done = super::applied("UpdateItem", result)?;
    if done {
        catalog_version::bump(table).await;
    }
    Ok(done)
}

/// Detaches an image and returns it (its objects are the caller's to delete).
pub async fn detach_image(
    table: &Table,
    product_id: &str,
    image_id: &str,
    now: &str,
) -> Result<Image, ImageError> {
    let result = image_update(table, product_id)
        .update_expression("REMOVE #images.#id SET updated_at = :now")
        .condition_expression("attribute_exists(#images.#id)")
        .expression_attribute_names("#id", image_id)
        .expression_attribute_values(":now", s(now))
        .return_values(ReturnValue::AllOld)
        .send()
        .await;
    match result {
        Ok(out) => {
            catalog_version::bump(table).await;
            let old = out
                .attributes
                .and_then(|mut a| a.remove("images"))
                .and_then(|images| images.as_m().ok()?.get(image_id).cloned())
                .ok_or(ImageError::NotFound)?;
            serde_dynamo::from_attribute_value(old)
                .map_err(|e| StoreError::serde("image", e).into())
        }
        Err(err) if condition_failed(&err) => Err(ImageError::NotFound),
        Err(err) => Err(StoreError::from_sdk("UpdateItem", &err).into()),
    }
}

/// Puts a product's images in the order of `ids`, which must be exactly its images: the
/// condition names each one and the count, so an image attached or detached meanwhile makes it
/// refuse (`ImageError::NotFound`) rather than leave one out of the order.
pub async fn reorder_images(
    table: &Table,
    product_id: &str,
    ids: &[String],
    now: &str,
) -> Result<(), ImageError> {
    let mut update = image_update(table, product_id)
        .expression_attribute_names("#position", "position")
        .expression_attribute_values(":now", s(now))
        .expression_attribute_values(":count", n(ids.len()));
    let mut sets = Vec::with_capacity(ids.len() + 1);
    let mut exists = Vec::with_capacity(ids.len() + 1);
    for (i, id) in ids.iter().enumerate() {
        update = update
            .expression_attribute_names(format!("#i{i}"), id)
            .expression_attribute_values(format!(":p{i}"), n(i));
        sets.push(format!("#images.#i{i}.#position = :p{i}"));
        exists.push(format!("attribute_exists(#images.#i{i})"));
    }
    sets.push("updated_at = :now".to_owned());
    exists.push("size(#images) = :count".to_owned());
    let result = update
        .update_expression(format!("SET {}", sets.join(", ")))
        .condition_expression(exists.join(" AND "))
        .send()
        .await;
    match result {
        Ok(_) => {
            catalog_version::bump(table).await;
            Ok(())
        }
        Err(err) if condition_failed(&err) => Err(ImageError::NotFound),
        Err(err) => Err(StoreError::from_sdk("UpdateItem", &err).into()),
    }
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
    /// The Stripe Price the catalog sync made for this sku (Checkout Sessions use it while
    /// its amount is the variant's price).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stripe_price: Option<StripePrice>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct StripePrice {
    pub id: String,
    pub amount: i64,
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

/// A variant's item; every variant is also on GSI1 under [`VARIANTS`], so the catalog index
/// reads all of them (with their stock) in one Query rather than one per product.
#[derive(Serialize, Deserialize)]
struct VariantItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    r#type: String,
    #[serde(rename = "GSI1PK")]
    gsi1pk: String,
    #[serde(rename = "GSI1SK")]
    gsi1sk: String,
    product_id: String,
    #[serde(flatten)]
    variant: Variant,
}

/// GSI1's partition of every variant of the shop, sorted by product then sku.
const VARIANTS: &str = "VARIANTS";

fn variant_item(product_id: &str, variant: &Variant) -> Result<super::Item, StoreError> {
    serde_dynamo::to_item(VariantItem {
        pk: product_pk(product_id),
        sk: variant_sk(&variant.sku),
        r#type: "variant".into(),
        gsi1pk: VARIANTS.into(),
        gsi1sk: format!("{product_id}#{}", variant.sku),
        product_id: product_id.to_owned(),
        variant: variant.clone(),
    })
    .map_err(|e| StoreError::serde("variant", e))
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
        let item = variant_item(&product.id, variant)?;
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
            let taken = c.failed_under("sku:");
            if !taken.is_empty() {
                return Some(CreateProductError::SkusTaken(taken));
            }
            c.condition_failed("category")
                .then_some(CreateProductError::CategoryMissing)
        })
    })?;
    catalog_version::bump(table).await;
    Ok(())
}

fn status_key(status: ProductStatus) -> &'static str {
    match status {
        ProductStatus::Draft => "draft",
        ProductStatus::Active => "active",
        ProductStatus::Archived => "archived",
    }
}

/// A product with its variants (in sku order), read in one Query (consistently unless `table`
/// is [`eventually_consistent`](crate::aws::TableReader::eventually_consistent)).
pub async fn get(
    table: &TableReader,
    id: &str,
) -> Result<Option<(Product, Vec<Variant>)>, StoreError> {
    let out = table
        .query()
        .key_condition_expression("PK = :pk")
        .expression_attribute_values(":pk", s(product_pk(id)))
        .consistent_read(table.consistent_reads())
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
    let result = update.send().await;
    if result.is_ok() {
        catalog_version::bump(table).await;
    }
    match result {
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

/// A change to a variant, or a new variant (by a sku the product does not have yet, starting
/// with no stock). Stock changes only through [`change_stock`].
#[derive(Debug, Clone, Default)]
pub struct VariantChange {
    pub sku: String,
    pub name: Option<String>,
    pub price: Option<i64>,
    pub attributes: Option<BTreeMap<String, String>>,
    pub unique: Option<bool>,
}

/// A change to a product; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ProductChange {
    pub name: Option<String>,
    pub slug: Option<String>,
    pub description: Option<String>,
    /// `Some(None)` takes it out of its category.
    pub category: Option<Option<String>>,
    pub tags: Option<Vec<String>>,
    pub featured: Option<bool>,
    pub tier: Option<Tier>,
    pub status: Option<ProductStatus>,
    pub variants: Vec<VariantChange>,
}

#[derive(Debug, thiserror::Error)]
pub enum UpdateProductError {
    #[error("no such product")]
    NotFound,
    #[error("a product with this slug exists")]
    SlugTaken,
    #[error("these skus belong to another product: {0:?}")]
    SkusTaken(Vec<String>),
    #[error("the category does not exist")]
    CategoryMissing,
    #[error("more than {MAX_VARIANTS} variants")]
    TooManyVariants,
    /// A new sku needs a name and a price.
    #[error("these new variants need a name and a price: {0:?}")]
    IncompleteVariants(Vec<String>),
    /// One-of-a-kind variants hold at most one.
    #[error("these variants hold more than one and cannot be one of a kind: {0:?}")]
    NotUnique(Vec<String>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How many times an update is decided again when the product changed meanwhile.
const UPDATE_ATTEMPTS: u32 = 5;

/// Applies `change` in one transaction that re-checks the product is as read, and returns the
/// product with its variants as they now are.
pub async fn update(
    table: &Table,
    id: &str,
    change: &ProductChange,
    now: &str,
) -> Result<(Product, Vec<Variant>), UpdateProductError> {
    for _ in 0..UPDATE_ATTEMPTS {
        let (old, variants) = get(table, id).await?.ok_or(UpdateProductError::NotFound)?;
        let incomplete: Vec<String> = change
            .variants
            .iter()
            .filter(|c| !variants.iter().any(|v| v.sku == c.sku))
            .filter(|c| c.name.is_none() || c.price.is_none())
            .map(|c| c.sku.clone())
            .collect();
        if !incomplete.is_empty() {
            return Err(UpdateProductError::IncompleteVariants(incomplete));
        }
        let merged = merge(&variants, &change.variants);
        if merged.len() > MAX_VARIANTS {
            return Err(UpdateProductError::TooManyVariants);
        }
        let product = Product {
            name: change.name.clone().unwrap_or_else(|| old.name.clone()),
            slug: change.slug.clone().unwrap_or_else(|| old.slug.clone()),
            description: change
                .description
                .clone()
                .unwrap_or_else(|| old.description.clone()),
            category: change
                .category
                .clone()
                .unwrap_or_else(|| old.category.clone()),
            tags: change.tags.clone().unwrap_or_else(|| old.tags.clone()),
            featured: change.featured.unwrap_or(old.featured),
            tier: change.tier.unwrap_or(old.tier),
            status: change.status.unwrap_or(old.status),
            price_from: merged.iter().map(|v| v.price).min().unwrap_or_default(),
            updated_at: now.to_owned(),
            ..old.clone()
        };
        let item = serde_dynamo::to_item(ProductItem {
            pk: product_pk(id),
            sk: "PRODUCT".into(),
            r#type: "product".into(),
            gsi1pk: format!("PRODUCTS#{}", status_key(product.status)),
            gsi1sk: format!("{}#{}", product.created_at, product.id),
            product: product.clone(),
        })
        .map_err(|e| StoreError::serde("product", e))?;
        // The whole product item, if nobody changed it since it was read (its rating sum and
        // count included: a review in between makes this attempt start again).
        let mut tx = Transaction::new(table).put(
            "product",
            Put::builder()
                .table_name(table.name())
                .set_item(Some(item))
                .condition_expression(
                    "updated_at = :seen AND rating_count = :count AND rating_sum = :sum",
                )
                .expression_attribute_values(":seen", s(&old.updated_at))
                .expression_attribute_values(":count", n(old.rating_count))
                .expression_attribute_values(":sum", n(old.rating_sum))
                .build()
                .expect("table and item are set"),
        );
        if product.slug != old.slug {
            tx = tx
                .put("slug", claim(table, slug_pk(&product.slug), "slug", id))
                .delete(
                    "old slug",
                    aws_sdk_dynamodb::types::Delete::builder()
                        .table_name(table.name())
                        .key("PK", s(slug_pk(&old.slug)))
                        .key("SK", s("SLUG"))
                        .build()
                        .expect("table and key are set"),
                );
        }
        if let Some(Some(category)) = &change.category {
            tx = tx.check("category", categories::exists(table, category));
        }
        for v in &change.variants {
            let Some(current) = merged.iter().find(|m| m.sku == v.sku) else {
                continue;
            };
            if variants.iter().any(|old| old.sku == v.sku) {
                tx = tx.update(
                    format!("unique:{}", v.sku),
                    variant_update(table, id, current),
                );
            } else {
                let item = variant_item(id, current)?;
                tx = tx
                    .put(
                        sku_label(&current.sku),
                        claim(table, sku_pk(&current.sku), "sku", id),
                    )
                    .put(
                        format!("variant:{}", current.sku),
                        Put::builder()
                            .table_name(table.name())
                            .set_item(Some(item))
                            .condition_expression("attribute_not_exists(PK)")
                            .build()
                            .expect("table and item are set"),
                    );
            }
        }
        match tx.send().await {
            Ok(_) => {
                catalog_version::bump(table).await;
                return get(table, id).await?.ok_or(UpdateProductError::NotFound);
            }
            Err(err) => {
                let Some(c) = err.cancelled() else {
                    return Err(err.into_store_error().into());
                };
                if c.condition_failed("slug") {
                    return Err(UpdateProductError::SlugTaken);
                }
                let taken = c.failed_under("sku:");
                if !taken.is_empty() {
                    return Err(UpdateProductError::SkusTaken(taken));
                }
                if c.condition_failed("category") {
                    return Err(UpdateProductError::CategoryMissing);
                }
                let not_unique = c.failed_under("unique:");
                if !not_unique.is_empty() {
                    return Err(UpdateProductError::NotUnique(not_unique));
                }
                // The product (or a new variant) changed meanwhile: decide again.
            }
        }
    }
    Err(StoreError::contended(format!(
        "the product kept changing over {UPDATE_ATTEMPTS} attempts"
    ))
    .into())
}

/// The variants after `changes`: changed fields applied by sku, new skus added with no stock.
fn merge(variants: &[Variant], changes: &[VariantChange]) -> Vec<Variant> {
    let mut out = variants.to_vec();
    for change in changes {
        let index = match out.iter().position(|v| v.sku == change.sku) {
            Some(i) => i,
            None => {
                out.push(Variant {
                    sku: change.sku.clone(),
                    name: String::new(),
                    price: 0,
                    stock: 0,
                    attributes: BTreeMap::new(),
                    unique: false,
                    stripe_price: None,
                });
                out.len() - 1
            }
        };
        let v = &mut out[index];
        if let Some(name) = &change.name {
            v.name = name.clone();
        }
        if let Some(price) = change.price {
            v.price = price;
        }
        if let Some(attributes) = &change.attributes {
            v.attributes = attributes.clone();
        }
        if let Some(unique) = change.unique {
            v.unique = unique;
        }
    }
    out
}

/// The update of an existing variant's own fields (never its stock); a one-of-a-kind variant
/// must hold at most one.
fn variant_update(table: &Table, product_id: &str, v: &Variant) -> aws_sdk_dynamodb::types::Update {
    let attributes = serde_dynamo::to_attribute_value(&v.attributes)
        .expect("a map of strings is an attribute value");
    let builder = if v.unique {
        aws_sdk_dynamodb::types::Update::builder()
            .condition_expression("attribute_exists(PK) AND stock <= :one")
            .expression_attribute_values(":one", n(1))
    } else {
        aws_sdk_dynamodb::types::Update::builder().condition_expression("attribute_exists(PK)")
    };
    builder
        .table_name(table.name())
        .key("PK", s(product_pk(product_id)))
        .key("SK", s(variant_sk(&v.sku)))
        .update_expression(
            "SET #name = :name, price = :price, attributes = :attrs, #unique = :unique",
        )
        .expression_attribute_names("#name", "name")
        .expression_attribute_names("#unique", "unique")
        .expression_attribute_values(":name", s(&v.name))
        .expression_attribute_values(":price", n(v.price))
        .expression_attribute_values(":attrs", attributes)
        .expression_attribute_values(
            ":unique",
            aws_sdk_dynamodb::types::AttributeValue::Bool(v.unique),
        )
        .build()
        .expect("table, key and expression are set")
}

/// The product and variant a sku names (`None`: no such sku, or it names a bundle).
pub async fn by_sku(
    table: &TableReader,
    sku: &str,
) -> Result<Option<(Product, Variant)>, StoreError> {
    let Some(product_id) = get_item(table, sku_pk(sku), "SKU")
        .await?
        .and_then(|item| item.get("product_id").and_then(|v| v.as_s().ok()).cloned())
    else {
        return Ok(None);
    };
    Ok(get(table, &product_id)
        .await?
        .and_then(|(product, variants)| {
            variants
                .into_iter()
                .find(|v| v.sku == sku)
                .map(|variant| (product, variant))
        }))
}

/// Every product with this status, read page by page from GSI1.
pub async fn all_with_status(
    table: &TableReader,
    status: ProductStatus,
) -> Result<Vec<Product>, StoreError> {
    let items: Vec<ProductItem> = super::gsi1_all(
        table,
        &format!("PRODUCTS#{}", status_key(status)),
        "product",
    )
    .await?;
    Ok(items.into_iter().map(|i| i.product).collect())
}

/// Every variant of the shop with its product's id, read page by page from GSI1.
pub async fn all_variants(table: &TableReader) -> Result<Vec<(String, Variant)>, StoreError> {
    let items: Vec<VariantItem> = super::gsi1_all(table, VARIANTS, "variant").await?;
    Ok(items
        .into_iter()
        .map(|i| (i.product_id, i.variant))
        .collect())
}

/// What a sku names: a product's variant or a bundle (whose slug is claimed as a sku).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkuTarget {
    Variant { product_id: String },
    Bundle { slug: String },
}

/// What `sku` (upper-case) names, in one read.
pub async fn sku_target(table: &TableReader, sku: &str) -> Result<Option<SkuTarget>, StoreError> {
    let Some(item) = get_item(table, sku_pk(sku), "SKU").await? else {
        return Ok(None);
    };
    let text = |k: &str| item.get(k).and_then(|v| v.as_s().ok()).cloned();
    Ok(match (text("product_id"), text("bundle")) {
        (Some(product_id), _) => Some(SkuTarget::Variant { product_id }),
        (None, Some(slug)) => Some(SkuTarget::Bundle { slug }),
        (None, None) => None,
    })
}

/// The products and variants of `(product id, sku)` pairs, read with BatchGetItem (at most 100
/// keys per request; unprocessed keys are asked again). Missing ones are left out.
pub async fn variants_by_key(
    table: &TableReader,
    keys: &[(String, String)],
) -> Result<Vec<(Product, Variant)>, StoreError> {
    let mut wanted: Vec<super::Item> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (pid, sku) in keys {
        for sk in ["PRODUCT".to_owned(), variant_sk(sku)] {
            if seen.insert((pid.clone(), sk.clone())) {
                wanted.push(super::key(product_pk(pid), sk));
            }
        }
    }
    let mut products: std::collections::HashMap<String, Product> = Default::default();
    let mut variants: std::collections::HashMap<(String, String), Variant> = Default::default();
    for item in super::batch_get(table, wanted).await? {
        let sk = item
            .get("SK")
            .and_then(|v| v.as_s().ok())
            .cloned()
            .unwrap_or_default();
        if sk == "PRODUCT" {
            let p: ProductItem =
                serde_dynamo::from_item(item).map_err(|e| StoreError::serde("product", e))?;
            products.insert(p.product.id.clone(), p.product);
        } else {
            let v: VariantItem =
                serde_dynamo::from_item(item).map_err(|e| StoreError::serde("variant", e))?;
            variants.insert((v.product_id, v.variant.sku.clone()), v.variant);
        }
    }
    Ok(keys
        .iter()
        .filter_map(|(pid, sku)| {
            let product = products.get(pid)?.clone();
            let variant = variants.get(&(pid.clone(), sku.clone()))?.clone();
            Some((product, variant))
        })
        .collect())
}

/// Records the Stripe Price synced for a variant, unless its price changed meanwhile (the
/// sync that change queued records its own).
pub async fn set_stripe_price(
    table: &Table,
    product_id: &str,
    sku: &str,
    price: &StripePrice,
) -> Result<bool, StoreError> {
    let value = serde_dynamo::to_attribute_value(price)
        .map_err(|e| StoreError::serde("stripe price", e))?;
    let result = table
        .update_item()
        .key("PK", s(product_pk(product_id)))
        .key("SK", s(variant_sk(sku)))
        .update_expression("SET stripe_price = :sp")
        .condition_expression("price = :amount")
        .expression_attribute_values(":sp", value)
        .expression_attribute_values(":amount", n(price.amount))
        .send()
        .await;
    super::applied("UpdateItem", result)
}
