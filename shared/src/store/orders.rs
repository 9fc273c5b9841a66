//! Orders: two items per order in the partition `ORDER#<id>`. The head (`ORDER`) holds what
//! changes (status, payment, refunds, tracking) and what the lists filter on (status, email);
//! it is the only one on the indexes and the only one ever changed: every state change is one
//! conditional write on its status. The details (`DETAILS`) hold what checkout decided once:
//! the number, the lines (a price snapshot), the stock it takes, the totals, the address,
//! notes and gift message. Reading an order is one Query of its partition; [`Order`] is both
//! put together (docs/data-model.md).
//!
//! Why two: the head stays under 1 KB, so the checkout transaction writes one unit-sized item
//! per sku plus the coupon and the head (the issue's 2·(k+3) WCU), and every later status move
//! rewrites (and re-indexes) a small item, not a 20-line snapshot.
//!
//! Indexes: GSI1 `ORDERS#USER#<user id>` (a customer's orders), GSI2 `ORDERS#<status>` (the
//! admin's status filter; a pending order sorts by `reserved_until`, for the cleanup), GSI3
//! `ORDERS` (every order), each sorted by `<created_at>#<id>`. Order numbers are unique by a
//! marker item `ORDER_NUMBER#<number>`.
//!
//! Every write that takes or gives back stock is one transaction with the status change that
//! justifies it: placing (stock down, coupon redeemed, order head written), releasing (stock
//! back, coupon freed), paying a cancelled order again (stock down again).

use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, Update};
use serde::{Deserialize, Serialize};

use super::transact::{TransactError, Transaction};
use super::{Item, StoreError, applied, get_item, key, n, s};
use crate::aws::{Table, TableReader};
use crate::domain::order::OrderStatus;
use crate::paging::Page;

/// One line as it was bought.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct OrderLine {
    pub sku: String,
    /// A variant's product (`null` for a bundle).
    pub product_id: Option<String>,
    pub name: String,
    pub quantity: u32,
    /// The unit price charged (a bundle's: before its discount).
    pub unit_price: i64,
    /// `unit_price` × `quantity`.
    pub line_total: i64,
    /// This line's share of every discount (bundle, first-time, coupon), so a refund of
    /// the line is exact: the line was paid `line_total - discount`.
    pub discount: i64,
    /// A bundle's skus, one unit of each per bundle (empty for a variant): what a returned
    /// bundle gives back to stock.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<String>,
    /// The catalog's Stripe Price for this sku at `unit_price`, when synced (a Checkout
    /// Session sells an undiscounted line with it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stripe_price: Option<String>,
}

/// Stock one order holds of one sku.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Take {
    pub product_id: String,
    pub sku: String,
    pub quantity: i64,
}

/// Where the order goes.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct ShippingAddress {
    pub name: String,
    pub line1: String,
    pub line2: Option<String>,
    pub city: String,
    pub postcode: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub phone: Option<String>,
}

/// One step of the order's history (API.md: tracking is oldest first and starts at pending).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct TrackingEntry {
    pub status: OrderStatus,
    pub at: String,
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carrier: Option<String>,
}

impl TrackingEntry {
    pub fn new(status: OrderStatus, at: &str, note: Option<String>) -> Self {
        Self {
            status,
            at: at.to_owned(),
            note,
            location: None,
            tracking_number: None,
            carrier: None,
        }
    }
}

/// A refund as recorded.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct RefundRecord {
    pub id: String,
    pub amount: i64,
    /// `pending`, `succeeded`, `failed` (Stripe's).
    pub status: String,
    pub reason: Option<String>,
    pub created_at: String,
}

/// The order's payment (one PaymentIntent). Empty fields are left out of the item (the head
/// stays small); the amounts and `refunds` are always there, for the expressions that compute
/// with them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
pub struct Payment {
    /// The PaymentIntent id (`pi_...`); empty until it is made.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub intent_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// The Checkout Session (`cs_...`) when the order is paid on Stripe's page; empty otherwise.
    /// Its PaymentIntent becomes `intent_id` when the buyer pays.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub session_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkout_url: Option<String>,
    /// What has been received (0 until the payment succeeded).
    #[serde(default)]
    pub amount_paid: i64,
    /// What has been given back (or is being given back now), never above `amount_paid`.
    #[serde(default)]
    pub amount_refunded: i64,
    /// True once a final failure was reported (the customer may still try again).
    #[serde(default, skip_serializing_if = "is_false")]
    pub failed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_message: Option<String>,
    /// True once the PaymentIntent was cancelled at Stripe.
    #[serde(default, skip_serializing_if = "is_false")]
    pub canceled: bool,
    #[serde(default)]
    pub refunds: Vec<RefundRecord>,
    /// Payments that arrived for this order but were not its total in its currency: never
    /// counted as paid, each refunded in full.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rejected: Vec<RejectedPayment>,
}

/// A payment refused for not matching its order (`orders::payment`), and its refund.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct RejectedPayment {
    /// The PaymentIntent that was paid.
    pub intent_id: String,
    pub amount: i64,
    /// As Stripe reported it (empty when it did not say).
    pub currency: String,
    /// What did not match.
    pub problem: String,
    /// The refund of the whole amount (`None` for an amount of 0).
    pub refund_id: Option<String>,
    pub at: String,
}

