//! Returns through the local server, against localstripe: only delivered orders, only within
//! the window, never more units than were delivered (10 concurrent requests for the last unit:
//! one wins), receiving refunds the lines' exact paid amounts once (a coupon-discounted order)
//! and restocks, rejecting frees the units, and the customer is emailed at each step.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::cart::{Who, add_ok, item};
use crate::catalog::{send, staff};
use crate::coupons::{apply, coupon};
use crate::helpers::{TestApp, assert_problem, unique, unique_email};
use crate::orders::{address, checkout_ok, pay_and_sync, stock, stripe_get, token};
use crate::settings::{admin, change_settings};

/// A signed-in buyer's paid order of `quantity` units of a new sku (2500 each) with a 10 %
/// coupon: (buyer, email, order, sku).
async fn paid_with_coupon(
    app: &TestApp,
    staff: &str,
    admin: &str,
    quantity: i64,
) -> (Who, String, Value, String) {
    let email = unique_email();
    let session = app.register(&email).await;
    let sku = item(app, staff, 2500, 20).await;
    let mut who = Who::User(session.access);
    add_ok(app, &mut who, &sku, quantity).await;
    let code = format!("RET{}", unique()).to_uppercase();
    coupon(app, admin, json!({"code": code, "percent_off": 10})).await;
    assert_eq!(apply(app, &who, &code).await.status(), 200);
    let answer = checkout_ok(app, &who, &json!({"shipping_address": address()})).await;
    let (id, _) = pay_and_sync(app, &who, &answer, "").await;
    let order = app
        .get_json(&format!("/api/v1/orders/{id}"), token(&who))
        .await;
    assert_eq!(order["status"], "paid");
    (who, email, order, sku)
}

async fn move_to(app: &TestApp, admin: &str, id: &str, status: &str) {
    let r = send(
        app,
        Method::POST,
        &format!("/api/v1/admin/orders/{id}/status"),
        admin,
        &json!({"status": status}),
    )
    .await;
    assert_eq!(r.status(), 200, "{status}");
}

async fn deliver(app: &TestApp, admin: &str, id: &str) {
    for status in ["processing", "shipped", "delivered"] {
        move_to(app, admin, id, status).await;
    }
}

async fn ask(app: &TestApp, who: &Who, id: &str, sku: &str, quantity: u32) -> reqwest::Response {
    who.request(app, Method::POST, &format!("/api/v1/orders/{id}/returns"))
        .json(&json!({"lines": [{"sku": sku, "quantity": quantity}], "reason": "damaged", "comment": "cracked"}))
        .send()
        .await
        .unwrap()
}

async fn receive(app: &TestApp, admin: &str, id: &str, body: Value) -> reqwest::Response {
    send(
        app,
        Method::POST,
        &format!("/api/v1/admin/returns/{id}/receive"),
        admin,
        &body,
    )
    .await
}

