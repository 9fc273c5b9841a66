//! Users and the email-uniqueness items that go with them.
//!
//! `USER#<id>`/`PROFILE` holds the profile; `EMAIL#<lowercased email>`/`EMAIL` points at the user
//! and is written in the same transaction with `attribute_not_exists(PK)`, so two sign-ups
//! with one address (in any letter case) cannot both succeed.

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::update_item::{UpdateItemError, UpdateItemOutput};
use aws_sdk_dynamodb::types::Put;
use serde::{Deserialize, Serialize};

use super::transact::Transaction;
use super::{StoreError, applied, condition_failed, get_item, s};
use crate::aws::{Table, TableReader};
use crate::domain::{Email, Role};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
/// Optional fields are left out of the item when empty (not stored as NULL), so that
/// `if_not_exists` and `attribute_exists` conditions see them as absent.
pub struct User {
    pub id: String,
    pub email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default)]
    pub marketing_opt_in: bool,
    pub role: Role,
    /// Argon2id PHC string; `None` for an account made by Google sign-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<String>,
    #[serde(default)]
    pub email_verified: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub google_sub: Option<String>,
    pub created_at: String,
    /// Access tokens carry the version they were issued at; revoking every session bumps it.
    #[serde(default)]
    pub token_version: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_address_id: Option<String>,
    #[serde(default)]
    pub address_count: u32,
    #[serde(default)]
    pub order_count: u32,
    #[serde(default)]
    pub total_spent: i64,
}

impl User {
    /// A new account: nothing bought, no address, token version 0.
    pub fn new(
        email: &Email,
        name: Option<String>,
        role: Role,
        password_hash: Option<String>,
        created_at: String,
    ) -> Self {
        Self {
            id: ulid::Ulid::new().to_string(),
            email: email.as_str().to_owned(),
            name,
            phone: None,
            marketing_opt_in: false,
            role,
            password_hash,
            email_verified: false,
            google_sub: None,
            created_at,
            token_version: 0,
            default_address_id: None,
            address_count: 0,
            order_count: 0,
            total_spent: 0,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct UserItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    r#type: String,
    /// `USERS`: every user on GSI1, newest first by `GSI1SK`.
    #[serde(rename = "GSI1PK", default)]
    gsi1pk: String,
    /// `<created_at>#<id>`.
    #[serde(rename = "GSI1SK", default)]
    gsi1sk: String,
    /// `ROLE#<role>`: the users of one role on GSI2, newest first by `GSI2SK`.
    #[serde(rename = "GSI2PK", default)]
    gsi2pk: String,
    #[serde(rename = "GSI2SK", default)]
    gsi2sk: String,
    #[serde(flatten)]
    user: User,
}

const ALL_USERS: &str = "USERS";

fn role_key(role: Role) -> String {
    format!("ROLE#{}", role.as_str())
}

impl UserItem {
    fn new(user: &User) -> Self {
        let by_time = format!("{}#{}", user.created_at, user.id);
        Self {
            pk: user_pk(&user.id),
            sk: PROFILE_SK.into(),
            r#type: "user".into(),
            gsi1pk: ALL_USERS.into(),
            gsi1sk: by_time.clone(),
            gsi2pk: role_key(user.role),
            gsi2sk: by_time,
            user: user.clone(),
        }
    }
}

/// The sort key of a user's profile item.
pub const PROFILE_SK: &str = "PROFILE";

pub fn user_pk(id: &str) -> String {
    format!("USER#{id}")
}

/// A Query over one user's partition, for items whose sort key starts with `prefix`
/// (`ADDRESS#`, `NOTE#`, `SESSION#`).
pub fn items_of(
    table: &TableReader,
    user_id: &str,
    prefix: &str,
) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
    table
        .query()
        .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
        .expression_attribute_values(":pk", s(user_pk(user_id)))
        .expression_attribute_values(":prefix", s(prefix))
}

fn email_pk(email: &Email) -> String {
    format!("EMAIL#{}", email.key())
}

#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    #[error("an account with this email exists")]
    EmailTaken,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Creates a user and claims its email in one transaction.
pub async fn create(table: &Table, user: &User, email: &Email) -> Result<(), CreateUserError> {
    let item =
        serde_dynamo::to_item(UserItem::new(user)).map_err(|e| StoreError::serde("user", e))?;
    let claim = Put::builder()
        .table_name(table.name())
        .item("PK", s(email_pk(email)))
        .item("SK", s("EMAIL"))
        .item("type", s("email"))
        .item("user_id", s(&user.id))
        .condition_expression("attribute_not_exists(PK)")
        .build()
        .expect("table and item are set");
    let profile = Put::builder()
        .table_name(table.name())
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(PK)")
        .build()
        .expect("table and item are set");
    Transaction::new(table)
        .put("email", claim)
        .put("profile", profile)
        .send()
        .await
        .map_err(|e| {
            e.on_condition(|c| {
                c.condition_failed("email")
                    .then_some(CreateUserError::EmailTaken)
            })
        })?;
    Ok(())
}

pub async fn get(table: &TableReader, id: &str) -> Result<Option<User>, StoreError> {
    get_item(table, user_pk(id), "PROFILE")
        .await?
        .map(|item| serde_dynamo::from_item::<_, UserItem>(item).map(|i| i.user))
        .transpose()
        .map_err(|e| StoreError::serde("user", e))
}

/// The id of the user who owns `email` (any letter case).
pub async fn id_by_email(table: &TableReader, email: &Email) -> Result<Option<String>, StoreError> {
    Ok(get_item(table, email_pk(email), "EMAIL")
        .await?
        .and_then(|item| item.get("user_id").and_then(|v| v.as_s().ok()).cloned()))
}

pub async fn by_email(table: &TableReader, email: &Email) -> Result<Option<User>, StoreError> {
    match id_by_email(table, email).await? {
        Some(id) => get(table, &id).await,
        None => Ok(None),
    }
}

/// Profile fields a user may change; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct ProfileChange {
    pub name: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub marketing_opt_in: Option<bool>,
}