fn is_false(b: &bool) -> bool {
    !b
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Order {
    pub id: String,
    pub number: String,
    pub status: OrderStatus,
    /// The buyer's account; `None` for a guest.
    pub user_id: Option<String>,
    pub email: String,
    /// The cart it was made from (locked to this order while it is pending).
    pub cart_id: String,
    pub lines: Vec<OrderLine>,
    /// The stock it holds while `stock_held`.
    pub takes: Vec<Take>,
    /// True while the order holds its stock (placed, paid...); false once given back.
    pub stock_held: bool,
    pub subtotal: i64,
    pub bundle_discount: i64,
    pub first_time_discount: i64,
    pub coupon_discount: i64,
    pub delivery_fee: i64,
    pub total: i64,
    pub currency: String,
    pub coupon: Option<String>,
    /// True while the coupon counts this order among its redemptions.
    #[serde(default)]
    pub coupon_redeemed: bool,
    pub shipping_address: ShippingAddress,
    pub notes: Option<String>,
    pub gift_message: Option<String>,
    pub reserved_until: String,
    pub estimated_delivery_date: String,
    pub payment: Payment,
    pub tracking: Vec<TrackingEntry>,
    pub created_at: String,
    pub updated_at: String,
    /// Per sku, the units in returns that are not rejected (`store::returns`); written empty
    /// at checkout, absent on orders placed before returns existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returned: Option<std::collections::BTreeMap<String, u32>>,
}

#[derive(Serialize, Deserialize)]
struct OrderItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    r#type: String,
    #[serde(rename = "GSI1PK", default, skip_serializing_if = "Option::is_none")]
    gsi1pk: Option<String>,
    #[serde(rename = "GSI1SK", default, skip_serializing_if = "Option::is_none")]
    gsi1sk: Option<String>,
    #[serde(rename = "GSI2PK")]
    gsi2pk: String,
    #[serde(rename = "GSI2SK")]
    gsi2sk: String,
    #[serde(rename = "GSI3PK")]
    gsi3pk: String,
    #[serde(rename = "GSI3SK")]
    gsi3sk: String,
    #[serde(flatten)]
    order: Order,
}

pub fn pk(id: &str) -> String {
    format!("ORDER#{id}")
}

const SK: &str = "ORDER";
/// The sort key of an order's head (what changes) and of its details (what checkout decided).
pub(crate) const HEAD_SK: &str = SK;
pub(crate) const DETAILS_SK: &str = "DETAILS";
const ALL: &str = "ORDERS";

/// The attributes of an [`Order`] kept on its details item, not its head: what checkout
/// decided once and nothing changes later. The head keeps what changes (status, payment,
/// tracking...) and what the lists filter on (status, email).
const DETAILS: [&str; 17] = [
    "lines",
    "takes",
    "shipping_address",
    "notes",
    "gift_message",
    "number",
    "cart_id",
    "subtotal",
    "bundle_discount",
    "first_time_discount",
    "coupon_discount",
    "delivery_fee",
    "total",
    "currency",
    "coupon",
    "reserved_until",
    "estimated_delivery_date",
];

fn user_key(user_id: &str) -> String {
    format!("ORDERS#USER#{user_id}")
}

/// The status index's partition.
pub fn status_key(status: OrderStatus) -> String {
    format!("ORDERS#{}", status_name(status))
}

/// The status index's sort key: a pending order by when its reservation runs out.
fn status_sort(
    order_id: &str,
    status: OrderStatus,
    created_at: &str,
    reserved_until: &str,
) -> String {
    match status {
        OrderStatus::Pending => format!("{reserved_until}#{order_id}"),
        _ => format!("{created_at}#{order_id}"),
    }
}

pub fn status_name(status: OrderStatus) -> &'static str {
    match status {
        OrderStatus::Pending => "pending",
        OrderStatus::Paid => "paid",
        OrderStatus::Processing => "processing",
        OrderStatus::Shipped => "shipped",
        OrderStatus::Delivered => "delivered",
        OrderStatus::Cancelled => "cancelled",
        OrderStatus::PartiallyRefunded => "partially_refunded",
        OrderStatus::Refunded => "refunded",
    }
}

fn item(order: &Order) -> Result<Item, StoreError> {
    let by_date = format!("{}#{}", order.created_at, order.id);
    serde_dynamo::to_item(OrderItem {
        pk: pk(&order.id),
        sk: SK.into(),
        r#type: "order".into(),
        gsi1pk: order.user_id.as_deref().map(user_key),
        gsi1sk: order.user_id.as_ref().map(|_| by_date.clone()),
        gsi2pk: status_key(order.status),
        gsi2sk: status_sort(
            &order.id,
            order.status,
            &order.created_at,
            &order.reserved_until,
        ),
        gsi3pk: ALL.into(),
        gsi3sk: by_date,
        order: order.clone(),
    })
    .map_err(|e| StoreError::serde("order", e))
}

/// The order's head and details items.
fn items(order: &Order) -> Result<(Item, Item), StoreError> {
    let mut head = item(order)?;
    let mut details = key(pk(&order.id), DETAILS_SK);
    details.insert("type".into(), s("order_details"));
    for name in DETAILS {
        if let Some(v) = head.remove(name) {
            details.insert(name.into(), v);
        }
    }
    Ok((head, details))
}

/// The order from its head and details items.
fn decode(mut head: Item, details: &Item) -> Result<Order, StoreError> {
    for name in DETAILS {
        if let Some(v) = details.get(name) {
            head.insert(name.into(), v.clone());
        }
    }
    serde_dynamo::from_item::<_, OrderItem>(head)
        .map(|i| i.order)
        .map_err(|e| StoreError::serde("order", e))
}

fn id_of(item: &Item) -> Option<&str> {
    item.get("id")
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
}

/// The orders of these heads (read from an index), completed by one BatchGetItem of their
/// details, in the heads' order.
async fn complete(table: &TableReader, heads: Vec<Item>) -> Result<Vec<Order>, StoreError> {
    let keys = heads
        .iter()
        .filter_map(id_of)
        .map(|id| key(pk(id), DETAILS_SK))
        .collect();
    let mut details: std::collections::HashMap<String, Item> = super::batch_get(table, keys)
        .await?
        .into_iter()
        .filter_map(|d| {
            let pk = d.get("PK")?.as_s().ok()?.clone();
            Some((pk, d))
        })
        .collect();
    heads
        .into_iter()
        .map(|head| {
            let id = id_of(&head).unwrap_or_default().to_owned();
            let found = details
                .remove(&pk(&id))
                .ok_or_else(|| StoreError::serde("order", format!("order {id} has no details")))?;
            decode(head, &found)
        })
        .collect()
}

