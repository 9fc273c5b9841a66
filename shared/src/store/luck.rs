//! Try your luck: the one global counter `COUNTER#luck`/`COUNTER` (advanced by `ADD`, which
//! hands every caller its own position and never conflicts), and each user's try
//! `USER#<id>`/`LUCK` (claimed with a condition, so a user is counted at most once per 24 hours
//! even when two tries arrive together; the result is recorded on it for every later try).
//!
//! The counter is the one deliberately global item of the design: on AWS one item takes about
//! 1,000 writes per second, so that is the ceiling of counted tries (docs/architecture.md).

use aws_sdk_dynamodb::types::{AttributeValue, Put, ReturnValue, Update};
use serde::{Deserialize, Serialize};

use super::transact::Transaction;
use super::{StoreError, get_item, n, s};
use crate::aws::{Table, TableReader};

const COUNTER_PK: &str = "COUNTER#luck";
const COUNTER_SK: &str = "COUNTER";
const TRY_SK: &str = "LUCK";

fn try_pk(user_id: &str) -> String {
    format!("USER#{user_id}")
}

/// What a try came to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Outcome {
    pub won: bool,
    pub position: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon: Option<WonCoupon>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WonCoupon {
    pub code: String,
    pub percent_off: u8,
    pub reserved_until: String,
}

/// A user's try as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Try {
    pub tried_at: String,
    /// Which request holds the claim.
    pub claim: String,
    #[serde(default)]
    pub outcome: Option<Outcome>,
}

/// Claims this user's try for `claim` at `now`, unless they tried after `cutoff` (24 hours
/// ago). `Err(Some(try))` with the try that holds it.
pub async fn claim(
    table: &Table,
    user_id: &str,
    claim: &str,
    now: &str,
    cutoff: &str,
) -> Result<Result<(), Option<Try>>, StoreError> {
    let result = table
        .put_item()
        .item("PK", s(try_pk(user_id)))
        .item("SK", s(TRY_SK))
        .item("type", s("luck_try"))
        .item("tried_at", s(now))
        .item("claim", s(claim))
        .condition_expression("attribute_not_exists(PK) OR tried_at < :cutoff")
        .expression_attribute_values(":cutoff", s(cutoff))
        .send()
        .await;
    if super::applied("PutItem", result)? {
        Ok(Ok(()))
    } else {
        Ok(Err(get(table, user_id).await?))
    }
}

/// Takes over a claim that its request left without an outcome (it crashed).
pub async fn take_over(
    table: &Table,
    user_id: &str,
    stale: &Try,
    claim: &str,
    now: &str,
) -> Result<bool, StoreError> {
    let result = table
        .update_item()
        .key("PK", s(try_pk(user_id)))
        .key("SK", s(TRY_SK))
        .update_expression("SET claim = :mine, tried_at = :now")
        .condition_expression("claim = :stale AND attribute_not_exists(outcome)")
        .expression_attribute_values(":mine", s(claim))
        .expression_attribute_values(":now", s(now))
        .expression_attribute_values(":stale", s(&stale.claim))
        .send()
        .await;
    super::applied("UpdateItem", result)
}

pub async fn get(table: &TableReader, user_id: &str) -> Result<Option<Try>, StoreError> {
    get_item(table, try_pk(user_id), TRY_SK)
        .await?
        .map(|item| serde_dynamo::from_item(item).map_err(|e| StoreError::serde("luck try", e)))
        .transpose()
}

/// The next position (1, 2, ...): every call gets its own.
pub async fn next_position(table: &Table) -> Result<u64, StoreError> {
    let out = table
        .update_item()
        .key("PK", s(COUNTER_PK))
        .key("SK", s(COUNTER_SK))
        .update_expression("ADD #position :one")
        .expression_attribute_names("#position", "position")
        .expression_attribute_values(":one", n(1))
        .return_values(ReturnValue::UpdatedNew)
        .send()
        .await
        .map_err(|e| StoreError::from_sdk("UpdateItem", &e))?;
    out.attributes
        .and_then(|a| a.get("position")?.as_n().ok()?.parse().ok())
        .ok_or_else(|| StoreError::serde("luck counter", "no position returned"))
}

/// Records the outcome on the try held by `claim`, with the won coupon's item if any, in one
/// transaction. `false`: the claim is no longer this request's.
pub async fn record(
    table: &Table,
    user_id: &str,
    claim: &str,
    outcome: &Outcome,
    coupon: Option<super::Item>,
) -> Result<bool, StoreError> {
    let value: AttributeValue =
        serde_dynamo::to_attribute_value(outcome).map_err(|e| StoreError::serde("outcome", e))?;
    let mut tx = Transaction::new(table).update(
        "try",
        Update::builder()
            .table_name(table.name())
            .key("PK", s(try_pk(user_id)))
            .key("SK", s(TRY_SK))
            .update_expression("SET outcome = :outcome")
            .condition_expression("claim = :mine")
            .expression_attribute_values(":outcome", value)
            .expression_attribute_values(":mine", s(claim))
            .build()
            .expect("table, key and expression are set"),
    );
    if let Some(item) = coupon {
        tx = tx.put(
            "coupon",
            Put::builder()
                .table_name(table.name())
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(PK)")
                .build()
                .expect("table and item are set"),
        );
    }
    match tx.send().await {
        Ok(_) => Ok(true),
        Err(e) if e.cancelled().is_some_and(|c| c.condition_failed("try")) => Ok(false),
        Err(e) => Err(e.into_store_error()),
    }
}
