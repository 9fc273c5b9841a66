//! Refresh-token sessions: `USER#<id>`/`SESSION#<family>` with the current generation, the
//! hash of the one valid token, and the user's token version when the session began.
//!
//! Rotation is one transaction: a conditional update on (generation, hash), so of two
//! refreshes racing with one token only one wins (the loser is treated as reuse), and a check
//! that the user's token version is still the session's. Revoking every session (a password
//! reset) bumps the version first, so from that moment no refresh of an older session succeeds,
//! whatever it read before; deleting the session items afterwards only tidies up.

use aws_sdk_dynamodb::types::AttributeValue;
use time::OffsetDateTime;

use aws_sdk_dynamodb::types::{ConditionCheck, Update};

use super::transact::Transaction;
use super::users::user_pk;
use super::{StoreError, get_item, n, s};
use crate::aws::Table;
use crate::domain::RefreshToken;

fn key(user_id: &str, family: &str) -> [(&'static str, AttributeValue); 2] {
    [
        ("PK", s(user_pk(user_id))),
        ("SK", s(format!("SESSION#{family}"))),
    ]
}

pub struct Session {
    pub generation: u64,
    pub token_hash: String,
    pub expires_at: i64,
    /// The user's token version when the session began; access tokens it mints carry it.
    pub token_version: u64,
}

/// Stores the first token of a new family, begun at the user's `token_version`.
pub async fn create(
    table: &Table,
    token: &RefreshToken,
    token_version: u64,
    expires_at: OffsetDateTime,
) -> Result<(), StoreError> {
    let [pk, sk] = key(&token.user_id, &token.family);
    table
        .put_item()
        .item(pk.0, pk.1)
        .item(sk.0, sk.1)
        .item("type", s("session"))
        .item("generation", n(token.generation))
        .item("token_hash", s(token.hash()))
        .item("token_version", n(token_version))
        .item("created_at", n(OffsetDateTime::now_utc().unix_timestamp()))
        .item("expires_at", n(expires_at.unix_timestamp()))
        .condition_expression("attribute_not_exists(PK)")
        .send()
        .await
        .map_err(|e| StoreError::from_sdk("PutItem", &e))?;
    Ok(())
}

pub async fn get(
    table: &Table,
    user_id: &str,
    family: &str,
) -> Result<Option<Session>, StoreError> {
    let item = get_item(table, user_pk(user_id), &format!("SESSION#{family}")).await?;
    Ok(item.and_then(|item| {
        Some(Session {
            generation: item.get("generation")?.as_n().ok()?.parse().ok()?,
            token_hash: item.get("token_hash")?.as_s().ok()?.clone(),
            expires_at: item.get("expires_at")?.as_n().ok()?.parse().ok()?,
            token_version: item.get("token_version")?.as_n().ok()?.parse().ok()?,
        })
    }))
}

/// What a rotation met.
#[derive(Debug, PartialEq, Eq)]
pub enum Rotation {
    /// `new` is now the family's token.
    Rotated,
    /// `old` is no longer the family's token: another refresh used it first.
    Superseded,
    /// The user's sessions were revoked (or the user is gone) since this session began.
    Revoked,
}

/// Replaces `old` by `new` if `old` is still the family's current token and the user's token
/// version is still `token_version`.
pub async fn rotate(
    table: &Table,
    old: &RefreshToken,
    new: &RefreshToken,
    token_version: u64,
) -> Result<Rotation, StoreError> {
    let [pk, sk] = key(&old.user_id, &old.family);
    let session = Update::builder()
        .table_name(table.name())
        .key(pk.0, pk.1)
        .key(sk.0, sk.1)
        .update_expression("SET generation = :new_gen, token_hash = :new_hash")
        .condition_expression("generation = :gen AND token_hash = :hash")
        .expression_attribute_values(":gen", n(old.generation))
        .expression_attribute_values(":hash", s(old.hash()))
        .expression_attribute_values(":new_gen", n(new.generation))
        .expression_attribute_values(":new_hash", s(new.hash()))
        .build()
        .expect("table, key and expression are set");
    let user = ConditionCheck::builder()
        .table_name(table.name())
        .key("PK", s(user_pk(&old.user_id)))
        .key("SK", s("PROFILE"))
        .condition_expression("token_version = :ver")
        .expression_attribute_values(":ver", n(token_version))
        .build()
        .expect("table, key and condition are set");
    let sent = Transaction::new(table)
        .update("session", session)
        .check("user", user)
        .send()
        .await;
    match sent {
        Ok(_) => Ok(Rotation::Rotated),
        Err(err) => match err.cancelled() {
            Some(c) if c.condition_failed("user") => Ok(Rotation::Revoked),
            Some(c) if c.condition_failed("session") => Ok(Rotation::Superseded),
            _ => Err(err.into_store_error()),
        },
    }
}

/// Ends one session family.
pub async fn delete(table: &Table, user_id: &str, family: &str) -> Result<(), StoreError> {
    let [pk, sk] = key(user_id, family);
    table
        .delete_item()
        .key(pk.0, pk.1)
        .key(sk.0, sk.1)
        .send()
        .await
        .map_err(|e| StoreError::from_sdk("DeleteItem", &e))?;
    Ok(())
}

/// Ends every session of a user (a Query on the user's partition, then batched deletes).
pub async fn delete_all(table: &Table, user_id: &str) -> Result<usize, StoreError> {
    super::delete_found(table, super::users::items_of(table, user_id, "SESSION#")).await
}