/// `clauses` written with `:v` for their value, each given a placeholder of its own (`:x0`,
/// `:x1`, ...): (clause, placeholder, value).
fn numbered<'a>(
    clauses: &'a [(&str, AttributeValue)],
) -> impl Iterator<Item = (String, String, AttributeValue)> + 'a {
    clauses.iter().enumerate().map(|(i, (clause, v))| {
        let placeholder = format!(":x{i}");
        (clause.replace(":v", &placeholder), placeholder, v.clone())
    })
}

fn value<T: Serialize>(what: &'static str, v: &T) -> Result<AttributeValue, StoreError> {
    serde_dynamo::to_attribute_value(v).map_err(|e| StoreError::serde(what, e))
}

/// The order, strongly consistent: one Query of its partition (head and details).
pub async fn get(table: &TableReader, id: &str) -> Result<Option<Order>, StoreError> {
    let out = table
        .query()
        // DETAILS and ORDER, not the order's returns (RETURN#...) kept in the same partition.
        .key_condition_expression("PK = :pk AND SK BETWEEN :details AND :head")
        .expression_attribute_values(":pk", s(pk(id)))
        .expression_attribute_values(":details", s(DETAILS_SK))
        .expression_attribute_values(":head", s(SK))
        .consistent_read(true)
        .send()
        .await
        .map_err(|e| StoreError::from_sdk("Query", &e))?;
    let mut head = None;
    let mut details = None;
    for item in out.items.unwrap_or_default() {
        match item
            .get("SK")
            .and_then(|v| v.as_s().ok())
            .map(String::as_str)
        {
            Some(SK) => head = Some(item),
            Some(DETAILS_SK) => details = Some(item),
            _ => {}
        }
    }
    match (head, details) {
        (Some(head), Some(details)) => decode(head, &details).map(Some),
        (Some(_), None) => Err(StoreError::serde(
            "order",
            format!("order {id} has no details"),
        )),
        // Details without a head: a checkout that did not complete (see `place`).
        (None, _) => Ok(None),
    }
}

/// The ids of the pending orders whose reservation ran out at or before `at` (RFC 3339, fixed
/// width), oldest first, from the status index (eventually consistent: read each again before
/// acting).
pub async fn past_reservation(table: &TableReader, at: &str) -> Result<Vec<String>, StoreError> {
    #[derive(Deserialize)]
    struct Due {
        id: String,
    }
    let due: Vec<Due> =
        super::due_on_gsi2(table, &status_key(OrderStatus::Pending), at, "order").await?;
    Ok(due.into_iter().map(|d| d.id).collect())
}

/// Which orders a list shows.
#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    pub status: Option<OrderStatus>,
    /// Inclusive RFC 3339 bounds on `created_at`.
    pub from: Option<String>,
    pub to: Option<String>,
    /// Exactly this address (lower-cased).
    pub email: Option<String>,
}

/// One page of orders, newest first: one user's (`user_id`), or the shop's.
pub async fn page(
    table: &TableReader,
    user_id: Option<&str>,
    filter: &OrderFilter,
    page: &Page,
) -> Result<(Vec<Order>, Option<Item>), StoreError> {
    let (index, key_name, key) = match (user_id, filter.status) {
        (Some(user), _) => ("GSI1", "GSI1PK", user_key(user)),
        // Pending orders sort by their reservation in GSI2, not by date: read them from GSI3.
        (None, Some(status)) if status != OrderStatus::Pending => {
            ("GSI2", "GSI2PK", status_key(status))
        }
        (None, _) => ("GSI3", "GSI3PK", ALL.to_owned()),
    };
    // A range that ends before it starts holds nothing.
    if let (Some(from), Some(to)) = (&filter.from, &filter.to)
        && from > to
    {
        return Ok((Vec::new(), None));
    }
    let sort_name = format!("{}SK", &key_name[..4]);
    let mut condition = "#pk = :pk".to_owned();
    let mut query = table
        .query()
        .index_name(index)
        .expression_attribute_names("#pk", key_name)
        .expression_attribute_values(":pk", s(key));
    // Dates bound the sort key: `<created_at>#<id>`; `~` sorts after every id character.
    match (&filter.from, &filter.to) {
        (Some(from), Some(to)) => {
            condition.push_str(" AND #sk BETWEEN :from AND :to");
            query = query
                .expression_attribute_values(":from", s(from))
                .expression_attribute_values(":to", s(format!("{to}~")));
        }
        (Some(from), None) => {
            condition.push_str(" AND #sk >= :from");
            query = query.expression_attribute_values(":from", s(from));
        }
        (None, Some(to)) => {
            condition.push_str(" AND #sk <= :to");
            query = query.expression_attribute_values(":to", s(format!("{to}~")));
        }
        (None, None) => {}
    }
    if filter.from.is_some() || filter.to.is_some() {
        query = query.expression_attribute_names("#sk", sort_name);
    }
    let mut filters = Vec::new();
    if let Some(status) = filter.status
        && (user_id.is_some() || status == OrderStatus::Pending)
    {
        filters.push("#status = :status");
        query = query
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":status", s(status_name(status)));
    }
    if let Some(email) = &filter.email {
        filters.push("email = :email");
        query = query.expression_attribute_values(":email", s(email));
    }
    if !filters.is_empty() {
        query = query.filter_expression(filters.join(" AND "));
    }
    let query = query.key_condition_expression(condition);
    let (heads, last) = super::newest_first_items(query, page).await?;
    Ok((complete(table, heads).await?, last))
}

/// Why an order could not be placed. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum PlaceError {
    #[error("not enough stock for {0:?}")]
    Short(Vec<String>),
    #[error("the coupon no longer applies")]
    Coupon,
    /// The cart changed, or got another pending order, since it was read.
    #[error("the cart changed meanwhile")]
    CartChanged,
    #[error("the order number is taken")]
    NumberTaken,
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn stock_label(sku: &str) -> String {
    format!("sku:{sku}")
}

