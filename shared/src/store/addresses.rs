//! Saved addresses: `USER#<id>`/`ADDRESS#<address id>`. The user item keeps `address_count`
//! (at most [`MAX_ADDRESSES`], checked by a condition in the same transaction as the put) and
//! `default_address_id`: exactly one default whenever the user has an address, and it always
//! names an address that exists, under any concurrency.
//!
//! Every write that moves the default is one transaction that re-checks what it decided from:
//! the default it saw, the count it saw (any add or delete changes it), and that the address it
//! makes the default still exists. When another write got in between, the condition fails and
//! the write is decided again from a fresh read (at most [`ATTEMPTS`] times; then the caller
//! gets contention, `429 busy`). Each write answers whether the address is the default as read
//! right after it, so no answer claims a default that was never stored.

use aws_sdk_dynamodb::types::{ConditionCheck, Delete, Put, Update};
use serde::{Deserialize, Serialize};

use super::transact::Transaction;
use super::users::{self, user_pk};
use super::{StoreError, get_item, n, s};
use crate::aws::{Table, TableReader};

pub const MAX_ADDRESSES: u32 = 20;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Address {
    pub id: String,
    pub label: Option<String>,
    pub name: String,
    pub line1: String,
    pub line2: Option<String>,
    pub city: String,
    pub postcode: String,
    pub country: String,
    pub phone: Option<String>,
    pub created_at: String,
}

#[derive(Serialize, Deserialize)]
struct AddressItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    r#type: String,
    #[serde(flatten)]
    address: Address,
}

fn sk(id: &str) -> String {
    format!("ADDRESS#{id}")
}

fn to_item(
    user_id: &str,
    address: &Address,
) -> Result<std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>, StoreError>
{
    serde_dynamo::to_item(AddressItem {
        pk: user_pk(user_id),
        sk: sk(&address.id),
        r#type: "address".into(),
        address: address.clone(),
    })
    .map_err(|e| StoreError::serde("address", e))
}

