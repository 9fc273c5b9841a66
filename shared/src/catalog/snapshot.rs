//! The catalog index a container holds: loaded on its first listing, then checked against the
//! catalog version (`store::catalog_version`) at most once a second and loaded again when the
//! version moved, so a staff change shows in listings and search within about a second.
//!
//! Loading reads every product (GSI1, one partition per status), every variant (GSI1
//! `VARIANTS`) and every category: Queries, never a Scan. A version change is followed by one
//! more load a little later, in case the index had not caught up with the change yet (GSIs are
//! eventually consistent on AWS), and an index is loaded again at [`MAX_AGE`] whatever the
//! version says: sales change stock without advancing the version, and a missed advance heals.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::listing::Index;
use crate::aws::TableReader;
use crate::domain::catalog::ProductStatus;
use crate::store::{StoreError, catalog_version, categories, products};

/// How often the version is compared.
const CHECK_EVERY: Duration = Duration::from_secs(1);
/// How soon after a version change the index is loaded once more.
const SETTLE: Duration = Duration::from_secs(2);
/// The oldest an index may get.
pub const MAX_AGE: Duration = Duration::from_secs(60);

struct Held {
    index: Arc<Index>,
    version: u64,
    checked: Instant,
    reload_at: Instant,
}

type Slot = Arc<tokio::sync::Mutex<Option<Held>>>;

/// One slot per table (the local server and the tests run several shops in one process).
fn slot(table: &str) -> Slot {
    static SLOTS: OnceLock<Mutex<HashMap<String, Slot>>> = OnceLock::new();
    let mut slots = SLOTS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    slots.entry(table.to_owned()).or_default().clone()
}

/// The index, as fresh as the rules of this module make it.
pub async fn current(table: &TableReader) -> Result<Arc<Index>, StoreError> {
    let slot = slot(table.name());
    // One request at a time checks or loads; the others wait for its result.
    let mut held = slot.lock().await;
    let now = Instant::now();
    if let Some(h) = held.as_mut() {
        if now.duration_since(h.checked) < CHECK_EVERY && now < h.reload_at {
            return Ok(h.index.clone());
        }
        h.checked = now;
        let refreshed = async {
            let version = catalog_version::read(table).await?;
            if version == h.version && now < h.reload_at {
                return Ok(None);
            }
            load(table, version, version != h.version).await.map(Some)
        };
        match refreshed.await {
            Ok(None) => return Ok(h.index.clone()),
            Ok(Some(fresh)) => *h = fresh,
            // A throttle or a blip: the index held is a few seconds old at worst, which beats
            // failing the request. The next check is a second away.
            Err(err) => {
                tracing::warn!(error = %err, "catalog index not refreshed; serving the one held");
                return Ok(h.index.clone());
            }
        }
    } else {
        let version = catalog_version::read(table).await?;
        *held = Some(load(table, version, false).await?);
    }
    Ok(held.as_ref().expect("just loaded").index.clone())
}

/// Loads the index as of `version` (read before loading, so a change during the load is seen
/// as a new version next time).
async fn load(table: &TableReader, version: u64, changed: bool) -> Result<Held, StoreError> {
    let started = Instant::now();
    let (active, draft, archived, variants, categories) = tokio::try_join!(
        products::all_with_status(table, ProductStatus::Active),
        products::all_with_status(table, ProductStatus::Draft),
        products::all_with_status(table, ProductStatus::Archived),
        products::all_variants(table),
        categories::all(table),
    )?;
    let mut all = active;
    all.extend(draft);
    all.extend(archived);
    let index = Index::new(all, variants, &categories);
    tracing::info!(
        products = index.len(),
        version,
        ms = started.elapsed().as_millis() as u64,
        "catalog index loaded"
    );
    let now = Instant::now();
    Ok(Held {
        index: Arc::new(index),
        version,
        checked: now,
        reload_at: now + if changed { SETTLE } else { MAX_AGE },
    })
}
