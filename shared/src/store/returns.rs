//! Returns: items in their order's partition (`ORDER#<order id>` / `RETURN#<ulid>`), so an
//! order's returns are one consistent Query and a return's id (`<order id>-<ulid>`) finds
//! its item. The order head's `returned` map counts, per sku, the units in returns that are
//! not rejected; every write that changes it is conditional on the count it read, so two
//! requests for the last unit cannot both win.

use std::collections::BTreeMap;

use aws_sdk_dynamodb::types::{AttributeValue, Put, Update};
use serde::{Deserialize, Serialize};

use super::transact::Transaction;
use super::{Item, StoreError, n, s};
use crate::aws::{Table, TableReader};
use crate::domain::returns::{ReturnReason, ReturnStatus};
use crate::paging::Page;

const PREFIX: &str = "RETURN#";
const ALL: &str = "RETURNS";

/// One returned line: units of one of the order's skus, and what they are worth.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct ReturnLine {
    pub sku: String,
    pub name: String,
    pub quantity: u32,
    /// What these units were paid (minor units): their share of the line's total less its
    /// recorded discount share.
    pub amount: i64,
}

/// The refund a received return made, or tried to make.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct ReturnRefund {
    /// Minor units decided at receipt (the lines' amounts, or the admin's `refund_amount`,
    /// never more than was left to refund).
    pub amount: i64,
    /// Stripe's refund id once it was made.
    pub id: Option<String>,
    /// Why the last try failed (the return stays `received`; receiving again retries).
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Return {
    /// `<order id>-<return ulid>`.
    pub id: String,
    pub order_id: String,
    pub order_number: String,
    pub status: ReturnStatus,
    pub reason: ReturnReason,
    pub comment: Option<String>,
    pub lines: Vec<ReturnLine>,
    /// The lines' amounts together: the default refund.
    pub amount: i64,
    /// The order's currency.
    pub currency: String,
    /// True once receiving it gave the units back to stock.
    #[serde(default)]
    pub restocked: bool,
    pub refund: Option<ReturnRefund>,
    /// The admin's note when rejecting it.
    pub note: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub received_at: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct ReturnItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    r#type: String,
    #[serde(rename = "GSI2PK")]
    gsi2pk: String,
    #[serde(rename = "GSI2SK")]
    gsi2sk: String,
    #[serde(rename = "GSI3PK")]
    gsi3pk: String,
    #[serde(rename = "GSI3SK")]
    gsi3sk: String,
    #[serde(flatten)]
    ret: Return,
}

fn status_key(status: ReturnStatus) -> String {
    format!("RETURNS#{}", status.name())
}

/// The order id and the item's sort key of a return id; `None` for an id this shop never made.
pub fn split_id(id: &str) -> Option<(&str, String)> {
    let (order, ulid) = id.rsplit_once('-')?;
    let fine =
        |p: &str| !p.is_empty() && p.len() <= 32 && p.chars().all(|c| c.is_ascii_alphanumeric());
    (fine(order) && fine(ulid)).then(|| (order, format!("{PREFIX}{ulid}")))
}

fn item(r: &Return) -> Result<Item, StoreError> {
    let (order, sk) = split_id(&r.id)
        .ok_or_else(|| StoreError::serde("return", format!("bad return id {}", r.id)))?;
    let by_date = format!("{}#{}", r.created_at, r.id);
    serde_dynamo::to_item(ReturnItem {
        pk: super::orders::pk(order),
        sk,
        r#type: "return".into(),
        gsi2pk: status_key(r.status),
        gsi2sk: by_date.clone(),
        gsi3pk: ALL.into(),
        gsi3sk: by_date,
        ret: r.clone(),
    })
    .map_err(|e| StoreError::serde("return", e))
}

fn decode(item: Item) -> Result<Return, StoreError> {
    serde_dynamo::from_item::<_, ReturnItem>(item)
        .map(|i| i.ret)
        .map_err(|e| StoreError::serde("return", e))
}

/// One return, strongly consistent.
pub async fn get(table: &TableReader, id: &str) -> Result<Option<Return>, StoreError> {
    let Some((order, sk)) = split_id(id) else {
        return Ok(None);
    };
    super::get_item(table, super::orders::pk(order), &sk)
        .await?
        .map(decode)
        .transpose()
}

/// Every return of an order, oldest first (one consistent Query of its partition).
pub async fn of_order(table: &TableReader, order_id: &str) -> Result<Vec<Return>, StoreError> {
    let query = table
        .query()
        .key_condition_expression("PK = :pk AND begins_with(SK, :p)")
        .expression_attribute_values(":pk", s(super::orders::pk(order_id)))
        .expression_attribute_values(":p", s(PREFIX))
        .consistent_read(true);
    let items: Vec<ReturnItem> = super::every_page(query, "return").await?;
    Ok(items.into_iter().map(|i| i.ret).collect())
}

