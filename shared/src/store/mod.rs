//! DynamoDB access: one module per aggregate over the single table (docs/data-model.md).
//!
//! Each operation returns an error type holding only the outcomes it can have
//! (`CreateUserError::EmailTaken`, `ChangeAddressError::NotFound`) beside [`StoreError`], every other
//! failure. A single conditional write reports its condition through [`applied`]; a write of
//! several items goes through [`transact::Transaction`], whose failed conditions become the
//! operation's outcomes through [`transact::TransactError::on_condition`]. Handlers map those
//! outcomes to client errors; a `StoreError` is a 500 whose detail is logged, never shown.

pub mod addresses;
pub mod analytics;
pub mod attempts;
pub mod bundles;
pub mod carts;
pub mod catalog_version;
pub mod categories;
pub mod coupons;
pub mod idempotency;
pub mod invoices;
pub mod luck;
pub mod notifications;
pub mod one_time_tokens;
pub mod orders;
pub mod products;
pub mod returns;
pub mod reviews;
pub mod sessions;
pub mod settings;
pub mod stripe_events;
pub mod transact;
pub mod users;
pub mod webhooks;
pub mod wishlist;

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::AttributeValue;

pub fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// True when a write was refused because its condition expression did not hold.
pub fn condition_failed<E, R>(err: &SdkError<E, R>) -> bool
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata,
{
    matches!(err, SdkError::ServiceError(se) if se.err().code() == Some("ConditionalCheckFailedException"))
}

/// A DynamoDB item as the SDK holds it.
pub type Item = std::collections::HashMap<String, AttributeValue>;

/// Reads one item by its key, strongly consistent unless `table` is
/// [`eventually_consistent`](crate::aws::TableReader::eventually_consistent).
pub async fn get_item(
    table: &crate::aws::TableReader,
    pk: String,
    sk: &str,
) -> Result<Option<Item>, StoreError> {
    let out = table
        .get_item()
        .key("PK", s(pk))
        .key("SK", s(sk))
        .consistent_read(table.consistent_reads())
        .send()
        .await
        .map_err(|e| StoreError::from_sdk("GetItem", &e))?;
    Ok(out.item)
}

/// Every item `query` finds, read page by page and decoded.
pub(crate) async fn every_page<T: serde::de::DeserializeOwned>(
    query: aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
    what: &'static str,
) -> Result<Vec<T>, StoreError> {
    let mut out = Vec::new();
    let mut start = None;
    loop {
        let page = query
            .clone()
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| StoreError::from_sdk("Query", &e))?;
        let items: Vec<T> = serde_dynamo::from_items(page.items.unwrap_or_default())
            .map_err(|e| StoreError::serde(what, e))?;
        out.extend(items);
        start = page.last_evaluated_key;
        if start.is_none() {
            return Ok(out);
        }
    }
}

/// Every item of one GSI1 partition, read page by page and decoded.
pub async fn gsi1_all<T: serde::de::DeserializeOwned>(
    table: &crate::aws::TableReader,
    partition: &str,
    what: &'static str,
) -> Result<Vec<T>, StoreError> {
    let query = table
        .query()
        .index_name("GSI1")
        .key_condition_expression("GSI1PK = :pk")
        .expression_attribute_values(":pk", s(partition));
    every_page(query, what).await
}

/// The items of one GSI2 partition whose sort key starts with a time at or before `at` (sort
/// keys `<RFC 3339 time>#<id>`), oldest first, every page: what a scheduled sweep has to do.
pub async fn due_on_gsi2<T: serde::de::DeserializeOwned>(
    table: &crate::aws::TableReader,
    partition: &str,
    at: &str,
    what: &'static str,
) -> Result<Vec<T>, StoreError> {
    // `~` sorts after every id character: a time equal to `at` is due.
    let query = table
        .query()
        .index_name("GSI2")
        .key_condition_expression("GSI2PK = :pk AND GSI2SK <= :at")
        .expression_attribute_values(":pk", s(partition))
        .expression_attribute_values(":at", s(format!("{at}#~")));
    every_page(query, what).await
}

