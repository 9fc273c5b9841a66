//! Checkout, orders and payments through the local server, against localstripe: the whole
//! path (checkout → the PaymentIntent paid on localstripe → its signed webhook → the worker →
//! the confirmation email), no overselling under 100 concurrent checkouts, coupons' limits,
//! Idempotency-Key, replayed and forged webhook events, refunds, who may see which order,
//! payments arriving after a cancel, and the state machine.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::cart::{Who, add_ok, cart, item};
use crate::catalog::{send, staff};
use crate::coupons::{apply, coupon};
use crate::helpers::{
    TestApp, WEBHOOK_SECRET, assert_problem, env_or, eventually, unique, unique_email,
};
use crate::settings::admin;

pub(crate) fn address() -> Value {
    json!({"name": "Ada Lovelace", "line1": "1 Analytical Row", "city": "London",
           "postcode": "N1 9GU", "country": "GB"})
}

pub(crate) async fn checkout(
    app: &TestApp,
    who: &Who,
    body: &Value,
    key: Option<&str>,
) -> reqwest::Response {
    let mut r = who
        .request(app, Method::POST, "/api/v1/checkout")
        .json(body);
    if let Some(key) = key {
        r = r.header("idempotency-key", key);
    }
    r.send().await.unwrap()
}

pub(crate) async fn checkout_ok(app: &TestApp, who: &Who, body: &Value) -> Value {
    let response = checkout(app, who, body, None).await;
    assert_eq!(response.status(), 201, "checkout");
    response.json().await.unwrap()
}

/// A signed-in buyer with `quantity` of a new item (price 2500) in their cart.
pub(crate) async fn buyer_with_cart(
    app: &TestApp,
    staff: &str,
    stock: i64,
    quantity: i64,
) -> (Who, String, String) {
    let email = unique_email();
    let session = app.register(&email).await;
    let sku = item(app, staff, 2500, stock).await;
    let mut who = Who::User(session.access);
    add_ok(app, &mut who, &sku, quantity).await;
    (who, sku, email)
}

/// The stock of `sku` now, read from the table.
pub(crate) async fn stock(app: &TestApp, sku: &str) -> i64 {
    let reader = app.shop.state.reader();
    let Some(shop::store::products::SkuTarget::Variant { product_id }) =
        shop::store::products::sku_target(reader, sku)
            .await
            .unwrap()
    else {
        panic!("{sku} is a variant");
    };
    let found = shop::store::products::variants_by_key(reader, &[(product_id, sku.to_owned())])
        .await
        .unwrap();
    found[0].1.stock
}

pub(crate) fn stripe_base() -> String {
    env_or("TEST_STRIPE_API_BASE", "http://127.0.0.1:18420")
}

/// A GET of localstripe's API.
pub(crate) async fn stripe_get(app: &TestApp, path: &str) -> Value {
    let r = app
        .http
        .get(format!("{}{path}", stripe_base()))
        .bearer_auth("sk_test_local")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{path}");
    r.json().await.unwrap()
}

/// A POST to localstripe's API, which must succeed.
pub(crate) async fn stripe_post(app: &TestApp, path: &str, form: &[(&str, &str)]) -> Value {
    let r = app
        .http
        .post(format!("{}{path}", stripe_base()))
        .bearer_auth("sk_test_local")
        .form(form)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert!(status.is_success(), "{path}: {body}");
    body
}

/// Pays a PaymentIntent on localstripe with a test card, as Stripe.js would.
pub(crate) async fn pay_on_stripe(app: &TestApp, intent: &str) {
    let path = format!("/v1/payment_intents/{intent}");
    stripe_post(app, &path, &[("payment_method", "pm_card_visa")]).await;
    let body = stripe_post(app, &format!("{path}/confirm"), &[]).await;
    assert_eq!(body["status"], "succeeded", "{body}");
}

/// The statuses of an order's tracking history, oldest first.
async fn tracking_steps(app: &TestApp, who: &Who, id: &str) -> (Vec<String>, Value) {
    let tracking = app
        .get_json(&format!("/api/v1/orders/{id}/tracking"), token(who))
        .await;
    let steps = tracking
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["status"].as_str().unwrap().to_owned())
        .collect();
    (steps, tracking)
}

