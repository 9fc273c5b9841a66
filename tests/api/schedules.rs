//! The scheduled functions, run through the local server's `POST /_local/schedules/{name}`
//! with a clock of the test's choosing: the cleanup releasing expired orders (once, even when
//! two runs race, and never against a payment) and lapsed luck coupons; the daily stock alert
//! (once per day); and the abandoned-carts view.

use std::time::Duration;

use futures_util::future::join;
use reqwest::Method;
use serde_json::{Value, json};

use crate::cart::{Who, add_ok, cart, item};
use crate::catalog::staff;
use crate::coupons::apply;
use crate::helpers::{TestApp, WEBHOOK_SECRET, assert_problem, unique_email};
use crate::luck::try_luck;
use crate::orders::{
    address, buyer_with_cart, checkout_ok, now, order, pay_on_stripe, post_event, sign, stock,
    stripe_get, succeeded_event,
};
use crate::settings::{admin, change_settings};

/// Runs a scheduled function now, as if the clock read `at`.
pub(crate) async fn run_schedule(app: &TestApp, name: &str, at: Option<&str>) -> Value {
    let body = match at {
        Some(at) => json!({"at": at}),
        None => json!({}),
    };
    let r = app
        .post_json(&format!("/_local/schedules/{name}"), &body)
        .await;
    assert_eq!(r.status(), 200, "{name}");
    r.json().await.unwrap()
}

/// An RFC 3339 time `seconds` after `t`.
fn after(t: &str, seconds: i64) -> String {
    let t = shop::accounts::parse_rfc3339(t).unwrap();
    shop::accounts::rfc3339(t + time::Duration::seconds(seconds))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn an_expired_order_is_released_once_even_by_two_runs_at_once() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let (who, sku, email) = buyer_with_cart(&app, &staff, 5, 2).await;
    let answer = checkout_ok(&app, &who, &json!({"shipping_address": address()})).await;
    let id = answer["order"]["id"].as_str().unwrap().to_owned();
    let intent = answer["payment"]["payment_intent_id"].as_str().unwrap();
    let until = answer["order"]["reserved_until"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(stock(&app, &sku).await, 3);

    // Before the reservation runs out: nothing to do.
    let early = run_schedule(&app, "cleanup", Some(&after(&until, -1))).await;
    assert_eq!(early["released_orders"], json!([]));
    assert_eq!(order(&app, &who, &id).await["status"], "pending");

    // After it: two runs at once release it once.
    let late = after(&until, 1);
    let (a, b) = join(
        run_schedule(&app, "cleanup", Some(&late)),
        run_schedule(&app, "cleanup", Some(&late)),
    )
    .await;
    let mut released = strings(&a["released_orders"]);
    released.extend(strings(&b["released_orders"]));
    assert_eq!(released, vec![id.clone()], "{a} {b}");
    assert_eq!(stock(&app, &sku).await, 5, "given back once");
    let o = order(&app, &who, &id).await;
    assert_eq!(o["status"], "cancelled");
    assert_eq!(o["payment"]["status"], "canceled");
    assert_eq!(
        stripe_get(&app, &format!("/v1/payment_intents/{intent}")).await["status"],
        "canceled",
        "the PaymentIntent can no longer be paid"
    );
    assert_eq!(cart(&app, &who).await["pending_order"], Value::Null);
    // Verification, then the cancellation.
    let mails = app
        .wait_for_emails(&email, 2, Duration::from_secs(15))
        .await;
    assert!(
        mails.iter().any(|m| m.subject.contains("cancelled")),
        "{mails:?}"
    );
    // A third run finds nothing.
    let again = run_schedule(&app, "cleanup", Some(&after(&until, 600))).await;
    assert_eq!(again["released_orders"], json!([]));
    assert_eq!(stock(&app, &sku).await, 5);
}

#[tokio::test]
async fn a_payment_racing_the_cleanup_ends_one_way_with_the_stock_counted_once() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    // Paid at Stripe, its event racing the sweep: paid, never also cancelled and released.
    let (who, sku, _) = buyer_with_cart(&app, &staff, 5, 2).await;
    let answer = checkout_ok(&app, &who, &json!({"shipping_address": address()})).await;
    let id = answer["order"]["id"].as_str().unwrap().to_owned();
    let intent = answer["payment"]["payment_intent_id"].as_str().unwrap();
    let total = answer["order"]["total"].as_i64().unwrap();
    let until = answer["order"]["reserved_until"]
        .as_str()
        .unwrap()
        .to_owned();
    pay_on_stripe(&app, intent).await;
    let body = succeeded_event(
        &format!("evt_{}", crate::helpers::unique()),
        intent,
        &id,
        total,
    );
    let (report, delivered) = join(
        run_schedule(&app, "cleanup", Some(&after(&until, 1))),
        post_event(&app, &body, Some(&sign(&body, WEBHOOK_SECRET, now()))),
    )
    .await;
    assert_eq!(delivered.status(), 200);
    app.wait_for_empty_queue(Duration::from_secs(20)).await;
    let o = order(&app, &who, &id).await;
    assert_eq!(o["status"], "paid", "{report}");
    assert_eq!(o["payment"]["amount_refunded"], 0);
    assert_eq!(stock(&app, &sku).await, 3, "taken once, and kept");
    assert_eq!(report["released_orders"], json!([]), "{report}");

    // Not paid, and the event for another order: the sweep releases it.
    let (who, sku, _) = buyer_with_cart(&app, &staff, 4, 1).await;
    let answer = checkout_ok(&app, &who, &json!({"shipping_address": address()})).await;
    let id = answer["order"]["id"].as_str().unwrap().to_owned();
    let until = answer["order"]["reserved_until"]
        .as_str()
        .unwrap()
        .to_owned();
    let report = run_schedule(&app, "cleanup", Some(&after(&until, 1))).await;
    assert_eq!(strings(&report["released_orders"]), vec![id.clone()]);
    assert_eq!(stock(&app, &sku).await, 4);
}

