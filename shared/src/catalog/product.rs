//! A product as staff send it (checked field by field), and as staff and the public see it.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::catalog::{Price, ProductStatus, Sku, Slug, StockStatus, Tier};
use crate::domain::text;
use crate::error::{ApiError, FieldError};
use crate::store::products::{Image, ImageSizes, MAX_VARIANTS, Product, Variant};

/// The most stock one variant may hold.
pub const MAX_STOCK: i64 = 1_000_000;
const MAX_TAGS: usize = 20;
const MAX_ATTRIBUTES: usize = 20;

/// `POST /admin/products`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductInput {
    /// 1 to 200 characters.
    #[schema(schema_with = crate::domain::schema::text::<200>)]
    pub name: String,
    /// Made from the name when absent.
    #[schema(schema_with = crate::domain::schema::slug_or_null)]
    pub slug: Option<Slug>,
    /// At most 5000 characters.
    #[serde(default)]
    #[schema(schema_with = crate::domain::schema::text_or_blank::<5000>)]
    pub description: String,
    /// A category's slug.
    #[schema(schema_with = crate::domain::schema::slug_or_null)]
    pub category: Option<Slug>,
    /// At most 20, each 1 to 40 characters.
    #[serde(default)]
    #[schema(schema_with = crate::domain::schema::tags)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub featured: bool,
    #[serde(default)]
    pub tier: Tier,
    #[serde(default)]
    pub status: ProductStatus,
    /// 1 to 40 variants, skus unique.
    #[schema(min_items = 1, max_items = 40)]
    pub variants: Vec<VariantInput>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VariantInput {
    #[schema(schema_with = crate::domain::schema::sku, example = "MUG-BLUE")]
    pub sku: Sku,
    /// 1 to 100 characters.
    #[schema(schema_with = crate::domain::schema::text::<100>)]
    pub name: String,
    /// Minor units (pence), 0 to 100000000.
    #[schema(schema_with = crate::domain::schema::int::<0, 100000000>)]
    pub price: Price,
    /// 0 to 1000000 (0 or 1 for a one-of-a-kind variant).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1000000)]
    pub stock: i64,
    /// At most 20, keys 1 to 50 and values 1 to 200 characters.
    #[serde(default)]
    #[schema(schema_with = crate::domain::schema::attributes)]
    pub attributes: BTreeMap<String, String>,
    /// One of a kind: at most 1 in stock and 1 per order.
    #[serde(default)]
    pub unique: bool,
}

impl ProductInput {
    /// The checked product and variants, or every field error at once.
    pub fn into_product(
        self,
        id: String,
        now: String,
    ) -> Result<(Product, Vec<Variant>), ApiError> {
        let mut errors = Vec::new();
        let mut field = |name: String, message: &str| errors.push(FieldError::new(name, message));
        let name = text::clean(&self.name, 200).unwrap_or_else(|e| {
            field("name".into(), &e);
            String::new()
        });
        let slug = match self.slug {
            Some(slug) => slug.as_str().to_owned(),
            None => Slug::from_name(&name)
                .map(|s| s.as_str().to_owned())
                .unwrap_or_else(|| {
                    if !name.is_empty() {
                        field("slug".into(), "cannot be made from this name; give one");
                    }
                    String::new()
                }),
        };
        let description = match self.description.trim() {
            "" => String::new(),
            d => text::clean(d, 5000).unwrap_or_else(|e| {
                field("description".into(), &e);
                String::new()
            }),
        };
        if self.tags.len() > MAX_TAGS {
            field("tags".into(), "at most 20 tags");
        }
        let mut tags = BTreeSet::new();
        for (i, tag) in self.tags.iter().enumerate() {
            match text::clean(tag, 40) {
                Ok(t) => {
                    tags.insert(t.to_lowercase());
                }
                Err(e) => field(format!("tags[{i}]"), &e),
            }
        }
        if self.variants.is_empty() || self.variants.len() > MAX_VARIANTS {
            field("variants".into(), "1 to 40 variants");
        }
        let mut skus = BTreeSet::new();
        let mut variants = Vec::new();
        for (i, v) in self.variants.into_iter().enumerate() {
            let at = |f: &str| format!("variants[{i}].{f}");
            if !skus.insert(v.sku.clone()) {
                field(at("sku"), "appears twice in this product");
            }
            let vname = text::clean(&v.name, 100).unwrap_or_else(|e| {
                field(at("name"), &e);
                String::new()
            });
            let most = if v.unique { 1 } else { MAX_STOCK };
            if !(0..=most).contains(&v.stock) {
                field(
                    at("stock"),
                    if v.unique {
                        "a one-of-a-kind variant holds 0 or 1"
                    } else {
                        "must be 0 to 1000000"
                    },
                );
            }
            if v.attributes.len() > MAX_ATTRIBUTES {
                field(at("attributes"), "at most 20 attributes");
            }
            let mut attributes = BTreeMap::new();
            for (key, value) in &v.attributes {
                match (text::clean(key, 50), text::clean(value, 200)) {
                    (Ok(k), Ok(val)) => {
                        attributes.insert(k, val);
                    }
                    (Err(e), _) | (_, Err(e)) => field(at(&format!("attributes.{key}")), &e),
                }
            }
            variants.push(Variant {
                sku: v.sku.as_str().to_owned(),
                name: vname,
                price: v.price.minor(),
                stock: v.stock,
                attributes,
                unique: v.unique,
                stripe_price: None,
            });
        }
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        let price_from = variants.iter().map(|v| v.price).min().unwrap_or_default();
        Ok((
            Product {
                id,
                slug,
                name,
                description,
                category: self.category.map(|c| c.as_str().to_owned()),
                tags: tags.into_iter().collect(),
                featured: self.featured,
                tier: self.tier,
                status: self.status,
                price_from,
                rating_sum: 0,
                rating_count: 0,
                created_at: now.clone(),
                updated_at: now,
                images: BTreeMap::new(),
            },
            variants,
        ))
    }
}

