//! Wishlists: `USER#<id>`/`WISH#<product id>` with when it was added. A put is idempotent by
//! its key; the entries go with the account.

use aws_sdk_dynamodb::types::{Delete, Put};
use serde::{Deserialize, Serialize};

use super::transact::Transaction;
use super::users::{items_of, user_pk};
use super::{Item, StoreError, get_item, s};
use crate::aws::{Table, TableReader};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Wish {
    pub product_id: String,
    pub added_at: String,
}

#[derive(Serialize, Deserialize)]
struct WishItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    r#type: String,
    #[serde(flatten)]
    wish: Wish,
}

fn sk(product_id: &str) -> String {
    format!("WISH#{product_id}")
}

/// Adds a product; adding it again keeps the first `added_at`. A new entry adds one to the
/// product's `wished` count (the analytics) in the same transaction.
pub async fn add(table: &Table, user_id: &str, wish: &Wish) -> Result<(), StoreError> {
    let put = Put::builder()
        .table_name(table.name())
        .item("PK", s(user_pk(user_id)))
        .item("SK", s(sk(&wish.product_id)))
        .item("type", s("wish"))
        .item("product_id", s(&wish.product_id))
        .item("added_at", s(&wish.added_at))
        .condition_expression("attribute_not_exists(PK)")
        .build()
        .expect("table and item are set");
    let counted = super::analytics::wished(table.name(), &wish.product_id, 1);
    settle(
        Transaction::new(table)
            .put("wish", put)
            .update("count", counted),
    )
    .await
}

/// Removes a product (nothing happens when it was not there); a removed entry takes one off
/// the product's `wished` count in the same transaction.
pub async fn remove(table: &Table, user_id: &str, product_id: &str) -> Result<(), StoreError> {
    let delete = Delete::builder()
        .table_name(table.name())
        .key("PK", s(user_pk(user_id)))
        .key("SK", s(sk(product_id)))
        .condition_expression("attribute_exists(PK)")
        .build()
        .expect("table and key are set");
    let counted = super::analytics::wished(table.name(), product_id, -1);
    settle(
        Transaction::new(table)
            .delete("wish", delete)
            .update("count", counted),
    )
    .await
}

/// A wishlist write whose entry was already as asked is done (and counts nothing).
async fn settle(tx: Transaction<'_>) -> Result<(), StoreError> {
    match tx.send().await {
        Ok(_) => Ok(()),
        Err(e) => match e.cancelled() {
            Some(c) if c.condition_failed("wish") => Ok(()),
            _ => Err(e.into_store_error()),
        },
    }
}

pub async fn contains(
    table: &TableReader,
    user_id: &str,
    product_id: &str,
) -> Result<bool, StoreError> {
    Ok(get_item(table, user_pk(user_id), &sk(product_id))
        .await?
        .is_some())
}

/// One page of a user's wishlist (in product order).
pub async fn page(
    table: &TableReader,
    user_id: &str,
    page: &crate::paging::Page,
) -> Result<(Vec<Wish>, Option<Item>), StoreError> {
    let out = items_of(table, user_id, "WISH#")
        .limit(page.limit)
        .set_exclusive_start_key(page.start.clone())
        .send()
        .await
        .map_err(|e| StoreError::from_sdk("Query", &e))?;
    let items: Vec<WishItem> = serde_dynamo::from_items(out.items.unwrap_or_default())
        .map_err(|e| StoreError::serde("wish", e))?;
    Ok((
        items.into_iter().map(|i| i.wish).collect(),
        out.last_evaluated_key,
    ))
}