#[tokio::test]
async fn a_lapsed_luck_coupon_is_freed_and_can_no_longer_be_used() {
    let app = TestApp::spawn().await;
    let admin = admin(&app).await;
    let staff = staff(&app).await;
    change_settings(
        &app,
        &admin,
        json!({"nth_customer": 1, "coupon_reservation_minutes": 10}),
    )
    .await;
    let sku = item(&app, &staff, 1000, 50).await;
    let winner = app.register(&unique_email()).await.access;
    let mut me = Who::User(winner.clone());
    add_ok(&app, &mut me, &sku, 1).await;
    let won = try_luck(&app, &winner).await;
    let code = won["coupon"]["code"].as_str().unwrap().to_owned();
    let until = won["coupon"]["reserved_until"].as_str().unwrap().to_owned();
    assert_eq!(cart(&app, &me).await["coupon"]["code"], code.as_str());

    let early = run_schedule(&app, "cleanup", Some(&after(&until, -5))).await;
    assert_eq!(early["freed_coupons"], json!([]));
    let late = after(&until, 1);
    let (a, b) = join(
        run_schedule(&app, "cleanup", Some(&late)),
        run_schedule(&app, "cleanup", Some(&late)),
    )
    .await;
    let mut freed = strings(&a["freed_coupons"]);
    freed.extend(strings(&b["freed_coupons"]));
    assert_eq!(freed, vec![code.clone()]);
    // Off the winner's cart, and nobody can apply it, the winner included, though its
    // reservation has not run out by the real clock yet.
    assert_eq!(cart(&app, &me).await["coupon"], Value::Null);
    assert_problem(apply(&app, &me, &code).await, 422, "coupon_invalid").await;
    let other = Who::User(app.register(&unique_email()).await.access);
    assert_problem(apply(&app, &other, &code).await, 422, "coupon_invalid").await;
}

#[tokio::test]
async fn the_stock_alert_mails_the_staff_once_a_day() {
    let app = TestApp::spawn().await;
    let admin = admin(&app).await;
    let staff = staff(&app).await;
    let low = item(&app, &staff, 1000, 2).await;
    let out = item(&app, &staff, 1000, 0).await;
    let plenty = item(&app, &staff, 1000, 50).await;

    // No staff address yet: nothing is sent, and the answer says why.
    let report = run_schedule(&app, "stock_alerts", None).await;
    assert_eq!(report["not_sent"], "no staff_email in the settings");

    let to = unique_email();
    change_settings(
        &app,
        &admin,
        json!({"staff_email": to, "low_stock_threshold": 3}),
    )
    .await;
    let day = "2026-11-20T06:00:00Z";
    let (a, b) = join(
        run_schedule(&app, "stock_alerts", Some(day)),
        run_schedule(&app, "stock_alerts", Some(day)),
    )
    .await;
    assert_eq!(strings(&a["low_skus"]), vec![out.clone(), low.clone()]);
    assert_eq!(a["queued"], "stock-alert-2026-11-20");
    assert_eq!(b["queued"], "stock-alert-2026-11-20");
    run_schedule(&app, "stock_alerts", Some("2026-11-20T18:00:00Z")).await;
    app.wait_for_empty_queue(Duration::from_secs(15)).await;
    let mails = app.emails_to(&to).await;
    assert_eq!(mails.len(), 1, "once on one day: {mails:?}");
    for part in [&mails[0].text, &mails[0].html] {
        assert!(part.contains(&low) && part.contains(&out), "{part}");
        assert!(!part.contains(&plenty), "{part}");
    }
    assert!(mails[0].subject.contains("2026-11-20"));
    // The next day is another email.
    run_schedule(&app, "stock_alerts", Some("2026-11-21T06:00:00Z")).await;
    app.wait_for_emails(&to, 2, Duration::from_secs(15)).await;
}

