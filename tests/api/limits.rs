//! Per-client limits against abuse (settings `limits`, docs/operations.md "Limits"): orders per
//! caller, guest orders per email and per source address, refused coupon codes, tries of luck
//! per source address, payment syncs, reviews and bad webhook signatures; each answered 429
//! `too_many_attempts` with `Retry-After`. And no total past what one Stripe payment can take.

use reqwest::Method;
use serde_json::{Value, json};

use crate::cart::{Who, add_ok, item};
use crate::catalog::{create_product, product, staff};
use crate::coupons::{apply, coupon};
use crate::helpers::{TestApp, WEBHOOK_SECRET, assert_problem, unique, unique_email};
use crate::orders::{address, buyer_with_cart, checkout, checkout_ok, now, post_event, sign};
use crate::settings::{admin, change_settings};

/// Asserts a 429 `too_many_attempts` that says when to come back.
async fn refused(r: reqwest::Response) -> Value {
    let retry_after: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after >= 1, "{retry_after}");
    assert_problem(r, 429, "too_many_attempts").await
}

async fn set_limits(app: &TestApp, limits: Value) {
    let admin = admin(app).await;
    change_settings(app, &admin, json!({ "limits": limits })).await;
}

/// For a test whose many guests all come from this one machine (and share one email): the
/// limits per source address and per guest email, lifted.
pub(crate) async fn many_guests_from_one_machine(app: &TestApp) {
    set_limits(
        app,
        json!({"checkouts_per_hour": 100_000, "guest_orders_per_email": 100_000,
               "guest_orders_per_address": 100_000}),
    )
    .await;
}

/// A guest with one unit of `sku` in a cart of their own.
async fn guest_with(app: &TestApp, sku: &str) -> Who {
    let mut who = Who::Guest(None);
    add_ok(app, &mut who, sku, 1).await;
    who
}

#[tokio::test]
async fn guest_orders_are_capped_per_email_and_per_source_address() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    set_limits(
        &app,
        json!({"guest_orders_per_email": 2, "guest_orders_per_address": 3}),
    )
    .await;
    let sku = item(&app, &staff, 1000, 100).await;
    let email = unique_email();
    let body = |email: &str| json!({"shipping_address": address(), "email": email});
    for _ in 0..2 {
        let who = guest_with(&app, &sku).await;
        checkout_ok(&app, &who, &body(&email)).await;
    }
    // A third order for that address holds no more stock.
    let who = guest_with(&app, &sku).await;
    let p = refused(checkout(&app, &who, &body(&email), None).await).await;
    assert!(p["retry_after_seconds"].as_u64().unwrap() > 60, "{p}");
    assert_eq!(crate::orders::stock(&app, &sku).await, 98);
    // Another address may order once more from this source address; then it is full too.
    let who = guest_with(&app, &sku).await;
    checkout_ok(&app, &who, &body(&unique_email())).await;
    let who = guest_with(&app, &sku).await;
    refused(checkout(&app, &who, &body(&unique_email()), None).await).await;
    assert_eq!(crate::orders::stock(&app, &sku).await, 97);
}

#[tokio::test]
async fn a_caller_places_so_many_orders_an_hour_and_repeats_of_one_do_not_count() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    set_limits(&app, json!({"checkouts_per_hour": 2})).await;
    let (mut who, sku, _) = buyer_with_cart(&app, &staff, 10, 1).await;
    let body = json!({"shipping_address": address()});
    let first = checkout_ok(&app, &who, &body).await;
    // The same unchanged cart answers the same order: not a new one.
    for _ in 0..3 {
        let again = checkout_ok(&app, &who, &body).await;
        assert_eq!(again["order"]["id"], first["order"]["id"]);
    }
    add_ok(&app, &mut who, &sku, 1).await;
    checkout_ok(&app, &who, &body).await;
    add_ok(&app, &mut who, &sku, 1).await;
    refused(checkout(&app, &who, &body, None).await).await;
}

