//! Sales and product analytics, kept as running totals (`store::analytics`) that the worker
//! adds to once per event ([`count`]: `order.paid` and `order.refunded`; the wishlist keeps its
//! own count), and read back with Queries only ([`sales`], [`products`]).

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use time::{Date, Duration, Month};
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::notify::{Event, EventKind};
use crate::state::AppState;
use crate::store::analytics::{self as store, Day, ProductDelta, SalesDelta};
use crate::store::{StoreError, carts, orders};

/// Adds `event` to the totals, once per event id: `false` when it counts nothing (another
/// kind, or counted before).
pub async fn count(state: &AppState, event: &Event) -> Result<bool, StoreError> {
    let Some(order_id) = event.order_id.as_deref() else {
        return Ok(false);
    };
    let day = event.at.get(..10).unwrap_or_default();
    match event.kind {
        EventKind::OrderPaid => {
            let Some(order) = orders::get(state.reader(), order_id).await? else {
                return Ok(false);
            };
            let sales = SalesDelta {
                orders: 1,
                revenue: order.total,
                discounts: order.bundle_discount
                    + order.first_time_discount
                    + order.coupon_discount,
                refunds: 0,
            };
            let products: Vec<ProductDelta> = order
                .lines
                .iter()
                .map(|l| ProductDelta {
                    key: l.product_id.clone().unwrap_or_else(|| l.sku.clone()),
                    name: l.name.clone(),
                    units: i64::from(l.quantity),
                    revenue: l.line_total - l.discount,
                })
                .collect();
            store::count(
                state.table(),
                &event.id,
                &order.currency,
                day,
                &sales,
                &products,
            )
            .await
        }
        EventKind::OrderRefunded => {
            let Some(order) = orders::get(state.reader(), order_id).await? else {
                return Ok(false);
            };
            let sales = SalesDelta {
                refunds: event.amount.unwrap_or(0),
                ..SalesDelta::default()
            };
            store::count(state.table(), &event.id, &order.currency, day, &sales, &[]).await
        }
        _ => Ok(false),
    }
}

/// How sales are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Interval {
    Day,
    /// ISO weeks, from Monday.
    Week,
    Month,
}

/// One interval's sales, in minor units of `currency`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Bucket {
    /// The first day of the interval (`yyyy-mm-dd`, UTC), clipped to `from`.
    pub start: String,
    /// Orders paid.
    pub orders: i64,
    /// What those orders were paid (their totals, after discounts, with delivery).
    pub revenue: i64,
    /// `revenue / orders`, rounded half up (0 without orders).
    pub average_order_value: i64,
    /// The discounts those orders got.
    pub discounts: i64,
    /// What was refunded in the interval (of any order).
    pub refunds: i64,
    /// `revenue - refunds`.
    pub net: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SalesReport {
    pub currency: String,
    pub interval: Interval,
    pub from: String,
    pub to: String,
    /// Every interval from `from` to `to`, oldest first (empty ones as zeros).
    pub buckets: Vec<Bucket>,
    pub totals: Bucket,
}

fn start_of(day: Date, interval: Interval) -> Date {
    match interval {
        Interval::Day => day,
        Interval::Week => day - Duration::days(i64::from(day.weekday().number_days_from_monday())),
        Interval::Month => {
            Date::from_calendar_date(day.year(), day.month(), 1).expect("the 1st exists")
        }
    }
}

fn finish(mut b: Bucket) -> Bucket {
    b.average_order_value = if b.orders > 0 {
        (b.revenue * 2 + b.orders) / (b.orders * 2)
    } else {
        0
    };
    b.net = b.revenue - b.refunds;
    b
}