/// A signed `payment_intent.succeeded` event for an order, in Stripe's current shape.
pub(crate) fn succeeded_event(
    event_id: &str,
    intent: &str,
    order_id: &str,
    amount: i64,
) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "id": event_id, "object": "event", "api_version": "2024-06-20", "created": 1_764_000_000,
        "type": "payment_intent.succeeded", "livemode": false, "pending_webhooks": 1,
        "data": {"object": {
            "id": intent, "object": "payment_intent", "amount": amount, "amount_received": amount,
            "currency": "gbp", "status": "succeeded", "latest_charge": "ch_test",
            "metadata": {"order_id": order_id}}}
    }))
    .unwrap()
}

pub(crate) fn sign(body: &[u8], secret: &str, t: i64) -> String {
    shop::stripe::signature::sign(body, secret, t)
}

pub(crate) fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

pub(crate) async fn post_event(
    app: &TestApp,
    body: &[u8],
    header: Option<&str>,
) -> reqwest::Response {
    let mut r = app
        .http
        .post(app.url("/api/v1/stripe/webhook"))
        .header("content-type", "application/json")
        .body(body.to_vec());
    if let Some(h) = header {
        r = r.header("stripe-signature", h);
    }
    r.send().await.unwrap()
}

pub(crate) async fn order(app: &TestApp, who: &Who, id: &str) -> Value {
    let r = who
        .request(app, Method::GET, &format!("/api/v1/orders/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

/// Waits until the order reaches `status`.
pub(crate) async fn wait_for_status(app: &TestApp, who: &Who, id: &str, status: &str) -> Value {
    eventually(|| async {
        let o = order(app, who, id).await;
        if o["status"] == status {
            Ok(o)
        } else {
            Err(format!("order still {} (wanted {status})", o["status"]))
        }
    })
    .await
}

pub(crate) fn token(who: &Who) -> &str {
    match who {
        Who::User(t) => t,
        Who::Guest(_) => panic!("a user"),
    }
}

#[tokio::test]
async fn the_whole_path_add_checkout_pay_webhook_paid_and_emailed() {
    let app = TestApp::spawn_with(|o| o.register_stripe_webhook = true).await;
    let staff = staff(&app).await;
    let (who, sku, email) = buyer_with_cart(&app, &staff, 5, 2).await;
    let body =
        json!({"shipping_address": address(), "notes": "ring twice", "gift_message": "for you"});
    let answer = checkout_ok(&app, &who, &body).await;
    let o = &answer["order"];
    assert_eq!(o["status"], "pending");
    assert!(o["number"].as_str().unwrap().starts_with("HX-"));
    // First-time buyer: 10 % off and free delivery.
    assert_eq!(
        (o["subtotal"].as_i64(), o["first_time_discount"].as_i64()),
        (Some(5000), Some(500))
    );
    assert_eq!(o["total"], 4500);
    assert_eq!(o["lines"][0]["discount"], 500);
    assert!(o["reserved_until"].is_string());
    assert!(
        answer["payment"]["client_secret"]
            .as_str()
            .unwrap()
            .contains("secret")
    );
    assert!(answer.get("order_token").is_none(), "only guests get one");
    assert_eq!(stock(&app, &sku).await, 3, "reserved at checkout");
    // Checking out the same cart again answers the same order.
    let again = checkout_ok(&app, &who, &body).await;
    assert_eq!(again["order"]["id"], o["id"]);
    assert_eq!(cart(&app, &who).await["pending_order"], o["id"]);

    let id = o["id"].as_str().unwrap();
    pay_on_stripe(
        &app,
        answer["payment"]["payment_intent_id"].as_str().unwrap(),
    )
    .await;
    let paid = wait_for_status(&app, &who, id, "paid").await;
    assert_eq!(paid["payment"]["status"], "succeeded");
    assert!(paid["reserved_until"].is_null());
    // The verification email, then the confirmation.
    let mails = app
        .wait_for_emails(&email, 2, Duration::from_secs(15))
        .await;
    let confirmation = mails
        .iter()
        .find(|m| m.subject.contains("confirmed"))
        .unwrap_or_else(|| panic!("the confirmation among {mails:?}"));
    assert!(confirmation.subject.contains(o["number"].as_str().unwrap()));
    for part in [&confirmation.text, &confirmation.html] {
        assert!(
            part.contains("45.00 GBP") && part.contains("ring twice") && part.contains("for you")
        );
        assert!(part.contains("1 Analytical Row"));
    }
    let me = app.get_json("/api/v1/me", token(&who)).await;
    assert_eq!(
        (me["order_count"].as_i64(), me["total_spent"].as_i64()),
        (Some(1), Some(4500))
    );
    assert_eq!(me["first_time_buyer"], false);
    assert_eq!(
        cart(&app, &who).await["lines"].as_array().unwrap().len(),
        0,
        "the cart empties once paid"
    );
    assert_eq!(stock(&app, &sku).await, 3);
    let (steps, _) = tracking_steps(&app, &who, id).await;
    assert_eq!(steps, ["pending", "paid"]);
    let list = app
        .get_json("/api/v1/orders?status=paid", token(&who))
        .await;
    assert_eq!(list["items"][0]["id"], o["id"]);
    let notes = app.get_json("/api/v1/me/notifications", token(&who)).await;
    assert_eq!(notes["items"][0]["order_id"], o["id"]);
    // The webhook's follow-up published `order.paid`: the worker made the invoice.
    let path = format!("/api/v1/orders/{id}/invoice");
    eventually(|| async {
        let r = app
            .authed(Method::GET, &path, token(&who))
            .send()
            .await
            .unwrap();
        if r.status() == 200 {
            Ok(())
        } else {
            Err(format!("the invoice: {}", r.status()))
        }
    })
    .await;
}

#[tokio::test]
async fn a_hundred_concurrent_checkouts_of_ten_units_make_ten_orders() {
    let app = TestApp::spawn().await;
    crate::limits::many_guests_from_one_machine(&app).await;
    let staff = staff(&app).await;
    let sku = item(&app, &staff, 1000, 10).await;
    let mut guests = Vec::new();
    for _ in 0..100 {
        let mut who = Who::Guest(None);
        add_ok(&app, &mut who, &sku, 1).await;
        guests.push(who);
    }
    let body = json!({"shipping_address": address(), "email": "guest@example.com"});
    let answers =
        futures_util::future::join_all(guests.iter().map(|who| checkout(&app, who, &body, None)))
            .await;
    let mut made = 0;
    let mut short = 0;
    for r in answers {
        match r.status().as_u16() {
            201 => made += 1,
            409 => {
                let p: Value = r.json().await.unwrap();
                assert_eq!(p["code"], "insufficient_stock");
                assert_eq!(p["skus"], json!([sku]));
                short += 1;
            }
            other => panic!("unexpected {other}: {}", r.text().await.unwrap()),
        }
    }
    assert_eq!((made, short), (10, 90));
    assert_eq!(stock(&app, &sku).await, 0);
    let admin = admin(&app).await;
    let all = app.get_json("/api/v1/admin/orders?limit=100", &admin).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 10);
}

#[tokio::test]
async fn a_coupon_limited_to_three_goes_into_at_most_three_orders() {
    let app = TestApp::spawn().await;
    crate::limits::many_guests_from_one_machine(&app).await;
    let staff = staff(&app).await;
    let admin = admin(&app).await;
    let sku = item(&app, &staff, 1000, 100).await;
    let code = format!("LIMIT{}", &unique()[..6]).to_uppercase();
    coupon(
        &app,
        &admin,
        json!({"code": code, "percent_off": 10, "max_redemptions": 3}),
    )
    .await;
    let mut guests = Vec::new();
    for _ in 0..10 {
        let mut who = Who::Guest(None);
        add_ok(&app, &mut who, &sku, 1).await;
        assert_eq!(apply(&app, &who, &code).await.status(), 200);
        guests.push(who);
    }
    let body = json!({"shipping_address": address(), "email": "guest@example.com"});
    let answers =
        futures_util::future::join_all(guests.iter().map(|who| checkout(&app, who, &body, None)))
            .await;
    let mut with_coupon = 0;
    for r in answers {
        match r.status().as_u16() {
            201 => {
                let a: Value = r.json().await.unwrap();
                assert_eq!(a["order"]["coupon"], code);
                with_coupon += 1;
            }
            409 => assert_eq!(r.json::<Value>().await.unwrap()["code"], "coupon_exhausted"),
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(with_coupon, 3);
    assert_eq!(stock(&app, &sku).await, 97);
}

#[tokio::test]
async fn one_idempotency_key_four_times_at_once_makes_one_order_and_one_payment() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let (who, sku, _) = buyer_with_cart(&app, &staff, 5, 1).await;
    let body = json!({"shipping_address": address()});
    let key = format!("key-{}", unique());
    let answers =
        futures_util::future::join_all((0..4).map(|_| checkout(&app, &who, &body, Some(&key))))
            .await;
    let mut bodies = Vec::new();
    for r in answers {
        assert_eq!(r.status(), 201);
        bodies.push(r.json::<Value>().await.unwrap());
    }
    for b in &bodies {
        assert_eq!(b["order"]["id"], bodies[0]["order"]["id"]);
        assert_eq!(
            b["payment"]["payment_intent_id"],
            bodies[0]["payment"]["payment_intent_id"]
        );
    }
    let list = app.get_json("/api/v1/orders", token(&who)).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(stock(&app, &sku).await, 4);
    let other = json!({"shipping_address": address(), "notes": "different"});
    let reused = checkout(&app, &who, &other, Some(&key)).await;
    assert_problem(reused, 422, "idempotency_key_reused").await;
}

#[tokio::test]
async fn one_event_five_times_changes_the_order_once_and_forged_ones_nothing() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let (who, _, email) = buyer_with_cart(&app, &staff, 5, 1).await;
    let answer = checkout_ok(&app, &who, &json!({"shipping_address": address()})).await;
    let id = answer["order"]["id"].as_str().unwrap();
    let intent = answer["payment"]["payment_intent_id"].as_str().unwrap();
    let total = answer["order"]["total"].as_i64().unwrap();

    // The signature matrix: each refused, and the event still counts as unseen afterwards.
    let event_id = format!("evt_{}", unique());
    let body = succeeded_event(&event_id, intent, id, total);
    let t = now();
    let good = sign(&body, WEBHOOK_SECRET, t);
    let v1 = good.split_once(",v1=").unwrap().1.to_owned();
    let mut tampered = body.clone();
    let at = tampered.len() - 3;
    tampered[at] ^= 1;
    let refused = [
        (tampered.clone(), Some(good.clone())),
        (body.clone(), Some(sign(&body, "whsec_wrong", t))),
        (body.clone(), None),
        (body.clone(), Some(format!("t={t}"))),
        (body.clone(), Some(sign(&body, WEBHOOK_SECRET, t - 301))),
        // Well past the 300 s allowed, also when this test runs slowly (t was read above).
        (body.clone(), Some(sign(&body, WEBHOOK_SECRET, t + 360))),
    ];
    for (b, h) in &refused {
        assert_problem(
            post_event(&app, b, h.as_deref()).await,
            400,
            "invalid_signature",
        )
        .await;
    }
    assert_eq!(order(&app, &who, id).await["status"], "pending");
    // One good v1 among several is enough.
    let several = format!("t={t},v1={},v1={v1},v0=abc", "0".repeat(64));
    let sends = futures_util::future::join_all((0..5).map(|i| {
        let h = if i == 0 {
            several.clone()
        } else {
            good.clone()
        };
        let app = &app;
        let body = &body;
        async move { post_event(app, body, Some(&h)).await }
    }))
    .await;
    let mut queued = 0;
    for r in sends {
        assert_eq!(r.status(), 200);
        if r.json::<Value>().await.unwrap()["queued"] == true {
            queued += 1;
        }
    }
    assert_eq!(queued, 1, "one event id is queued once");
    // And five more deliveries, one at a time, after it was applied.
    wait_for_status(&app, &who, id, "paid").await;
    for _ in 0..5 {
        assert_eq!(post_event(&app, &body, Some(&good)).await.status(), 200);
    }
    app.wait_for_empty_queue(Duration::from_secs(15)).await;
    let me = app.get_json("/api/v1/me", token(&who)).await;
    assert_eq!(me["order_count"], 1);
    let confirmations = app
        .emails_to(&email)
        .await
        .into_iter()
        .filter(|m| m.subject.contains("confirmed"))
        .count();
    assert_eq!(confirmations, 1);
    let tracking = app
        .get_json(&format!("/api/v1/orders/{id}/tracking"), token(&who))
        .await;
    assert_eq!(tracking.as_array().unwrap().len(), 2, "paid once");
}

/// A paid order: checkout, paid on localstripe, then synced (no webhook needed).
pub(crate) async fn paid_order(
    app: &TestApp,
    staff: &str,
    quantity: i64,
) -> (Who, String, String, i64) {
    let (who, sku, _) = buyer_with_cart(app, staff, 10, quantity).await;
    let answer = checkout_ok(app, &who, &json!({"shipping_address": address()})).await;
    let (id, payment) = pay_and_sync(app, &who, &answer, "").await;
    let total = payment["amount"].as_i64().unwrap();
    (who, id, sku, total)
}

/// Pays a checkout's PaymentIntent on localstripe and syncs the order (no webhook needed):
/// the order id and the payment as the sync answered it. `query`: a guest's `?token=`.
pub(crate) async fn pay_and_sync(
    app: &TestApp,
    who: &Who,
    checkout: &Value,
    query: &str,
) -> (String, Value) {
    let id = checkout["order"]["id"].as_str().unwrap().to_owned();
    let intent = checkout["payment"]["payment_intent_id"].as_str().unwrap();
    pay_on_stripe(app, intent).await;
    let path = format!("/api/v1/orders/{id}/payment/sync{query}");
    let synced = who.request(app, Method::POST, &path).send().await.unwrap();
    let status = synced.status();
    let payment: Value = synced.json().await.unwrap();
    assert_eq!(status, 200, "{payment}");
    assert_eq!(payment["status"], "succeeded");
    (id, payment)
}

#[tokio::test]
async fn refunds_partial_then_the_rest_never_more_and_once_under_a_race() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let admin = admin(&app).await;
    let (who, id, _, total) = paid_order(&app, &staff, 2).await;
    let refund = |body: Value| {
        let app = &app;
        let admin = admin.clone();
        let id = id.clone();
        async move {
            send(
                app,
                Method::POST,
                &format!("/api/v1/admin/orders/{id}/refund"),
                &admin,
                &body,
            )
            .await
        }
    };
    let first = refund(json!({"amount": 1000, "reason": "scratched"})).await;
    assert_eq!(first.status(), 201);
    assert_eq!(first.json::<Value>().await.unwrap()["amount"], 1000);
    let payment = app
        .get_json(&format!("/api/v1/orders/{id}/payment"), token(&who))
        .await;
    assert_eq!(
        (
            payment["status"].as_str(),
            payment["amount_refunded"].as_i64()
        ),
        (Some("partially_refunded"), Some(1000))
    );
    assert_eq!(order(&app, &who, &id).await["status"], "partially_refunded");
    let over = refund(json!({"amount": total})).await;
    let p = assert_problem(over, 422, "refund_exceeds_balance").await;
    assert_eq!(p["refundable"], total - 1000);
    let racing = futures_util::future::join(refund(json!({})), refund(json!({}))).await;
    let statuses = [racing.0.status().as_u16(), racing.1.status().as_u16()];
    assert!(
        statuses.contains(&201) && statuses.contains(&422),
        "{statuses:?}"
    );
    let payment = app
        .get_json(&format!("/api/v1/orders/{id}/payment"), token(&who))
        .await;
    assert_eq!(
        (
            payment["status"].as_str(),
            payment["amount_refunded"].as_i64()
        ),
        (Some("refunded"), Some(total))
    );
    assert_eq!(order(&app, &who, &id).await["status"], "refunded");
    // Nothing is left to refund: the balance is the answer, not the state machine.
    for body in [json!({}), json!({"amount": 1})] {
        let p = assert_problem(refund(body).await, 422, "refund_exceeds_balance").await;
        assert_eq!(p["refundable"], 0);
    }
    assert_problem(
        refund(json!({"amount": -5})).await,
        422,
        "validation_failed",
    )
    .await;
}

#[tokio::test]
async fn an_admin_reads_any_order_with_its_history_and_no_one_else_does() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let admin = admin(&app).await;
    let (buyer, id, sku, total) = paid_order(&app, &staff, 2).await;
    let change = json!({"status": "shipped", "tracking_number": "TRK-1", "carrier": "DPD"});
    let r = app
        .authed(
            Method::POST,
            &format!("/api/v1/admin/orders/{id}/status"),
            &admin,
        )
        .json(&change)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    let seen = app
        .get_json(&format!("/api/v1/admin/orders/{id}"), &admin)
        .await;
    assert_eq!(seen["id"], id.as_str());
    assert_eq!(seen["total"], total);
    assert_eq!(seen["lines"][0]["sku"], sku.as_str());
    assert_eq!(seen["status"], "shipped");
    let mine = app.get_json("/api/v1/me", token(&buyer)).await;
    assert_eq!(seen["user_id"], mine["id"]);
    let steps: Vec<&str> = seen["tracking"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["status"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["pending", "paid", "shipped"]);
    assert_eq!(seen["tracking"][2]["tracking_number"], "TRK-1");

    // The buyer and staff are refused the admin's view; an unknown id is 404.
    for who in [token(&buyer), staff.as_str()] {
        let r = app
            .authed(Method::GET, &format!("/api/v1/admin/orders/{id}"), who)
            .send()
            .await
            .unwrap();
        assert_problem(r, 403, "forbidden").await;
    }
    let r = app
        .authed(Method::GET, "/api/v1/admin/orders/01NOSUCHORDER", &admin)
        .send()
        .await
        .unwrap();
    assert_problem(r, 404, "not_found").await;
    let r = app.get(&format!("/api/v1/admin/orders/{id}")).await;
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn nobody_reads_cancels_tracks_or_syncs_another_buyers_order() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let (owner, _, _) = buyer_with_cart(&app, &staff, 5, 1).await;
    let answer = checkout_ok(&app, &owner, &json!({"shipping_address": address()})).await;
    let id = answer["order"]["id"].as_str().unwrap();
    let stranger = Who::User(app.register(&unique_email()).await.access);
    for (method, path) in [
        (Method::GET, format!("/api/v1/orders/{id}")),
        (Method::POST, format!("/api/v1/orders/{id}/cancel")),
        (Method::GET, format!("/api/v1/orders/{id}/tracking")),
        (Method::GET, format!("/api/v1/orders/{id}/payment")),
        (Method::POST, format!("/api/v1/orders/{id}/payment/sync")),
    ] {
        let r = stranger
            .request(&app, method.clone(), &path)
            .send()
            .await
            .unwrap();
        assert_problem(r, 404, "not_found").await;
        let r = app
            .http
            .request(method, app.url(&path))
            .send()
            .await
            .unwrap();
        assert_problem(r, 401, "unauthenticated").await;
    }
    assert_eq!(order(&app, &owner, id).await["status"], "pending");

    // A guest's token opens its own order only.
    let sku = item(&app, &staff, 700, 5).await;
    let mut tokens = Vec::new();
    let mut ids = Vec::new();
    for _ in 0..2 {
        let mut guest = Who::Guest(None);
        add_ok(&app, &mut guest, &sku, 1).await;
        let a = checkout_ok(
            &app,
            &guest,
            &json!({"shipping_address": address(), "email": unique_email()}),
        )
        .await;
        tokens.push(a["order_token"].as_str().unwrap().to_owned());
        ids.push(a["order"]["id"].as_str().unwrap().to_owned());
    }
    let get = |id: &str, token: &str| {
        app.http
            .get(app.url(&format!("/api/v1/orders/{id}")))
            .query(&[("token", token)])
            .send()
    };
    assert_eq!(get(&ids[0], &tokens[0]).await.unwrap().status(), 200);
    assert_eq!(get(&ids[0], &tokens[1]).await.unwrap().status(), 404);
    assert_eq!(
        get(id, &tokens[0]).await.unwrap().status(),
        404,
        "a user's order never opens with a token"
    );
    let cancel = app
        .http
        .post(app.url(&format!("/api/v1/orders/{}/cancel", ids[1])))
        .query(&[("token", &tokens[1])])
        .send()
        .await
        .unwrap();
    assert_eq!(cancel.status(), 200);
    assert_eq!(
        stock(&app, &sku).await,
        4,
        "the cancelled guest order gave its unit back"
    );
}

#[tokio::test]
async fn a_payment_after_a_cancel_takes_the_stock_again_or_is_refunded() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    for stock_left in [true, false] {
        let (who, sku, email) = buyer_with_cart(&app, &staff, 3, 2).await;
        let answer = checkout_ok(&app, &who, &json!({"shipping_address": address()})).await;
        let id = answer["order"]["id"].as_str().unwrap();
        let intent = answer["payment"]["payment_intent_id"].as_str().unwrap();
        let total = answer["order"]["total"].as_i64().unwrap();
        // The customer pays, but cancels before the event arrives.
        pay_on_stripe(&app, intent).await;
        let cancelled = who
            .request(&app, Method::POST, &format!("/api/v1/orders/{id}/cancel"))
            .send()
            .await
            .unwrap();
        assert_eq!(cancelled.status(), 200);
        assert_eq!(stock(&app, &sku).await, 3);
        if !stock_left {
            let r = send(
                &app,
                Method::PUT,
                &format!(
                    "/api/v1/admin/products/{}/stock",
                    product_of(&app, &sku).await
                ),
                &staff,
                &json!({"sku": sku, "set": 1}),
            )
            .await;
            assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        }
        let body = succeeded_event(&format!("evt_{}", unique()), intent, id, total);
        assert_eq!(
            post_event(&app, &body, Some(&sign(&body, WEBHOOK_SECRET, now())))
                .await
                .status(),
            200
        );
        app.wait_for_empty_queue(Duration::from_secs(20)).await;
        let o = order(&app, &who, id).await;
        if stock_left {
            assert_eq!(o["status"], "paid");
            assert_eq!(o["payment"]["status"], "succeeded");
            assert_eq!(stock(&app, &sku).await, 1, "taken again");
        } else {
            assert_eq!(o["status"], "cancelled");
            assert_eq!(o["payment"]["status"], "refunded");
            assert_eq!(o["payment"]["amount_refunded"], total);
            assert_eq!(stock(&app, &sku).await, 1, "nothing taken");
            // Verification, the cancel, then the refund.
            let mails = app
                .wait_for_emails(&email, 3, Duration::from_secs(10))
                .await;
            assert!(
                mails
                    .iter()
                    .any(|m| m.subject.contains("cancelled") && m.text.contains("refunded")),
                "{mails:?}"
            );
        }
    }
}