/// Takes `take` off its variant's stock, only if that much is there.
fn take_stock(table: &str, take: &Take) -> Update {
    stock_update(
        table,
        take,
        "SET stock = stock - :q",
        "attribute_exists(PK) AND stock >= :q",
    )
}

/// Gives `take` back to its variant (if the variant still exists).
fn give_stock(table: &str, take: &Take) -> Update {
    stock_update(
        table,
        take,
        "SET stock = stock + :q",
        "attribute_exists(PK)",
    )
}

fn stock_update(table: &str, take: &Take, expression: &str, condition: &str) -> Update {
    Update::builder()
        .table_name(table)
        .key("PK", s(super::products::product_pk(&take.product_id)))
        .key("SK", s(format!("VARIANT#{}", take.sku)))
        .update_expression(expression)
        .condition_expression(condition)
        .expression_attribute_values(":q", n(take.quantity))
        .build()
        .expect("table, key and expression are set")
}

/// Counts one redemption of `code` by `buyer` (a user id, or none for a guest) at `now`,
/// under every condition that makes it valid (docs/data-model.md).
fn redeem(table: &str, code: &str, buyer: Option<&str>, now: &str) -> Update {
    Update::builder()
        .table_name(table)
        .key("PK", s(super::coupons::pk(code)))
        .key("SK", s(super::coupons::SK))
        .update_expression("ADD redemptions :one")
        .condition_expression(
            "active = :true \
             AND (attribute_not_exists(max_redemptions) OR redemptions < max_redemptions) \
             AND (attribute_not_exists(expires_at) OR expires_at > :now) \
             AND (attribute_not_exists(reserved_until) OR (reserved_by = :buyer AND reserved_until > :now))",
        )
        .expression_attribute_values(":one", n(1))
        .expression_attribute_values(":true", AttributeValue::Bool(true))
        .expression_attribute_values(":now", s(now))
        // A guest never holds a reservation: an id no user has.
        .expression_attribute_values(":buyer", s(buyer.unwrap_or("-")))
        .build()
        .expect("table, key and expression are set")
}

/// Gives one redemption of `code` back.
fn unredeem(table: &str, code: &str) -> Update {
    Update::builder()
        .table_name(table)
        .key("PK", s(super::coupons::pk(code)))
        .key("SK", s(super::coupons::SK))
        .update_expression("ADD redemptions :minus")
        .condition_expression("attribute_exists(PK) AND redemptions > :zero")
        .expression_attribute_values(":minus", n(-1))
        .expression_attribute_values(":zero", n(0))
        .build()
        .expect("table, key and expression are set")
}

/// Places `order` (status pending) from its cart, read at `cart_version`:
///
/// 1. Its number claimed and its details written (plain writes, at once): neither is an order
///    until its head exists, and readers find an order by its head. A number already taken is
///    [`PlaceError::NumberTaken`] (pick another).
/// 2. One transaction: every take off its stock (`stock >= :q`), the coupon redeemed, the head
///    written. k + 2 actions for k skus, each item under 1 KB.
/// 3. The cart locked to the order (`version = :read`, not locked). When it changed or another
///    checkout locked it meanwhile, this order is discarded (step 2 undone, nothing left) and
///    the answer is [`PlaceError::CartChanged`]: the cart has at most one pending order.
///
/// A failure between the steps leaves no order that can be paid: details and a number
/// without a head are never read, and a head whose cart was not locked has no PaymentIntent
/// and is released by the cleanup when its reservation runs out.
pub async fn place(table: &Table, order: &Order, cart_version: u64) -> Result<(), PlaceError> {
    let (head, details) = items(order)?;
    let number = table
        .put_item()
        .item("PK", s(number_pk(&order.number)))
        .item("SK", s("ORDER_NUMBER"))
        .item("type", s("order_number"))
        .item("order_id", s(&order.id))
        .condition_expression("attribute_not_exists(PK)")
        .send();
    let details = table
        .put_item()
        .set_item(Some(details))
        .condition_expression("attribute_not_exists(PK)")
        .send();
    let (number, details) = tokio::join!(number, details);
    let claimed = applied("PutItem", number);
    let detailed = applied("PutItem", details);
    match (claimed, detailed) {
        (Ok(true), Ok(true)) => {}
        (claimed, detailed) => {
            forget(table, order).await;
            return Err(match (claimed?, detailed?) {
                (false, _) => PlaceError::NumberTaken,
                _ => StoreError::serde("order", "order id taken").into(),
            });
        }
    }

    let name = table.name().to_owned();
    let mut tx = Transaction::new(table);
    for take in &order.takes {
        tx = tx.update(stock_label(&take.sku), take_stock(&name, take));
    }
    if let Some(code) = &order.coupon {
        tx = tx.update(
            "coupon",
            redeem(&name, code, order.user_id.as_deref(), &order.created_at),
        );
    }
    let put = Put::builder()
        .table_name(&name)
        .set_item(Some(head))
        .condition_expression("attribute_not_exists(PK)")
        .build()
        .expect("table and item are set");
    if let Err(e) = tx.put("order", put).send().await {
        // Refused: nothing was written. Failed otherwise (the SDK gave up): written only if
        // the head is there now; when that cannot be read either, step 1's items stay (unread).
        let refused = e.cancelled().is_some();
        if refused || matches!(get_item(table, pk(&order.id), SK).await, Ok(None)) {
            forget(table, order).await;
        }
        return Err(e.on_condition(|c| {
            let short = c.failed_under("sku:");
            if !short.is_empty() {
                Some(PlaceError::Short(short))
            } else if c.condition_failed("coupon") {
                Some(PlaceError::Coupon)
            } else {
                None
            }
        }));
    }

    match super::carts::lock(table, &order.cart_id, cart_version, &order.id).await {
        Ok(true) => Ok(()),
        Ok(false) => {
            discard(table, order).await?;
            Err(PlaceError::CartChanged)
        }
        Err(e) => {
            if let Err(undo) = discard(table, order).await {
                tracing::warn!(order = order.id, error = ?undo, "a placed order was not discarded; the cleanup releases it");
            }
            Err(e.into())
        }
    }
}