/// The days' totals grouped by `interval` over `from..=to`, every interval present.
pub fn group(
    days: &BTreeMap<String, Day>,
    from: Date,
    to: Date,
    interval: Interval,
) -> (Vec<Bucket>, Bucket) {
    let mut buckets: BTreeMap<Date, Bucket> = BTreeMap::new();
    let mut totals = Bucket::default();
    let mut day = from;
    while day <= to {
        let start = start_of(day, interval).max(from);
        let bucket = buckets.entry(start).or_insert_with(|| Bucket {
            start: start.to_string(),
            ..Bucket::default()
        });
        if let Some(d) = days.get(&day.to_string()) {
            for (sum, b) in [(&mut *bucket, d), (&mut totals, d)] {
                sum.orders += b.orders;
                sum.revenue += b.revenue;
                sum.discounts += b.discounts;
                sum.refunds += b.refunds;
            }
        }
        day = day.next_day().expect("a date before the year 9999");
    }
    totals.start = from.to_string();
    (buckets.into_values().map(finish).collect(), finish(totals))
}

/// The longest range one request may ask for.
pub const MAX_DAYS: i64 = 731;

/// Sales from `from` to `to` (inclusive) in the shop's currency.
pub async fn sales(
    state: &AppState,
    from: Date,
    to: Date,
    interval: Interval,
) -> Result<SalesReport, ApiError> {
    let currency = crate::cart::current_settings(state).await?.currency;
    let days = store::days(
        state.reader(),
        &currency,
        &from.to_string(),
        &to.to_string(),
    )
    .await?;
    let (buckets, totals) = group(&days, from, to, interval);
    Ok(SalesReport {
        currency,
        interval,
        from: from.to_string(),
        to: to.to_string(),
        buckets,
        totals,
    })
}

/// One product in a ranking.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Ranked {
    /// The product id (a bundle: its sku).
    pub product_id: String,
    pub name: Option<String>,
    /// Units sold; wishlists holding it; open carts holding it.
    pub count: i64,
    /// What the units sold were paid (minor units), for the sales rankings.
    pub revenue: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProductsReport {
    pub best_sellers_by_units: Vec<Ranked>,
    pub best_sellers_by_revenue: Vec<Ranked>,
    pub most_wished: Vec<Ranked>,
    /// Products in carts untouched for `abandoned_cart_minutes` (counted once per cart).
    pub most_abandoned: Vec<Ranked>,
}

fn top(mut all: Vec<Ranked>, limit: usize, by: impl Fn(&Ranked) -> i64) -> Vec<Ranked> {
    all.retain(|r| by(r) > 0);
    all.sort_by(|a, b| {
        by(b)
            .cmp(&by(a))
            .then_with(|| a.product_id.cmp(&b.product_id))
    });
    all.truncate(limit);
    all
}

/// The rankings, `limit` each.
pub async fn products(state: &AppState, limit: usize) -> Result<ProductsReport, ApiError> {
    let totals = store::products(state.reader()).await?;
    let names: HashMap<String, Option<String>> = totals
        .iter()
        .map(|t| (t.key.clone(), t.name.clone()))
        .collect();
    let ranked = |count: fn(&store::ProductTotals) -> i64, with_revenue: bool| -> Vec<Ranked> {
        totals
            .iter()
            .map(|t| Ranked {
                product_id: t.key.clone(),
                name: t.name.clone(),
                count: count(t),
                revenue: with_revenue.then_some(t.revenue),
            })
            .collect()
    };
    let by_units = top(ranked(|t| t.units, true), limit, |r| r.count);
    let by_revenue = top(ranked(|t| t.units, true), limit, |r| r.revenue.unwrap_or(0));
    let wished = top(ranked(|t| t.wished, false), limit, |r| r.count);
    // Abandoned carts: one Query of the open carts with lines untouched since the cut-off.
    let settings = crate::cart::current_settings(state).await?;
    let cutoff =
        crate::accounts::now() - Duration::minutes(i64::from(settings.abandoned_cart_minutes));
    let now = crate::accounts::now().unix_timestamp();
    let mut carts_with: BTreeMap<String, i64> = BTreeMap::new();
    for cart in
        carts::all_untouched_since(state.reader(), &crate::accounts::rfc3339(cutoff)).await?
    {
        if cart.expires_at.is_some_and(|e| e <= now) {
            continue;
        }
        // The keys sales are counted under: a product id, or a bundle's sku.
        let mut seen: Vec<String> = cart
            .lines
            .iter()
            .map(|l| match l.kind {
                carts::LineKind::Bundle => l.target.to_uppercase(),
                carts::LineKind::Variant => l.target.clone(),
            })
            .collect();
        seen.sort_unstable();
        seen.dedup();
        for target in seen {
            *carts_with.entry(target).or_default() += 1;
        }
    }
    let abandoned = top(
        carts_with
            .into_iter()
            .map(|(id, count)| Ranked {
                name: names.get(&id).cloned().flatten(),
                product_id: id,
                count,
                revenue: None,
            })
            .collect(),
        limit,
        |r| r.count,
    );
    Ok(ProductsReport {
        best_sellers_by_units: by_units,
        best_sellers_by_revenue: by_revenue,
        most_wished: wished,
        most_abandoned: abandoned,
    })
}

