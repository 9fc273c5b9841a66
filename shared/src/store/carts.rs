//! Carts: one item per cart, `CART#<cart id>`/`CART`, holding its lines, its coupon and a
//! version. Reading a cart is one GetItem; every change is one conditional PutItem on the
//! version read (a merge: one transaction of two), so two changes to one cart never lose each
//! other's lines. A cart of at most 90 lines is far below DynamoDB's 400 KB item limit.
//!
//! A signed-in user's cart id is `user-<user id>` (found without an index); a guest cart's is a
//! ULID, handed to the guest as a signed token, and expires by TTL (`expires_at`) a number of
//! days (a setting) after its last change. A guest cart merged into a user's is kept, retired,
//! until it expires, so a second merge of its token finds it and does nothing.

use aws_sdk_dynamodb::types::{Put, Update};
use serde::{Deserialize, Serialize};

use super::transact::Transaction;
use super::{StoreError, applied, get_item, n, s};
use crate::aws::{Table, TableReader};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    Variant,
    Bundle,
}

/// One line: a variant's sku or a bundle's slug (upper-cased, as a sku), and how many.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CartLine {
    pub sku: String,
    pub kind: LineKind,
    /// A variant's product; for a bundle, its slug.
    pub target: String,
    pub quantity: u32,
    /// The unit price when the line was first added.
    pub price_at_add: i64,
    pub added_at: String,
    /// A bundle's components as (product id, sku) when the line was last resolved.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<(String, String)>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CartStatus {
    Open,
    /// Merged into a user's cart; kept only so that its token is recognised.
    Retired,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Cart {
    pub id: String,
    /// The signed-in owner; `None` for a guest cart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    pub status: CartStatus,
    #[serde(default)]
    pub lines: Vec<CartLine>,
    /// The applied coupon's code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon: Option<String>,
    /// Advanced by every write; each write is conditional on the version it read.
    pub version: u64,
    pub created_at: String,
    pub updated_at: String,
    /// TTL (epoch seconds) of a guest cart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<String>,
    /// The pending order checkout locked this cart to: changing the cart cancels it first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_order: Option<String>,
}

impl Cart {
    /// A new, empty cart (version 0: not stored yet).
    pub fn new(id: String, user_id: Option<String>, now: &str) -> Self {
        Self {
            id,
            user_id,
            status: CartStatus::Open,
            lines: Vec::new(),
            coupon: None,
            version: 0,
            created_at: now.to_owned(),
            updated_at: now.to_owned(),
            expires_at: None,
            merged_into: None,
            pending_order: None,
        }
    }

    pub fn line(&self, sku: &str) -> Option<&CartLine> {
        self.lines.iter().find(|l| l.sku == sku)
    }
}

/// A signed-in user's cart id.
pub fn user_cart_id(user_id: &str) -> String {
    format!("user-{user_id}")
}

pub fn pk(id: &str) -> String {
    format!("CART#{id}")
}

pub const SK: &str = "CART";

#[derive(Serialize, Deserialize)]
struct CartItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    r#type: String,
    /// An open cart with lines sits on GSI2 by its last change (the abandoned-carts view);
    /// emptying or retiring it takes it off.
    #[serde(rename = "GSI2PK", default, skip_serializing_if = "Option::is_none")]
    gsi2pk: Option<String>,
    #[serde(rename = "GSI2SK", default, skip_serializing_if = "Option::is_none")]
    gsi2sk: Option<String>,
    #[serde(flatten)]
    cart: Cart,
}

/// GSI2's partition of open carts with lines.
const WITH_LINES: &str = "CARTS#with_lines";

fn item(cart: &Cart) -> Result<super::Item, StoreError> {
    let listed = cart.status == CartStatus::Open && !cart.lines.is_empty();
    serde_dynamo::to_item(CartItem {
        pk: pk(&cart.id),
        sk: SK.into(),
        r#type: "cart".into(),
        gsi2pk: listed.then(|| WITH_LINES.to_owned()),
        gsi2sk: listed.then(|| format!("{}#{}", cart.updated_at, cart.id)),
        cart: cart.clone(),
    })
    .map_err(|e| StoreError::serde("cart", e))
}

