//! In-app notifications: `USER#<id>`/`NOTE#<ulid>`, newest first by their ULID sort key.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, Put};
use serde::{Deserialize, Serialize};

use super::StoreError;
use super::users::{self, user_pk};
use crate::aws::{Table, TableReader};
use crate::paging::Page;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Notification {
    pub id: String,
    /// What happened, e.g. `order_status`.
    pub kind: String,
    pub title: String,
    pub body: String,
    pub order_id: Option<String>,
    pub created_at: String,
}

#[derive(Serialize, Deserialize)]
struct NoteItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    r#type: String,
    #[serde(flatten)]
    note: Notification,
}

fn item(user_id: &str, note: &Notification) -> Result<super::Item, StoreError> {
    serde_dynamo::to_item(NoteItem {
        pk: user_pk(user_id),
        sk: format!("NOTE#{}", note.id),
        r#type: "notification".into(),
        note: note.clone(),
    })
    .map_err(|e| StoreError::serde("notification", e))
}

/// The put of a notification, for a transaction with what it tells of.
pub fn put(table: &str, user_id: &str, note: &Notification) -> Result<Put, StoreError> {
    Ok(Put::builder()
        .table_name(table)
        .set_item(Some(item(user_id, note)?))
        .build()
        .expect("table and item are set"))
}

/// Adds a notification for a user (`note.id` is a ULID, so it sorts by time).
pub async fn add(table: &Table, user_id: &str, note: &Notification) -> Result<(), StoreError> {
    let item = item(user_id, note)?;
    table
        .put_item()
        .set_item(Some(item))
        .send()
        .await
        .map_err(|e| StoreError::from_sdk("PutItem", &e))?;
    Ok(())
}

/// One page of a user's notifications, newest first, and the key to continue from.
pub async fn page(
    table: &TableReader,
    user_id: &str,
    page: &Page,
) -> Result<(Vec<Notification>, Option<HashMap<String, AttributeValue>>), StoreError> {
    let query = users::items_of(table, user_id, "NOTE#");
    let (items, last) = super::newest_first::<NoteItem>(query, page, "notification").await?;
    Ok((items.into_iter().map(|i| i.note).collect(), last))
}