/// `yyyy-mm-dd` (or an RFC 3339 time: its UTC day).
pub fn parse_day(raw: &str) -> Option<Date> {
    let raw = raw.trim();
    if let Some(t) = crate::accounts::parse_rfc3339(raw) {
        return Some(t.to_offset(time::UtcOffset::UTC).date());
    }
    let mut parts = raw.splitn(3, '-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u8 = parts.next()?.parse().ok()?;
    let day: u8 = parts.next()?.parse().ok()?;
    if raw.len() != 10 {
        return None;
    }
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        parse_day(s).unwrap()
    }

    fn day(s: &str, orders: i64, revenue: i64, refunds: i64) -> (String, Day) {
        (
            s.to_owned(),
            Day {
                day: s.to_owned(),
                orders,
                revenue,
                discounts: orders * 10,
                refunds,
            },
        )
    }

    #[test]
    fn days_group_into_weeks_and_months_with_every_interval_present() {
        let days: BTreeMap<String, Day> = [
            day("2026-11-30", 2, 3001, 0),
            day("2026-12-01", 1, 1000, 500),
            day("2026-12-07", 3, 6000, 0),
        ]
        .into_iter()
        .collect();
        let (daily, totals) = group(&days, d("2026-11-30"), d("2026-12-07"), Interval::Day);
        assert_eq!(daily.len(), 8);
        assert_eq!(
            daily[0].average_order_value, 1501,
            "3001 / 2 rounded half up"
        );
        assert_eq!(daily[2].orders, 0);
        assert_eq!(
            (totals.orders, totals.revenue, totals.refunds, totals.net),
            (6, 10001, 500, 9501)
        );
        let (weekly, _) = group(&days, d("2026-11-30"), d("2026-12-07"), Interval::Week);
        let starts: Vec<&str> = weekly.iter().map(|b| b.start.as_str()).collect();
        assert_eq!(starts, ["2026-11-30", "2026-12-07"]);
        assert_eq!(weekly[0].orders, 3);
        let (monthly, _) = group(&days, d("2026-11-30"), d("2026-12-07"), Interval::Month);
        let starts: Vec<&str> = monthly.iter().map(|b| b.start.as_str()).collect();
        assert_eq!(
            starts,
            ["2026-11-30", "2026-12-01"],
            "the first month clipped to from"
        );
        assert_eq!((monthly[1].orders, monthly[1].discounts), (4, 40));
    }

    #[test]
    fn days_are_read_as_dates_or_times() {
        assert_eq!(parse_day("2026-02-28"), Some(d("2026-02-28")));
        assert_eq!(
            parse_day("2026-12-04T23:30:00-02:00"),
            Some(d("2026-12-05"))
        );
        for bad in ["2026-02-30", "2026-2-3", "yesterday", ""] {
            assert_eq!(parse_day(bad), None, "{bad}");
        }
    }
}
