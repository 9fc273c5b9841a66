//! No path makes an order paid without the checks of checkout: a payment that arrives for an
//! order given up by a cart change must redeem its coupon again within its limits and be the
//! buyer's first order if it carries the first-time discount, or it is refunded in full; a
//! cart change closes the given-up order's payment at Stripe; and a payment that is not the
//! order's total in its currency never makes it paid.

use std::time::Duration;

use serde_json::{Value, json};

use crate::cart::add_ok;
use crate::catalog::staff;
use crate::coupons::{apply, coupon};
use crate::helpers::{TestApp, WEBHOOK_SECRET, eventually, unique};
use crate::orders::{
    address, buyer_with_cart, checkout_ok, now, order, pay_on_stripe, post_event, sign, stock,
    stripe_get, succeeded_event, token, wait_for_status,
};
use crate::settings::{admin, change_settings};

fn pi_body() -> Value {
    json!({"shipping_address": address()})
}

/// Posts a correctly signed `payment_intent.succeeded` saying `amount` in `currency`.
async fn payment_event(app: &TestApp, intent: &str, order_id: &str, amount: i64, currency: &str) {
    let mut event: Value = serde_json::from_slice(&succeeded_event(
        &format!("evt_{}", unique()),
        intent,
        order_id,
        amount,
    ))
    .unwrap();
    event["data"]["object"]["currency"] = json!(currency);
    let body = serde_json::to_vec(&event).unwrap();
    let r = post_event(app, &body, Some(&sign(&body, WEBHOOK_SECRET, now()))).await;
    assert_eq!(r.status(), 200);
}

/// The reproduction: a 50 % coupon for one use; add, apply, checkout, add one more,
/// checkout, add one more, checkout; every PaymentIntent paid. Only the order that holds the
/// coupon's one redemption (and the buyer's first order) is paid; the other two are refunded
/// in full, and the coupon shows one redemption.
#[tokio::test]
async fn three_orders_one_single_use_coupon_all_paid_one_keeps_the_discount_the_others_are_refunded()
 {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let admin = admin(&app).await;
    let (who, sku, email) = buyer_with_cart(&app, &staff, 10, 1).await;
    let code = format!("HALF{}", &unique()[..6]).to_uppercase();
    coupon(
        &app,
        &admin,
        json!({"code": code, "percent_off": 50, "max_redemptions": 1}),
    )
    .await;
    assert_eq!(apply(&app, &who, &code).await.status(), 200);
    let mut orders = Vec::new();
    let mut who = who;
    for round in 0..3 {
        if round > 0 {
            // A cart change gives the pending order up (its stock and coupon go back).
            add_ok(&app, &mut who, &sku, 1).await;
        }
        let answer = checkout_ok(&app, &who, &pi_body()).await;
        let o = &answer["order"];
        assert_eq!(o["coupon"], code.as_str(), "round {round}");
        assert!(o["coupon_discount"].as_i64().unwrap() > 0);
        assert!(o["first_time_discount"].as_i64().unwrap() > 0);
        let intent = answer["payment"]["payment_intent_id"]
            .as_str()
            .unwrap()
            .to_owned();
        // Paid at Stripe before the next change can close it.
        pay_on_stripe(&app, &intent).await;
        orders.push((
            o["id"].as_str().unwrap().to_owned(),
            intent,
            o["total"].as_i64().unwrap(),
            o["lines"][0]["quantity"].as_i64().unwrap(),
        ));
    }
    // Stripe's events arrive, oldest order first.
    for (id, intent, total, _) in &orders {
        payment_event(&app, intent, id, *total, "gbp").await;
    }
    app.wait_for_empty_queue(Duration::from_secs(30)).await;

    let mut paid = Vec::new();
    for (id, _, total, quantity) in &orders {
        let o = order(&app, &who, id).await;
        match o["status"].as_str().unwrap() {
            "paid" => paid.push((id.clone(), *quantity)),
            "cancelled" => {
                let p = eventually(|| async {
                    let p = app
                        .get_json(&format!("/api/v1/orders/{id}/payment"), token(&who))
                        .await;
                    if p["amount_refunded"] == *total {
                        Ok(p)
                    } else {
                        Err(format!("{p}"))
                    }
                })
                .await;
                assert_eq!(p["status"], "refunded", "{p}");
                assert_eq!(p["amount_paid"], *total);
            }
            other => panic!("order {id} is {other}"),
        }
    }
    assert_eq!(paid.len(), 1, "exactly one order is paid: {paid:?}");
    // The last order held the coupon's one redemption and the stock when the money came.
    assert_eq!(paid[0].0, orders[2].0);
    assert_eq!(stock(&app, &sku).await, 10 - paid[0].1);
    let coupons = app.get_json("/api/v1/admin/coupons", &admin).await;
    let ours = coupons["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == code.as_str())
        .unwrap();
    assert_eq!(ours["redemptions"], 1, "{ours}");
    let me = app.get_json("/api/v1/me", token(&who)).await;
    assert_eq!(me["order_count"], 1);
    // The customer is told of both refunds.
    let mails = app
        .wait_for_emails(&email, 4, Duration::from_secs(15))
        .await;
    assert_eq!(
        mails
            .iter()
            .filter(|m| m.subject.contains("cancelled") && m.text.contains("refunded in full"))
            .count(),
        2,
        "{mails:?}"
    );
}

/// A first-time discount goes to one paid order: the second order paid late, carrying it too,
/// is refunded even with stock and no coupon in the way.
#[tokio::test]
async fn a_late_payment_carrying_a_first_time_discount_already_used_is_refunded() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let (mut who, sku, _) = buyer_with_cart(&app, &staff, 10, 1).await;
    let first = checkout_ok(&app, &who, &pi_body()).await;
    let first_intent = first["payment"]["payment_intent_id"].as_str().unwrap();
    pay_on_stripe(&app, first_intent).await;
    add_ok(&app, &mut who, &sku, 1).await;
    let second = checkout_ok(&app, &who, &pi_body()).await;
    assert!(second["order"]["first_time_discount"].as_i64().unwrap() > 0);
    let second_intent = second["payment"]["payment_intent_id"].as_str().unwrap();
    pay_on_stripe(&app, second_intent).await;
    // The second (pending) order is paid first; then the first, given up by the change.
    let (first_id, second_id) = (
        first["order"]["id"].as_str().unwrap(),
        second["order"]["id"].as_str().unwrap(),
    );
    let second_total = second["order"]["total"].as_i64().unwrap();
    payment_event(&app, second_intent, second_id, second_total, "gbp").await;
    wait_for_status(&app, &who, second_id, "paid").await;
    let first_total = first["order"]["total"].as_i64().unwrap();
    payment_event(&app, first_intent, first_id, first_total, "gbp").await;
    app.wait_for_empty_queue(Duration::from_secs(30)).await;
    let o = order(&app, &who, first_id).await;
    assert_eq!(o["status"], "cancelled");
    assert_eq!(o["payment"]["status"], "refunded", "{o}");
    assert_eq!(o["payment"]["amount_refunded"], first_total);
    assert_eq!(
        stock(&app, &sku).await,
        8,
        "only the paid order's two units"
    );
    assert_eq!(
        app.get_json("/api/v1/me", token(&who)).await["order_count"],
        1
    );
}