#[tokio::test]
async fn returns_stay_within_what_was_delivered_and_refund_the_lines_exactly_once() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let admin = admin(&app).await;
    let (who, email, order, sku) = paid_with_coupon(&app, &staff, &admin, 2).await;
    let id = order["id"].as_str().unwrap().to_owned();
    let line = &order["lines"][0];
    let paid = line["line_total"].as_i64().unwrap() - line["discount"].as_i64().unwrap();
    assert_eq!(
        paid, 4050,
        "2 × 2500 less 10 % first order, 10 % coupon: {order}"
    );

    // Before delivery: 409 invalid_state.
    assert_problem(ask(&app, &who, &id, &sku, 1).await, 409, "invalid_state").await;
    deliver(&app, &admin, &id).await;
    let stock_before = stock(&app, &sku).await;

    let first = ask(&app, &who, &id, &sku.to_lowercase(), 1).await;
    assert_eq!(first.status(), 201);
    assert_eq!(
        first.headers()["location"],
        format!("/api/v1/orders/{id}/returns").as_str()
    );
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["status"], "requested");
    assert_eq!(first["lines"][0]["amount"], 2025);
    assert_eq!(first["amount"], 2025);
    // 1 of 2 asked for: 2 more is past what was delivered.
    let over = assert_problem(
        ask(&app, &who, &id, &sku, 2).await,
        422,
        "return_exceeds_delivered",
    )
    .await;
    assert_eq!(over["returnable"], 1);
    // A sku the order does not have, and bad input.
    assert_problem(
        ask(&app, &who, &id, "NOPE-1", 1).await,
        422,
        "validation_failed",
    )
    .await;
    assert_problem(
        ask(&app, &who, &id, &sku, 0).await,
        422,
        "validation_failed",
    )
    .await;
    let bad_reason = who
        .request(&app, Method::POST, &format!("/api/v1/orders/{id}/returns"))
        .json(&json!({"lines": [{"sku": sku, "quantity": 1}], "reason": "bored"}))
        .send()
        .await
        .unwrap();
    assert_problem(bad_reason, 422, "validation_failed").await;
    // Someone else cannot ask for a return of this order.
    let other = Who::User(app.register(&unique_email()).await.access);
    assert_problem(ask(&app, &other, &id, &sku, 1).await, 404, "not_found").await;

    // 10 at once for the last unit: exactly one wins.
    let racing =
        futures_util::future::join_all((0..10).map(|_| ask(&app, &who, &id, &sku, 1))).await;
    let mut codes: Vec<u16> = racing.iter().map(|r| r.status().as_u16()).collect();
    codes.sort_unstable();
    assert_eq!(codes.iter().filter(|c| **c == 201).count(), 1, "{codes:?}");
    assert!(codes.iter().all(|c| *c == 201 || *c == 422), "{codes:?}");
    let listed = app
        .get_json(&format!("/api/v1/orders/{id}/returns"), token(&who))
        .await;
    let returns = listed["items"].as_array().unwrap();
    assert_eq!(returns.len(), 2, "{listed}");
    let second = returns
        .iter()
        .find(|r| r["id"] != first["id"])
        .unwrap()
        .clone();
    assert_eq!(second["amount"], 2025);

    // Receiving with restock: refunded exactly the line's paid share, stock back, emailed.
    let rid = first["id"].as_str().unwrap();
    let got = receive(&app, &admin, rid, json!({"restock": true})).await;
    assert_eq!(got.status(), 200);
    let got: Value = got.json().await.unwrap();
    assert_eq!(got["status"], "refunded", "{got}");
    assert_eq!(got["refund"]["amount"], 2025);
    assert!(got["refund"]["id"].as_str().unwrap().starts_with("re_"));
    assert_eq!(got["restocked"], true);
    assert_eq!(stock(&app, &sku).await, stock_before + 1);
    // Receiving again is 409 and Stripe shows one refund.
    assert_problem(
        receive(&app, &admin, rid, json!({"restock": true})).await,
        409,
        "invalid_transition",
    )
    .await;
    assert_eq!(stock(&app, &sku).await, stock_before + 1);
    let intent = app
        .get_json(&format!("/api/v1/orders/{id}/payment"), token(&who))
        .await["provider_ref"]
        .as_str()
        .unwrap()
        .to_owned();
    let refunds = stripe_get(&app, &format!("/v1/refunds?payment_intent={intent}")).await;
    let amounts: Vec<i64> = refunds["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["payment_intent"] == intent.as_str())
        .map(|r| r["amount"].as_i64().unwrap())
        .collect();
    assert_eq!(amounts, vec![2025]);
    let payment = app
        .get_json(&format!("/api/v1/orders/{id}/payment"), token(&who))
        .await;
    assert_eq!(payment["amount_refunded"], 2025);
    assert_eq!(
        app.get_json(&format!("/api/v1/orders/{id}"), token(&who))
            .await["status"],
        "partially_refunded"
    );

    // The other unit: rejected, then asked for again, then received without restock.
    let sid = second["id"].as_str().unwrap();
    let rejected = send(
        &app,
        Method::POST,
        &format!("/api/v1/admin/returns/{sid}/reject"),
        &admin,
        &json!({"note": "no damage found"}),
    )
    .await;
    assert_eq!(rejected.status(), 200);
    assert_eq!(
        rejected.json::<Value>().await.unwrap()["status"],
        "rejected"
    );
    assert_problem(
        receive(&app, &admin, sid, json!({})).await,
        409,
        "invalid_transition",
    )
    .await;
    let again = ask(&app, &who, &id, &sku, 1).await;
    assert_eq!(again.status(), 201);
    let again: Value = again.json().await.unwrap();
    let by_status = app
        .get_json("/api/v1/admin/returns?status=requested", &admin)
        .await;
    assert!(
        by_status["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == again["id"])
    );
    assert!(
        by_status["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "requested")
    );
    let got = receive(
        &app,
        &admin,
        again["id"].as_str().unwrap(),
        json!({"restock": false}),
    )
    .await;
    let got: Value = got.json().await.unwrap();
    assert_eq!(
        (got["status"].as_str(), got["refund"]["amount"].as_i64()),
        (Some("refunded"), Some(2025))
    );
    assert_eq!(stock(&app, &sku).await, stock_before + 1, "not restocked");
    // Both units back: the line's whole paid amount, the delivery fee kept.
    let payment = app
        .get_json(&format!("/api/v1/orders/{id}/payment"), token(&who))
        .await;
    assert_eq!(payment["amount_refunded"], paid);

    // The customer heard of each step.
    let emails = app
        .wait_for_emails(&email, 6, Duration::from_secs(10))
        .await;
    let subjects: Vec<&str> = emails.iter().map(|e| e.subject.as_str()).collect();
    for what in ["return request", "was refunded", "not accepted"] {
        assert!(
            subjects.iter().any(|s| s.contains(what)),
            "{what}: {subjects:?}"
        );
    }

    // Past the window: 422.
    let (who2, _, order2, sku2) = paid_with_coupon(&app, &staff, &admin, 1).await;
    let id2 = order2["id"].as_str().unwrap();
    deliver(&app, &admin, id2).await;
    change_settings(&app, &admin, json!({"return_window_days": 0})).await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert_problem(
        ask(&app, &who2, id2, &sku2, 1).await,
        422,
        "return_window_closed",
    )
    .await;
}

#[tokio::test]
async fn a_refund_amount_over_the_balance_is_refused_and_zero_ends_received() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let admin = admin(&app).await;
    let (who, _, order, sku) = paid_with_coupon(&app, &staff, &admin, 1).await;
    let id = order["id"].as_str().unwrap();
    deliver(&app, &admin, id).await;
    let asked: Value = ask(&app, &who, id, &sku, 1).await.json().await.unwrap();
    let rid = asked["id"].as_str().unwrap();
    let total = order["total"].as_i64().unwrap();
    let over = assert_problem(
        receive(&app, &admin, rid, json!({"refund_amount": total + 1})).await,
        422,
        "refund_exceeds_balance",
    )
    .await;
    assert_eq!(over["refundable"], total);
    let got: Value = receive(&app, &admin, rid, json!({"refund_amount": 0}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (got["status"].as_str(), got["refund"]["amount"].as_i64()),
        (Some("received"), Some(0))
    );
    assert_problem(
        receive(&app, &admin, rid, json!({})).await,
        409,
        "invalid_transition",
    )
    .await;
    assert_problem(
        receive(&app, &admin, "nope-nope", json!({})).await,
        404,
        "not_found",
    )
    .await;
    let payment = app
        .get_json(&format!("/api/v1/orders/{id}/payment"), token(&who))
        .await;
    assert_eq!(payment["amount_refunded"], 0);
}

/// Stripe refusing the refund (every refund request answered 500 by a proxy in front of
/// localstripe): the return stays `received` with the error shown and its stock back; receiving
/// it again once Stripe answers refunds once.
#[tokio::test]
async fn a_failed_refund_leaves_the_return_received_and_a_retry_refunds_once() {
    let stripe = crate::orders::stripe_base();
    let proxy = shop_local::faults::FaultProxy::start(&stripe)
        .await
        .unwrap();
    let url = proxy.url.clone();
    let app = TestApp::spawn_with(|o| o.stripe_api_base = url).await;
    let staff = staff(&app).await;
    let admin = admin(&app).await;
    let (who, _, order, sku) = paid_with_coupon(&app, &staff, &admin, 1).await;
    let id = order["id"].as_str().unwrap();
    deliver(&app, &admin, id).await;
    let asked: Value = ask(&app, &who, id, &sku, 1).await.json().await.unwrap();
    let rid = asked["id"].as_str().unwrap();
    let before = stock(&app, &sku).await;
    use shop_local::faults::{Fault, Rule};
    proxy.set(vec![Rule::new("POST /v1/refunds", 1.0, Fault::Fail)]);
    let got = receive(&app, &admin, rid, json!({"restock": true})).await;
    assert_eq!(got.status(), 200);
    let got: Value = got.json().await.unwrap();
    assert_eq!(got["status"], "received", "{got}");
    assert!(got["refund"]["error"].is_string());
    assert!(got["refund"]["id"].is_null());
    assert_eq!(stock(&app, &sku).await, before + 1);
    let payment = app
        .get_json(&format!("/api/v1/orders/{id}/payment"), token(&who))
        .await;
    assert_eq!(payment["amount_refunded"], 0, "the hold was given back");
    // Stripe answers again: the retry refunds, once, and restocks nothing more.
    proxy.set(Vec::new());
    let got: Value = receive(&app, &admin, rid, json!({"restock": true}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(got["status"], "refunded", "{got}");
    assert!(got["refund"]["error"].is_null());
    assert_eq!(stock(&app, &sku).await, before + 1);
    assert_problem(
        receive(&app, &admin, rid, json!({})).await,
        409,
        "invalid_transition",
    )
    .await;
    let intent = payment["provider_ref"].as_str().unwrap().to_owned();
    let refunds = stripe_get(&app, &format!("/v1/refunds?payment_intent={intent}")).await;
    let ours = refunds["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["payment_intent"] == intent.as_str())
        .count();
    assert_eq!(ours, 1);
}