fn number_pk(number: &str) -> String {
    format!("ORDER_NUMBER#{number}")
}

/// Deletes what step 1 of [`place`] wrote for an order that has no head (best effort: they
/// are never read without one).
async fn forget(table: &Table, order: &Order) {
    // The number is this order's only if the claim says so.
    let claim = table
        .delete_item()
        .key("PK", s(number_pk(&order.number)))
        .key("SK", s("ORDER_NUMBER"))
        .condition_expression("order_id = :id")
        .expression_attribute_values(":id", s(&order.id))
        .send();
    let details = super::delete_keys(table, vec![key(pk(&order.id), DETAILS_SK)]);
    let (claim, details) = tokio::join!(claim, details);
    if let Err(e) = applied("DeleteItem", claim) {
        tracing::warn!(order = order.id, error = ?e, "an unused order number was left claimed");
    }
    if let Err(e) = details {
        tracing::warn!(order = order.id, error = ?e, "an unused order's details were left");
    }
}

/// Undoes step 2 of [`place`] for an order that never locked its cart: its head deleted while
/// still pending and holding its stock, the stock and the coupon given back, in one
/// transaction; then step 1's items. An order someone moved meanwhile is left as it is.
async fn discard(table: &Table, order: &Order) -> Result<(), StoreError> {
    let name = table.name().to_owned();
    let head = Delete::builder()
        .table_name(&name)
        .key("PK", s(pk(&order.id)))
        .key("SK", s(SK))
        .condition_expression("#status = :pending AND stock_held = :true")
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":pending", s(status_name(OrderStatus::Pending)))
        .expression_attribute_values(":true", AttributeValue::Bool(true))
        .build()
        .expect("table and key are set");
    let mut tx = Transaction::new(table).delete("order", head);
    for take in &order.takes {
        tx = tx.update(stock_label(&take.sku), give_stock(&name, take));
    }
    if order.coupon.is_some() && order.coupon_redeemed {
        let code = order.coupon.as_deref().unwrap_or_default();
        tx = tx.update("coupon", unredeem(&name, code));
    }
    match tx.send().await {
        Ok(_) => {
            forget(table, order).await;
            Ok(())
        }
        Err(e) if e.cancelled().is_some_and(|c| c.condition_failed("order")) => Ok(()),
        Err(e) => Err(e.into_store_error()),
    }
}

/// Records the PaymentIntent made for a pending order, and which order it pays (for events
/// that name only the PaymentIntent, such as `charge.refunded`). Two plain writes, not a
/// transaction (which would double the order's write, and it is written to three indexes):
/// the link first, so an order that names its PaymentIntent always has its link; a link
/// left alone by a failure between the two points at an order that never used it, harmlessly.
pub async fn set_intent(
    table: &Table,
    id: &str,
    intent_id: &str,
    client_secret: Option<&str>,
) -> Result<(), StoreError> {
    link_intent(table, id, intent_id).await?;
    set(
        table,
        id,
        &[
            ("payment.intent_id = :v", s(intent_id)),
            (
                "payment.client_secret = :v",
                client_secret.map_or(AttributeValue::Null(true), s),
            ),
        ],
        None,
    )
    .await
    .map(|_| ())
}

/// Records that a PaymentIntent pays `id` (made at checkout, or by a Checkout Session once
/// paid).
pub async fn link_intent(table: &Table, id: &str, intent_id: &str) -> Result<(), StoreError> {
    table
        .put_item()
        .item("PK", s(format!("PAYMENT_INTENT#{intent_id}")))
        .item("SK", s("PAYMENT_INTENT"))
        .item("type", s("payment_intent"))
        .item("order_id", s(id))
        .send()
        .await
        .map_err(|e| StoreError::from_sdk("PutItem", &e))?;
    Ok(())
}

/// Records the Checkout Session made for a pending order.
pub async fn set_session(
    table: &Table,
    id: &str,
    session_id: &str,
    url: Option<&str>,
) -> Result<(), StoreError> {
    set(
        table,
        id,
        &[
            ("payment.session_id = :v", s(session_id)),
            (
                "payment.checkout_url = :v",
                url.map_or(AttributeValue::Null(true), s),
            ),
        ],
        None,
    )
    .await
    .map(|_| ())
}

/// The order a PaymentIntent pays.
pub async fn id_of_intent(
    table: &TableReader,
    intent_id: &str,
) -> Result<Option<String>, StoreError> {
    Ok(get_item(
        table,
        format!("PAYMENT_INTENT#{intent_id}"),
        "PAYMENT_INTENT",
    )
    .await?
    .and_then(|i| i.get("order_id").and_then(|v| v.as_s().ok()).cloned()))
}

/// The update moving `order` from `from` to `to` with a tracking entry (and `extra` SET
/// clauses with their values), conditional on the status it leaves.
pub fn move_status(
    table: &str,
    order: &Order,
    from: OrderStatus,
    to: OrderStatus,
    entry: &TrackingEntry,
    extra: &[(&str, AttributeValue)],
) -> Result<Update, StoreError> {
    move_status_if(table, order, from, to, entry, extra, None)
}

