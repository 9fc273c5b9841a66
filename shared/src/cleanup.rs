//! The EventBridge-scheduled sweep (every 5 minutes, template.yaml `CleanupFunction`).
//!
//! It releases what has expired and is not yet removed by TTL: pending orders whose stock
//! reservation has lapsed and coupons whose reservation has passed. Each sweep is added with
//! the aggregate it sweeps (orders, coupons); each is a Query on a GSI, never a Scan.

use serde::Serialize;
use time::OffsetDateTime;

use crate::state::{AppState, Need};

/// The clients the cleanup function uses.
pub const NEEDS: &[Need] = &[Need::TableWrite];

/// What one run released, logged and returned to the runtime.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct CleanupReport {
    pub released_orders: u32,
    pub released_coupons: u32,
}

pub async fn run(_state: &AppState, now: OffsetDateTime) -> CleanupReport {
    let report = CleanupReport::default();
    tracing::info!(at = %now, released_orders = report.released_orders, released_coupons = report.released_coupons, "cleanup finished");
    report
}
