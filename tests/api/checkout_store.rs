//! How checkout stores an order, read back from the table: the checkout transaction writes
//! only items under 1 KB (so it costs at most 2·(k+3) WCU for k skus, counted as AWS bills a
//! transaction: 2 units per KB per item), and checkouts of one cart racing each other leave
//! one order and nothing of the others.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use reqwest::Method;
use serde_json::{Value, json};

use crate::cart::{Who, add_ok, item};
use crate::catalog::staff;
use crate::coupons::{apply, coupon};
use crate::helpers::{TestApp, every_item, unique};
use crate::orders::{address, buyer_with_cart, checkout, product_of, stock, token};
use crate::settings::admin;

type Item = HashMap<String, AttributeValue>;

/// An item's size as DynamoDB counts it: each attribute's name plus its value; a number about
/// one byte per two significant digits plus one; a list or map 3 bytes plus its elements, each
/// one byte more (and a map's its key).
fn item_size(item: &Item) -> usize {
    item.iter().map(|(k, v)| k.len() + value_size(v)).sum()
}

fn value_size(v: &AttributeValue) -> usize {
    match v {
        AttributeValue::S(s) => s.len(),
        AttributeValue::N(n) => {
            let digits = n.trim_start_matches('-').replace('.', "");
            let significant = digits.trim_start_matches('0').trim_end_matches('0').len();
            significant.max(1).div_ceil(2) + 1
        }
        AttributeValue::B(b) => b.as_ref().len(),
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::L(list) => 3 + list.iter().map(|e| 1 + value_size(e)).sum::<usize>(),
        AttributeValue::M(map) => {
            3 + map
                .iter()
                .map(|(k, e)| 1 + k.len() + value_size(e))
                .sum::<usize>()
        }
        AttributeValue::Ss(set) => set.iter().map(String::len).sum(),
        AttributeValue::Ns(set) => set
            .iter()
            .map(|n| value_size(&AttributeValue::N(n.clone())))
            .sum(),
        AttributeValue::Bs(set) => set.iter().map(|b| b.as_ref().len()).sum(),
        other => panic!("an attribute value this test does not size: {other:?}"),
    }
}

async fn raw(app: &TestApp, pk: String, sk: &str) -> Item {
    let table = app.shop.state.table();
    table
        .client()
        .get_item()
        .table_name(table.name())
        .key("PK", AttributeValue::S(pk.clone()))
        .key("SK", AttributeValue::S(sk.to_owned()))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
        .unwrap_or_else(|| panic!("{pk}/{sk} is there"))
}

/// How many items of each `type` the test's table holds.
async fn types(app: &TestApp) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for item in every_item(app, None).await {
        if let Some(AttributeValue::S(t)) = item.get("type") {
            *counts.entry(t.clone()).or_default() += 1;
        }
    }
    counts
}

