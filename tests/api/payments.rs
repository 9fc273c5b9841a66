//! Paying on Stripe's hosted page and what Stripe tells the shop afterwards, end to end through
//! localstripe and the project's plugin (infra/localstripe_plugin.py): a Checkout Session paid
//! (and one expired, and one given up by the buyer), refunds made at Stripe and a refund that
//! fails there, an order that costs nothing, and the catalog mirrored to Stripe Products and
//! Prices. Signed fixture events in Stripe's current
//! shape (API 2024-06-20) are also fed to the webhook directly.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::cart::{Who, add_ok, cart, item};
use crate::catalog::{review, send, staff};
use crate::coupons::{apply, coupon};
use crate::helpers::{TestApp, WEBHOOK_SECRET, assert_problem, eventually, unique};
use crate::orders::{
    address, buyer_with_cart, checkout, checkout_ok, now, order, paid_order, post_event,
    product_of, sign, stock, stripe_base, stripe_get, stripe_post, token, wait_for_status,
};
use crate::settings::admin;

fn session_body() -> Value {
    json!({"shipping_address": address(), "mode": "checkout_session",
           "success_url": "http://127.0.0.1:3000/thanks?order={ORDER}",
           "cancel_url": "http://127.0.0.1:3000/cart"})
}

/// Waits until the order's payment shows `amount_refunded`.
async fn wait_for_refunded(app: &TestApp, who: &Who, id: &str, amount: i64) -> Value {
    eventually(|| async {
        let p = app
            .get_json(&format!("/api/v1/orders/{id}/payment"), token(who))
            .await;
        if p["amount_refunded"] == amount {
            Ok(p)
        } else {
            Err(format!(
                "refunded {} (wanted {amount})",
                p["amount_refunded"]
            ))
        }
    })
    .await
}

