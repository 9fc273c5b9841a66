//! `CATALOG`/`VERSION`: a counter that every staff change to what the listing shows advances
//! (products, their variants and stock, categories, ratings). Each function's in-memory catalog
//! index compares it at most once a second and reloads when it moved, which is how a staff
//! change reaches listing and search within seconds without a Scan or a message.
//!
//! The counter is advanced after the change succeeded, by its own `ADD` (not inside the change's
//! transaction: concurrent staff writes would then all conflict on this one item). Should that
//! write fail, the change still stands and the indexes pick it up at their maximum age.

use super::{StoreError, get_item, n, s};
use crate::aws::{Table, TableReader};

const PK: &str = "CATALOG";
const SK: &str = "VERSION";

/// The current version (0 before the first change).
pub async fn read(table: &TableReader) -> Result<u64, StoreError> {
    Ok(get_item(table, PK.into(), SK)
        .await?
        .and_then(|item| item.get("version")?.as_n().ok()?.parse().ok())
        .unwrap_or(0))
}

/// Advances the version; a failure is logged, never returned (see the module's doc).
pub async fn bump(table: &Table) {
    let result = table
        .update_item()
        .key("PK", s(PK))
        .key("SK", s(SK))
        .update_expression("ADD version :one")
        .expression_attribute_values(":one", n(1))
        .send()
        .await;
    if let Err(err) = result {
        tracing::warn!(
            error = %StoreError::from_sdk("UpdateItem", &err),
            "the catalog version was not advanced; listings catch up at their maximum age"
        );
    }
}