/// Applies `change` to an existing user and returns the user as it now is; `None` if gone.
pub async fn update_profile(
    table: &Table,
    id: &str,
    change: &ProfileChange,
) -> Result<Option<User>, StoreError> {
    let mut sets = Vec::new();
    let mut removes = Vec::new();
    let mut req =
        update_existing(table, id).return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew);
    for (field, value) in [("name", &change.name), ("phone", &change.phone)] {
        match value {
            Some(Some(v)) => {
                sets.push(format!("#{field} = :{field}"));
                req = req
                    .expression_attribute_names(format!("#{field}"), field)
                    .expression_attribute_values(format!(":{field}"), s(v));
            }
            Some(None) => {
                removes.push(format!("#{field}"));
                req = req.expression_attribute_names(format!("#{field}"), field);
            }
            None => {}
        }
    }
    if let Some(opt_in) = change.marketing_opt_in {
        sets.push("marketing_opt_in = :opt".to_owned());
        req = req.expression_attribute_values(
            ":opt",
            aws_sdk_dynamodb::types::AttributeValue::Bool(opt_in),
        );
    }
    if sets.is_empty() && removes.is_empty() {
        return get(table, id).await;
    }
    let mut expr = String::new();
    if !sets.is_empty() {
        expr.push_str(&format!("SET {}", sets.join(", ")));
    }
    if !removes.is_empty() {
        expr.push_str(&format!(" REMOVE {}", removes.join(", ")));
    }
    updated(req.update_expression(expr.trim()).send().await)
}

/// The user as an update of an existing user (`ReturnValues ALL_NEW`) left it; `None` when
/// the user was gone.
fn updated<R: std::fmt::Debug>(
    result: Result<UpdateItemOutput, SdkError<UpdateItemError, R>>,
) -> Result<Option<User>, StoreError> {
    match result {
        Ok(out) => out
            .attributes
            .map(|item| serde_dynamo::from_item::<_, UserItem>(item).map(|i| i.user))
            .transpose()
            .map_err(|e| StoreError::serde("user", e)),
        Err(e) if condition_failed(&e) => Ok(None),
        Err(e) => Err(StoreError::from_sdk("UpdateItem", &e)),
    }
}

/// An update of an existing user's profile item (refused by condition if the user is gone).
fn update_existing(
    table: &Table,
    id: &str,
) -> aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder {
    table
        .update_item()
        .key("PK", s(user_pk(id)))
        .key("SK", s("PROFILE"))
        .condition_expression("attribute_exists(PK)")
}

/// Marks the email verified (a no-op for a user that is gone).
pub async fn mark_email_verified(table: &Table, id: &str) -> Result<bool, StoreError> {
    let result = update_existing(table, id)
        .update_expression("SET email_verified = :t")
        .expression_attribute_values(":t", aws_sdk_dynamodb::types::AttributeValue::Bool(true))
        .send()
        .await;
    applied("UpdateItem", result)
}

/// Sets a new password hash, marks the email verified (the reset link proved it) and bumps
/// the token version, so every access token, refresh session and reset link issued before is
/// refused. Only while the token version is still `expected_version` (false otherwise, or when
/// the user is gone).
pub async fn set_password_and_revoke(
    table: &Table,
    id: &str,
    phc: &str,
    expected_version: u64,
) -> Result<bool, StoreError> {
    let result = update_existing(table, id)
        .condition_expression("attribute_exists(PK) AND token_version = :ver")
        .expression_attribute_values(":ver", super::n(expected_version))
        .update_expression("SET password_hash = :h, email_verified = :t ADD token_version :one")
        .expression_attribute_values(":h", s(phc))
        .expression_attribute_values(":t", aws_sdk_dynamodb::types::AttributeValue::Bool(true))
        .expression_attribute_values(":one", super::n(1))
        .send()
        .await;
    applied("UpdateItem", result)
}

