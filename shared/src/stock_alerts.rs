//! The daily stock alert (EventBridge, once a day, template.yaml `StockAlertsFunction`): one
//! email to the shop's staff address (`staff_email` in the settings) listing every sku of an
//! active product at or under the low-stock threshold.
//!
//! Once per day however often it fires: the email is queued under the key
//! `stock-alert-<day>`, and the worker sends each key once (its email claim), so a second run
//! on the same day (EventBridge retries, a person running it locally) sends nothing more.

use std::collections::HashMap;

use serde::Serialize;
use time::OffsetDateTime;

use crate::domain::Email;
use crate::domain::catalog::ProductStatus;
use crate::error::ApiError;
use crate::notify::email::LowStock;
use crate::notify::{EmailKind, EmailMessage, Job, enqueue_keyed};
use crate::state::{AppState, Need};
use crate::store::{products, settings};

/// The clients the stock-alert function uses.
pub const NEEDS: &[Need] = &[Need::TableRead, Need::Queue];

/// What one run found and did.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct StockAlertReport {
    /// The day the alert is for (UTC), from the clock the run read.
    pub day: String,
    pub threshold: i64,
    /// The skus at or under the threshold, scarcest first.
    pub low_skus: Vec<String>,
    /// The queued email's key (`stock-alert-<day>`), when one was queued.
    pub queued: Option<String>,
    /// Why none was queued.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_sent: Option<&'static str>,
}

pub async fn run(state: &AppState, now: OffsetDateTime) -> Result<StockAlertReport, ApiError> {
    let reader = state.reader();
    let settings = settings::read(reader).await?;
    let threshold = settings.low_stock_threshold;
    let day = now.date().to_string();
    let active: HashMap<String, String> = products::all_with_status(reader, ProductStatus::Active)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let mut low: Vec<LowStock> = products::all_variants(reader)
        .await?
        .into_iter()
        .filter(|(_, v)| v.stock <= threshold)
        .filter_map(|(product_id, v)| {
            Some(LowStock {
                product: active.get(&product_id)?.clone(),
                sku: v.sku,
                name: v.name,
                stock: v.stock,
            })
        })
        .collect();
    low.sort_by(|a, b| a.stock.cmp(&b.stock).then_with(|| a.sku.cmp(&b.sku)));
    let low_skus = low.iter().map(|s| s.sku.clone()).collect();
    // `product.low_stock` for webhook subscribers, once per sku and day.
    let at = crate::accounts::rfc3339(now);
    let events = low
        .iter()
        .map(|s| crate::notify::Event::low_stock(&s.sku, s.stock, &day, &at))
        .collect();
    crate::notify::publish(state.queue(), events).await;
    let staff = settings
        .staff_email
        .as_deref()
        .and_then(|e| Email::parse(e).ok());
    let queued: Result<String, &'static str> = match (staff, low.is_empty()) {
        (_, true) => Err("no sku is low"),
        (None, false) => {
            tracing::warn!(
                low = low.len(),
                "skus are low on stock, but no staff_email is set to tell"
            );
            Err("no staff_email in the settings")
        }
        (Some(to), false) => {
            let key = format!("stock-alert-{day}");
            let job = Job::Email(EmailMessage {
                to,
                kind: EmailKind::StockAlert {
                    day: day.clone(),
                    threshold,
                    skus: low,
                },
            });
            enqueue_keyed(state.queue(), key.clone(), job)
                .await
                .map_err(|e| {
                    tracing::error!(error = %e, "the stock alert could not be queued");
                    ApiError::UpstreamUnavailable("queue")
                })?;
            Ok(key)
        }
    };
    tracing::info!(day, threshold, queued = ?queued, "stock alert run");
    Ok(StockAlertReport {
        day,
        threshold,
        low_skus,
        not_sent: queued.as_ref().err().copied(),
        queued: queued.ok(),
    })
}