/// Runs `query` for one page, newest first (descending sort key), and decodes its items; also
/// returns the key to continue from (for the page's signed cursor).
pub async fn newest_first<T: serde::de::DeserializeOwned>(
    query: aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
    page: &crate::paging::Page,
    what: &'static str,
) -> Result<(Vec<T>, Option<Item>), StoreError> {
    let (items, last) = newest_first_items(query, page).await?;
    let items = serde_dynamo::from_items(items).map_err(|e| StoreError::serde(what, e))?;
    Ok((items, last))
}

/// [`newest_first`], the items as read.
pub async fn newest_first_items(
    query: aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
    page: &crate::paging::Page,
) -> Result<(Vec<Item>, Option<Item>), StoreError> {
    let out = query
        .scan_index_forward(false)
        .limit(page.limit)
        .set_exclusive_start_key(page.start.clone())
        .send()
        .await
        .map_err(|e| StoreError::from_sdk("Query", &e))?;
    Ok((out.items.unwrap_or_default(), out.last_evaluated_key))
}

/// The items with these keys (`PK`, `SK`), strongly consistent, 100 a request, asking again
/// for what DynamoDB hands back unprocessed (as it may under load). Missing items are simply
/// not in the answer; the order of the answer is DynamoDB's.
pub async fn batch_get(
    table: &crate::aws::TableReader,
    keys: Vec<Item>,
) -> Result<Vec<Item>, StoreError> {
    use aws_sdk_dynamodb::types::KeysAndAttributes;
    let mut found = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(100) {
        let mut pending = Some(
            KeysAndAttributes::builder()
                .set_keys(Some(chunk.to_vec()))
                .consistent_read(true)
                .build()
                .map_err(|e| StoreError::serde("batch keys", e))?,
        );
        let mut rounds = 0;
        while let Some(request) = pending.take() {
            rounds += 1;
            let out = table
                .batch_get_item()
                .request_items(table.name(), request)
                .send()
                .await
                .map_err(|e| StoreError::from_sdk("BatchGetItem", &e))?;
            found.extend(
                out.responses
                    .and_then(|mut r| r.remove(table.name()))
                    .unwrap_or_default(),
            );
            pending = out
                .unprocessed_keys
                .and_then(|mut u| u.remove(table.name()))
                .filter(|k| !k.keys.is_empty());
            if pending.is_some() {
                if rounds >= 8 {
                    return Err(StoreError::contended(
                        "BatchGetItem kept leaving keys unprocessed",
                    ));
                }
                tokio::time::sleep(std::time::Duration::from_millis(20 << rounds.min(5))).await;
            }
        }
    }
    Ok(found)
}

/// An item's key.
pub fn key(pk: impl Into<String>, sk: impl Into<String>) -> Item {
    [("PK".to_owned(), s(pk)), ("SK".to_owned(), s(sk))].into()
}

/// Deletes the items with these keys, 25 at a time, retrying what DynamoDB hands back
/// unprocessed (as it may under load). Returns how many there were.
pub async fn delete_keys(table: &crate::aws::Table, keys: Vec<Item>) -> Result<usize, StoreError> {
    use aws_sdk_dynamodb::types::{DeleteRequest, WriteRequest};
    let count = keys.len();
    for chunk in keys.chunks(25) {
        let mut requests: Vec<WriteRequest> = chunk
            .iter()
            .map(|k| {
                WriteRequest::builder()
                    .delete_request(
                        DeleteRequest::builder()
                            .set_key(Some(k.clone()))
                            .build()
                            .expect("key is set"),
                    )
                    .build()
            })
            .collect();
        for _ in 0..5 {
            let out = table
                .batch_write_item()
                .request_items(table.name(), requests)
                .send()
                .await
                .map_err(|e| StoreError::from_sdk("BatchWriteItem", &e))?;
            requests = out
                .unprocessed_items
                .and_then(|mut m| m.remove(table.name()))
                .unwrap_or_default();
            if requests.is_empty() {
                break;
            }
        }
        if !requests.is_empty() {
            return Err(StoreError {
                operation: "BatchWriteItem",
                code: "ThrottlingException".to_owned(),
                message: format!("{} deletes left unprocessed", requests.len()),
            });
        }
    }
    Ok(count)
}

