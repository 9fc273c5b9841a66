//! Categories: `CATEGORY#<slug>`/`CATEGORY` with its name and parent, all of them on GSI1
//! `CATEGORIES` (a shop has few; the tree is built from one Query).
//!
//! A category never becomes its own ancestor: moving one re-reads the chain of ancestors of its
//! new parent with consistent reads, refuses a chain that passes through it, and writes the move
//! in one transaction that checks every ancestor's parent is still what was read, so two moves
//! racing cannot close a loop between them.

use aws_sdk_dynamodb::types::{ConditionCheck, Put, Update};
use serde::{Deserialize, Serialize};

use super::transact::Transaction;
use super::{StoreError, get_item, s};
use crate::aws::{Table, TableReader};

/// How deep the tree may grow (a chain of ancestors longer than this is refused).
pub const MAX_DEPTH: usize = 10;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Category {
    pub slug: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    pub created_at: String,
}

#[derive(Serialize, Deserialize)]
struct CategoryItem {
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
    category: Category,
}

const ALL: &str = "CATEGORIES";

pub fn category_pk(slug: &str) -> String {
    format!("CATEGORY#{slug}")
}

/// A check, inside a transaction, that a category exists.
pub fn exists(table: &Table, slug: &str) -> ConditionCheck {
    ConditionCheck::builder()
        .table_name(table.name())
        .key("PK", s(category_pk(slug)))
        .key("SK", s("CATEGORY"))
        .condition_expression("attribute_exists(PK)")
        .build()
        .expect("table, key and condition are set")
}

#[derive(Debug, thiserror::Error)]
pub enum CategoryError {
    #[error("a category with this slug exists")]
    SlugTaken,
    #[error("no such category")]
    NotFound,
    #[error("the parent category does not exist")]
    ParentMissing,
    #[error("the category would become its own ancestor")]
    Cycle,
    #[error("the tree would be deeper than {MAX_DEPTH} levels")]
    TooDeep,
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub async fn get(table: &TableReader, slug: &str) -> Result<Option<Category>, StoreError> {
    get_item(table, category_pk(slug), "CATEGORY")
        .await?
        .map(|item| serde_dynamo::from_item::<_, CategoryItem>(item).map(|i| i.category))
        .transpose()
        .map_err(|e| StoreError::serde("category", e))
}

/// Every category (in slug order).
pub async fn all(table: &TableReader) -> Result<Vec<Category>, StoreError> {
    let items: Vec<CategoryItem> = super::gsi1_all(table, ALL, "category").await?;
    Ok(items.into_iter().map(|i| i.category).collect())
}

/// The ancestors of `slug`, itself first, read consistently: `(slug, its parent)` pairs.
async fn chain(table: &Table, slug: &str) -> Result<Vec<(String, Option<String>)>, CategoryError> {
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    let mut next = Some(slug.to_owned());
    while let Some(current) = next {
        if out.len() >= MAX_DEPTH {
            return Err(CategoryError::TooDeep);
        }
        let category = get(table, &current)
            .await?
            .ok_or(CategoryError::ParentMissing)?;
        next = category.parent.clone();
        out.push((current, category.parent));
    }
    Ok(out)
}

/// A check that an ancestor's parent is still what was read.
fn unchanged(table: &Table, slug: &str, parent: Option<&str>) -> ConditionCheck {
    let builder = ConditionCheck::builder()
        .table_name(table.name())
        .key("PK", s(category_pk(slug)))
        .key("SK", s("CATEGORY"));
    match parent {
        Some(p) => builder
            .condition_expression("parent = :p")
            .expression_attribute_values(":p", s(p)),
        None => {
            builder.condition_expression("attribute_exists(PK) AND attribute_not_exists(parent)")
        }
    }
    .build()
    .expect("table, key and condition are set")
}

/// Adds the checks that the ancestors of a new parent are as read, and refuses a chain that
/// passes through `slug` itself or is too deep.
async fn with_chain_checks<'a>(
    table: &'a Table,
    mut tx: Transaction<'a>,
    slug: &str,
    parent: &str,
) -> Result<Transaction<'a>, CategoryError> {
    let ancestors = chain(table, parent).await?;
    if ancestors.iter().any(|(a, _)| a == slug) {
        return Err(CategoryError::Cycle);
    }
    if ancestors.len() >= MAX_DEPTH {
        return Err(CategoryError::TooDeep);
    }
    for (ancestor, its_parent) in &ancestors {
        tx = tx.check(
            format!("ancestor:{ancestor}"),
            unchanged(table, ancestor, its_parent.as_deref()),
        );
    }
    Ok(tx)
}