pub(crate) async fn product_of(app: &TestApp, sku: &str) -> String {
    match shop::store::products::sku_target(app.shop.state.reader(), sku)
        .await
        .unwrap()
    {
        Some(shop::store::products::SkuTarget::Variant { product_id }) => product_id,
        _ => panic!("{sku} is a variant"),
    }
}

#[tokio::test]
async fn the_state_machine_changing_the_cart_and_bad_input() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let admin = admin(&app).await;
    let (who, sku, email) = buyer_with_cart(&app, &staff, 5, 1).await;
    // Bad input: every one a 4xx.
    for (body, field) in [
        (json!({}), "shipping_address"),
        (
            json!({"shipping_address": address(), "shipping_address_id": "x"}),
            "shipping_address",
        ),
        (
            json!({"shipping_address": address(), "notes": "é".repeat(501)}),
            "notes",
        ),
        (
            json!({"shipping_address": {"name": "A", "line1": "", "city": "L", "postcode": "N1", "country": "ZZ"}}),
            "shipping_address.line1",
        ),
        (
            json!({"shipping_address": address(), "mode": "barter"}),
            "mode",
        ),
    ] {
        let p = assert_problem(
            checkout(&app, &who, &body, None).await,
            422,
            "validation_failed",
        )
        .await;
        assert!(
            p["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["field"] == field),
            "{p}"
        );
    }
    let mut guest = Who::Guest(None);
    add_ok(&app, &mut guest, &sku, 1).await;
    let p = assert_problem(
        checkout(&app, &guest, &json!({"shipping_address": address()}), None).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "email");
    let nobody = app
        .post_json("/api/v1/checkout", &json!({"shipping_address": address()}))
        .await;
    assert_problem(nobody, 401, "unauthenticated").await;
    let empty = Who::User(app.register(&unique_email()).await.access);
    assert_problem(
        checkout(&app, &empty, &json!({"shipping_address": address()}), None).await,
        409,
        "cart_empty",
    )
    .await;

    // Changing the cart cancels its pending order and gives the stock back.
    let first = checkout_ok(&app, &who, &json!({"shipping_address": address()})).await;
    let first_id = first["order"]["id"].as_str().unwrap();
    assert_eq!(stock(&app, &sku).await, 4);
    add_ok(&app, &mut who.clone(), &sku, 1).await;
    assert_eq!(order(&app, &who, first_id).await["status"], "cancelled");
    assert_eq!(stock(&app, &sku).await, 5);
    let second = checkout_ok(&app, &who, &json!({"shipping_address": address()})).await;
    assert_ne!(second["order"]["id"], first["order"]["id"]);
    assert_eq!(second["order"]["lines"][0]["quantity"], 2);
    let id = second["order"]["id"].as_str().unwrap();

    // The state machine: paid only by a payment; a pending order cannot ship.
    let path = format!("/api/v1/admin/orders/{id}/status");
    let status = |to: Value| {
        let (app, path, admin) = (&app, &path, &admin);
        async move { send(app, Method::POST, path, admin, &to).await }
    };
    assert_problem(
        status(json!({"status": "paid"})).await,
        409,
        "invalid_transition",
    )
    .await;
    assert_problem(
        status(json!({"status": "shipped"})).await,
        409,
        "invalid_transition",
    )
    .await;
    assert_problem(
        status(json!({"status": "flying"})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_problem(
        status(json!({"status": "shipped", "oops": 1})).await,
        422,
        "validation_failed",
    )
    .await;
    let body = succeeded_event(
        &format!("evt_{}", unique()),
        second["payment"]["payment_intent_id"].as_str().unwrap(),
        id,
        second["order"]["total"].as_i64().unwrap(),
    );
    post_event(&app, &body, Some(&sign(&body, WEBHOOK_SECRET, now()))).await;
    wait_for_status(&app, &who, id, "paid").await;
    assert_eq!(status(json!({"status": "processing"})).await.status(), 200);
    let shipped = status(json!({"status": "shipped", "tracking_number": "TRK123", "carrier": "Royal Mail", "location": "Leeds"})).await;
    assert_eq!(shipped.status(), 200);
    assert_problem(
        who.request(&app, Method::POST, &format!("/api/v1/orders/{id}/cancel"))
            .send()
            .await
            .unwrap(),
        409,
        "invalid_transition",
    )
    .await;
    assert_eq!(status(json!({"status": "delivered"})).await.status(), 200);
    assert_problem(
        status(json!({"status": "shipped"})).await,
        409,
        "invalid_transition",
    )
    .await;
    let (steps, tracking) = tracking_steps(&app, &who, id).await;
    assert_eq!(
        steps,
        ["pending", "paid", "processing", "shipped", "delivered"]
    );
    assert_eq!(tracking[3]["tracking_number"], "TRK123");
    // The verification, the confirmation, shipped and delivered (each queued; wait for all).
    let mails = app
        .wait_for_emails(&email, 4, Duration::from_secs(15))
        .await;
    let shipped_mail = mails
        .iter()
        .find(|m| m.subject.contains("on its way"))
        .expect("the shipped email");
    assert!(shipped_mail.text.contains("TRK123") && shipped_mail.text.contains("Royal Mail"));
    assert!(mails.iter().any(|m| m.subject.contains("delivered")));
    // Admin search.
    let found = app
        .get_json(&format!("/api/v1/admin/orders?email={email}"), &admin)
        .await;
    assert_eq!(found["items"].as_array().unwrap().len(), 2);
    let delivered = app
        .get_json("/api/v1/admin/orders?status=delivered", &admin)
        .await;
    assert_eq!(delivered["items"][0]["id"], id);
    assert_problem(
        app.authed(Method::GET, "/api/v1/admin/orders?status=lost", &admin)
            .send()
            .await
            .unwrap(),
        422,
        "validation_failed",
    )
    .await;
    assert_problem(
        app.authed(Method::GET, "/api/v1/admin/orders", token(&who))
            .send()
            .await
            .unwrap(),
        403,
        "forbidden",
    )
    .await;
}