#[tokio::test]
async fn a_checkout_session_paid_on_stripes_page_makes_the_order_paid_and_emailed() {
    let app = TestApp::spawn_with(|o| o.register_stripe_webhook = true).await;
    let staff = staff(&app).await;
    let (who, sku, email) = buyer_with_cart(&app, &staff, 5, 2).await;
    let answer = checkout_ok(&app, &who, &session_body()).await;
    let o = &answer["order"];
    let id = o["id"].as_str().unwrap();
    let payment = &answer["payment"];
    assert!(payment.get("client_secret").is_none(), "{payment}");
    let url = payment["checkout_url"].as_str().unwrap();
    let session_id = payment["checkout_session_id"].as_str().unwrap();
    assert!(url.contains(session_id));
    assert_eq!(stock(&app, &sku).await, 3, "reserved at checkout");
    // The session ends with the reservation, which is at least Stripe's 30 minutes.
    let session = stripe_get(&app, &format!("/v1/checkout/sessions/{session_id}")).await;
    let reserved_until = time::OffsetDateTime::parse(
        o["reserved_until"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert_eq!(session["expires_at"], reserved_until.unix_timestamp());
    assert!(reserved_until - time::OffsetDateTime::now_utc() > time::Duration::minutes(30));
    assert_eq!(
        (
            session["amount_total"].as_i64(),
            session["metadata"]["order_id"].as_str()
        ),
        (Some(4500), Some(id))
    );
    // One line at what it costs after the first-time discount (free delivery: no fee line).
    let items = stripe_get(
        &app,
        &format!("/v1/checkout/sessions/{session_id}/line_items"),
    )
    .await;
    let items = items["data"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["amount_total"], 4500);
    // Checking out again answers the same session; a sync before paying changes nothing.
    let again = checkout_ok(&app, &who, &session_body()).await;
    assert_eq!(again["payment"]["checkout_url"], url);
    let sync = who
        .request(
            &app,
            Method::POST,
            &format!("/api/v1/orders/{id}/payment/sync"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        sync.json::<Value>().await.unwrap()["status"],
        "requires_payment"
    );

    // The buyer pays on the hosted page; `checkout.session.completed` (and the
    // PaymentIntent's own `payment_intent.succeeded`) reach the webhook.
    let paid = app
        .http
        .post(format!("{url}/complete"))
        .send()
        .await
        .unwrap();
    assert!(paid.status().is_success());
    let order_now = wait_for_status(&app, &who, id, "paid").await;
    assert_eq!(order_now["payment"]["status"], "succeeded");
    assert_eq!(order_now["payment"]["amount_paid"], 4500);
    let intent = order_now["payment"]["provider_ref"].as_str().unwrap();
    assert!(intent.starts_with("pi_"));
    let mails = app
        .wait_for_emails(&email, 2, Duration::from_secs(15))
        .await;
    assert_eq!(
        mails
            .iter()
            .filter(|m| m.subject.contains("confirmed"))
            .count(),
        1,
        "{mails:?}"
    );
    assert_eq!(cart(&app, &who).await["lines"].as_array().unwrap().len(), 0);
    assert_eq!(stock(&app, &sku).await, 3);
    let me = app.get_json("/api/v1/me", token(&who)).await;
    assert_eq!(me["order_count"], 1);

    // A refund made at Stripe (its dashboard) reaches the order through `charge.refunded`,
    // found by the PaymentIntent the session made.
    stripe_post(
        &app,
        "/v1/refunds",
        &[("payment_intent", intent), ("amount", "1000")],
    )
    .await;
    let p = wait_for_refunded(&app, &who, id, 1000).await;
    assert_eq!(p["status"], "partially_refunded");
    wait_for_status(&app, &who, id, "partially_refunded").await;

    // The buyer's review is a verified purchase; someone else's is not.
    let product = product_of(&app, &sku).await;
    let slug = app
        .get_json(&format!("/api/v1/admin/products/{product}"), &staff)
        .await["slug"]
        .as_str()
        .unwrap()
        .to_owned();
    let mine = review(&app, token(&who), &slug, 5).await;
    assert_eq!(mine.status(), 201);
    assert_eq!(
        mine.json::<Value>().await.unwrap()["verified_purchase"],
        true
    );
    let other = app.register(&crate::helpers::unique_email()).await;
    let theirs = review(&app, &other.access, &slug, 4).await;
    assert_eq!(
        theirs.json::<Value>().await.unwrap()["verified_purchase"],
        false
    );
}

#[tokio::test]
async fn an_expired_session_gives_the_stock_back_and_a_cancel_expires_the_session() {
    let app = TestApp::spawn_with(|o| o.register_stripe_webhook = true).await;
    let staff = staff(&app).await;
    let (who, sku, _) = buyer_with_cart(&app, &staff, 5, 2).await;
    let answer = checkout_ok(&app, &who, &session_body()).await;
    let id = answer["order"]["id"].as_str().unwrap();
    let session_id = answer["payment"]["checkout_session_id"].as_str().unwrap();
    assert_eq!(stock(&app, &sku).await, 3);
    // Stripe expires the session (its time ran out): `checkout.session.expired`.
    stripe_post(
        &app,
        &format!("/v1/checkout/sessions/{session_id}/expire"),
        &[],
    )
    .await;
    let cancelled = wait_for_status(&app, &who, id, "cancelled").await;
    assert_eq!(cancelled["payment"]["status"], "canceled");
    assert_eq!(stock(&app, &sku).await, 5, "the reservation is released");
    let c = cart(&app, &who).await;
    assert!(c["pending_order"].is_null(), "{c}");
    assert_eq!(c["lines"].as_array().unwrap().len(), 1, "the cart is kept");

    // The same cart checked out again, then cancelled by the buyer: the session is expired
    // at Stripe so it can no longer be paid.
    let second = checkout_ok(&app, &who, &session_body()).await;
    let second_id = second["order"]["id"].as_str().unwrap();
    assert_ne!(second_id, id);
    let second_session = second["payment"]["checkout_session_id"].as_str().unwrap();
    let r = who
        .request(
            &app,
            Method::POST,
            &format!("/api/v1/orders/{second_id}/cancel"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let at_stripe = stripe_get(&app, &format!("/v1/checkout/sessions/{second_session}")).await;
    assert_eq!(at_stripe["status"], "expired");
    assert_eq!(stock(&app, &sku).await, 5);
    // Its `checkout.session.expired` arrives later and changes nothing.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let o = order(&app, &who, second_id).await;
    assert_eq!(o["status"], "cancelled");
    assert_eq!(stock(&app, &sku).await, 5);
}

#[tokio::test]
async fn a_refund_that_fails_at_stripe_stops_counting_once() {
    let app = TestApp::spawn_with(|o| o.register_stripe_webhook = true).await;
    let staff = staff(&app).await;
    let admin = admin(&app).await;
    let (who, id, _, total) = paid_order(&app, &staff, 2).await;
    let r = send(
        &app,
        Method::POST,
        &format!("/api/v1/admin/orders/{id}/refund"),
        &admin,
        &json!({"amount": 1500}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let refund_id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Its own `charge.refunded` is known already and changes nothing.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let p = wait_for_refunded(&app, &who, &id, 1500).await;
    assert_eq!(p["status"], "partially_refunded");
    // The bank sends it back: `refund.updated` with `failed`, delivered twice.
    let fail = app
        .http
        .post(format!(
            "{}/_config/refunds/{refund_id}/fail",
            stripe_base()
        ))
        .send()
        .await
        .unwrap();
    assert!(fail.status().is_success());
    let p = wait_for_refunded(&app, &who, &id, 0).await;
    assert_eq!(p["status"], "succeeded");
    // All of it can be refunded again, and no more.
    let r = send(
        &app,
        Method::POST,
        &format!("/api/v1/admin/orders/{id}/refund"),
        &admin,
        &json!({}),
    )
    .await;
    assert_eq!(r.status(), 201);
    assert_eq!(r.json::<Value>().await.unwrap()["amount"], total);
    wait_for_status(&app, &who, &id, "refunded").await;
}

#[tokio::test]
async fn an_order_that_costs_nothing_is_paid_without_stripe() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let admin = admin(&app).await;
    let code = format!("FREE{}", &unique()[..6]).to_uppercase();
    coupon(&app, &admin, json!({"code": code, "percent_off": 100})).await;
    // A first-time buyer: free delivery, and the coupon takes the rest.
    let (mut who, sku, email) = buyer_with_cart(&app, &staff, 5, 1).await;
    assert_eq!(apply(&app, &who, &code).await.status(), 200);
    let answer = checkout_ok(&app, &who, &json!({"shipping_address": address()})).await;
    let o = &answer["order"];
    assert_eq!(
        (o["total"].as_i64(), o["status"].as_str()),
        (Some(0), Some("paid"))
    );
    assert_eq!(answer["payment"], json!({}));
    assert_eq!(o["payment"]["status"], "succeeded");
    assert_eq!(stock(&app, &sku).await, 4);
    let mails = app
        .wait_for_emails(&email, 2, Duration::from_secs(15))
        .await;
    assert!(
        mails.iter().any(|m| m.subject.contains("confirmed")),
        "{mails:?}"
    );
    assert_eq!(cart(&app, &who).await["lines"].as_array().unwrap().len(), 0);
    // The cart is free again.
    add_ok(&app, &mut who, &sku, 1).await;
}

#[tokio::test]
async fn bad_checkout_session_requests_are_422() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let (who, sku, _) = buyer_with_cart(&app, &staff, 5, 1).await;
    let with = |extra: Value| {
        let mut body = json!({"shipping_address": address()});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let cases = [
        (json!({"mode": "checkout_session"}), "success_url"),
        (
            json!({"mode": "checkout_session", "success_url": "http://127.0.0.1/ok"}),
            "cancel_url",
        ),
        (
            json!({"mode": "checkout_session", "success_url": "ftp://127.0.0.1/ok", "cancel_url": "http://127.0.0.1/c"}),
            "success_url",
        ),
        (
            json!({"mode": "checkout_session", "success_url": "/relative", "cancel_url": "http://127.0.0.1/c"}),
            "success_url",
        ),
        (
            json!({"mode": "checkout_session", "success_url": format!("http://127.0.0.1/{}", "a".repeat(2100)), "cancel_url": "http://127.0.0.1/c"}),
            "success_url",
        ),
        (json!({"success_url": "http://127.0.0.1/ok"}), "success_url"),
        (json!({"mode": "card"}), "mode"),
    ];
    // Only the storefront's origins (its own and ALLOWED_RETURN_ORIGINS): no open redirect,
    // no userinfo trick, no metadata address, no line break to smuggle a header.
    let good = "http://127.0.0.1:3000/cart";
    let mut cases = cases.to_vec();
    for bad in [
        "https://evil.example/thanks",
        "http://127.0.0.1:3000@evil.example/",
        "http://evil.example#@127.0.0.1:3000/",
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.1:3000/ok\r\nSet-Cookie: a=b",
        "http://127.0.0.1:3000/ok\nx",
        "http://127.0.0.1:3001/ok",
        "http://localhost:3000/ok",
    ] {
        cases.push((
            json!({"mode": "checkout_session", "success_url": bad, "cancel_url": good}),
            "success_url",
        ));
        cases.push((
            json!({"mode": "checkout_session", "success_url": good, "cancel_url": bad}),
            "cancel_url",
        ));
    }
    for (extra, field) in cases {
        let r = checkout(&app, &who, &with(extra.clone()), None).await;
        let p = assert_problem(r, 422, "validation_failed").await;
        assert!(
            p["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["field"] == field),
            "{extra}: {p}"
        );
    }
    assert_eq!(stock(&app, &sku).await, 5, "nothing reserved");
}

/// A `checkout.session.*` event in Stripe's current shape (API 2024-06-20), unsigned.
fn session_event(
    kind: &str,
    session_id: &str,
    order_id: &str,
    (status, payment_status): (&str, &str),
    intent: Option<&str>,
    amount: i64,
) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "id": format!("evt_{}", unique()), "object": "event", "api_version": "2024-06-20",
        "created": now(), "type": kind, "livemode": false, "pending_webhooks": 1,
        "request": {"id": null, "idempotency_key": null},
        "data": {"object": {
            "id": session_id, "object": "checkout.session", "mode": "payment",
            "status": status, "payment_status": payment_status, "amount_total": amount,
            "amount_subtotal": amount, "currency": "gbp", "client_reference_id": order_id,
            "metadata": {"order_id": order_id}, "payment_intent": intent,
            "customer_details": {"email": "ada@example.com"}, "expires_at": now() + 1800,
            "url": null, "invoice": null, "ui_mode": "hosted"}}
    }))
    .unwrap()
}

async fn post_signed(app: &TestApp, body: &[u8]) {
    let r = post_event(app, body, Some(&sign(body, WEBHOOK_SECRET, now()))).await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn session_fixture_events_pay_only_when_paid_and_only_once() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let (who, _, email) = buyer_with_cart(&app, &staff, 5, 2).await;
    let answer = checkout_ok(&app, &who, &session_body()).await;
    let id = answer["order"]["id"].as_str().unwrap();
    let session = answer["payment"]["checkout_session_id"].as_str().unwrap();
    let total = answer["order"]["total"].as_i64().unwrap();
    // Completed with a delayed method (a bank debit): not paid yet.
    post_signed(
        &app,
        &session_event(
            "checkout.session.completed",
            session,
            id,
            ("complete", "unpaid"),
            None,
            total,
        ),
    )
    .await;
    // Another session's expiry names this order: not this order's session, ignored.
    post_signed(
        &app,
        &session_event(
            "checkout.session.expired",
            "cs_test_someone_else",
            id,
            ("expired", "unpaid"),
            None,
            total,
        ),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(order(&app, &who, id).await["status"], "pending");
    // The money arrives: the async success, delivered three times at once, and the
    // PaymentIntent's own event too.
    let intent = format!("pi_fixture_{}", unique());
    let succeeded = session_event(
        "checkout.session.async_payment_succeeded",
        session,
        id,
        ("complete", "paid"),
        Some(&intent),
        total,
    );
    futures_util::future::join_all((0..3).map(|_| post_signed(&app, &succeeded))).await;
    let paid = wait_for_status(&app, &who, id, "paid").await;
    assert_eq!(paid["payment"]["provider_ref"], intent.as_str());
    // The session's expiry after it was paid changes nothing.
    post_signed(
        &app,
        &session_event(
            "checkout.session.expired",
            session,
            id,
            ("expired", "unpaid"),
            None,
            total,
        ),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(order(&app, &who, id).await["status"], "paid");
    let mails = app.emails_to(&email).await;
    assert_eq!(
        mails
            .iter()
            .filter(|m| m.subject.contains("confirmed"))
            .count(),
        1,
        "{mails:?}"
    );
}

/// The active Stripe Prices of a product, as (sku, amount, id), once `ready` holds for them.
async fn wait_for_prices(
    app: &TestApp,
    product: &str,
    ready: impl Fn(&[(String, i64, String)]) -> bool,
) -> Vec<(String, i64, String)> {
    eventually(|| async {
        let list = stripe_get(app, &format!("/v1/prices?product={product}&active=true")).await;
        let prices: Vec<(String, i64, String)> = list["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["metadata"]["sku"].as_str().unwrap_or("").to_owned(),
                    p["unit_amount"].as_i64().unwrap(),
                    p["id"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        if ready(&prices) {
            Ok(prices)
        } else {
            Err(format!("Stripe prices of {product}: {prices:?}"))
        }
    })
    .await
}

#[tokio::test]
async fn products_are_mirrored_to_stripe_and_sessions_sell_their_prices() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let sku = item(&app, &staff, 2500, 10).await;
    let product = product_of(&app, &sku).await;
    let first = wait_for_prices(&app, &product, |p| p.len() == 1).await;
    assert_eq!((first[0].0.as_str(), first[0].1), (sku.as_str(), 2500));
    let at_stripe = stripe_get(&app, &format!("/v1/products/{product}")).await;
    assert!(at_stripe["name"].as_str().unwrap().starts_with("Thing"));

    // A new price: a new Price, the old one inactive.
    let r = send(
        &app,
        Method::PATCH,
        &format!("/api/v1/admin/products/{product}"),
        &staff,
        &json!({"variants": [{"sku": sku, "price": 3000}]}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let second = wait_for_prices(&app, &product, |p| p.len() == 1 && p[0].1 == 3000).await;
    assert_ne!(second[0].2, first[0].2);

    // A guest (no first-time discount) buys it through a Checkout Session: the line is the
    // synced Price; delivery is a line of its own.
    let mut guest = Who::Guest(None);
    add_ok(&app, &mut guest, &sku, 1).await;
    let mut body = session_body();
    body["email"] = json!("guest@example.com");
    let answer = checkout_ok(&app, &guest, &body).await;
    let session = answer["payment"]["checkout_session_id"].as_str().unwrap();
    let items = stripe_get(&app, &format!("/v1/checkout/sessions/{session}/line_items")).await;
    let items = items["data"].as_array().unwrap();
    assert_eq!(items[0]["price"]["id"], second[0].2.as_str(), "{items:?}");
    assert_eq!(items[0]["amount_total"], 3000);
    assert_eq!(items[1]["description"], "Delivery");
    assert_eq!(
        items
            .iter()
            .map(|i| i["amount_total"].as_i64().unwrap())
            .sum::<i64>(),
        answer["order"]["total"].as_i64().unwrap()
    );

    // Archived: the Product inactive, no active Price left.
    let r = send(
        &app,
        Method::DELETE,
        &format!("/api/v1/admin/products/{product}"),
        &staff,
        &json!({}),
    )
    .await;
    assert_eq!(r.status(), 204);
    wait_for_prices(&app, &product, <[_]>::is_empty).await;
}
