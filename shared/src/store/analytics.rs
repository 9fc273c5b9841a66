//! Running totals for the admin's analytics, updated as things happen and read with Queries:
//! - `ANALYTICS#SALES#<CURRENCY>` / `DAY#<yyyy-mm-dd>` (UTC): `orders`, `revenue`,
//!   `discounts`, `refunds` of that day;
//! - `ANALYTICS#PRODUCTS` / `PRODUCT#<product id or bundle sku>`: `name`, `units` and
//!   `revenue` sold, `wished` (on wishlists now);
//! - `ANALYTICS#EVENT#<event id>` / `EVENT`: the marker that makes an event count once,
//!   written in the same transaction as its counts (kept 30 days, past any redelivery).

use std::collections::BTreeMap;

use aws_sdk_dynamodb::types::{Put, Update};
use serde::Deserialize;

use super::transact::Transaction;
use super::{StoreError, n, s};
use crate::aws::{Table, TableReader};

const PRODUCTS: &str = "ANALYTICS#PRODUCTS";
const MARKER_DAYS: i64 = 30;

fn sales_pk(currency: &str) -> String {
    format!("ANALYTICS#SALES#{}", currency.to_uppercase())
}

fn product_sk(key: &str) -> String {
    format!("PRODUCT#{key}")
}

/// What one event adds to the day's sales.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SalesDelta {
    pub orders: i64,
    pub revenue: i64,
    pub discounts: i64,
    pub refunds: i64,
}

/// What one event adds to one product's sales.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductDelta {
    /// The product id (a bundle: its sku).
    pub key: String,
    pub name: String,
    pub units: i64,
    pub revenue: i64,
}

/// Adds an event's counts once: false when the event was counted before.
pub async fn count(
    table: &Table,
    event_id: &str,
    currency: &str,
    day: &str,
    sales: &SalesDelta,
    products: &[ProductDelta],
) -> Result<bool, StoreError> {
    let name = table.name().to_owned();
    let expires = time::OffsetDateTime::now_utc().unix_timestamp() + MARKER_DAYS * 86_400;
    let marker = Put::builder()
        .table_name(&name)
        .item("PK", s(format!("ANALYTICS#EVENT#{event_id}")))
        .item("SK", s("EVENT"))
        .item("type", s("analytics_event"))
        .item("expires_at", n(expires))
        .condition_expression("attribute_not_exists(PK)")
        .build()
        .expect("table and item are set");
    let day_update = Update::builder()
        .table_name(&name)
        .key("PK", s(sales_pk(currency)))
        .key("SK", s(format!("DAY#{day}")))
        .update_expression(
            "SET #type = :type, #day = :day ADD orders :o, revenue :r, discounts :d, refunds :f",
        )
        .expression_attribute_names("#type", "type")
        .expression_attribute_names("#day", "day")
        .expression_attribute_values(":type", s("analytics_day"))
        .expression_attribute_values(":day", s(day))
        .expression_attribute_values(":o", n(sales.orders))
        .expression_attribute_values(":r", n(sales.revenue))
        .expression_attribute_values(":d", n(sales.discounts))
        .expression_attribute_values(":f", n(sales.refunds))
        .build()
        .expect("table, key and expression are set");
    let mut tx = Transaction::new(table)
        .put("marker", marker)
        .update("day", day_update);
    for (i, p) in products.iter().take(90).enumerate() {
        tx = tx.update(
            format!("product:{i}"),
            Update::builder()
                .table_name(&name)
                .key("PK", s(PRODUCTS))
                .key("SK", s(product_sk(&p.key)))
                .update_expression(
                    "SET #type = :type, #key = :key, #name = :name ADD units :u, revenue :r",
                )
                .expression_attribute_names("#type", "type")
                .expression_attribute_names("#key", "key")
                .expression_attribute_names("#name", "name")
                .expression_attribute_values(":type", s("analytics_product"))
                .expression_attribute_values(":key", s(&p.key))
                .expression_attribute_values(":name", s(&p.name))
                .expression_attribute_values(":u", n(p.units))
                .expression_attribute_values(":r", n(p.revenue))
                .build()
                .expect("table, key and expression are set"),
        );
    }
    match tx.send().await {
        Ok(_) => Ok(true),
        Err(e) => match e.cancelled() {
            Some(c) if c.condition_failed("marker") => Ok(false),
            _ => Err(e.into_store_error()),
        },
    }
}

/// The update that moves a product's `wished` count by `delta` (in the wishlist's own write).
pub fn wished(table: &str, product_id: &str, delta: i64) -> Update {
    Update::builder()
        .table_name(table)
        .key("PK", s(PRODUCTS))
        .key("SK", s(product_sk(product_id)))
        .update_expression("SET #type = :type, #key = :key ADD wished :w")
        .expression_attribute_names("#type", "type")
        .expression_attribute_names("#key", "key")
        .expression_attribute_values(":type", s("analytics_product"))
        .expression_attribute_values(":key", s(product_id))
        .expression_attribute_values(":w", n(delta))
        .build()
        .expect("table, key and expression are set")
}

/// One day's totals.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Day {
    pub day: String,
    #[serde(default)]
    pub orders: i64,
    #[serde(default)]
    pub revenue: i64,
    #[serde(default)]
    pub discounts: i64,
    #[serde(default)]
    pub refunds: i64,
}

/// The days from `from` to `to` (inclusive, `yyyy-mm-dd`) that have totals, by day.
pub async fn days(
    table: &TableReader,
    currency: &str,
    from: &str,
    to: &str,
) -> Result<BTreeMap<String, Day>, StoreError> {
    let query = table
        .query()
        .key_condition_expression("PK = :pk AND SK BETWEEN :from AND :to")
        .expression_attribute_values(":pk", s(sales_pk(currency)))
        .expression_attribute_values(":from", s(format!("DAY#{from}")))
        .expression_attribute_values(":to", s(format!("DAY#{to}")));
    let found: Vec<Day> = super::every_page(query, "analytics day").await?;
    Ok(found.into_iter().map(|d| (d.day.clone(), d)).collect())
}

/// One product's totals.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ProductTotals {
    pub key: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub units: i64,
    #[serde(default)]
    pub revenue: i64,
    #[serde(default)]
    pub wished: i64,
}

/// Every product's totals (one Query of the partition, every page).
pub async fn products(table: &TableReader) -> Result<Vec<ProductTotals>, StoreError> {
    let query = table
        .query()
        .key_condition_expression("PK = :pk")
        .expression_attribute_values(":pk", s(PRODUCTS));
    super::every_page(query, "analytics product").await
}
