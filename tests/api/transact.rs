//! The store's transaction helper against DynamoDB Local: which labelled actions were refused
//! and why, all actions or none, conflicts retried, and the idempotency token.

use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, Put, Update};
use shop::aws::Table;
use shop::store::transact::{Reason, TransactError, Transaction};

use crate::helpers::{TestApp, unique};

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_owned())
}

fn n(v: i64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

/// A stock item `STOCK#<sku>` holding `stock`.
async fn put_stock(table: &Table, pk: &str, stock: i64) {
    table
        .put_item()
        .item("PK", s(pk))
        .item("SK", s("STOCK"))
        .item("stock", n(stock))
        .send()
        .await
        .unwrap();
}

async fn stock_of(table: &Table, pk: &str) -> Option<i64> {
    let out = table
        .get_item()
        .key("PK", s(pk))
        .key("SK", s("STOCK"))
        .consistent_read(true)
        .send()
        .await
        .unwrap();
    out.item
        .and_then(|i| i.get("stock").and_then(|v| v.as_n().ok()?.parse().ok()))
}

/// Takes `quantity` off a stock item, refused when there is not enough.
fn take(table: &Table, pk: &str, quantity: i64) -> Update {
    Update::builder()
        .table_name(table.name())
        .key("PK", s(pk))
        .key("SK", s("STOCK"))
        .update_expression("SET stock = stock - :q")
        .condition_expression("stock >= :q")
        .expression_attribute_values(":q", n(quantity))
        .build()
        .unwrap()
}

fn new_item(table: &Table, pk: &str) -> Put {
    Put::builder()
        .table_name(table.name())
        .item("PK", s(pk))
        .item("SK", s("STOCK"))
        .item("stock", n(0))
        .condition_expression("attribute_not_exists(PK)")
        .build()
        .unwrap()
}

#[tokio::test]
async fn each_failed_condition_is_named_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let table = app.shop.state.table();
    let id = unique();
    let (a, b, c) = (
        format!("STOCK#{id}-A"),
        format!("STOCK#{id}-B"),
        format!("STOCK#{id}-C"),
    );
    put_stock(table, &a, 1).await;
    put_stock(table, &b, 5).await;
    put_stock(table, &c, 2).await;
    let order = format!("ORDER#{id}");
    let err = Transaction::new(table)
        .update("sku:A", take(table, &a, 2))
        .update("sku:B", take(table, &b, 2))
        .update("sku:C", take(table, &c, 3))
        .put("order", new_item(table, &order))
        .send()
        .await
        .unwrap_err();
    let cancelled = err
        .cancelled()
        .expect("a cancellation, not a storage failure");
    assert_eq!(
        cancelled.failed_conditions().collect::<Vec<_>>(),
        ["sku:A", "sku:C"]
    );
    assert!(!cancelled.condition_failed("sku:B") && !cancelled.condition_failed("order"));
    // All or nothing: B was not taken from, the order was not made.
    assert_eq!(stock_of(table, &b).await, Some(5));
    assert_eq!(stock_of(table, &a).await, Some(1));
    assert_eq!(stock_of(table, &order).await, None);
}

#[tokio::test]
async fn a_transaction_that_holds_applies_every_action() {
    let app = TestApp::spawn().await;
    let table = app.shop.state.table();
    let id = unique();
    let (a, b, order) = (
        format!("STOCK#{id}-A"),
        format!("STOCK#{id}-B"),
        format!("ORDER#{id}"),
    );
    put_stock(table, &a, 3).await;
    put_stock(table, &b, 3).await;
    let check = ConditionCheck::builder()
        .table_name(table.name())
        .key("PK", s(&b))
        .key("SK", s("STOCK"))
        .condition_expression("stock > :zero")
        .expression_attribute_values(":zero", n(0))
        .build()
        .unwrap();
    let sent = Transaction::new(table)
        .update("sku:A", take(table, &a, 3))
        .check("sku:B in stock", check)
        .put("order", new_item(table, &order))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.attempts, 1);
    assert_eq!(stock_of(table, &a).await, Some(0));
    assert_eq!(stock_of(table, &b).await, Some(3));
    assert_eq!(stock_of(table, &order).await, Some(0));
}

