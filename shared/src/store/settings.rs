//! `SETTINGS`/`STORE`: the one settings item. Functions read it through a per-container cache
//! that is at most [`MAX_AGE`] old, so an admin's change reaches every function within that
//! time; a write through this process (the local server, or the settings function itself)
//! refreshes the cache at once. Before the first write, the defaults apply.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::{StoreError, get_item};
use crate::aws::{Table, TableReader};
use crate::domain::settings::Settings;

const PK: &str = "SETTINGS";
const SK: &str = "STORE";

/// The oldest a cached copy may be.
pub const MAX_AGE: Duration = Duration::from_secs(10);

#[derive(Serialize, Deserialize)]
struct SettingsItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    r#type: String,
    settings: Settings,
    updated_at: String,
}

/// Cached copies by table (the local server and the tests run several shops in one process).
fn cache() -> &'static Mutex<HashMap<String, (Settings, Instant)>> {
    static CACHE: OnceLock<Mutex<HashMap<String, (Settings, Instant)>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

fn remember(table: &str, settings: &Settings) {
    cache()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(table.to_owned(), (settings.clone(), Instant::now()));
}

/// The settings, from the cache when it is fresh enough.
pub async fn current(table: &TableReader) -> Result<Settings, StoreError> {
    let cached = cache()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(table.name())
        .filter(|(_, at)| at.elapsed() < MAX_AGE)
        .map(|(s, _)| s.clone());
    if let Some(settings) = cached {
        return Ok(settings);
    }
    let settings = read(table).await?;
    remember(table.name(), &settings);
    Ok(settings)
}

/// The stored settings, read now (the defaults before the first write).
pub async fn read(table: &TableReader) -> Result<Settings, StoreError> {
    match get_item(table, PK.into(), SK).await? {
        None => Ok(Settings::default()),
        Some(item) => serde_dynamo::from_item::<_, SettingsItem>(item)
            .map(|i| i.settings)
            .map_err(|e| StoreError::serde("settings", e)),
    }
}

/// Replaces the settings.
pub async fn put(table: &Table, settings: &Settings, now: &str) -> Result<(), StoreError> {
    let item = serde_dynamo::to_item(SettingsItem {
        pk: PK.into(),
        sk: SK.into(),
        r#type: "settings".into(),
        settings: settings.clone(),
        updated_at: now.to_owned(),
    })
    .map_err(|e| StoreError::serde("settings", e))?;
    table
        .put_item()
        .set_item(Some(item))
        .send()
        .await
        .map_err(|e| StoreError::from_sdk("PutItem", &e))?;
    remember(table.name(), settings);
    Ok(())
}