#[tokio::test]
async fn a_twenty_sku_checkout_with_a_coupon_writes_only_unit_sized_items_in_its_transaction() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let admin = admin(&app).await;
    let code = format!("TWENTY{}", &unique()[..6]).to_uppercase();
    coupon(&app, &admin, json!({"code": code, "percent_off": 10})).await;
    // The longest address the API takes: 254 characters.
    let email = format!(
        "{}@{}.{}.{}.example.com",
        "b".repeat(64),
        "d".repeat(63),
        "e".repeat(63),
        "f".repeat(49)
    );
    assert_eq!(email.len(), 254);
    let session = app.register(&email).await;
    let mut who = Who::User(session.access);
    let mut skus = Vec::new();
    for i in 0..20 {
        let sku = item(&app, &staff, 1000 + i, 5).await;
        add_ok(&app, &mut who, &sku, 1).await;
        skus.push(sku);
    }
    assert_eq!(apply(&app, &who, &code).await.status(), 200);
    let body = json!({"shipping_address": address(), "notes": "n".repeat(500),
                      "gift_message": "g".repeat(500)});
    let answer = checkout(&app, &who, &body, None).await;
    assert_eq!(answer.status(), 201);
    let answer: Value = answer.json().await.unwrap();
    let id = answer["order"]["id"].as_str().unwrap().to_owned();

    // What the transaction wrote: each sku's variant, the coupon, the order's head.
    let mut written = Vec::new();
    for sku in &skus {
        let product = product_of(&app, sku).await;
        let variant = raw(
            &app,
            format!("PRODUCT#{product}"),
            &format!("VARIANT#{sku}"),
        )
        .await;
        assert_eq!(variant["stock"], AttributeValue::N("4".into()));
        written.push((sku.clone(), item_size(&variant)));
    }
    let coupon = raw(&app, format!("COUPON#{code}"), "COUPON").await;
    assert_eq!(coupon["redemptions"], AttributeValue::N("1".into()));
    written.push(("coupon".to_owned(), item_size(&coupon)));
    // The head as the transaction wrote it: the PaymentIntent's id and secret were set on it
    // after (`store::orders::set_intent`).
    let mut head = raw(&app, format!("ORDER#{id}"), "ORDER").await;
    let AttributeValue::M(payment) = head.get_mut("payment").unwrap() else {
        panic!("payment is a map");
    };
    assert!(payment.remove("intent_id").is_some() && payment.remove("client_secret").is_some());
    written.push(("order head".to_owned(), item_size(&head)));
    eprintln!("items the checkout transaction wrote (bytes): {written:?}");
    for (what, size) in &written {
        assert!(*size <= 1024, "{what} is {size} bytes: over one write unit");
    }
    let units: usize = written
        .iter()
        .map(|(_, size)| 2 * size.div_ceil(1024))
        .sum();
    assert!(units <= 2 * (20 + 3), "{units} WCU for 20 skus");

    // The snapshot lives in the details item, and every read of the order has it.
    let details = raw(&app, format!("ORDER#{id}"), "DETAILS").await;
    assert!(!head.contains_key("lines") && details.contains_key("lines"));
    assert!(
        item_size(&details) > 1024,
        "20 lines and 1,000 characters of text"
    );
    let mine = app
        .get_json(&format!("/api/v1/orders/{id}"), token(&who))
        .await;
    assert_eq!(mine["lines"].as_array().unwrap().len(), 20);
    assert_eq!(mine["gift_message"], "g".repeat(500));
    let listed = app.get_json("/api/v1/orders", token(&who)).await;
    assert_eq!(listed["items"][0]["id"], id.as_str());
    assert_eq!(listed["items"][0]["lines"].as_array().unwrap().len(), 20);
    let all = app
        .get_json(&format!("/api/v1/admin/orders?email={email}"), &admin)
        .await;
    assert_eq!(all["items"][0]["lines"].as_array().unwrap().len(), 20);
}

#[tokio::test]
async fn one_cart_checked_out_five_times_at_once_leaves_one_order_and_nothing_else() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let (who, sku, _) = buyer_with_cart(&app, &staff, 5, 2).await;
    let body = json!({"shipping_address": address()});
    let answers =
        futures_util::future::join_all((0..5).map(|_| checkout(&app, &who, &body, None))).await;
    let mut ids = Vec::new();
    for r in answers {
        assert_eq!(r.status(), 201);
        let b: Value = r.json().await.unwrap();
        ids.push(b["order"]["id"].as_str().unwrap().to_owned());
    }
    assert!(ids.iter().all(|i| *i == ids[0]), "{ids:?}");
    assert_eq!(stock(&app, &sku).await, 3);
    let list = app.get_json("/api/v1/orders", token(&who)).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    // The losers' orders were discarded whole: no head, no details, no number left behind.
    let counts = types(&app).await;
    for kind in ["order", "order_details", "order_number"] {
        assert_eq!(counts.get(kind), Some(&1), "{kind}: {counts:?}");
    }
    // Changing the cart releases the one order, as ever.
    let changed = who
        .request(&app, Method::DELETE, "/api/v1/cart")
        .send()
        .await
        .unwrap();
    assert!(changed.status().is_success());
    assert_eq!(stock(&app, &sku).await, 5);
}