#[tokio::test]
async fn the_local_schedules_route_refuses_what_it_cannot_run() {
    let app = TestApp::spawn().await;
    let unknown = app
        .post_json("/_local/schedules/no_such_function", &json!({}))
        .await;
    assert_eq!(unknown.status(), 404);
    let bad = app
        .post_json("/_local/schedules/cleanup", &json!({"at": "yesterday"}))
        .await;
    assert_problem(bad, 422, "validation_failed").await;
    let extra = app
        .post_json("/_local/schedules/cleanup", &json!({"when": "now"}))
        .await;
    assert!(extra.status().is_client_error());
    // No body at all: now.
    let r = app
        .http
        .post(app.url("/_local/schedules/cleanup"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn abandoned_carts_are_exactly_those_untouched_past_the_threshold() {
    let app = TestApp::spawn().await;
    let admin = admin(&app).await;
    let staff = staff(&app).await;
    let sku = item(&app, &staff, 1250, 50).await;
    let table = app.shop.state.table();

    // Three carts with lines (a user's, a guest's, a fresh one) and one old empty cart.
    let email = unique_email();
    let mut user = Who::User(app.register(&email).await.access);
    add_ok(&app, &mut user, &sku, 2).await;
    let mut guest = Who::Guest(None);
    add_ok(&app, &mut guest, &sku, 1).await;
    let mut fresh = Who::User(app.register(&unique_email()).await.access);
    add_ok(&app, &mut fresh, &sku, 3).await;
    let mut emptied = Who::User(app.register(&unique_email()).await.access);
    add_ok(&app, &mut emptied, &sku, 1).await;
    let r = emptied
        .request(&app, Method::DELETE, "/api/v1/cart")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());

    // The first two and the emptied one were last changed 40 minutes ago (as the cart code
    // itself would have stored them then).
    let ids = [
        cart(&app, &user).await["id"].clone(),
        cart(&app, &guest).await["id"].clone(),
        cart(&app, &emptied).await["id"].clone(),
    ];
    let then = shop::accounts::rfc3339(shop::accounts::now() - time::Duration::minutes(40));
    for (i, id) in ids.iter().enumerate() {
        let mut c = shop::store::carts::get(app.shop.state.reader(), id.as_str().unwrap())
            .await
            .unwrap()
            .unwrap();
        c.updated_at = format!("{}{i}", &then[..then.len() - 2]) + "Z";
        assert!(shop::store::carts::save(table, &mut c).await.unwrap());
    }

    let list = app.get_json("/api/v1/admin/carts/abandoned", &admin).await;
    let items = list["items"].as_array().unwrap();
    let listed: Vec<&Value> = items.iter().map(|c| &c["cart_id"]).collect();
    // Newest first: the guest's was stamped a microsecond later.
    assert_eq!(listed, vec![&ids[1], &ids[0]], "{list}");
    let mine = &items[1];
    assert_eq!(mine["owner"]["email"], email.as_str());
    assert_eq!(mine["value"], 2500);
    assert_eq!(mine["lines"][0]["sku"], sku.as_str());
    assert_eq!(mine["lines"][0]["quantity"], 2);
    assert_eq!(items[0]["owner"], Value::Null);
    assert_eq!(items[0]["value"], 1250);

    // A longer threshold lists none of them; a customer may not look.
    change_settings(&app, &admin, json!({"abandoned_cart_minutes": 60})).await;
    let list = app.get_json("/api/v1/admin/carts/abandoned", &admin).await;
    assert_eq!(list["items"], json!([]));
    let Who::User(token) = &fresh else {
        unreachable!()
    };
    let r = app
        .authed(Method::GET, "/api/v1/admin/carts/abandoned", token)
        .send()
        .await
        .unwrap();
    assert_problem(r, 403, "forbidden").await;
}
