//! Saved addresses: `USER#<id>`/`ADDRESS#<address id>`. The user item keeps `address_count`
//! (at most [`MAX_ADDRESSES`], checked by a condition in the same transaction as the put) and
//! `default_address_id`, so there is exactly one default whenever the user has an address.

use aws_sdk_dynamodb::types::{Put, ReturnValue, Update};
use serde::{Deserialize, Serialize};

use super::transact::Transaction;
use super::users::{self, user_pk};
use super::{StoreError, condition_failed, get_item, n, s};
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
pub async fn create(
    table: &Table,
    user_id: &str,
    address: &Address,
    make_default: bool,
) -> Result<(), CreateAddressError> {
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
    let Err(err) = outcome else {
        return Ok(());
    };
    let user_refused = err.cancelled().is_some_and(|c| c.condition_failed("user"));
    if !user_refused {
        return Err(err.into_store_error().into());
    }
    // The user's condition holds two things; which one failed decides the answer.
    match users::get(table, user_id).await? {
        None => Err(CreateAddressError::UserGone),
        Some(_) => Err(CreateAddressError::TooMany),
    }
}

/// Replaces an existing address of the user's; `make_default` sets or clears it as the default.
pub async fn replace(
    table: &Table,
    user_id: &str,
    address: &Address,
    make_default: bool,
    was_default: bool,
) -> Result<(), ChangeAddressError> {
    let result = table
        .put_item()
        .set_item(Some(to_item(user_id, address)?))
        .condition_expression("attribute_exists(PK)")
        .send()
        .await;
    match result {
        Ok(_) => {}
        Err(e) if condition_failed(&e) => return Err(ChangeAddressError::NotFound),
        Err(e) => return Err(StoreError::from_sdk("PutItem", &e).into()),
    }
    if make_default && !was_default {
        set_default(table, user_id, Some(&address.id)).await?;
    } else if !make_default && was_default {
        let next = list(table, user_id)
            .await?
            .into_iter()
            .find(|a| a.id != address.id);
        set_default(
            table,
            user_id,
            next.as_ref().map(|a| a.id.as_str()).or(Some(&address.id)),
        )
        .await?;
    }
    Ok(())
}

/// Deletes an address of the user's and, if it was the default, makes another one the default.
pub async fn delete(
    table: &Table,
    user_id: &str,
    id: &str,
    was_default: bool,
) -> Result<(), ChangeAddressError> {
    let result = table
        .delete_item()
        .key("PK", s(user_pk(user_id)))
        .key("SK", s(sk(id)))
        .condition_expression("attribute_exists(PK)")
        .return_values(ReturnValue::AllOld)
        .send()
        .await;
    match result {
        Ok(_) => {}
        Err(e) if condition_failed(&e) => return Err(ChangeAddressError::NotFound),
        Err(e) => return Err(StoreError::from_sdk("DeleteItem", &e).into()),
    }
    table
        .update_item()
        .key("PK", s(user_pk(user_id)))
        .key("SK", s("PROFILE"))
        .update_expression("ADD address_count :minus")
        .expression_attribute_values(":minus", n(-1))
        .send()
        .await
        .map_err(|e| StoreError::from_sdk("UpdateItem", &e))?;
    if was_default {
        let next = list(table, user_id).await?.into_iter().next();
        set_default(table, user_id, next.as_ref().map(|a| a.id.as_str())).await?;
    }
    Ok(())
}

async fn set_default(table: &Table, user_id: &str, id: Option<&str>) -> Result<(), StoreError> {
    let req = table
        .update_item()
        .key("PK", s(user_pk(user_id)))
        .key("SK", s("PROFILE"));
    let req = match id {
        Some(id) => req
            .update_expression("SET default_address_id = :id")
            .expression_attribute_values(":id", s(id)),
        None => req.update_expression("REMOVE default_address_id"),
    };
    req.send()
        .await
        .map_err(|e| StoreError::from_sdk("UpdateItem", &e))?;
    Ok(())
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