#[tokio::test]
async fn an_invalid_action_is_a_storage_failure_not_a_failed_condition() {
    let app = TestApp::spawn().await;
    let table = app.shop.state.table();
    let id = unique();
    // Over DynamoDB's 400 KB item limit.
    let huge = Put::builder()
        .table_name(table.name())
        .item("PK", s(&format!("BLOB#{id}")))
        .item("SK", s("STOCK"))
        .item("data", s(&"x".repeat(410 * 1024)))
        .build()
        .unwrap();
    let err = Transaction::new(table)
        .put("order", new_item(table, &format!("ORDER#{id}")))
        .put("blob", huge)
        .send()
        .await
        .unwrap_err();
    match &err {
        TransactError::Cancelled(c) => assert!(
            matches!(c.reasons.as_slice(), [(label, Reason::Validation(_))] if label == "blob"),
            "{c:?}"
        ),
        // DynamoDB may refuse the whole request instead: a storage failure either way.
        TransactError::Store(_) => {}
    }
    assert!(
        err.cancelled()
            .is_none_or(|c| c.failed_conditions().count() == 0)
    );
    assert!(!err.into_store_error().is_contention());
    assert_eq!(stock_of(table, &format!("ORDER#{id}")).await, None);
}

#[tokio::test]
async fn concurrent_transactions_on_one_item_all_apply_through_retries() {
    let app = TestApp::spawn().await;
    let table = app.shop.state.table().clone();
    let id = unique();
    let counter = format!("COUNTER#{id}");
    put_stock(&table, &counter, 0).await;
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let (table, counter, id) = (table.clone(), counter.clone(), id.clone());
            tokio::spawn(async move {
                let bump = Update::builder()
                    .table_name(table.name())
                    .key("PK", s(&counter))
                    .key("SK", s("STOCK"))
                    .update_expression("ADD stock :one")
                    .expression_attribute_values(":one", n(1))
                    .build()
                    .unwrap();
                let own = format!("ENTRY#{id}-{i}");
                Transaction::new(&table)
                    .update("counter", bump)
                    .put("entry", new_item(&table, &own))
                    .send()
                    .await
            })
        })
        .collect();
    let mut retried = 0;
    for t in tasks {
        let sent = t
            .await
            .unwrap()
            .expect("every transaction applies in the end");
        retried += u32::from(sent.attempts > 1);
    }
    // Every increment landed exactly once, whether or not it had to be retried. (DynamoDB
    // Local applies transactions one at a time, so here they rarely conflict: the retry itself
    // is proven below with conflicts injected in front of it.)
    assert_eq!(stock_of(&table, &counter).await, Some(8));
    eprintln!("{retried} of 8 transactions met a conflict and were retried");
}

/// A proxy on 127.0.0.1 in front of DynamoDB Local that answers the first `conflicts`
/// TransactWriteItems calls as DynamoDB does when another transaction holds an item, and
/// passes everything else through unchanged.
mod conflicting {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    use axum::body::Bytes;
    use axum::http::{HeaderMap, StatusCode};
    use axum::response::IntoResponse;

    pub struct Proxy {
        pub url: String,
        pub refused: Arc<AtomicU32>,
    }