/// The cart with this id (strongly consistent).
pub async fn get(table: &TableReader, id: &str) -> Result<Option<Cart>, StoreError> {
    get_item(table, pk(id), SK)
        .await?
        .map(|i| {
            serde_dynamo::from_item::<_, CartItem>(i)
                .map(|c| c.cart)
                .map_err(|e| StoreError::serde("cart", e))
        })
        .transpose()
}

/// The parts of the condition that the stored cart is still the one read at `version` (and
/// open), or that there is none yet when `version` is 0: (expression, names, values).
fn as_read(version: u64) -> (&'static str, Option<Names>, Option<Values>) {
    if version == 0 {
        return ("attribute_not_exists(PK)", None, None);
    }
    (
        "version = :read AND #status = :open",
        Some([("#status".to_owned(), "status".to_owned())].into()),
        Some(
            [
                (":read".to_owned(), n(version)),
                (":open".to_owned(), s("open")),
            ]
            .into(),
        ),
    )
}

type Names = std::collections::HashMap<String, String>;
type Values = std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>;

/// The put of `cart` on condition that the stored one is still at the version it was read at
/// (`cart.version`), which it advances: for a transaction with other writes. Put the version
/// back (`cart.version -= 1`) if the transaction fails.
pub fn put_as_read(table: &str, cart: &mut Cart) -> Result<Put, StoreError> {
    let (condition, names, values) = as_read(cart.version);
    cart.version += 1;
    Ok(Put::builder()
        .table_name(table)
        .set_item(Some(item(cart)?))
        .condition_expression(condition)
        .set_expression_attribute_names(names)
        .set_expression_attribute_values(values)
        .build()
        .expect("table and item are set"))
}

/// Empties the cart locked to `order_id` and unlocks it (its order was paid). `false` when
/// the cart is no longer locked to that order.
pub async fn clear_paid(
    table: &Table,
    cart_id: &str,
    order_id: &str,
    now: &str,
) -> Result<bool, StoreError> {
    let result = table
        .update_item()
        .key("PK", s(pk(cart_id)))
        .key("SK", s(SK))
        .update_expression(
            "SET #lines = :none, updated_at = :now, version = version + :one \
             REMOVE pending_order, coupon, GSI2PK, GSI2SK",
        )
        .condition_expression("pending_order = :order")
        .expression_attribute_names("#lines", "lines")
        .expression_attribute_values(":none", aws_sdk_dynamodb::types::AttributeValue::L(vec![]))
        .expression_attribute_values(":now", s(now))
        .expression_attribute_values(":one", n(1))
        .expression_attribute_values(":order", s(order_id))
        .send()
        .await;
    applied("UpdateItem", result)
}

/// Unlocks the cart from `order_id` (cancelled or expired), leaving its lines: it is
/// editable again. `false` when it was not locked to that order.
pub async fn unlock(table: &Table, cart_id: &str, order_id: &str) -> Result<bool, StoreError> {
    let result = table
        .update_item()
        .key("PK", s(pk(cart_id)))
        .key("SK", s(SK))
        .update_expression("SET version = version + :one REMOVE pending_order")
        .condition_expression("pending_order = :order")
        .expression_attribute_values(":one", n(1))
        .expression_attribute_values(":order", s(order_id))
        .send()
        .await;
    applied("UpdateItem", result)
}

/// Locks the cart to its new pending order `order_id`: only the version read, open, and not
/// locked already; false when it was not (the cart changed, or another checkout won).
pub async fn lock(
    table: &Table,
    cart_id: &str,
    read_version: u64,
    order_id: &str,
) -> Result<bool, StoreError> {
    let result = table
        .update_item()
        .key("PK", s(pk(cart_id)))
        .key("SK", s(SK))
        .update_expression("SET pending_order = :order, version = :next")
        .condition_expression(
            "version = :read AND #status = :open AND attribute_not_exists(pending_order)",
        )
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":order", s(order_id))
        .expression_attribute_values(":read", n(read_version))
        .expression_attribute_values(":next", n(read_version + 1))
        .expression_attribute_values(":open", s("open"))
        .send()
        .await;
    applied("UpdateItem", result)
}

/// Every open cart with lines untouched since `before` (RFC 3339), every page (the
/// abandoned-cart analytics).
pub async fn all_untouched_since(
    table: &TableReader,
    before: &str,
) -> Result<Vec<Cart>, StoreError> {
    let query = table
        .query()
        .index_name("GSI2")
        .key_condition_expression("GSI2PK = :pk AND GSI2SK < :before")
        .expression_attribute_values(":pk", s(WITH_LINES))
        .expression_attribute_values(":before", s(before));
    let items: Vec<CartItem> = super::every_page(query, "cart").await?;
    Ok(items.into_iter().map(|i| i.cart).collect())
}

