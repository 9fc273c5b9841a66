//! `shopctl generate N`: N fake products (the demo catalog's generator) in the demo category
//! tree, with slugs and skus made unique for this run, so it can run again on the same table.

use shop::aws::Table;
use shop::store::categories::{self, CategoryError};

/// What a generation did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Generated {
    pub written: usize,
    pub failed: Vec<String>,
}

pub async fn generate(table: &Table, count: usize, quiet: bool) -> Result<Generated, String> {
    let catalog = shop_local::demo::generate(count);
    for category in &catalog.categories {
        match categories::create(table, category).await {
            Ok(()) | Err(CategoryError::SlugTaken) => {}
            Err(e) => return Err(format!("category {}: {e}", category.slug)),
        }
    }
    // This run's mark on every slug and sku.
    let run = ulid::Ulid::new().to_string();
    let run = run[run.len() - 6..].to_owned();
    let products = catalog
        .products
        .into_iter()
        .map(|(mut product, mut variants)| {
            product.slug = format!("{}-{}", product.slug, run.to_lowercase());
            for v in &mut variants {
                v.sku = format!("{}-{run}", v.sku);
            }
            (product.slug.clone(), product, variants)
        })
        .collect::<Vec<_>>();
    let bar = crate::progress(products.len(), quiet);
    let mut out = Generated::default();
    for (slug, result) in crate::write_all(table, products, &bar).await {
        match result {
            Ok(()) => out.written += 1,
            Err(e) => out.failed.push(format!("{slug}: {e}")),
        }
    }
    bar.finish_and_clear();
    Ok(out)
}
