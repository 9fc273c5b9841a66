//! Coupons: `COUPON#<CODE>`/`COUPON`, on GSI1 `COUPONS` by creation for the admin list. The
//! code is the key, so codes are unique by a conditional put. `redemptions` counts uses:
//! checkout will redeem inside its transaction with `ADD redemptions :one` under
//! `active AND (no max OR redemptions < max) AND (no reservation OR reserved to the buyer and
//! not run out)`, so `max_redemptions` holds under any concurrency.

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use serde::{Deserialize, Serialize};

use super::{Item, StoreError, applied, get_item, n, s};
use crate::aws::{Table, TableReader};
use crate::domain::coupon::CouponTerms;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coupon {
    #[serde(flatten)]
    pub terms: CouponTerms,
    /// Won by a try of luck (not made by an admin).
    #[serde(default)]
    pub luck: bool,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Serialize, Deserialize)]
struct CouponItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    r#type: String,
    #[serde(rename = "GSI1PK")]
    gsi1pk: String,
    #[serde(rename = "GSI1SK")]
    gsi1sk: String,
    /// A reserved (luck) coupon sits on GSI2 by when its reservation runs out, until the
    /// cleanup frees it.
    #[serde(rename = "GSI2PK", default, skip_serializing_if = "Option::is_none")]
    gsi2pk: Option<String>,
    #[serde(rename = "GSI2SK", default, skip_serializing_if = "Option::is_none")]
    gsi2sk: Option<String>,
    #[serde(flatten)]
    coupon: Coupon,
}

pub fn pk(code: &str) -> String {
    format!("COUPON#{code}")
}

pub const SK: &str = "COUPON";
const ALL: &str = "COUPONS";
const RESERVED: &str = "COUPONS#reserved";

/// The coupon's item, for a put of its own or inside a transaction.
pub fn item(coupon: &Coupon) -> Result<Item, StoreError> {
    serde_dynamo::to_item(CouponItem {
        pk: pk(&coupon.terms.code),
        sk: SK.into(),
        r#type: "coupon".into(),
        gsi1pk: ALL.into(),
        gsi1sk: format!("{}#{}", coupon.created_at, coupon.terms.code),
        gsi2pk: coupon
            .terms
            .reserved_until
            .as_ref()
            .map(|_| RESERVED.to_owned()),
        gsi2sk: coupon
            .terms
            .reserved_until
            .as_ref()
            .map(|until| format!("{until}#{}", coupon.terms.code)),
        coupon: coupon.clone(),
    })
    .map_err(|e| StoreError::serde("coupon", e))
}

fn decode(item: Item) -> Result<Coupon, StoreError> {
    serde_dynamo::from_item::<_, CouponItem>(item)
        .map(|i| i.coupon)
        .map_err(|e| StoreError::serde("coupon", e))
}

/// Stores a new coupon; `false` when its code is taken.
pub async fn create(table: &Table, coupon: &Coupon) -> Result<bool, StoreError> {
    let result = table
        .put_item()
        .set_item(Some(item(coupon)?))
        .condition_expression("attribute_not_exists(PK)")
        .send()
        .await;
    applied("PutItem", result)
}

pub async fn get(table: &TableReader, code: &str) -> Result<Option<Coupon>, StoreError> {
    get_item(table, pk(code), SK).await?.map(decode).transpose()
}

/// What an admin may change.
#[derive(Debug, Default)]
pub struct CouponChange {
    pub active: Option<bool>,
    /// `Some(None)` removes the expiry.
    pub expires_at: Option<Option<String>>,
    /// `Some(None)` removes the limit.
    pub max_redemptions: Option<Option<u32>>,
}

/// Applies `change`; `None` when there is no such coupon.
pub async fn update(
    table: &Table,
    code: &str,
    change: &CouponChange,
    now: &str,
) -> Result<Option<Coupon>, StoreError> {
    let mut set = vec!["updated_at = :now".to_owned()];
    let mut remove = Vec::new();
    let mut values: Vec<(&str, AttributeValue)> = vec![(":now", s(now))];
    if let Some(active) = change.active {
        set.push("active = :active".into());
        values.push((":active", AttributeValue::Bool(active)));
    }
    match &change.expires_at {
        Some(Some(at)) => {
            set.push("expires_at = :expires".into());
            values.push((":expires", s(at)));
        }
        Some(None) => remove.push("expires_at"),
        None => {}
    }
    match change.max_redemptions {
        Some(Some(max)) => {
            set.push("max_redemptions = :max".into());
            values.push((":max", n(max)));
        }
        Some(None) => remove.push("max_redemptions"),
        None => {}
    }
    let mut expression = format!("SET {}", set.join(", "));
    if !remove.is_empty() {
        expression.push_str(&format!(" REMOVE {}", remove.join(", ")));
    }
    let mut request = table
        .update_item()
        .key("PK", s(pk(code)))
        .key("SK", s(SK))
        .update_expression(expression)
        .condition_expression("attribute_exists(PK)")
        .return_values(ReturnValue::AllNew);
    for (k, v) in values {
        request = request.expression_attribute_values(k, v);
    }
    match request.send().await {
        Ok(out) => out.attributes.map(decode).transpose(),
        Err(e) if super::condition_failed(&e) => Ok(None),
        Err(e) => Err(StoreError::from_sdk("UpdateItem", &e)),
    }
}

/// The reserved coupons whose reservation ran out at or before `at`, oldest first.
pub async fn past_reservation(table: &TableReader, at: &str) -> Result<Vec<Coupon>, StoreError> {
    let items: Vec<CouponItem> = super::due_on_gsi2(table, RESERVED, at, "coupon").await?;
    Ok(items.into_iter().map(|i| i.coupon).collect())
}

/// Frees a reserved coupon whose reservation ran out: it can no longer be used by anyone and
/// leaves the sweep's index. `false` when another run freed it first (or it changed).
pub async fn free(table: &Table, coupon: &Coupon, now: &str) -> Result<bool, StoreError> {
    let result = table
        .update_item()
        .key("PK", s(pk(&coupon.terms.code)))
        .key("SK", s(SK))
        .update_expression("SET active = :false, updated_at = :now REMOVE GSI2PK, GSI2SK")
        .condition_expression("attribute_exists(GSI2PK) AND reserved_until = :seen")
        .expression_attribute_values(":false", AttributeValue::Bool(false))
        .expression_attribute_values(":now", s(now))
        .expression_attribute_values(
            ":seen",
            s(coupon.terms.reserved_until.clone().unwrap_or_default()),
        )
        .send()
        .await;
    applied("UpdateItem", result)
}

/// One page of coupons, newest first.
pub async fn page(
    table: &TableReader,
    page: &crate::paging::Page,
) -> Result<(Vec<Coupon>, Option<Item>), StoreError> {
    let query = table
        .query()
        .index_name("GSI1")
        .key_condition_expression("GSI1PK = :pk")
        .expression_attribute_values(":pk", s(ALL));
    let (items, last) = super::newest_first::<CouponItem>(query, page, "coupon").await?;
    Ok((items.into_iter().map(|i| i.coupon).collect(), last))
}