/// A variant as staff see it: with its stock as a number.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffVariantView {
    pub sku: String,
    pub name: String,
    pub price: i64,
    pub stock: i64,
    pub stock_status: StockStatus,
    pub attributes: BTreeMap<String, String>,
    pub unique: bool,
}

/// A product as staff see it, whatever its status.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffProductView {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub featured: bool,
    pub tier: Tier,
    pub status: ProductStatus,
    pub price_from: i64,
    pub variants: Vec<StaffVariantView>,
    /// Oldest first, with their bucket keys.
    pub images: Vec<StaffImageView>,
    pub created_at: String,
    pub updated_at: String,
}

impl StaffProductView {
    /// The product `id` as staff see it now; `not_found` when there is none.
    pub async fn read(table: &crate::aws::TableReader, id: &str) -> Result<Self, ApiError> {
        let low_stock_threshold = crate::catalog::low_stock_threshold(table).await?;
        let (product, variants) = crate::store::products::get(table, id)
            .await?
            .ok_or(ApiError::NotFound)?;
        Ok(Self::new(product, variants, low_stock_threshold))
    }

    pub fn new(p: Product, variants: Vec<Variant>, low_stock_threshold: i64) -> Self {
        let images = in_order(&p.images)
            .into_iter()
            .map(|i| StaffImageView {
                id: i.id.clone(),
                key: i.key.clone(),
                url: i.url.clone(),
                alt: i.alt.clone(),
                content_type: i.content_type.clone(),
                sizes: i.sizes.clone(),
            })
            .collect();
        Self {
            images,
            variants: variants
                .into_iter()
                .map(|v| StaffVariantView {
                    stock_status: StockStatus::of(v.stock, low_stock_threshold),
                    sku: v.sku,
                    name: v.name,
                    price: v.price,
                    stock: v.stock,
                    attributes: v.attributes,
                    unique: v.unique,
                })
                .collect(),
            id: p.id,
            slug: p.slug,
            name: p.name,
            description: p.description,
            category: p.category,
            tags: p.tags,
            featured: p.featured,
            tier: p.tier,
            status: p.status,
            price_from: p.price_from,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// How the public sees a product's stock as a whole: what all its variants hold together.
pub fn overall_status(variants: &[Variant], low_stock_threshold: i64) -> StockStatus {
    let total: i64 = variants.iter().map(|v| v.stock.max(0)).sum();
    StockStatus::of(total, low_stock_threshold)
}

/// A variant as the public sees it: stock only as a status.
#[derive(Debug, Serialize, ToSchema)]
pub struct VariantView {
    pub sku: String,
    pub name: String,
    pub price: i64,
    pub stock_status: StockStatus,
    pub attributes: BTreeMap<String, String>,
    pub unique: bool,
}

/// `{average, count}`: the average rounded to 2 decimals, `null` while there is no rating.
#[derive(Debug, Serialize, ToSchema)]
pub struct RatingView {
    pub average: Option<f64>,
    pub count: u32,
}

impl RatingView {
    pub fn of(p: &Product) -> Self {
        Self {
            average: (p.rating_count > 0)
                .then(|| (p.rating_sum as f64 / f64::from(p.rating_count) * 100.0).round() / 100.0),
            count: p.rating_count,
        }
    }
}

/// A product's images in the order staff put them, then (new ones) in the order they were
/// attached.
fn in_order(images: &BTreeMap<String, Image>) -> Vec<&Image> {
    let mut out: Vec<&Image> = images.values().collect();
    out.sort_by(|a, b| {
        let at = |i: &Image| i.position.unwrap_or(u32::MAX);
        at(a)
            .cmp(&at(b))
            .then_with(|| a.created_at.cmp(&b.created_at))
    });
    out
}

/// An image as the public sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImageView {
    pub id: String,
    pub url: String,
    pub alt: String,
    pub sizes: Option<ImageSizes>,
}

impl ImageView {
    /// A product's images, oldest first.
    pub fn all(images: &BTreeMap<String, Image>) -> Vec<Self> {
        in_order(images)
            .into_iter()
            .map(|i| Self {
                id: i.id.clone(),
                url: i.url.clone(),
                alt: i.alt.clone(),
                sizes: i.sizes.clone().map(|mut s| {
                    s.thumbnail.key.clear();
                    s.large.key.clear();
                    s
                }),
            })
            .collect()
    }
}

/// An image as staff see it: with the bucket keys.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffImageView {
    pub id: String,
    pub key: String,
    pub url: String,
    pub alt: String,
    pub content_type: String,
    pub sizes: Option<ImageSizes>,
}

/// A product in the public listing (`GET /products/{slug}` has the rest).
#[derive(Debug, Serialize, ToSchema)]
pub struct ProductCard {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub featured: bool,
    pub tier: Tier,
    pub price_from: i64,
    pub stock_status: StockStatus,
    pub rating: RatingView,
    /// The first image's thumbnail (or the original while the sizes are being made).
    pub image: Option<String>,
    pub created_at: String,
}

impl ProductCard {
    pub fn new(p: &Product, variants: &[Variant], low_stock_threshold: i64) -> Self {
        Self {
            id: p.id.clone(),
            slug: p.slug.clone(),
            name: p.name.clone(),
            category: p.category.clone(),
            tags: p.tags.clone(),
            featured: p.featured,
            tier: p.tier,
            price_from: p.price_from,
            stock_status: overall_status(variants, low_stock_threshold),
            rating: RatingView::of(p),
            image: ImageView::all(&p.images)
                .into_iter()
                .next()
                .map(|i| match i.sizes {
                    Some(s) => s.thumbnail.url,
                    None => i.url,
                }),
            created_at: p.created_at.clone(),
        }
    }
}

/// A bundle a product belongs to (`GET /bundles/{slug}` has the rest).
#[derive(Debug, Serialize, ToSchema)]
pub struct BundleRef {
    pub slug: String,
    pub name: String,
    pub discount_percent: u8,
}

/// A product as the public sees it (`GET /products/{slug}`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ProductView {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub featured: bool,
    pub tier: Tier,
    pub price_from: i64,
    pub stock_status: StockStatus,
    pub variants: Vec<VariantView>,
    /// Oldest first; `sizes` once the images worker made them.
    pub images: Vec<ImageView>,
    pub rating: RatingView,
    /// The bundles it belongs to.
    pub bundles: Vec<BundleRef>,
    pub created_at: String,
}