/// Deletes every item a Query finds (all its pages), through [`delete_keys`].
pub async fn delete_found(
    table: &crate::aws::Table,
    query: aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
) -> Result<usize, StoreError> {
    let mut keys = Vec::new();
    let mut start = None;
    loop {
        let out = query
            .clone()
            .projection_expression("PK, SK")
            .consistent_read(true)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| StoreError::from_sdk("Query", &e))?;
        keys.extend(out.items.unwrap_or_default());
        start = out.last_evaluated_key;
        if start.is_none() {
            break;
        }
    }
    delete_keys(table, keys).await
}

/// Deletes every item of one partition.
pub async fn delete_partition(table: &crate::aws::Table, pk: &str) -> Result<usize, StoreError> {
    let query = table
        .query()
        .key_condition_expression("PK = :pk")
        .expression_attribute_values(":pk", s(pk));
    delete_found(table, query).await
}

/// Whether a conditional write happened: `Ok(false)` when its condition did not hold.
pub fn applied<T, E, R>(
    operation: &'static str,
    result: Result<T, SdkError<E, R>>,
) -> Result<bool, StoreError>
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata + std::fmt::Debug,
    R: std::fmt::Debug,
{
    match result {
        Ok(_) => Ok(true),
        Err(e) if condition_failed(&e) => Ok(false),
        Err(e) => Err(StoreError::from_sdk(operation, &e)),
    }
}

/// The code of a write that met other writers past every retry (DynamoDB's own name for it).
const CONTENDED: &str = "TransactionConflict";

/// The error of any other storage failure, with the service's code and message kept for the logs.
#[derive(Debug, thiserror::Error)]
#[error("DynamoDB {operation} failed: {code}: {message}")]
pub struct StoreError {
    pub operation: &'static str,
    pub code: String,
    pub message: String,
}

impl StoreError {
    /// An item that does not (de)serialize: a defect, reported like any storage failure.
    pub fn serde(what: &'static str, err: impl std::fmt::Display) -> Self {
        Self {
            operation: "serde_dynamo",
            code: what.to_owned(),
            message: err.to_string(),
        }
    }

    /// Other writers kept changing what a write decided from, past every retry: contention,
    /// which the client may retry (429 `busy`), not a defect.
    pub fn contended(message: impl Into<String>) -> Self {
        Self {
            operation: "TransactWriteItems",
            code: CONTENDED.to_owned(),
            message: message.into(),
        }
    }

    /// True when other writers, not a defect, stopped the operation (after the SDK's and
    /// the transaction helper's retries): the client may try again.
    pub fn is_contention(&self) -> bool {
        matches!(
            self.code.as_str(),
            CONTENDED | "TransactionInProgressException"
        )
    }

    /// True when DynamoDB could not be reached or did not serve the request (unreachable,
    /// timed out, failing or throttling after the SDK's retries): not a defect, and the
    /// client may try again shortly.
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self.code.as_str(),
            "transport"
                | "InternalServerError"
                | "InternalFailure"
                | "ServiceUnavailable"
                | "ThrottlingException"
                | "ProvisionedThroughputExceededException"
                | "RequestLimitExceeded"
        )
    }

    pub fn from_sdk<E, R>(operation: &'static str, err: &SdkError<E, R>) -> Self
    where
        E: aws_sdk_dynamodb::error::ProvideErrorMetadata + std::fmt::Debug,
        R: std::fmt::Debug,
    {
        let (code, message) = match err {
            SdkError::ServiceError(se) => (
                se.err().code().unwrap_or("unknown").to_owned(),
                se.err().message().unwrap_or("").to_owned(),
            ),
            other => ("transport".to_owned(), format!("{other:?}")),
        };
        Self {
            operation,
            code,
            message,
        }
    }
}

/// A storage failure is never the client's doing: a 500 whose detail is logged, not shown;
/// contention that outlasted the retries is 429 `busy`, and DynamoDB failing or throttling
/// past the SDK's retries is 503 `upstream_unavailable` (both with `Retry-After`).
impl From<StoreError> for crate::error::ApiError {
    fn from(err: StoreError) -> Self {
        if err.is_contention() {
            tracing::warn!(error = %err, "storage contention outlasted the retries");
            Self::Busy
        } else if err.is_unavailable() {
            tracing::warn!(error = %err, "DynamoDB did not serve the request");
            Self::UpstreamUnavailable("the database")
        } else {
            Self::internal(err)
        }
    }
}