/// What a transaction that may race with a move met.
fn judge(err: super::transact::TransactError, own: &str) -> CategoryError {
    match err.cancelled() {
        Some(c) if c.condition_failed(own) => match own {
            "new" => CategoryError::SlugTaken,
            _ => CategoryError::NotFound,
        },
        // An ancestor moved meanwhile (or is gone): the caller may try again.
        Some(_) => CategoryError::Store(StoreError::contended(
            "an ancestor category changed meanwhile",
        )),
        None => CategoryError::Store(err.into_store_error()),
    }
}

/// Creates a category, under `category.parent` when given.
pub async fn create(table: &Table, category: &Category) -> Result<(), CategoryError> {
    let item = serde_dynamo::to_item(CategoryItem {
        pk: category_pk(&category.slug),
        sk: "CATEGORY".into(),
        r#type: "category".into(),
        gsi1pk: ALL.into(),
        gsi1sk: category.slug.clone(),
        category: category.clone(),
    })
    .map_err(|e| StoreError::serde("category", e))?;
    let put = Put::builder()
        .table_name(table.name())
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(PK)")
        .build()
        .expect("table and item are set");
    let mut tx = Transaction::new(table).put("new", put);
    if let Some(parent) = &category.parent {
        tx = with_chain_checks(table, tx, &category.slug, parent).await?;
    }
    tx.send().await.map_err(|e| judge(e, "new"))?;
    super::catalog_version::bump(table).await;
    Ok(())
}

/// A change to a category: its name, and where it hangs (`Some(None)`: at the top).
#[derive(Debug, Default)]
pub struct CategoryChange {
    pub name: Option<String>,
    pub parent: Option<Option<String>>,
}

/// Changes a category and returns it as it now is.
pub async fn update(
    table: &Table,
    slug: &str,
    change: &CategoryChange,
) -> Result<Category, CategoryError> {
    let mut sets = Vec::new();
    let mut removes = Vec::new();
    let mut update = Update::builder()
        .table_name(table.name())
        .key("PK", s(category_pk(slug)))
        .key("SK", s("CATEGORY"))
        .condition_expression("attribute_exists(PK)");
    if let Some(name) = &change.name {
        sets.push("#name = :name");
        update = update
            .expression_attribute_names("#name", "name")
            .expression_attribute_values(":name", s(name));
    }
    match &change.parent {
        Some(Some(parent)) => {
            sets.push("parent = :parent");
            update = update.expression_attribute_values(":parent", s(parent));
        }
        Some(None) => removes.push("parent"),
        None => {}
    }
    if sets.is_empty() && removes.is_empty() {
        return get(table, slug).await?.ok_or(CategoryError::NotFound);
    }
    let mut expression = String::new();
    if !sets.is_empty() {
        expression.push_str(&format!("SET {}", sets.join(", ")));
    }
    if !removes.is_empty() {
        expression.push_str(&format!(" REMOVE {}", removes.join(", ")));
    }
    let update = update
        .update_expression(expression.trim())
        .build()
        .expect("table, key and expression are set");
    let mut tx = Transaction::new(table).update("category", update);
    if let Some(Some(parent)) = &change.parent {
        if parent == slug {
            return Err(CategoryError::Cycle);
        }
        tx = with_chain_checks(table, tx, slug, parent).await?;
    }
    tx.send().await.map_err(|e| judge(e, "category"))?;
    super::catalog_version::bump(table).await;
    get(table, slug).await?.ok_or(CategoryError::NotFound)
}