/// [`move_status`], also conditional on `stock_held` being `held` when given.
fn move_status_if(
    table: &str,
    order: &Order,
    from: OrderStatus,
    to: OrderStatus,
    entry: &TrackingEntry,
    extra: &[(&str, AttributeValue)],
    held: Option<bool>,
) -> Result<Update, StoreError> {
    let mut expression = "SET #status = :to, GSI2PK = :gsi2pk, GSI2SK = :gsi2sk, \
                          updated_at = :at, tracking = list_append(tracking, :entry)"
        .to_owned();
    let mut builder = Update::builder()
        .table_name(table)
        .key("PK", s(pk(&order.id)))
        .key("SK", s(SK))
        .condition_expression(match held {
            Some(_) => "#status = :from AND stock_held = :held",
            None => "#status = :from",
        })
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":from", s(status_name(from)))
        .expression_attribute_values(":to", s(status_name(to)))
        .expression_attribute_values(":gsi2pk", s(status_key(to)))
        .expression_attribute_values(
            ":gsi2sk",
            s(status_sort(
                &order.id,
                to,
                &order.created_at,
                &order.reserved_until,
            )),
        )
        .expression_attribute_values(":at", s(&entry.at))
        .expression_attribute_values(
            ":entry",
            AttributeValue::L(vec![value("tracking entry", entry)?]),
        );
    if let Some(held) = held {
        builder = builder.expression_attribute_values(":held", AttributeValue::Bool(held));
    }
    for (clause, placeholder, v) in numbered(extra) {
        expression.push_str(&format!(", {clause}"));
        builder = builder.expression_attribute_values(placeholder, v);
    }
    Ok(builder
        .update_expression(expression)
        .build()
        .expect("table, key and expression are set"))
}

/// Why a status change did not happen.
#[derive(Debug, thiserror::Error)]
pub enum MoveError {
    /// The order was not in the status it was read in (someone else moved it).
    #[error("the order moved meanwhile")]
    Moved,
    /// A condition checkout checked no longer holds, so the order cannot become paid.
    #[error("{0}")]
    Lapsed(Lapsed),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What checkout checked that no longer holds when the money arrives: every path to `paid`
/// re-checks what the order does not already hold (docs/architecture.md, "No order is paid
/// without the checks of checkout").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Lapsed {
    /// Stock to take again is not there (a payment for a cancelled order).
    #[error("not enough stock for {0:?}")]
    Stock(Vec<String>),
    /// The coupon cannot be redeemed again (used up, expired, inactive, or a luck coupon's
    /// reservation ran out).
    #[error("the coupon no longer applies")]
    Coupon,
    /// The order carries a first-time discount and its buyer has a paid order now (or no
    /// account any more).
    #[error("the buyer's first order is paid already")]
    FirstOrder,
}

fn moved(e: TransactError) -> MoveError {
    e.on_condition(|c| {
        let short = c.failed_under("sku:");
        if !short.is_empty() {
            Some(MoveError::Lapsed(Lapsed::Stock(short)))
        } else if c.condition_failed("coupon") {
            Some(MoveError::Lapsed(Lapsed::Coupon))
        } else if c.condition_failed("buyer") {
            Some(MoveError::Lapsed(Lapsed::FirstOrder))
        } else if c.condition_failed("order") {
            Some(MoveError::Moved)
        } else {
            None
        }
    })
}

/// What else a status change writes: the buyer's counters and an in-app notification.
pub struct Also<'a> {
    /// A paid order adds to its buyer's `order_count` and `total_spent`.
    pub count_purchase: bool,
    pub notification: Option<&'a super::notifications::Notification>,
}

fn also<'t>(
    mut tx: Transaction<'t>,
    order: &Order,
    also: &Also<'_>,
) -> Result<Transaction<'t>, StoreError> {
    let name = tx.table_name().to_owned();
    let Some(user) = &order.user_id else {
        return Ok(tx);
    };
    if also.count_purchase {
        let mut buyer = Update::builder()
            .table_name(&name)
            .key("PK", s(super::users::user_pk(user)))
            .key("SK", s(super::users::PROFILE_SK))
            .update_expression("ADD order_count :one, total_spent :total")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":total", n(order.total));
        // A first-time discount is paid only as the buyer's first order, as checkout priced it.
        buyer = if order.first_time_discount > 0 {
            buyer
                .condition_expression(
                    "attribute_exists(PK) AND (attribute_not_exists(order_count) OR order_count = :zero)",
                )
                .expression_attribute_values(":zero", n(0))
        } else {
            buyer.condition_expression("attribute_exists(PK)")
        };
        tx = tx.update(
            "buyer",
            buyer.build().expect("table, key and expression are set"),
        );
    }
    if let Some(note) = also.notification {
        tx = tx.put(
            "notification",
            super::notifications::put(&name, user, note)?,
        );
    }
    Ok(tx)
}

/// Moves `order` from `from` to `to` (one conditional write with what `extra` sets, and what
/// `with` adds). A buyer whose account is gone is not counted.
pub async fn transition(
    table: &Table,
    order: &Order,
    from: OrderStatus,
    to: OrderStatus,
    entry: &TrackingEntry,
    extra: &[(&str, AttributeValue)],
    with: &Also<'_>,
) -> Result<(), MoveError> {
    let update = move_status(table.name(), order, from, to, entry, extra)?;
    let tx = also(Transaction::new(table).update("order", update), order, with)?;
    tx.send().await.map(|_| ()).map_err(moved)
}

/// Gives back what `order` (read in `from`) holds and moves it to `to` (cancelled): its
/// stock, its coupon redemption; one transaction, conditional on `from`. `cart` is a write
/// of the cart to make in the same transaction (a change that cancels its pending order).
pub async fn release(
    table: &Table,
    order: &Order,
    from: OrderStatus,
    entry: &TrackingEntry,
    extra: &[(&str, AttributeValue)],
    cart: Option<Put>,
    with: &Also<'_>,
) -> Result<(), MoveError> {
    let name = table.name().to_owned();
    let mut sets: Vec<(&str, AttributeValue)> = extra.to_vec();
    sets.push(("stock_held = :v", AttributeValue::Bool(false)));
    sets.push(("coupon_redeemed = :v", AttributeValue::Bool(false)));
    let update = move_status(&name, order, from, OrderStatus::Cancelled, entry, &sets)?;
    let mut tx = Transaction::new(table).update("order", update);
    if order.stock_held {
        for take in &order.takes {
            tx = tx.update(stock_label(&take.sku), give_stock(&name, take));
        }
    }
    if let (Some(code), true) = (&order.coupon, order.coupon_redeemed) {
        tx = tx.update("coupon", unredeem(&name, code));
    }
    if let Some(cart) = cart {
        tx = tx.put("cart", cart);
    }
    let tx = also(tx, order, with)?;
    tx.send().await.map(|_| ()).map_err(|e| {
        e.on_condition(|c| {
            if c.condition_failed("order") || c.condition_failed("cart") {
                Some(MoveError::Moved)
            } else {
                None
            }
        })
    })
}