#[tokio::test]
async fn refused_coupon_codes_are_limited_and_a_good_code_does_not_reset_the_count() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let admin = admin(&app).await;
    set_limits(&app, json!({"coupon_failures_per_hour": 3})).await;
    let code = format!("GOOD{}", &unique()[..6]).to_uppercase();
    coupon(&app, &admin, json!({"code": code, "percent_off": 10})).await;
    let sku = item(&app, &staff, 1000, 10).await;
    let who = guest_with(&app, &sku).await;
    for guess in ["AAAA1", "AAAA2"] {
        assert_problem(apply(&app, &who, guess).await, 422, "coupon_invalid").await;
    }
    assert_eq!(apply(&app, &who, &code).await.status(), 200);
    assert_problem(apply(&app, &who, "AAAA3").await, 422, "coupon_invalid").await;
    // Three refused: the fourth try is refused whatever it is.
    refused(apply(&app, &who, "AAAA4").await).await;
    refused(apply(&app, &who, &code).await).await;
}

#[tokio::test]
async fn luck_syncs_reviews_and_bad_webhook_signatures_are_limited() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    set_limits(
        &app,
        json!({"luck_tries_per_address_per_hour": 2, "payment_syncs_per_hour": 2,
               "reviews_per_hour": 1, "bad_webhook_signatures_per_hour": 2}),
    )
    .await;
    // Tries of luck from one source address, whatever the account.
    for n in 0..3 {
        let user = app.register(&unique_email()).await.access;
        let r = app
            .authed(Method::POST, "/api/v1/coupons/try-luck", &user)
            .send()
            .await
            .unwrap();
        if n < 2 {
            assert_eq!(r.status(), 200);
            let answer: Value = r.json().await.unwrap();
            assert!(answer.get("position").is_none(), "{answer}");
        } else {
            refused(r).await;
        }
    }
    // Payment syncs of one caller.
    let (who, _, _) = buyer_with_cart(&app, &staff, 5, 1).await;
    let order = checkout_ok(&app, &who, &json!({"shipping_address": address()})).await;
    let sync = format!(
        "/api/v1/orders/{}/payment/sync",
        order["order"]["id"].as_str().unwrap()
    );
    for n in 0..3 {
        let r = who.request(&app, Method::POST, &sync).send().await.unwrap();
        if n < 2 {
            assert_eq!(r.status(), 200);
        } else {
            refused(r).await;
        }
    }
    // Reviews of one user.
    let writer = app.register(&unique_email()).await.access;
    for n in 0..2 {
        let made = create_product(
            &app,
            &staff,
            &product(
                &format!("Reviewed {n}"),
                &[(&format!("RV-{}", unique()), 500, 3)],
            ),
        )
        .await;
        let r = crate::catalog::review(&app, &writer, made["slug"].as_str().unwrap(), 4).await;
        if n == 0 {
            assert_eq!(r.status(), 201);
        } else {
            refused(r).await;
        }
    }
    // Bad webhook signatures from one source address; then even a good one waits.
    let event = crate::orders::succeeded_event(&format!("evt_{}", unique()), "pi_x", "none", 1);
    for _ in 0..2 {
        let forged = post_event(&app, &event, Some(&sign(&event, "whsec_wrong", now()))).await;
        assert_problem(forged, 400, "invalid_signature").await;
    }
    refused(post_event(&app, &event, Some(&sign(&event, "whsec_wrong", now()))).await).await;
    refused(post_event(&app, &event, Some(&sign(&event, WEBHOOK_SECRET, now()))).await).await;
}

#[tokio::test]
async fn a_total_past_what_one_stripe_payment_takes_is_422_and_reserves_nothing() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let sku = item(&app, &staff, 60_000_000, 5).await;
    let (mut who, _, _) = buyer_with_cart(&app, &staff, 5, 1).await;
    add_ok(&app, &mut who, &sku, 2).await;
    let r = checkout(&app, &who, &json!({"shipping_address": address()}), None).await;
    let p = assert_problem(r, 422, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "cart", "{p}");
    assert_eq!(crate::orders::stock(&app, &sku).await, 5);
}
