//! Reviews and helpful votes.
//!
//! - `REVIEWS#<product id>`/`REVIEW#<review ulid>`: a review; its public id is
//!   `<product id>-<review ulid>`, so every look-up by id is one consistent GetItem, and
//!   neither the id nor a list cursor (the item's key) carries its author's user id. On GSI1
//!   `REVIEWS#<product id>` / `<created_at>#<id>`: a product's reviews, newest first. Kept out
//!   of the product's own partition, so reading a product never reads its reviews.
//! - `REVIEWS#<product id>`/`BY#<user id>`: the author's claim, written in the same
//!   transaction as the review: one review per user and product. On no index.
//! - `VOTE#<review id>`/`USER#<voter id>`: a helpful vote, once per user by its key.
//!
//! The product's `rating_sum` and `rating_count` change in the same transaction as the review
//! (create, edit, delete); an edit or delete is conditional on the rating it read, so racing
//! writes never leave the sum off.

use aws_sdk_dynamodb::types::{Delete, Put, Update};
use serde::{Deserialize, Serialize};

use super::transact::{TransactError, Transaction};
use super::{Item, StoreError, get_item, n, s};
use crate::aws::{Table, TableReader};
use crate::domain::id::is_ulid;

/// How many times an edit or delete is decided again when the review changed meanwhile.
const ATTEMPTS: u32 = 5;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Review {
    pub id: String,
    pub product_id: String,
    pub user_id: String,
    /// The reviewer's name as shown (or `None`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    pub rating: u8,
    pub title: String,
    pub comment: String,
    /// Decided when the review is written or edited (from the user's paid orders, once orders
    /// exist).
    #[serde(default)]
    pub verified_purchase: bool,
    #[serde(default)]
    pub helpful_count: u32,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Serialize, Deserialize)]
struct ReviewItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    r#type: String,
    #[serde(rename = "GSI1PK")]
    gsi1pk: String,
    #[serde(rename = "GSI1SK")]
    gsi1sk: String,
    #[serde(flatten)]
    review: Review,
}

/// A new review's public id: its product and a ULID of its own (never its author's id).
pub fn new_review_id(product_id: &str) -> String {
    format!("{product_id}-{}", ulid::Ulid::new())
}

/// The product and the review's own ULID of a review id (`None`: it cannot be one of ours).
fn parse_id(id: &str) -> Option<(&str, &str)> {
    let (product, review) = id.split_once('-')?;
    (is_ulid(product) && is_ulid(review)).then_some((product, review))
}

/// The review's item key, from its public id.
fn key(id: &str) -> Option<(String, String)> {
    let (product, review) = parse_id(id)?;
    Some((format!("REVIEWS#{product}"), format!("REVIEW#{review}")))
}

/// The author's claim on their one review of a product.
fn author_key(product_id: &str, user_id: &str) -> (String, String) {
    (format!("REVIEWS#{product_id}"), format!("BY#{user_id}"))
}

fn claim_delete(table: &Table, review: &Review) -> Delete {
    let (pk, sk) = author_key(&review.product_id, &review.user_id);
    Delete::builder()
        .table_name(table.name())
        .key("PK", s(pk))
        .key("SK", s(sk))
        .build()
        .expect("table and key are set")
}

fn rating_update(table: &Table, product_id: &str, sum: i64, count: i64, condition: &str) -> Update {
    Update::builder()
        .table_name(table.name())
        .key("PK", s(super::products::product_pk(product_id)))
        .key("SK", s("PRODUCT"))
        .update_expression("ADD rating_sum :sum, rating_count :count")
        .condition_expression(condition)
        .expression_attribute_values(":sum", n(sum))
        .expression_attribute_values(":count", n(count))
        .build()
        .expect("table, key and expression are set")
}

#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error("this user has reviewed this product")]
    Exists,
    #[error("no such review (or product)")]
    NotFound,
    #[error("one's own review")]
    Own,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Adds a review to an active product and its rating to the product, in one transaction.