/// Open carts with lines untouched since `before` (RFC 3339), newest first, one page.
pub async fn untouched_since(
    table: &TableReader,
    before: &str,
    page: &crate::paging::Page,
) -> Result<(Vec<Cart>, Option<super::Item>), StoreError> {
    let query = table
        .query()
        .index_name("GSI2")
        .key_condition_expression("GSI2PK = :pk AND GSI2SK < :before")
        .expression_attribute_values(":pk", s(WITH_LINES))
        .expression_attribute_values(":before", s(before));
    let (items, last) = super::newest_first::<CartItem>(query, page, "cart").await?;
    Ok((items.into_iter().map(|i| i.cart).collect(), last))
}

/// Takes `code` off the cart when it is still there and the cart is open and not locked to
/// an order (a pending order keeps the discount it was placed with). `false` otherwise.
pub async fn drop_coupon(table: &Table, cart_id: &str, code: &str) -> Result<bool, StoreError> {
    // `updated_at` stays: the customer did not touch the cart (the abandoned-carts view).
    let result = table
        .update_item()
        .key("PK", s(pk(cart_id)))
        .key("SK", s(SK))
        .update_expression("SET version = version + :one REMOVE coupon")
        .condition_expression(
            "coupon = :code AND #status = :open AND attribute_not_exists(pending_order)",
        )
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":one", n(1))
        .expression_attribute_values(":code", s(code))
        .expression_attribute_values(":open", s("open"))
        .send()
        .await;
    applied("UpdateItem", result)
}

/// Stores `cart` if the stored one is still at the version it was read at (`cart.version`),
/// advancing the version. `false`: someone else changed (or retired) it meanwhile.
pub async fn save(table: &Table, cart: &mut Cart) -> Result<bool, StoreError> {
    let read = cart.version;
    let put = put_as_read(table.name(), cart)?;
    let put = table
        .put_item()
        .set_item(Some(put.item))
        .condition_expression(put.condition_expression.unwrap_or_default())
        .set_expression_attribute_names(put.expression_attribute_names)
        .set_expression_attribute_values(put.expression_attribute_values);
    let done = applied("PutItem", put.send().await)?;
    if !done {
        cart.version = read;
    }
    Ok(done)
}

/// Stores the user's `cart` (as [`save`] does) and retires the guest cart `guest` (read at
/// `guest_version`) into it, in one transaction. `false`: either changed meanwhile.
pub async fn merge(
    table: &Table,
    cart: &mut Cart,
    guest: &str,
    guest_version: u64,
    now: &str,
) -> Result<bool, StoreError> {
    let read = cart.version;
    cart.version += 1;
    let (condition, names, values) = as_read(read);
    let put = Put::builder()
        .table_name(table.name())
        .set_item(Some(item(cart)?))
        .condition_expression(condition)
        .set_expression_attribute_names(names)
        .set_expression_attribute_values(values);
    let retire = Update::builder()
        .table_name(table.name())
        .key("PK", s(pk(guest)))
        .key("SK", s(SK))
        .update_expression(
            "SET #status = :retired, merged_into = :into, updated_at = :now, version = :next \
             REMOVE GSI2PK, GSI2SK",
        )
        .condition_expression("version = :read AND #status = :open")
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":retired", s("retired"))
        .expression_attribute_values(":open", s("open"))
        .expression_attribute_values(":into", s(&cart.id))
        .expression_attribute_values(":now", s(now))
        .expression_attribute_values(":read", n(guest_version))
        .expression_attribute_values(":next", n(guest_version + 1))
        .build()
        .expect("table, key and expression are set");
    let result = Transaction::new(table)
        .put("cart", put.build().expect("table and item are set"))
        .update("guest", retire)
        .send()
        .await;
    match result {
        Ok(_) => Ok(true),
        Err(e) => {
            cart.version = read;
            let lost = e
                .cancelled()
                .is_some_and(|c| c.condition_failed("cart") || c.condition_failed("guest"));
            if lost {
                Ok(false)
            } else {
                Err(e.into_store_error())
            }
        }
    }
}