impl ProductView {
    pub fn new(
        p: Product,
        variants: Vec<Variant>,
        bundles: Vec<BundleRef>,
        low_stock_threshold: i64,
    ) -> Self {
        let status = |stock| StockStatus::of(stock, low_stock_threshold);
        Self {
            stock_status: overall_status(&variants, low_stock_threshold),
            variants: variants
                .into_iter()
                .map(|v| VariantView {
                    stock_status: status(v.stock),
                    sku: v.sku,
                    name: v.name,
                    price: v.price,
                    attributes: v.attributes,
                    unique: v.unique,
                })
                .collect(),
            rating: RatingView::of(&p),
            id: p.id,
            slug: p.slug,
            name: p.name,
            description: p.description,
            category: p.category,
            tags: p.tags,
            featured: p.featured,
            tier: p.tier,
            price_from: p.price_from,
            images: ImageView::all(&p.images),
            bundles,
            created_at: p.created_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(json: serde_json::Value) -> Result<(Product, Vec<Variant>), ApiError> {
        let input: ProductInput =
            serde_json::from_value(json).map_err(|e| ApiError::field("body", e.to_string()))?;
        input.into_product("p1".into(), "t".into())
    }

    #[test]
    fn a_product_is_checked_and_its_price_from_is_the_lowest_variant() {
        let (p, v) = input(serde_json::json!({
            "name": " Blue Mug ", "tags": ["Kitchen", "kitchen", "mugs"],
            "variants": [
                {"sku": "mug-l", "name": "Large", "price": 1200, "stock": 3},
                {"sku": "mug-s", "name": "Small", "price": 900}
            ]
        }))
        .unwrap();
        assert_eq!(
            (p.slug.as_str(), p.name.as_str(), p.price_from),
            ("blue-mug", "Blue Mug", 900)
        );
        assert_eq!(p.tags, ["kitchen", "mugs"]);
        assert_eq!(p.status, ProductStatus::Active);
        assert_eq!(v[0].sku, "MUG-L");
    }

    #[test]
    fn every_field_error_is_reported_with_its_path() {
        let err = input(serde_json::json!({
            "name": "", "description": "x".repeat(5001), "tags": ["ok", ""],
            "variants": [
                {"sku": "A", "name": "", "price": 1, "stock": -1},
                {"sku": "a", "name": "B", "price": 1, "stock": 2, "unique": true}
            ]
        }))
        .unwrap_err();
        let ApiError::Validation(errors) = err else {
            panic!("{err:?}")
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        for wanted in [
            "name",
            "description",
            "tags[1]",
            "variants[0].name",
            "variants[0].stock",
            "variants[1].sku",
            "variants[1].stock",
        ] {
            assert!(fields.contains(&wanted), "{wanted} missing from {fields:?}");
        }
        assert!(input(serde_json::json!({"name": "X", "variants": []})).is_err());
    }

    #[test]
    fn the_public_sees_stock_only_as_a_status_and_a_rounded_average() {
        let (mut p, v) = input(serde_json::json!({
            "name": "Mug", "variants": [{"sku": "A", "name": "A", "price": 1, "stock": 2},
                                        {"sku": "B", "name": "B", "price": 1, "stock": 0}]
        }))
        .unwrap();
        p.rating_sum = 10;
        p.rating_count = 3;
        let view = serde_json::to_value(ProductView::new(p, v, Vec::new(), 5)).unwrap();
        assert_eq!(view["variants"][0]["stock_status"], "low_stock");
        assert_eq!(view["variants"][1]["stock_status"], "out_of_stock");
        assert!(view["variants"][0].get("stock").is_none());
        assert_eq!(view["rating"]["average"], 3.33);
        assert!(view.get("status").is_none());
    }
}

/// `PATCH /admin/products/{id}`: the fields given change; `variants` merge by sku (a new sku
/// needs `name` and `price` and starts with no stock: stock changes only through the stock
/// route).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductPatch {
    #[schema(schema_with = crate::domain::schema::text_or_null::<200>)]
    pub name: Option<String>,
    #[schema(schema_with = crate::domain::schema::slug_or_null)]
    pub slug: Option<Slug>,
    #[schema(schema_with = crate::domain::schema::optional_text::<5000>)]
    pub description: Option<String>,
    /// A category's slug, or `null` to take the product out of its category.
    #[serde(default, deserialize_with = "crate::domain::patch::present")]
    #[schema(schema_with = crate::domain::schema::slug_or_null)]
    pub category: Option<Option<Slug>>,
    #[schema(schema_with = crate::domain::schema::tags_or_null)]
    pub tags: Option<Vec<String>>,
    pub featured: Option<bool>,
    pub tier: Option<Tier>,
    pub status: Option<ProductStatus>,
    #[serde(default)]
    #[schema(max_items = 40)]
    pub variants: Vec<VariantPatch>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VariantPatch {
    #[schema(schema_with = crate::domain::schema::sku)]
    pub sku: Sku,
    #[schema(schema_with = crate::domain::schema::text_or_null::<100>)]
    pub name: Option<String>,
    #[schema(schema_with = crate::domain::schema::optional_int::<0, 100000000>)]
    pub price: Option<Price>,
    #[schema(schema_with = crate::domain::schema::attributes_or_null)]
    pub attributes: Option<BTreeMap<String, String>>,
    pub unique: Option<bool>,
}

impl ProductPatch {
    /// The checked change, or every field error at once.
    pub fn into_change(self) -> Result<crate::store::products::ProductChange, ApiError> {
        use crate::store::products::{ProductChange, VariantChange};
        let mut errors = Vec::new();
        let mut clean = |field: String, value: &str, max: usize| {
            text::clean(value, max)
                .map_err(|e| errors.push(FieldError::new(field, e)))
                .ok()
        };
        let name = self
            .name
            .as_deref()
            .and_then(|n| clean("name".into(), n, 200));
        let description = self.description.as_deref().map(|d| match d.trim() {
            "" => String::new(),
            d => clean("description".into(), d, 5000).unwrap_or_default(),
        });
        let too_many_tags = self.tags.as_ref().is_some_and(|t| t.len() > MAX_TAGS);
        let tags = self.tags.as_ref().map(|tags| {
            let mut out = BTreeSet::new();
            for (i, tag) in tags.iter().enumerate() {
                if let Some(t) = clean(format!("tags[{i}]"), tag, 40) {
                    out.insert(t.to_lowercase());
                }
            }
            out.into_iter().collect::<Vec<_>>()
        });
        let mut variants = Vec::new();
        let mut skus = BTreeSet::new();
        for (i, v) in self.variants.into_iter().enumerate() {
            let at = |f: &str| format!("variants[{i}].{f}");
            if !skus.insert(v.sku.clone()) {
                errors.push(FieldError::new(at("sku"), "appears twice in this change"));
            }
            let vname = v.name.as_deref().and_then(|n| {
                text::clean(n, 100)
                    .map_err(|e| errors.push(FieldError::new(at("name"), e)))
                    .ok()
            });
            let attributes = v.attributes.map(|attrs| {
                if attrs.len() > MAX_ATTRIBUTES {
                    errors.push(FieldError::new(at("attributes"), "at most 20 attributes"));
                }
                let mut out = BTreeMap::new();
                for (key, value) in &attrs {
                    match (text::clean(key, 50), text::clean(value, 200)) {
                        (Ok(k), Ok(val)) => {
                            out.insert(k, val);
                        }
                        (Err(e), _) | (_, Err(e)) => {
                            errors.push(FieldError::new(at(&format!("attributes.{key}")), e))
                        }
                    }
                }
                out
            });
            variants.push(VariantChange {
                sku: v.sku.as_str().to_owned(),
                name: vname,
                price: v.price.map(Price::minor),
                attributes,
                unique: v.unique,
            });
        }
        if tags.as_ref().is_some_and(|t| t.len() > MAX_TAGS) {
            errors.push(FieldError::new("tags", "at most 20 tags"));
        }
        if variants.len() > MAX_VARIANTS {
            errors.push(FieldError::new("variants", "at most 40 variants"));
        }
        if too_many_tags {
            errors.push(FieldError::new("tags", "at most 20 tags"));
        }
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        Ok(ProductChange {
            name,
            slug: self.slug.map(|s| s.as_str().to_owned()),
            description,
            category: self
                .category
                .map(|c| c.map(|slug| slug.as_str().to_owned())),
            tags,
            featured: self.featured,
            tier: self.tier,
            status: self.status,
            variants,
        })
    }
}

/// The client errors of a product update.
pub fn update_error(e: crate::store::products::UpdateProductError) -> ApiError {
    use crate::store::products::UpdateProductError as E;
    match e {
        E::NotFound => ApiError::NotFound,
        E::SlugTaken => ApiError::SlugTaken,
        E::SkusTaken(skus) => ApiError::SkuTaken(skus),
        E::CategoryMissing => ApiError::field("category", "no such category"),
        E::TooManyVariants => ApiError::field("variants", "a product has at most 40 variants"),
        E::IncompleteVariants(skus) => ApiError::field(
            "variants",
            format!(
                "a new variant needs a name and a price: {}",
                skus.join(", ")
            ),
        ),
        E::NotUnique(skus) => ApiError::field(
            "variants",
            format!(
                "a one-of-a-kind variant holds at most 1; these hold more: {}",
                skus.join(", ")
            ),
        ),
        E::Store(e) => e.into(),
    }
}