pub async fn create(table: &Table, review: &Review) -> Result<(), ReviewError> {
    let (pk, sk) = key(&review.id)
        .ok_or_else(|| StoreError::serde("review", "a review id is made by new_review_id"))?;
    let item = serde_dynamo::to_item(ReviewItem {
        gsi1pk: pk.clone(),
        gsi1sk: format!("{}#{}", review.created_at, review.id),
        pk,
        sk,
        r#type: "review".into(),
        review: review.clone(),
    })
    .map_err(|e| StoreError::serde("review", e))?;
    let put = Put::builder()
        .table_name(table.name())
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(PK)")
        .build()
        .expect("table and item are set");
    let (claim_pk, claim_sk) = author_key(&review.product_id, &review.user_id);
    let claim = Put::builder()
        .table_name(table.name())
        .item("PK", s(claim_pk))
        .item("SK", s(claim_sk))
        .item("type", s("review_author"))
        .item("review_id", s(&review.id))
        .condition_expression("attribute_not_exists(PK)")
        .build()
        .expect("table and item are set");
    let product = Update::builder()
        .table_name(table.name())
        .key("PK", s(super::products::product_pk(&review.product_id)))
        .key("SK", s("PRODUCT"))
        .update_expression("ADD rating_sum :sum, rating_count :one")
        .condition_expression("#status = :active")
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":active", s("active"))
        .expression_attribute_values(":sum", n(review.rating))
        .expression_attribute_values(":one", n(1))
        .build()
        .expect("table, key and expression are set");
    Transaction::new(table)
        .put("author", claim)
        .put("review", put)
        .update("product", product)
        .send()
        .await
        .map_err(|e| {
            e.on_condition(|c| {
                if c.condition_failed("author") || c.condition_failed("review") {
                    Some(ReviewError::Exists)
                } else {
                    c.condition_failed("product")
                        .then_some(ReviewError::NotFound)
                }
            })
        })?;
    super::catalog_version::bump(table).await;
    Ok(())
}

pub async fn get(table: &TableReader, id: &str) -> Result<Option<Review>, StoreError> {
    let Some((pk, sk)) = key(id) else {
        return Ok(None);
    };
    get_item(table, pk, &sk)
        .await?
        .map(|item| serde_dynamo::from_item::<_, ReviewItem>(item).map(|i| i.review))
        .transpose()
        .map_err(|e| StoreError::serde("review", e))
}

/// One page of a product's reviews, newest first.
pub async fn page(
    table: &TableReader,
    product_id: &str,
    page: &crate::paging::Page,
) -> Result<(Vec<Review>, Option<Item>), StoreError> {
    let query = table
        .query()
        .index_name("GSI1")
        .key_condition_expression("GSI1PK = :pk")
        .expression_attribute_values(":pk", s(format!("REVIEWS#{product_id}")));
    let (items, last) = super::newest_first::<ReviewItem>(query, page, "review").await?;
    Ok((items.into_iter().map(|i| i.review).collect(), last))
}

/// A change to one's own review.
#[derive(Debug, Default)]
pub struct ReviewChange {
    pub rating: Option<u8>,
    pub title: Option<String>,
    pub comment: Option<String>,
}

/// Another write got in between (the review's rating is not what was read, or it is gone):
/// decide again from a fresh read.
fn raced(err: &TransactError) -> bool {
    err.cancelled().is_some()
}

/// Who may change a review.
#[derive(Debug, Clone, Copy)]
pub enum Editor<'a> {
    /// Its author only (anyone else's review is not found).
    Author(&'a str),
    /// Staff, who may delete any review.
    Staff,
}

/// The review `id` if `editor` may change it.
async fn editable(
    table: &TableReader,
    id: &str,
    editor: Editor<'_>,
) -> Result<(Review, (String, String)), ReviewError> {
    let review = get(table, id).await?.ok_or(ReviewError::NotFound)?;
    match editor {
        Editor::Author(user) if review.user_id != user => Err(ReviewError::NotFound),
        _ => {
            let key = key(id).ok_or(ReviewError::NotFound)?;
            Ok((review, key))
        }
    }
}

