//! Invoices and credit notes: one item per document in the order's document partition
//! (`INVOICES#<order id>` / `INVOICE` or `CREDIT#<refund event id>`), numbered from a counter
//! per kind (`COUNTER#<kind>` / `COUNTER`). A number is taken in the same transaction that
//! writes its document, conditional on the counter as it was read, so numbers run 1, 2, 3...
//! with no gap and no repeat, and a document is numbered once however often it is asked for.

use aws_sdk_dynamodb::types::{Put, Update};
use serde::{Deserialize, Serialize};

use super::transact::Transaction;
use super::{StoreError, n, s};
use crate::aws::{Table, TableReader};

/// Invoice or credit note.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Invoice,
    CreditNote,
}

impl Kind {
    fn counter(self) -> &'static str {
        match self {
            Self::Invoice => "COUNTER#INVOICE",
            Self::CreditNote => "COUNTER#CREDIT_NOTE",
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Self::Invoice => "INV",
            Self::CreditNote => "CN",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Document {
    pub order_id: String,
    pub kind: Kind,
    /// `INV-000042`, `CN-000007`.
    pub number: String,
    pub seq: u64,
    /// The private object (`invoices/<random>/<number>.pdf`): not guessable.
    pub key: String,
    /// What it is for (the order's total; a credit note's refund), minor units.
    pub amount: i64,
    pub issued_at: String,
    /// True once the PDF is in the bucket.
    #[serde(default)]
    pub ready: bool,
}

fn pk(order_id: &str) -> String {
    format!("INVOICES#{order_id}")
}

/// The sort key of an order's invoice, or of the credit note for one refund.
pub fn sk(kind: Kind, refund: Option<&str>) -> String {
    match (kind, refund) {
        (Kind::CreditNote, Some(id)) => format!("CREDIT#{id}"),
        _ => "INVOICE".to_owned(),
    }
}

pub async fn get(
    table: &TableReader,
    order_id: &str,
    sk: &str,
) -> Result<Option<Document>, StoreError> {
    super::get_item(table, pk(order_id), sk)
        .await?
        .map(|i| serde_dynamo::from_item(i).map_err(|e| StoreError::serde("invoice", e)))
        .transpose()
}

/// The order's documents, the invoice first (one consistent Query).
pub async fn of_order(table: &TableReader, order_id: &str) -> Result<Vec<Document>, StoreError> {
    let query = table
        .query()
        .key_condition_expression("PK = :pk")
        .expression_attribute_values(":pk", s(pk(order_id)))
        .consistent_read(true);
    let mut docs: Vec<Document> = super::every_page(query, "invoice").await?;
    docs.sort_by_key(|d| (d.kind == Kind::CreditNote, d.seq));
    Ok(docs)
}

/// The document at `sk`, numbered now if it has no number yet (`draft` gives everything but
/// the number). Other documents numbered at the same time make it read the counter again.
pub async fn number(table: &Table, sk: &str, draft: Document) -> Result<Document, StoreError> {
    let name = table.name().to_owned();
    for attempt in 0..100u32 {
        if let Some(doc) = get(table, &draft.order_id, sk).await? {
            return Ok(doc);
        }
        let counter = draft.kind.counter();
        let seen = super::get_item(table, counter.to_owned(), "COUNTER")
            .await?
            .and_then(|i| {
                i.get("n")
                    .and_then(|v| v.as_n().ok())
                    .and_then(|v| v.parse::<u64>().ok())
            })
            .unwrap_or(0);
        let mut doc = draft.clone();
        doc.seq = seen + 1;
        doc.number = format!("{}-{:06}", draft.kind.prefix(), doc.seq);
        let mut item: super::Item =
            serde_dynamo::to_item(&doc).map_err(|e| StoreError::serde("invoice", e))?;
        item.insert("PK".into(), s(pk(&doc.order_id)));
        item.insert("SK".into(), s(sk));
        item.insert("type".into(), s("invoice"));
        let put = Put::builder()
            .table_name(&name)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .expect("table and item are set");
        let bump = Update::builder()
            .table_name(&name)
            .key("PK", s(counter))
            .key("SK", s("COUNTER"))
            .update_expression("SET n = :next, #type = :type")
            .condition_expression(if seen == 0 {
                "attribute_not_exists(n)"
            } else {
                "n = :seen"
            })
            .expression_attribute_names("#type", "type")
            .expression_attribute_values(":next", n(doc.seq))
            .expression_attribute_values(":type", s("counter"));
        let bump = if seen == 0 {
            bump
        } else {
            bump.expression_attribute_values(":seen", n(seen))
        };
        let tx = Transaction::new(table)
            .update(
                "counter",
                bump.build().expect("table, key and expression are set"),
            )
            .put("document", put);
        match tx.send().await {
            Ok(_) => return Ok(doc),
            Err(e) => match e.cancelled() {
                Some(c) if c.condition_failed("counter") || c.condition_failed("document") => {
                    // Someone else took the number (or wrote this document): read again.
                    let pause = 5 + u64::from(attempt % 10) * 3;
                    tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
                }
                _ => return Err(e.into_store_error()),
            },
        }
    }
    Err(StoreError::contended("the invoice counter kept changing"))
}

/// Marks a document's PDF as stored.
pub async fn mark_ready(table: &Table, order_id: &str, sk: &str) -> Result<(), StoreError> {
    table
        .update_item()
        .key("PK", s(pk(order_id)))
        .key("SK", s(sk))
        .update_expression("SET ready = :t")
        .condition_expression("attribute_exists(PK)")
        .expression_attribute_values(":t", aws_sdk_dynamodb::types::AttributeValue::Bool(true))
        .send()
        .await
        .map_err(|e| StoreError::from_sdk("UpdateItem", &e))?;
    Ok(())
}
