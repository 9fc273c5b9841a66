//! The catalog mirrored to Stripe (the worker's `Job::SyncProduct`, queued by every product
//! create, update and archive): a Stripe Product per product (its id is the product's id; it is
//! active while the product is), and one active one-time Price per variant at the variant's
//! price (`metadata[sku]`). Prices cannot change, so a new price makes a new Price and the old
//! one inactive. Each run makes Stripe match the table as it is now, so jobs repeated or
//! arriving out of order converge. The Price ids are recorded on the variants, and Checkout
//! Sessions use them for lines sold at that price.

use std::collections::BTreeMap;

use crate::domain::catalog::ProductStatus;
use crate::error::ApiError;
use crate::notify::{Job, enqueue};
use crate::state::AppState;
use crate::store::products::{self, StripePrice};
use crate::store::settings;
use crate::stripe::{Payments, ProductSync};

/// What one sync did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Synced {
    pub prices_created: usize,
    pub prices_deactivated: usize,
}

/// Queues the sync of a product that changed (`Need::Queue`). A queue failure is logged, not
/// the caller's: the product is saved, and its next change (or `shopctl`) syncs it again.
pub async fn queue(state: &AppState, product_id: &str) {
    let job = Job::SyncProduct {
        product_id: product_id.to_owned(),
    };
    if let Err(e) = enqueue(state.queue(), job).await {
        tracing::error!(error = %e, product = product_id, "the Stripe product sync could not be queued");
    }
}

/// Makes Stripe's copy of product `product_id` match the table. A product that is gone is
/// left as Stripe has it (products are archived, never deleted).
pub async fn sync(state: &AppState, product_id: &str) -> Result<Synced, ApiError> {
    let Some((product, variants)) = products::get(state.reader(), product_id).await? else {
        return Ok(Synced::default());
    };
    let currency = settings::current(state.reader())
        .await?
        .currency
        .to_lowercase();
    let stripe = state.stripe();
    let unavailable = |e: crate::stripe::StripeError| {
        tracing::warn!(error = %e, product = product_id, "Stripe product sync failed; the job is retried");
        ApiError::PaymentProviderUnavailable
    };
    let active = product.status == ProductStatus::Active;
    let version = &product.updated_at;
    stripe
        .put_product(
            &ProductSync {
                id: &product.id,
                name: &product.name,
                description: &product.description,
                active,
            },
            &format!("product-{}-{version}", product.id),
        )
        .await
        .map_err(unavailable)?;
    // What each sku should cost at Stripe (nothing, once the product is not on sale).
    let wanted: BTreeMap<&str, i64> = if active {
        variants.iter().map(|v| (v.sku.as_str(), v.price)).collect()
    } else {
        BTreeMap::new()
    };
    let existing = stripe
        .active_prices(&product.id)
        .await
        .map_err(unavailable)?;
    let mut synced = Synced::default();
    let mut kept: BTreeMap<&str, &str> = BTreeMap::new();
    for price in &existing {
        let sku = price.metadata.get("sku").map(String::as_str).unwrap_or("");
        let current = wanted.get(sku) == price.unit_amount.as_ref()
            && price.currency == currency
            && !kept.contains_key(sku);
        if current {
            kept.insert(sku, &price.id);
        } else {
            stripe
                .deactivate_price(&price.id, &format!("price-{}-off", price.id))
                .await
                .map_err(unavailable)?;
            synced.prices_deactivated += 1;
        }
    }
    for (sku, amount) in &wanted {
        let id = match kept.get(sku) {
            Some(id) => (*id).to_owned(),
            None => {
                let key = format!("price-{}-{sku}-{amount}-{version}", product.id);
                let made = stripe
                    .create_price(&product.id, sku, &currency, *amount, &key)
                    .await
                    .map_err(unavailable)?;
                synced.prices_created += 1;
                made.id
            }
        };
        let recorded = variants
            .iter()
            .find(|v| v.sku == *sku)
            .and_then(|v| v.stripe_price.as_ref());
        if recorded.map(|p| p.id.as_str()) != Some(id.as_str()) {
            let price = StripePrice {
                id,
                amount: *amount,
            };
            products::set_stripe_price(state.table(), &product.id, sku, &price).await?;
        }
    }
    Ok(synced)
}