/// A page of returns, newest first, all of them or those in `status`.
pub async fn page(
    table: &TableReader,
    status: Option<ReturnStatus>,
    page: &Page,
) -> Result<(Vec<Return>, Option<Item>), StoreError> {
    let query = match status {
        Some(st) => table
            .query()
            .index_name("GSI2")
            .key_condition_expression("GSI2PK = :pk")
            .expression_attribute_values(":pk", s(status_key(st))),
        None => table
            .query()
            .index_name("GSI3")
            .key_condition_expression("GSI3PK = :pk")
            .expression_attribute_values(":pk", s(ALL)),
    };
    let (items, last) = super::newest_first::<ReturnItem>(query, page, "return").await?;
    Ok((items.into_iter().map(|i| i.ret).collect(), last))
}

/// Why a return was not written.
#[derive(Debug, thiserror::Error)]
pub enum ReturnError {
    /// The order or the return changed since it was read (its status, or a sku's count of
    /// returned units): read again and decide again.
    #[error("the order or the return changed meanwhile")]
    Moved,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The order head's `returned.<sku>` count of each of `ret`'s lines moved by its quantity
/// times `sign` (+1 a request, -1 a rejection), every one conditional on the count that was
/// read (`seen`, absent as 0) and, when given, on the order's status being one of `statuses`.
fn count_update(
    table: &str,
    ret: &Return,
    seen: &BTreeMap<String, u32>,
    sign: i64,
    statuses: Option<&[&str]>,
) -> Update {
    let mut sets = Vec::new();
    let mut conditions = Vec::new();
    let mut builder = Update::builder()
        .table_name(table)
        .key("PK", s(super::orders::pk(&ret.order_id)))
        .key("SK", s(super::orders::HEAD_SK))
        .expression_attribute_names("#returned", "returned");
    for (i, line) in ret.lines.iter().enumerate() {
        let (sku, seen) = (&line.sku, seen.get(&line.sku).copied().unwrap_or(0));
        let delta = sign * i64::from(line.quantity);
        let name = format!("#k{i}");
        sets.push(format!("#returned.{name} = :new{i}"));
        conditions.push(if seen == 0 {
            format!("(attribute_not_exists(#returned.{name}) OR #returned.{name} = :seen{i})")
        } else {
            format!("#returned.{name} = :seen{i}")
        });
        builder = builder
            .expression_attribute_names(name, sku)
            .expression_attribute_values(format!(":seen{i}"), n(seen))
            .expression_attribute_values(format!(":new{i}"), n(i64::from(seen) + delta));
    }
    if let Some(statuses) = statuses {
        let allowed: Vec<String> = (0..statuses.len()).map(|i| format!(":st{i}")).collect();
        for (i, st) in statuses.iter().enumerate() {
            builder = builder.expression_attribute_values(format!(":st{i}"), s(*st));
        }
        builder = builder.expression_attribute_names("#status", "status");
        conditions.push(format!("#status IN ({})", allowed.join(", ")));
    }
    conditions.push("attribute_exists(#returned)".into());
    builder
        .update_expression(format!("SET {}", sets.join(", ")))
        .condition_expression(conditions.join(" AND "))
        .build()
        .expect("table, key and expression are set")
}

/// Gives an order placed before returns existed its (empty) `returned` map; a no-op otherwise.
pub async fn ensure_counts(table: &Table, order_id: &str) -> Result<(), StoreError> {
    let result = table
        .update_item()
        .key("PK", s(super::orders::pk(order_id)))
        .key("SK", s(super::orders::HEAD_SK))
        .update_expression("SET #returned = :empty")
        .condition_expression("attribute_exists(PK) AND attribute_not_exists(#returned)")
        .expression_attribute_names("#returned", "returned")
        .expression_attribute_values(":empty", AttributeValue::M(Default::default()))
        .send()
        .await;
    super::applied("UpdateItem", result).map(|_| ())
}

/// Writes a new return and adds its units to the order's counts (`seen`: the counts as
/// read), while the order is in one of `statuses`.
pub async fn request(
    table: &Table,
    ret: &Return,
    seen: &BTreeMap<String, u32>,
    statuses: &[&str],
) -> Result<(), ReturnError> {
    let name = table.name().to_owned();
    let put = Put::builder()
        .table_name(&name)
        .set_item(Some(item(ret)?))
        .condition_expression("attribute_not_exists(PK)")
        .build()
        .expect("table and item are set");
    Transaction::new(table)
        .update("order", count_update(&name, ret, seen, 1, Some(statuses)))
        .put("return", put)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            e.on_condition(|c| {
                (c.condition_failed("order") || c.condition_failed("return"))
                    .then_some(ReturnError::Moved)
            })
        })
}