/// What saving a new address can meet.
#[derive(Debug, thiserror::Error)]
pub enum CreateAddressError {
    #[error("at most {MAX_ADDRESSES} addresses can be saved")]
    TooMany,
    /// The account was deleted while the request ran.
    #[error("the user is gone")]
    UserGone,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What changing or deleting an existing address can meet.
#[derive(Debug, thiserror::Error)]
pub enum ChangeAddressError {
    #[error("no such address")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub async fn list(table: &TableReader, user_id: &str) -> Result<Vec<Address>, StoreError> {
    let out = users::items_of(table, user_id, "ADDRESS#")
        .consistent_read(true)
        .send()
        .await
        .map_err(|e| StoreError::from_sdk("Query", &e))?;
    let items: Vec<AddressItem> = serde_dynamo::from_items(out.items.unwrap_or_default())
        .map_err(|e| StoreError::serde("address", e))?;
    Ok(items.into_iter().map(|i| i.address).collect())
}

/// Saves a new address; it becomes the default when asked or when it is the first one.
/// Answers whether it is the default right after.
pub async fn create(
    table: &Table,
    user_id: &str,
    address: &Address,
    make_default: bool,
) -> Result<bool, CreateAddressError> {
    let default_expr = if make_default {
        "default_address_id = :id"
    } else {
        "default_address_id = if_not_exists(default_address_id, :id)"
    };
    let user = Update::builder()
        .table_name(table.name())
        .key("PK", s(user_pk(user_id)))
        .key("SK", s("PROFILE"))
        .update_expression(format!("SET address_count = if_not_exists(address_count, :zero) + :one, {default_expr}"))
        .condition_expression("attribute_exists(PK) AND (attribute_not_exists(address_count) OR address_count < :max)")
        .expression_attribute_values(":zero", n(0))
        .expression_attribute_values(":one", n(1))
        .expression_attribute_values(":max", n(MAX_ADDRESSES))
        .expression_attribute_values(":id", s(&address.id))
        .build()
        .expect("table, key and expression are set");
    let put = Put::builder()
        .table_name(table.name())
        .set_item(Some(to_item(user_id, address)?))
        .condition_expression("attribute_not_exists(PK)")
        .build()
        .expect("table and item are set");
    let outcome = Transaction::new(table)
        .update("user", user)
        .put("address", put)
        .send()
        .await;
    match outcome {
        Ok(_) => Ok(is_default(table, user_id, &address.id).await?),
        Err(err) if err.cancelled().is_some_and(|c| c.condition_failed("user")) => {
            // The user's condition holds two things; which one failed decides the answer.
            match users::get(table, user_id).await? {
                None => Err(CreateAddressError::UserGone),
                Some(_) => Err(CreateAddressError::TooMany),
            }
        }
        Err(err) => Err(err.into_store_error().into()),
    }
}

/// How many times a write that moves the default is decided again after another write got in.
pub const ATTEMPTS: u32 = 8;

/// Whether `id` is the user's default, read consistently now.
async fn is_default(table: &Table, user_id: &str, id: &str) -> Result<bool, StoreError> {
    Ok(users::get(table, user_id)
        .await?
        .is_some_and(|u| u.default_address_id.as_deref() == Some(id)))
}

/// The user's default and address count as stored now (`None`: the user is gone).
async fn book(table: &Table, user_id: &str) -> Result<Option<(Option<String>, u32)>, StoreError> {
    Ok(users::get(table, user_id)
        .await?
        .map(|u| (u.default_address_id, u.address_count)))
}

/// The update of the user item that moves the default from `from` to `to` (`None` removes
/// it), if the default and the count are still what was read; `count_down` also takes one
/// off the count (the address is being deleted).
fn move_default(
    table: &Table,
    user_id: &str,
    from: &str,
    to: Option<&str>,
    count: u32,
    count_down: bool,
) -> Update {
    let mut expression = match to {
        Some(_) => "SET default_address_id = :to".to_owned(),
        None => "REMOVE default_address_id".to_owned(),
    };
    if count_down {
        expression.push_str(" ADD address_count :minus");
    }
    let mut builder = Update::builder()
        .table_name(table.name())
        .key("PK", s(user_pk(user_id)))
        .key("SK", s("PROFILE"))
        .update_expression(expression)
        .condition_expression("default_address_id = :from AND address_count = :count")
        .expression_attribute_values(":from", s(from))
        .expression_attribute_values(":count", n(count));
    if let Some(to) = to {
        builder = builder.expression_attribute_values(":to", s(to));
    }
    if count_down {
        builder = builder.expression_attribute_values(":minus", n(-1));
    }
    builder.build().expect("table, key and expression are set")
}

/// A check that an address of the user's exists.
fn exists(table: &Table, user_id: &str, id: &str) -> ConditionCheck {
    ConditionCheck::builder()
        .table_name(table.name())
        .key("PK", s(user_pk(user_id)))
        .key("SK", s(sk(id)))
        .condition_expression("attribute_exists(PK)")
        .build()
        .expect("table, key and condition are set")
}

/// Another of the user's addresses to become the default, the oldest first.
async fn successor(
    table: &Table,
    user_id: &str,
    leaving: &str,
) -> Result<Option<String>, StoreError> {
    Ok(list(table, user_id)
        .await?
        .into_iter()
        .map(|a| a.id)
        .find(|id| id != leaving))
}

/// What one attempt at a write that moves the default met.
enum Attempt {
    Done,
    NotFound,
    /// Another write got in between: decide again.
    Raced,
}

/// Sends one attempt: the `address` action failing is a missing address, any other failed
/// condition a race.
async fn attempt(tx: Transaction<'_>) -> Result<Attempt, StoreError> {
    match tx.send().await {
        Ok(_) => Ok(Attempt::Done),
        Err(err) => match err.cancelled() {
            Some(c) if c.condition_failed("address") => Ok(Attempt::NotFound),
            Some(_) => Ok(Attempt::Raced),
            None => Err(err.into_store_error()),
        },
    }
}

/// Replaces an existing address of the user's; `make_default` makes it the default, and
/// `false` on the default hands the default to another address (it stays the default when it
/// is the only one). Answers whether it is the default afterwards.
pub async fn replace(
    table: &Table,
    user_id: &str,
    address: &Address,
    make_default: bool,
) -> Result<bool, ChangeAddressError> {
    for _ in 0..ATTEMPTS {
        let Some((default_id, count)) = book(table, user_id).await? else {
            return Err(ChangeAddressError::NotFound);
        };
        let is_current = default_id.as_deref() == Some(address.id.as_str());
        let put = Put::builder()
            .table_name(table.name())
            .set_item(Some(to_item(user_id, address)?))
            .condition_expression("attribute_exists(PK)")
            .build()
            .expect("table and item are set");
        let mut tx = Transaction::new(table).put("address", put);
        if make_default && !is_current {
            let update = match &default_id {
                Some(from) => move_default(table, user_id, from, Some(&address.id), count, false),
                None => Update::builder()
                    .table_name(table.name())
                    .key("PK", s(user_pk(user_id)))
                    .key("SK", s("PROFILE"))
                    .update_expression("SET default_address_id = :to")
                    .condition_expression("attribute_not_exists(default_address_id)")
                    .expression_attribute_values(":to", s(&address.id))
                    .build()
                    .expect("table, key and expression are set"),
            };
            tx = tx.update("user", update);
        } else if !make_default
            && is_current
            && let Some(next) = successor(table, user_id, &address.id).await?
        {
            tx = tx
                .update(
                    "user",
                    move_default(table, user_id, &address.id, Some(&next), count, false),
                )
                .check("successor", exists(table, user_id, &next));
        }
        match attempt(tx).await? {
            Attempt::Done => return Ok(is_default(table, user_id, &address.id).await?),
            Attempt::NotFound => return Err(ChangeAddressError::NotFound),
            Attempt::Raced => continue,
        }
    }
    Err(contended().into())
}

/// Deletes an address of the user's; if it was the default, the oldest other address becomes
/// the default (none when it was the last).
pub async fn delete(table: &Table, user_id: &str, id: &str) -> Result<(), ChangeAddressError> {
    for _ in 0..ATTEMPTS {
        let Some((default_id, count)) = book(table, user_id).await? else {
            return Err(ChangeAddressError::NotFound);
        };
        let remove = Delete::builder()
            .table_name(table.name())
            .key("PK", s(user_pk(user_id)))
            .key("SK", s(sk(id)))
            .condition_expression("attribute_exists(PK)")
            .build()
            .expect("table and key are set");
        let mut tx = Transaction::new(table).delete("address", remove);
        if default_id.as_deref() == Some(id) {
            let next = successor(table, user_id, id).await?;
            tx = tx.update(
                "user",
                move_default(table, user_id, id, next.as_deref(), count, true),
            );
            if let Some(next) = &next {
                tx = tx.check("successor", exists(table, user_id, next));
            }
        } else {
            // Not the default: only while it has not become the default meanwhile.
            let update = Update::builder()
                .table_name(table.name())
                .key("PK", s(user_pk(user_id)))
                .key("SK", s("PROFILE"))
                .update_expression("ADD address_count :minus")
                .condition_expression(
                    "attribute_exists(PK) AND (attribute_not_exists(default_address_id) \
                     OR default_address_id <> :id)",
                )
                .expression_attribute_values(":minus", n(-1))
                .expression_attribute_values(":id", s(id))
                .build()
                .expect("table, key and expression are set");
            tx = tx.update("user", update);
        }
        match attempt(tx).await? {
            Attempt::Done => return Ok(()),
            Attempt::NotFound => return Err(ChangeAddressError::NotFound),
            Attempt::Raced => continue,
        }
    }
    Err(contended().into())
}

pub async fn get(
    table: &TableReader,
    user_id: &str,
    id: &str,
) -> Result<Option<Address>, StoreError> {
    get_item(table, user_pk(user_id), &sk(id))
        .await?
        .map(|item| serde_dynamo::from_item::<_, AddressItem>(item).map(|i| i.address))
        .transpose()
        .map_err(|e| StoreError::serde("address", e))
}

/// Contention that outlasted the attempts (429 `busy` for the client).
fn contended() -> StoreError {
    StoreError::contended(format!(
        "the address book kept changing over {ATTEMPTS} attempts"
    ))
}