    pub async fn start(dynamodb: String, conflicts: u32) -> Proxy {
        let refused = Arc::new(AtomicU32::new(0));
        let seen = refused.clone();
        let http = shop_local::http_client(std::time::Duration::from_secs(20));
        let app = axum::Router::new().fallback(move |headers: HeaderMap, body: Bytes| {
            let (http, dynamodb, seen) = (http.clone(), dynamodb.clone(), seen.clone());
            async move {
                let target = headers
                    .get("x-amz-target")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                if target.ends_with(".TransactWriteItems")
                    && seen.fetch_add(1, Ordering::SeqCst) < conflicts
                {
                    // One reason per action, as DynamoDB gives: the first action met the conflict.
                    let request: serde_json::Value = serde_json::from_slice(&body).unwrap();
                    let actions = request["TransactItems"].as_array().map_or(1, Vec::len);
                    let reasons: Vec<_> = (0..actions)
                        .map(|i| match i {
                            0 => serde_json::json!({"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}),
                            _ => serde_json::json!({"Code": "None"}),
                        })
                        .collect();
                    let body = serde_json::json!({
                        "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
                        "message": "Transaction cancelled, please refer cancellation reasons for specific reasons",
                        "CancellationReasons": reasons,
                    });
                    return (
                        StatusCode::BAD_REQUEST,
                        [("content-type", "application/x-amz-json-1.0")],
                        body.to_string(),
                    )
                        .into_response();
                }
                let mut forward = http.post(&dynamodb).body(body);
                for (name, value) in &headers {
                    if name != "host" && name != "content-length" {
                        forward = forward.header(name, value);
                    }
                }
                let answer = forward.send().await.expect("DynamoDB Local answers");
                let status = StatusCode::from_u16(answer.status().as_u16()).unwrap();
                let content_type = answer
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("application/x-amz-json-1.0")
                    .to_owned();
                let bytes = answer.bytes().await.unwrap();
                (status, [("content-type", content_type)], bytes).into_response()
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Proxy { url, refused }
    }
}

/// The test shop's table, reached through a conflict-injecting proxy.
async fn table_behind(app: &TestApp, conflicts: u32) -> (Table, conflicting::Proxy) {
    use shop::need::Need;
    let dynamodb = std::env::var("TEST_DYNAMODB_ENDPOINT_URL")
        .unwrap_or_else(|_| "http://127.0.0.1:18000".to_owned());
    let proxy = conflicting::start(dynamodb, conflicts).await;
    let name = app.shop.names.table.clone();
    let url = proxy.url.clone();
    let config = shop::config::Config::for_needs(&[Need::TableWrite], |k| match k {
        "TABLE_NAME" => Some(name.clone()),
        "DYNAMODB_ENDPOINT_URL" => Some(url.clone()),
        _ => None,
    })
    .unwrap();
    let sdk = shop::aws::sdk_config(&config.endpoints).await;
    (Table::new(&sdk, &config), proxy)
}

fn bump(table: &Table, pk: &str) -> Update {
    Update::builder()
        .table_name(table.name())
        .key("PK", s(pk))
        .key("SK", s("STOCK"))
        .update_expression("ADD stock :one")
        .expression_attribute_values(":one", n(1))
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_conflict_is_retried_until_the_transaction_applies_once() {
    let app = TestApp::spawn().await;
    let (table, proxy) = table_behind(&app, 2).await;
    let id = unique();
    let counter = format!("COUNTER#{id}");
    put_stock(&table, &counter, 0).await;
    let sent = Transaction::new(&table)
        .update("counter", bump(&table, &counter))
        .put("entry", new_item(&table, &format!("ENTRY#{id}")))
        .send()
        .await
        .expect("applied on the third attempt");
    assert_eq!(sent.attempts, 3);
    assert_eq!(proxy.refused.load(std::sync::atomic::Ordering::SeqCst), 3);
    assert_eq!(stock_of(&table, &counter).await, Some(1));
}

#[tokio::test]
async fn a_conflict_that_outlasts_every_retry_writes_nothing_and_is_busy_not_a_defect() {
    let app = TestApp::spawn().await;
    let (table, _proxy) = table_behind(&app, u32::MAX).await;
    let id = unique();
    let counter = format!("COUNTER#{id}");
    put_stock(&table, &counter, 0).await;
    let err = Transaction::new(&table)
        .update("counter", bump(&table, &counter))
        .send()
        .await
        .unwrap_err();
    match &err {
        TransactError::Cancelled(c) => {
            assert!(c.is_transient());
            assert_eq!(c.reasons, vec![("counter".to_owned(), Reason::Conflict)]);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        err.cancelled().is_none(),
        "a conflict is no failed condition"
    );
    let api: shop::ApiError = err.into_store_error().into();
    assert_eq!((api.status().as_u16(), api.code()), (429, "busy"));
    assert_eq!(stock_of(&table, &counter).await, Some(0));
}

#[tokio::test]
async fn the_same_request_token_applies_a_transaction_once() {
    let app = TestApp::spawn().await;
    let table = app.shop.state.table();
    let counter = format!("COUNTER#{}", unique());
    put_stock(table, &counter, 0).await;
    let token = unique();
    for _ in 0..3 {
        let bump = Update::builder()
            .table_name(table.name())
            .key("PK", s(&counter))
            .key("SK", s("STOCK"))
            .update_expression("ADD stock :one")
            .expression_attribute_values(":one", n(1))
            .build()
            .unwrap();
        Transaction::new(table)
            .update("counter", bump)
            .idempotency_token(&token)
            .send()
            .await
            .unwrap();
    }
    assert_eq!(stock_of(table, &counter).await, Some(1));
}

/// Sign-up and address creation ride on the helper: a user that is gone is told apart from a
/// full address book (before, every cancelled transaction was "at most 20 addresses").
#[tokio::test]
async fn address_creation_tells_a_missing_user_from_a_full_address_book() {
    use shop::store::addresses::{self, Address, CreateAddressError};
    let app = TestApp::spawn().await;
    let table = app.shop.state.table();
    let address = Address {
        id: ulid::Ulid::new().to_string(),
        label: None,
        name: "Ada".into(),
        line1: "1 High St".into(),
        line2: None,
        city: "London".into(),
        postcode: "N1 9GU".into(),
        country: "GB".into(),
        phone: None,
        created_at: "2026-11-25T00:00:00Z".into(),
    };
    let gone = ulid::Ulid::new().to_string();
    assert!(matches!(
        addresses::create(table, &gone, &address, false).await,
        Err(CreateAddressError::UserGone)
    ));
}