/// Links a Google account to an existing user whose email was verified (and so belongs to the
/// same person Google vouches for): the password and sessions stay.
pub async fn link_google(table: &Table, id: &str, sub: &str) -> Result<(), StoreError> {
    update_existing(table, id)
        .update_expression("SET google_sub = :sub, email_verified = :t")
        .expression_attribute_values(":sub", s(sub))
        .expression_attribute_values(":t", aws_sdk_dynamodb::types::AttributeValue::Bool(true))
        .send()
        .await
        .map_err(|e| StoreError::from_sdk("UpdateItem", &e))?;
    Ok(())
}

/// Gives an account whose email was never verified to the Google identity that proves the
/// address: whoever registered it first may not be its owner, so the password is removed and
/// the token version bumped (every session, access token and reset link of theirs ends).
/// Refused (false) when the account was verified meanwhile; then [`link_google`] applies.
pub async fn take_over_unverified(table: &Table, id: &str, sub: &str) -> Result<bool, StoreError> {
    let result = update_existing(table, id)
        .condition_expression("attribute_exists(PK) AND email_verified = :f")
        .update_expression(
            "SET google_sub = :sub, email_verified = :t REMOVE password_hash ADD token_version :one",
        )
        .expression_attribute_values(":sub", s(sub))
        .expression_attribute_values(":t", aws_sdk_dynamodb::types::AttributeValue::Bool(true))
        .expression_attribute_values(":f", aws_sdk_dynamodb::types::AttributeValue::Bool(false))
        .expression_attribute_values(":one", super::n(1))
        .send()
        .await;
    applied("UpdateItem", result)
}

/// One page of users, newest first: all of them, or those of one role.
pub async fn page(
    table: &TableReader,
    role: Option<Role>,
    page: &crate::paging::Page,
) -> Result<(Vec<User>, Option<super::Item>), StoreError> {
    let (index, key) = match role {
        Some(role) => ("GSI2", ("GSI2PK", role_key(role))),
        None => ("GSI1", ("GSI1PK", ALL_USERS.to_owned())),
    };
    let query = table
        .query()
        .index_name(index)
        .key_condition_expression("#pk = :pk")
        .expression_attribute_names("#pk", key.0)
        .expression_attribute_values(":pk", s(key.1));
    let (items, last) = super::newest_first::<UserItem>(query, page, "user").await?;
    Ok((items.into_iter().map(|i| i.user).collect(), last))
}

/// Gives a user another role (and moves them to that role's index); `None` if the user is gone.
pub async fn set_role(table: &Table, id: &str, role: Role) -> Result<Option<User>, StoreError> {
    let result = update_existing(table, id)
        .update_expression("SET #role = :role, GSI2PK = :by_role")
        .expression_attribute_names("#role", "role")
        .expression_attribute_values(":role", s(role.as_str()))
        .expression_attribute_values(":by_role", s(role_key(role)))
        .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew)
        .send()
        .await;
    updated(result)
}

/// Deletes an account: its profile and its email claim in one transaction (from then on the
/// account is gone and the address can register again), then everything else in its partition
/// (sessions, addresses, notifications, one-time tokens). Returns how many other items went;
/// `None` when the account was already gone.
pub async fn delete_account(table: &Table, user: &User) -> Result<Option<usize>, StoreError> {
    let email = Email::parse(&user.email).map_err(|e| StoreError::serde("user email", e))?;
    let profile = aws_sdk_dynamodb::types::Delete::builder()
        .table_name(table.name())
        .key("PK", s(user_pk(&user.id)))
        .key("SK", s("PROFILE"))
        .condition_expression("attribute_exists(PK)")
        .build()
        .expect("table and key are set");
    let claim = aws_sdk_dynamodb::types::Delete::builder()
        .table_name(table.name())
        .key("PK", s(email_pk(&email)))
        .key("SK", s("EMAIL"))
        .condition_expression("user_id = :id")
        .expression_attribute_values(":id", s(&user.id))
        .build()
        .expect("table and key are set");
    let sent = Transaction::new(table)
        .delete("profile", profile)
        .delete("email", claim)
        .send()
        .await;
    if let Err(err) = sent {
        return match err.cancelled() {
            Some(c) if c.condition_failed("profile") => Ok(None),
            _ => Err(err.into_store_error()),
        };
    }
    super::delete_partition(table, &user_pk(&user.id))
        .await
        .map(Some)
}