/// Gives the stock `order` holds back (a refund with restock), moving it to `to` when given;
/// conditional on its status and on it still holding the stock.
pub async fn give_back(
    table: &Table,
    order: &Order,
    to: Option<OrderStatus>,
    entry: &TrackingEntry,
) -> Result<(), MoveError> {
    let name = table.name().to_owned();
    let released = [("stock_held = :v", AttributeValue::Bool(false))];
    let update = match to {
        Some(to) => move_status_if(&name, order, order.status, to, entry, &released, Some(true))?,
        None => Update::builder()
            .table_name(&name)
            .key("PK", s(pk(&order.id)))
            .key("SK", s(SK))
            .update_expression("SET stock_held = :false, updated_at = :at")
            .condition_expression("#status = :from AND stock_held = :true")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":from", s(status_name(order.status)))
            .expression_attribute_values(":false", AttributeValue::Bool(false))
            .expression_attribute_values(":true", AttributeValue::Bool(true))
            .expression_attribute_values(":at", s(&entry.at))
            .build()
            .expect("table, key and expression are set"),
    };
    let mut tx = Transaction::new(table).update("order", update);
    for take in &order.takes {
        tx = tx.update(stock_label(&take.sku), give_stock(&name, take));
    }
    tx.send().await.map(|_| ()).map_err(moved)
}

/// Makes a cancelled `order` paid again (a payment that arrived after it was cancelled) under
/// every condition checkout placed it under, at `entry.at`: its stock taken again, its coupon
/// redeemed again (active, within its limits and expiry, a luck coupon still reserved to the
/// buyer) and, through `with`, a first-time discount only on the buyer's first order. All of
/// it or nothing: [`MoveError::Lapsed`] says what no longer holds.
pub async fn retake(
    table: &Table,
    order: &Order,
    entry: &TrackingEntry,
    extra: &[(&str, AttributeValue)],
    with: &Also<'_>,
) -> Result<(), MoveError> {
    let name = table.name().to_owned();
    let mut sets: Vec<(&str, AttributeValue)> = extra.to_vec();
    sets.push(("stock_held = :v", AttributeValue::Bool(true)));
    if order.coupon.is_some() {
        sets.push(("coupon_redeemed = :v", AttributeValue::Bool(true)));
    }
    // Only an order whose stock went back may take it again.
    let update = move_status_if(
        &name,
        order,
        OrderStatus::Cancelled,
        OrderStatus::Paid,
        entry,
        &sets,
        Some(false),
    )?;
    let mut tx = Transaction::new(table).update("order", update);
    for take in &order.takes {
        tx = tx.update(stock_label(&take.sku), take_stock(&name, take));
    }
    if let Some(code) = &order.coupon {
        tx = tx.update(
            "coupon",
            redeem(&name, code, order.user_id.as_deref(), &entry.at),
        );
    }
    let tx = also(tx, order, with)?;
    tx.send().await.map(|_| ()).map_err(moved)
}

/// Sets `clause` (e.g. `payment.failed = :v`) on an order, conditional on its status being
/// `status` when given.
pub async fn set(
    table: &Table,
    id: &str,
    clauses: &[(&str, AttributeValue)],
    status: Option<OrderStatus>,
) -> Result<bool, StoreError> {
    let mut expression = Vec::new();
    let mut update = table.update_item().key("PK", s(pk(id))).key("SK", s(SK));
    for (clause, placeholder, v) in numbered(clauses) {
        expression.push(clause);
        update = update.expression_attribute_values(placeholder, v);
    }
    update = update.update_expression(format!("SET {}", expression.join(", ")));
    update = match status {
        Some(st) => update
            .condition_expression("#status = :st")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":st", s(status_name(st))),
        None => update.condition_expression("attribute_exists(PK)"),
    };
    applied("UpdateItem", update.send().await)
}

/// Holds `amount` of what is left to refund (paid − refunded), read as `seen` refunded:
/// false when another refund changed it meanwhile. The caller refunds at Stripe, then [`settle_refund`] or [`unhold_refund`].
pub async fn hold_refund(
    table: &Table,
    id: &str,
    seen: i64,
    amount: i64,
) -> Result<bool, StoreError> {
    let result = table
        .update_item()
        .key("PK", s(pk(id)))
        .key("SK", s(SK))
        .update_expression("SET payment.amount_refunded = :new")
        .condition_expression("payment.amount_refunded = :seen AND payment.amount_paid >= :new")
        .expression_attribute_values(":seen", n(seen))
        .expression_attribute_values(":new", n(seen + amount))
        .send()
        .await;
    applied("UpdateItem", result)
}

/// Gives a held refund amount back after Stripe refused the refund.
pub async fn unhold_refund(table: &Table, id: &str, amount: i64) -> Result<(), StoreError> {
    table
        .update_item()
        .key("PK", s(pk(id)))
        .key("SK", s(SK))
        .update_expression("SET payment.amount_refunded = payment.amount_refunded - :a")
        .expression_attribute_values(":a", n(amount))
        .send()
        .await
        .map_err(|e| StoreError::from_sdk("UpdateItem", &e))?;
    Ok(())
}

/// Appends a refund made at Stripe to the order's record (once per refund id).
pub async fn add_refund(table: &Table, id: &str, refund: &RefundRecord) -> Result<(), StoreError> {
    let result = table
        .update_item()
        .key("PK", s(pk(id)))
        .key("SK", s(SK))
        .update_expression(
            "SET payment.refunds = list_append(payment.refunds, :r) ADD refund_ids :ids",
        )
        .condition_expression("NOT contains(refund_ids, :id)")
        .expression_attribute_values(":r", AttributeValue::L(vec![value("refund", refund)?]))
        .expression_attribute_values(":ids", AttributeValue::Ss(vec![refund.id.clone()]))
        .expression_attribute_values(":id", s(&refund.id))
        .send()
        .await;
    applied("UpdateItem", result)?;
    Ok(())
}

