//! The catalog's rules that span several items: what a product sent by staff must be, how
//! products, categories and reviews are shown to staff and to the public, and which products
//! the public may see.

pub mod bundle;
pub mod filters;
pub mod image;
pub mod listing;
pub mod product;
pub mod resize;
pub mod review;
pub mod search;
pub mod snapshot;
pub mod stripe_sync;
pub mod tree;

use crate::aws::TableReader;
use crate::domain::catalog::{ProductStatus, Slug};
use crate::error::ApiError;
use crate::store::products::{self, Product, Variant};

/// The store's low-stock threshold (a setting, cached per container).
pub async fn low_stock_threshold(table: &TableReader) -> Result<i64, ApiError> {
    Ok(crate::store::settings::current(table)
        .await?
        .low_stock_threshold)
}

/// The active product with this slug and its variants; anything else (no such slug, a draft,
/// an archived product, a slug that cannot be one) is 404 to the public.
pub async fn active_product(
    table: &TableReader,
    slug: &str,
) -> Result<(Product, Vec<Variant>), ApiError> {
    let slug = Slug::parse(slug).map_err(|_| ApiError::NotFound)?;
    let id = products::id_by_slug(table, slug.as_str())
        .await?
        .ok_or(ApiError::NotFound)?;
    products::get(table, &id)
        .await?
        .filter(|(p, _)| p.status == ProductStatus::Active)
        .ok_or(ApiError::NotFound)
}