/// The return's status moved from `from` to `to` with `sets` (clauses with `:v`), as one
/// update conditional on `from`.
fn status_update(
    table: &str,
    ret: &Return,
    from: ReturnStatus,
    to: ReturnStatus,
    at: &str,
    sets: &[(&str, AttributeValue)],
) -> Result<Update, StoreError> {
    let (order, sk) = split_id(&ret.id)
        .ok_or_else(|| StoreError::serde("return", format!("bad return id {}", ret.id)))?;
    let mut clauses = vec![
        "#status = :to".to_owned(),
        "GSI2PK = :gsi2pk".to_owned(),
        "updated_at = :at".to_owned(),
    ];
    let mut builder = Update::builder()
        .table_name(table)
        .key("PK", s(super::orders::pk(order)))
        .key("SK", s(sk))
        .condition_expression("#status = :from")
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":from", s(from.name()))
        .expression_attribute_values(":to", s(to.name()))
        .expression_attribute_values(":gsi2pk", s(status_key(to)))
        .expression_attribute_values(":at", s(at));
    for (i, (clause, v)) in sets.iter().enumerate() {
        let placeholder = format!(":x{i}");
        clauses.push(clause.replace(":v", &placeholder));
        builder = builder.expression_attribute_values(placeholder, v.clone());
    }
    Ok(builder
        .update_expression(format!("SET {}", clauses.join(", ")))
        .build()
        .expect("table, key and expression are set"))
}

fn value<T: Serialize>(v: &T) -> Result<AttributeValue, StoreError> {
    serde_dynamo::to_attribute_value(v).map_err(|e| StoreError::serde("return", e))
}

/// Marks a requested return received with the refund it is to make, giving `restock`
/// (product id, sku, units, the order's take index) back in the same transaction: each
/// variant's stock up and the order's take of it down (conditional on the take still
/// holding those units, so the order's own restock cannot give them back again).
pub async fn receive(
    table: &Table,
    ret: &Return,
    refund: &ReturnRefund,
    restock: &[(String, String, i64, usize)],
    at: &str,
) -> Result<(), ReturnError> {
    let name = table.name().to_owned();
    let sets = [
        ("refund = :v", value(refund)?),
        ("restocked = :v", AttributeValue::Bool(!restock.is_empty())),
        ("received_at = :v", s(at)),
    ];
    let update = status_update(
        &name,
        ret,
        ReturnStatus::Requested,
        ReturnStatus::Received,
        at,
        &sets,
    )?;
    let mut tx = Transaction::new(table).update("return", update);
    for (product_id, sku, units, index) in restock {
        tx = tx.update(
            format!("sku:{sku}"),
            Update::builder()
                .table_name(&name)
                .key("PK", s(super::products::product_pk(product_id)))
                .key("SK", s(format!("VARIANT#{sku}")))
                .update_expression("SET stock = stock + :q")
                .condition_expression("attribute_exists(PK)")
                .expression_attribute_values(":q", n(units))
                .build()
                .expect("table, key and expression are set"),
        );
        tx = tx.update(
            format!("take:{sku}"),
            Update::builder()
                .table_name(&name)
                .key("PK", s(super::orders::pk(&ret.order_id)))
                .key("SK", s(super::orders::DETAILS_SK))
                .update_expression(format!(
                    "SET takes[{index}].quantity = takes[{index}].quantity - :q"
                ))
                .condition_expression(format!("takes[{index}].quantity >= :q"))
                .expression_attribute_values(":q", n(units))
                .build()
                .expect("table, key and expression are set"),
        );
    }
    tx.send().await.map(|_| ()).map_err(|e| {
        e.on_condition(|c| {
            (c.condition_failed("return") || c.failed_conditions().any(|l| l.starts_with("take:")))
                .then_some(ReturnError::Moved)
        })
    })
}

/// Records the refund a received return made (`refunded`), or why it failed (stays
/// `received`).
pub async fn refund_done(
    table: &Table,
    ret: &Return,
    refund: &ReturnRefund,
    at: &str,
) -> Result<bool, StoreError> {
    let name = table.name().to_owned();
    let sets = [("refund = :v", value(refund)?)];
    let to = if refund.id.is_some() {
        ReturnStatus::Refunded
    } else {
        ReturnStatus::Received
    };
    let update = status_update(&name, ret, ReturnStatus::Received, to, at, &sets)?;
    match Transaction::new(table)
        .update("return", update)
        .send()
        .await
    {
        Ok(_) => Ok(true),
        Err(e) => match e.cancelled() {
            Some(c) if c.condition_failed("return") => Ok(false),
            _ => Err(e.into_store_error()),
        },
    }
}

/// Rejects a requested return with `note` and takes its units off the order's counts
/// (`seen`: the counts as read), in one transaction.
pub async fn reject(
    table: &Table,
    ret: &Return,
    note: &str,
    seen: &BTreeMap<String, u32>,
    at: &str,
) -> Result<(), ReturnError> {
    let name = table.name().to_owned();
    let sets = [("note = :v", s(note))];
    let update = status_update(
        &name,
        ret,
        ReturnStatus::Requested,
        ReturnStatus::Rejected,
        at,
        &sets,
    )?;
    Transaction::new(table)
        .update("return", update)
        // Whatever the order's status now, the units are no longer on their way back.
        .update("order", count_update(&name, ret, seen, -1, None))
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            e.on_condition(|c| {
                (c.condition_failed("order") || c.condition_failed("return"))
                    .then_some(ReturnError::Moved)
            })
        })
}