/// Records a payment refused for not matching the order (once per PaymentIntent).
pub async fn add_rejected(
    table: &Table,
    id: &str,
    rejected: &RejectedPayment,
) -> Result<(), StoreError> {
    let result = table
        .update_item()
        .key("PK", s(pk(id)))
        .key("SK", s(SK))
        .update_expression(
            "SET payment.rejected = list_append(if_not_exists(payment.rejected, :none), :r) \
             ADD rejected_intents :ids",
        )
        .condition_expression("NOT contains(rejected_intents, :id)")
        .expression_attribute_values(":none", AttributeValue::L(Vec::new()))
        .expression_attribute_values(":r", AttributeValue::L(vec![value("rejected", rejected)?]))
        .expression_attribute_values(":ids", AttributeValue::Ss(vec![rejected.intent_id.clone()]))
        .expression_attribute_values(":id", s(&rejected.intent_id))
        .send()
        .await;
    applied("UpdateItem", result)?;
    Ok(())
}

/// Marks the order's refund at `index` (read as `refund`) failed and stops counting its
/// amount as refunded; false when it was marked already (this event again).
pub async fn fail_refund(
    table: &Table,
    id: &str,
    index: usize,
    refund: &RefundRecord,
) -> Result<bool, StoreError> {
    let at = format!("payment.refunds[{index}]");
    let result = table
        .update_item()
        .key("PK", s(pk(id)))
        .key("SK", s(SK))
        .update_expression(format!(
            "SET payment.amount_refunded = payment.amount_refunded - :a, {at}.#rs = :failed"
        ))
        .condition_expression(format!("{at}.id = :id AND {at}.#rs <> :failed"))
        .expression_attribute_names("#rs", "status")
        .expression_attribute_values(":a", n(refund.amount))
        .expression_attribute_values(":failed", s("failed"))
        .expression_attribute_values(":id", s(&refund.id))
        .send()
        .await;
    applied("UpdateItem", result)
}

/// What stands in an order for personal data that was erased.
pub const ERASED: &str = "[erased]";

/// Erases the personal data of every order `user_id` placed, for an account being deleted
/// (API.md: orders are kept for the books with personal data removed). The amounts, lines,
/// taxes, status and the shipping country stay; the email, the buyer's id, the name, street,
/// city, postcode, phone, notes and gift message go, and the order leaves the buyer's index
/// (GSI1). Answers how many orders it erased. The buyer's orders are read from GSI1, which is
/// eventually consistent: an order placed in the last moment before the deletion can be
/// missed.
pub async fn erase_buyer(table: &Table, user_id: &str) -> Result<usize, StoreError> {
    #[derive(Deserialize)]
    struct Head {
        id: String,
    }
    let query = table
        .query()
        .index_name("GSI1")
        .key_condition_expression("GSI1PK = :pk")
        .expression_attribute_values(":pk", s(user_key(user_id)))
        .projection_expression("id");
    let heads: Vec<Head> = super::every_page(query, "order").await?;
    for head in &heads {
        let erased_head = table
            .update_item()
            .key("PK", s(pk(&head.id)))
            .key("SK", s(SK))
            .update_expression("SET email = :erased, user_id = :null REMOVE GSI1PK, GSI1SK")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":erased", s(ERASED))
            .expression_attribute_values(":null", AttributeValue::Null(true))
            .send();
        let erased_details = table
            .update_item()
            .key("PK", s(pk(&head.id)))
            .key("SK", s(DETAILS_SK))
            .update_expression(
                "SET shipping_address.#name = :erased, shipping_address.line1 = :erased, \
                 shipping_address.line2 = :null, shipping_address.city = :erased, \
                 shipping_address.postcode = :erased, shipping_address.phone = :null, \
                 notes = :null, gift_message = :null",
            )
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_names("#name", "name")
            .expression_attribute_values(":erased", s(ERASED))
            .expression_attribute_values(":null", AttributeValue::Null(true))
            .send();
        let (h, d) = tokio::join!(erased_head, erased_details);
        applied("UpdateItem", h)?;
        applied("UpdateItem", d)?;
    }
    Ok(heads.len())
}

/// Whether `user_id` bought `product_id`: one of their orders that was paid (and not
/// cancelled or refunded in full) has a line of it. Reads the user's order heads (GSI1, only
/// their id and status), then those orders' lines.
pub async fn bought(
    table: &TableReader,
    user_id: &str,
    product_id: &str,
) -> Result<bool, StoreError> {
    #[derive(Deserialize)]
    struct Head {
        id: String,
        status: OrderStatus,
    }
    #[derive(Deserialize)]
    struct Lines {
        lines: Vec<OrderLine>,
    }
    let query = table
        .query()
        .index_name("GSI1")
        .key_condition_expression("GSI1PK = :pk")
        .expression_attribute_values(":pk", s(user_key(user_id)))
        .projection_expression("id, #st")
        .expression_attribute_names("#st", "status");
    let heads: Vec<Head> = super::every_page(query, "order").await?;
    let kept = heads
        .into_iter()
        .filter(|h| {
            matches!(
                h.status,
                OrderStatus::Paid
                    | OrderStatus::Processing
                    | OrderStatus::Shipped
                    | OrderStatus::Delivered
                    | OrderStatus::PartiallyRefunded
            )
        })
        .map(|h| key(pk(&h.id), DETAILS_SK))
        .collect();
    for details in super::batch_get(table, kept).await? {
        let lines: Lines =
            serde_dynamo::from_item(details).map_err(|e| StoreError::serde("order", e))?;
        if lines
            .lines
            .iter()
            .any(|l| l.product_id.as_deref() == Some(product_id))
        {
            return Ok(true);
        }
    }
    Ok(false)
}