/// A cart change closes the given-up order's payment at Stripe, through the queue: its
/// PaymentIntent is cancelled, its Checkout Session expired, so neither can be paid.
#[tokio::test]
async fn a_cart_change_closes_the_given_up_orders_payment_at_stripe() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let session_body = json!({"shipping_address": address(), "mode": "checkout_session",
        "success_url": "http://127.0.0.1:3000/thanks", "cancel_url": "http://127.0.0.1:3000/cart"});
    for body in [pi_body(), session_body] {
        let (mut who, sku, _) = buyer_with_cart(&app, &staff, 5, 1).await;
        let answer = checkout_ok(&app, &who, &body).await;
        let id = answer["order"]["id"].as_str().unwrap().to_owned();
        add_ok(&app, &mut who, &sku, 1).await;
        assert_eq!(order(&app, &who, &id).await["status"], "cancelled");
        let (path, closed) = match answer["payment"]["payment_intent_id"].as_str() {
            Some(intent) => (format!("/v1/payment_intents/{intent}"), "canceled"),
            None => (
                format!(
                    "/v1/checkout/sessions/{}",
                    answer["payment"]["checkout_session_id"].as_str().unwrap()
                ),
                "expired",
            ),
        };
        eventually(|| async {
            let at_stripe = stripe_get(&app, &path).await;
            if at_stripe["status"] == closed {
                Ok(())
            } else {
                Err(format!("{path} is {}", at_stripe["status"]))
            }
        })
        .await;
        let payment = app
            .get_json(&format!("/api/v1/orders/{id}/payment"), token(&who))
            .await;
        assert_eq!(payment["status"], "canceled", "{payment}");
    }
}

/// A correctly signed `payment_intent.succeeded` of 1 (or in another currency) for an order
/// of another total never makes it paid: it is recorded, refunded in full at Stripe once
/// however often it is reported, and the staff are emailed.
#[tokio::test]
async fn a_payment_of_another_amount_or_currency_is_refunded_not_paid_and_staff_are_told() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let admin = admin(&app).await;
    let staff_email = format!("ops-{}@example.com", unique());
    change_settings(&app, &admin, json!({"staff_email": staff_email})).await;
    for (amount, currency) in [(Some(1), "gbp"), (None, "usd")] {
        let (who, _, _) = buyer_with_cart(&app, &staff, 5, 1).await;
        let answer = checkout_ok(&app, &who, &pi_body()).await;
        let id = answer["order"]["id"].as_str().unwrap();
        let total = answer["order"]["total"].as_i64().unwrap();
        let intent = answer["payment"]["payment_intent_id"].as_str().unwrap();
        pay_on_stripe(&app, intent).await;
        let said = amount.unwrap_or(total);
        // Reported twice (Stripe delivers at least once).
        payment_event(&app, intent, id, said, currency).await;
        payment_event(&app, intent, id, said, currency).await;
        app.wait_for_empty_queue(Duration::from_secs(30)).await;
        let o = order(&app, &who, id).await;
        assert_eq!(o["status"], "pending", "{o}");
        let rejected = o["payment"]["rejected"].as_array().unwrap();
        assert_eq!(rejected.len(), 1, "{o}");
        assert_eq!(rejected[0]["amount"], said);
        assert_eq!(rejected[0]["currency"], currency);
        let refund_id = rejected[0]["refund_id"].as_str().unwrap();
        let refunds = stripe_get(&app, &format!("/v1/refunds?payment_intent={intent}")).await;
        let refunds: Vec<&Value> = refunds["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["payment_intent"] == intent)
            .collect();
        assert_eq!(refunds.len(), 1, "{refunds:?}");
        assert_eq!(refunds[0]["id"], refund_id);
        assert_eq!(refunds[0]["amount"], said);
        assert_eq!(o["payment"]["amount_paid"], 0);
        let me = app.get_json("/api/v1/me", token(&who)).await;
        assert_eq!(me["order_count"], 0);
    }
    let told = app
        .wait_for_emails(&staff_email, 2, Duration::from_secs(15))
        .await;
    assert!(
        told.iter().all(|m| m.subject.contains("refused")),
        "{told:?}"
    );
}
