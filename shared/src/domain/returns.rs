//! Return rules that need no storage: a return's states and reasons, the window after
//! delivery, and what a returned line is worth (its share of what the line was paid).

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// Where a return is. `requested` → `received` (goods back) → `refunded`; `requested` →
/// `rejected`. A received return whose refund is 0, or whose refund failed, stays `received`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReturnStatus {
    Requested,
    Received,
    Refunded,
    Rejected,
}

impl ReturnStatus {
    pub fn name(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Received => "received",
            Self::Refunded => "refunded",
            Self::Rejected => "rejected",
        }
    }
}

/// Why the buyer sends goods back (API.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReturnReason {
    Damaged,
    WrongItem,
    NotAsDescribed,
    NoLongerNeeded,
    Other,
}

/// Whether a return asked at `now` is inside the window of `days` after `delivered_at`.
pub fn within_window(delivered_at: OffsetDateTime, days: u32, now: OffsetDateTime) -> bool {
    now <= delivered_at + Duration::days(i64::from(days))
}

/// What `quantity` units of a line are worth when `before` of its `units` are in earlier
/// returns: the line was paid `paid` (its total less its recorded discount share), spread
/// over its units so that every unit returned, in any order and any batches, adds up to
/// exactly `paid` (each batch is the difference of two floors).
pub fn units_worth(paid: i64, units: u32, before: u32, quantity: u32) -> i64 {
    if units == 0 {
        return 0;
    }
    let upto = |k: u32| paid * i64::from(k.min(units)) / i64::from(units);
    upto(before + quantity) - upto(before)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_units_of_a_line_add_up_to_what_it_was_paid() {
        // 1000 paid for 3 units: 333, 333, 334 whatever the batches.
        assert_eq!(units_worth(1000, 3, 0, 1), 333);
        assert_eq!(units_worth(1000, 3, 1, 1), 333);
        assert_eq!(units_worth(1000, 3, 2, 1), 334);
        assert_eq!(
            units_worth(1000, 3, 0, 2) + units_worth(1000, 3, 2, 1),
            1000
        );
        assert_eq!(units_worth(1000, 3, 0, 3), 1000);
        assert_eq!(units_worth(999, 1, 0, 1), 999);
        assert_eq!(units_worth(0, 2, 0, 2), 0);
        assert_eq!(units_worth(500, 0, 0, 1), 0);
    }

    #[test]
    fn the_window_counts_whole_days_after_delivery() {
        let delivered = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        assert!(within_window(delivered, 30, delivered + Duration::days(30)));
        assert!(!within_window(
            delivered,
            30,
            delivered + Duration::days(30) + Duration::seconds(1)
        ));
        assert!(!within_window(
            delivered,
            0,
            delivered + Duration::seconds(1)
        ));
    }
}