/// Edits its author's review and moves the product's rating sum by the change, in one
/// transaction.
pub async fn update(
    table: &Table,
    id: &str,
    author: &str,
    change: &ReviewChange,
    now: &str,
) -> Result<Review, ReviewError> {
    for _ in 0..ATTEMPTS {
        let (old, (pk, sk)) = editable(table, id, Editor::Author(author)).await?;
        let rating = change.rating.unwrap_or(old.rating);
        let title = change.title.clone().unwrap_or_else(|| old.title.clone());
        let comment = change
            .comment
            .clone()
            .unwrap_or_else(|| old.comment.clone());
        let review = Update::builder()
            .table_name(table.name())
            .key("PK", s(pk))
            .key("SK", s(sk))
            .update_expression(
                "SET rating = :rating, title = :title, #comment = :comment, updated_at = :now",
            )
            .condition_expression("rating = :old")
            .expression_attribute_names("#comment", "comment")
            .expression_attribute_values(":rating", n(rating))
            .expression_attribute_values(":title", s(&title))
            .expression_attribute_values(":comment", s(&comment))
            .expression_attribute_values(":now", s(now))
            .expression_attribute_values(":old", n(old.rating))
            .build()
            .expect("table, key and expression are set");
        let delta = i64::from(rating) - i64::from(old.rating);
        let mut tx = Transaction::new(table).update("review", review);
        if delta != 0 {
            tx = tx.update(
                "product",
                rating_update(table, &old.product_id, delta, 0, "attribute_exists(PK)"),
            );
        }
        match tx.send().await {
            Ok(_) => {
                if delta != 0 {
                    super::catalog_version::bump(table).await;
                }
                return Ok(Review {
                    rating,
                    title,
                    comment,
                    updated_at: now.to_owned(),
                    ..old
                });
            }
            Err(err) if raced(&err) => continue,
            Err(err) => return Err(err.into_store_error().into()),
        }
    }
    Err(contended().into())
}

/// Deletes a review (its author's claim, and its rating from the product), in one
/// transaction.
pub async fn delete(table: &Table, id: &str, editor: Editor<'_>) -> Result<(), ReviewError> {
    for _ in 0..ATTEMPTS {
        let (old, (pk, sk)) = editable(table, id, editor).await?;
        let review = Delete::builder()
            .table_name(table.name())
            .key("PK", s(pk))
            .key("SK", s(sk))
            .condition_expression("rating = :old")
            .expression_attribute_values(":old", n(old.rating))
            .build()
            .expect("table and key are set");
        let product = rating_update(
            table,
            &old.product_id,
            -i64::from(old.rating),
            -1,
            "attribute_exists(PK)",
        );
        match Transaction::new(table)
            .delete("review", review)
            .delete("author", claim_delete(table, &old))
            .update("product", product)
            .send()
            .await
        {
            Ok(_) => {
                super::catalog_version::bump(table).await;
                return Ok(());
            }
            Err(err) if raced(&err) => continue,
            Err(err) => return Err(err.into_store_error().into()),
        }
    }
    Err(contended().into())
}

/// Counts a helpful vote once per user: `false` when this user had voted already.
/// [`ReviewError::Own`] for a vote on one's own review.
pub async fn vote_helpful(table: &Table, id: &str, voter_id: &str) -> Result<bool, ReviewError> {
    let review = get(table, id).await?.ok_or(ReviewError::NotFound)?;
    if review.user_id == voter_id {
        return Err(ReviewError::Own);
    }
    let (pk, sk) = key(id).ok_or(ReviewError::NotFound)?;
    let vote = Put::builder()
        .table_name(table.name())
        .item("PK", s(format!("VOTE#{id}")))
        .item("SK", s(format!("USER#{voter_id}")))
        .item("type", s("helpful_vote"))
        .condition_expression("attribute_not_exists(PK)")
        .build()
        .expect("table and item are set");
    let count = Update::builder()
        .table_name(table.name())
        .key("PK", s(pk))
        .key("SK", s(sk))
        .update_expression("ADD helpful_count :one")
        .condition_expression("attribute_exists(PK)")
        .expression_attribute_values(":one", n(1))
        .build()
        .expect("table, key and expression are set");
    match Transaction::new(table)
        .put("vote", vote)
        .update("review", count)
        .send()
        .await
    {
        Ok(_) => Ok(true),
        Err(err) => match err.cancelled() {
            Some(c) if c.condition_failed("review") => Err(ReviewError::NotFound),
            Some(c) if c.condition_failed("vote") => Ok(false),
            _ => Err(err.into_store_error().into()),
        },
    }
}

/// Contention that outlasted the attempts (429 `busy` for the client).
fn contended() -> StoreError {
    StoreError::contended(format!("the review kept changing over {ATTEMPTS} attempts"))
}
