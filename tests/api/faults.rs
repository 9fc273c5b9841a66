//! The shop under faults, injected by a proxy in front of the emulators (`shop_local::faults`):
//! SES failing, and a tenth of DynamoDB calls failing under
//! 100 concurrent checkouts. The shop's code is all real; only the transport misbehaves.

use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use futures_util::StreamExt;
use serde_json::{Value, json};
use shop_local::faults::{Fault, FaultProxy, Rule};

use crate::cart::{Who, add_ok, item};
use crate::catalog::staff;
use crate::helpers::{
    TestApp, WEBHOOK_SECRET, assert_problem, customers, env_or, eventually, every_item, unique,
    unique_email,
};
use crate::orders::{
    address, buyer_with_cart, checkout, now, order, pay_on_stripe, post_event, sign, stock,
    succeeded_event,
};

use crate::worker::verification_email;
use shop::notify::Envelope;

const SEND_EMAIL: &str = "POST /v2/email/outbound-emails";

async fn moto_behind_a_proxy() -> (TestApp, FaultProxy) {
    let moto = env_or("TEST_AWS_SERVICES_ENDPOINT_URL", "http://127.0.0.1:15050");
    let proxy = FaultProxy::start(&moto).await.unwrap();
    let url = proxy.url.clone();
    let app = TestApp::spawn_with(|o| o.services_endpoint = url).await;
    // Redelivery after 1 s instead of 180 s, so retries take seconds.
    let queue = app.shop.state.queue();
    app.sqs()
        .await
        .set_queue_attributes()
        .queue_url(&*queue.url)
        .attributes(
            aws_sdk_sqs::types::QueueAttributeName::VisibilityTimeout,
            "1",
        )
        .send()
        .await
        .unwrap();
    (app, proxy)
}

#[tokio::test]
async fn ses_failing_leaves_the_message_to_retry_and_the_order_alone_then_mails_once() {
    let (app, proxy) = moto_behind_a_proxy().await;
    let staff = staff(&app).await;
    let (who, _, email) = buyer_with_cart(&app, &staff, 5, 1).await;
    let answer =
        crate::orders::checkout_ok(&app, &who, &json!({"shipping_address": address()})).await;
    let id = answer["order"]["id"].as_str().unwrap().to_owned();
    let intent = answer["payment"]["payment_intent_id"].as_str().unwrap();
    let total = answer["order"]["total"].as_i64().unwrap();
    pay_on_stripe(&app, intent).await;
    // Every email to this buyer fails from now on.
    proxy.set(vec![
        Rule::new(SEND_EMAIL, 1.0, Fault::Fail).with_body(&email),
    ]);
    let body = succeeded_event(&format!("evt_{}", unique()), intent, &id, total);
    assert_eq!(
        post_event(&app, &body, Some(&sign(&body, WEBHOOK_SECRET, now())))
            .await
            .status(),
        200
    );
    let paid = eventually(|| async {
        let o = order(&app, &who, &id).await;
        if o["status"] == "paid" {
            Ok(o)
        } else {
            Err(format!("not paid yet: {}", o["status"]))
        }
    })
    .await;
    assert_eq!(paid["payment"]["amount_paid"], total);
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(
        proxy.injected() >= 2,
        "SES was asked again: {}",
        proxy.injected()
    );
    let confirmations = |mails: &[shop_local::emails::SentEmail]| {
        mails
            .iter()
            .filter(|m| m.subject.contains("confirmed"))
            .count()
    };
    assert_eq!(confirmations(&app.emails_to(&email).await), 0);

    // SES is back: the retried message sends the confirmation once, and the order was
    // changed once (the buyer counted once).
    proxy.set(Vec::new());
    app.wait_for_empty_queue(Duration::from_secs(30)).await;
    assert_eq!(confirmations(&app.emails_to(&email).await), 1);
    let Who::User(token) = &who else {
        unreachable!()
    };
    let me = app.get_json("/api/v1/me", token).await;
    assert_eq!(me["order_count"], 1);
    let o = order(&app, &who, &id).await;
    assert_eq!(o["status"], "paid");
}

/// Units of `sku` the table's orders hold (`stock_held`), and how many orders there are.
async fn units_held(app: &TestApp, sku: &str) -> (i64, usize) {
    let heads = every_item(app, Some("order")).await;
    let mut units = 0;
    for head in &heads {
        let Some(AttributeValue::S(id)) = head.get("id") else {
            panic!("an order has an id");
        };
        let order = shop::store::orders::get(app.shop.state.reader(), id)
            .await
            .unwrap()
            .unwrap();
        if order.stock_held {
            units += order
                .takes
                .iter()
                .filter(|t| t.sku == sku)
                .map(|t| t.quantity)
                .sum::<i64>();
        }
    }
    (units, heads.len())
}

#[tokio::test]
async fn a_tenth_of_dynamodb_calls_failing_never_sells_a_unit_twice_or_loses_one() {
    let dynamodb = env_or("TEST_DYNAMODB_ENDPOINT_URL", "http://127.0.0.1:18000");
    let proxy = FaultProxy::start(&dynamodb).await.unwrap();
    let url = proxy.url.clone();
    let app = TestApp::spawn_with(|o| o.dynamodb_endpoint = url).await;
    let staff = staff(&app).await;
    let sku = item(&app, &staff, 1500, 10).await;
    let tokens = customers(&app, 100, "fault").await;
    let mut buyers = Vec::new();
    for token in tokens {
        let mut who = Who::User(token);
        add_ok(&app, &mut who, &sku, 1).await;
        buyers.push(who);
    }
    proxy.set(vec![Rule::new("DynamoDB_20120810.", 0.1, Fault::Fail)]);
    let body = json!({"shipping_address": address()});
    let answers: Vec<(u16, Option<String>, Value)> = futures_util::stream::iter(buyers.iter())
        .map(|who| {
            let (app, body) = (&app, &body);
            async move {
                let r = checkout(app, who, body, None).await;
                let status = r.status().as_u16();
                let retry = r
                    .headers()
                    .get("retry-after")
                    .map(|v| v.to_str().unwrap().to_owned());
                (status, retry, r.json().await.unwrap_or(Value::Null))
            }
        })
        .buffer_unordered(25)
        .collect()
        .await;
    proxy.set(Vec::new());
    assert!(proxy.injected() > 0, "faults were injected");

    let mut made = 0;
    for (status, retry, body) in &answers {
        match status {
            201 => made += 1,
            409 => assert_eq!(body["code"], "insufficient_stock", "{body}"),
            503 | 429 => assert!(retry.is_some(), "{status} without Retry-After: {body}"),
            other => panic!("{other}: {body}"),
        }
    }
    assert!(made <= 10, "{made} orders");
    let left = stock(&app, &sku).await;
    assert!(left >= 0);
    // Every unit is either in stock or held by exactly one order.
    let (held, orders) = units_held(&app, &sku).await;
    assert_eq!(
        left + held,
        10,
        "stock {left} + held {held} (orders: {orders})"
    );
    assert!(made as i64 <= held, "every answered order holds its unit");
}

#[tokio::test]
async fn dynamodb_failing_past_the_retries_is_503_with_retry_after_and_nothing_half_written() {
    let dynamodb = env_or("TEST_DYNAMODB_ENDPOINT_URL", "http://127.0.0.1:18000");
    let proxy = FaultProxy::start(&dynamodb).await.unwrap();
    let url = proxy.url.clone();
    let app = TestApp::spawn_with(|o| o.dynamodb_endpoint = url).await;
    let staff = staff(&app).await;
    let sku = item(&app, &staff, 1500, 3).await;
    let mut who = Who::User(customers(&app, 1, "down").await.remove(0));
    add_ok(&app, &mut who, &sku, 2).await;
    let body = json!({"shipping_address": address()});

    // Every transaction fails: the checkout cannot place its order.
    proxy.set(vec![Rule::new(
        "DynamoDB_20120810.TransactWriteItems",
        1.0,
        Fault::Fail,
    )]);
    let r = checkout(&app, &who, &body, None).await;
    assert_eq!(r.headers()["retry-after"], "1");
    assert_problem(r, 503, "upstream_unavailable").await;
    // Every read is throttled: a plain read cannot answer either.
    proxy.set(vec![Rule::new(
        "DynamoDB_20120810.GetItem",
        1.0,
        Fault::Throttle,
    )]);
    let r = who
        .request(&app, reqwest::Method::GET, "/api/v1/cart")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["retry-after"], "1");
    assert_problem(r, 503, "upstream_unavailable").await;
    proxy.set(Vec::new());

    // Nothing of the failed checkout is left: no order, no details, no number, stock intact.
    for kind in ["order", "order_details", "order_number"] {
        assert!(every_item(&app, Some(kind)).await.is_empty(), "{kind} left");
    }
    assert_eq!(stock(&app, &sku).await, 3);
    // And once DynamoDB answers again, the same checkout goes through.
    let r = checkout(&app, &who, &body, None).await;
    assert_eq!(r.status(), 201);
    assert_eq!(stock(&app, &sku).await, 1);
}

/// Ten messages, one of which can never be done (SES refuses its recipient): the nine are sent
/// once; the poison one is received again after each failure and, after five receives, the
/// queue moves it to the dead-letter queue; once SES takes it again, `shopctl dlq redrive` puts
/// it back and it is sent, once.
#[tokio::test]
async fn a_poison_message_reaches_the_dead_letter_queue_after_five_receives_and_redrives() {
    let (app, proxy) = moto_behind_a_proxy().await;
    let poison = unique_email();
    proxy.set(vec![
        Rule::new(SEND_EMAIL, 1.0, Fault::Fail).with_body(&poison),
    ]);
    let queue = app.shop.state.queue();
    let mut recipients: Vec<String> = (0..9).map(|_| unique_email()).collect();
    recipients.insert(4, poison.clone());
    for to in &recipients {
        let envelope = Envelope::new(verification_email(to, "http://127.0.0.1/v?t=1"));
        queue
            .send(serde_json::to_string(&envelope).unwrap())
            .await
            .unwrap();
    }
    for to in recipients.iter().filter(|t| **t != poison) {
        app.wait_for_emails(to, 1, Duration::from_secs(30)).await;
    }
    let services = env_or("TEST_AWS_SERVICES_ENDPOINT_URL", "http://127.0.0.1:15050");
    let (work, dlq) =
        shopctl::connect_queues(&queue.url, &app.shop.dead_letter_queue_url, Some(&services))
            .await
            .unwrap();
    let letters = crate::helpers::eventually_within(Duration::from_secs(120), || async {
        let listed = shopctl::dlq::list(&dlq).await.unwrap();
        if listed.is_empty() {
            Err(format!(
                "not dead-lettered yet ({} SES failures)",
                proxy.injected()
            ))
        } else {
            Ok(listed)
        }
    })
    .await;
    assert_eq!(letters.len(), 1);
    assert!(letters[0].body.contains(&poison));
    // Five deliveries, each refused by SES (the SDK's own retries make more calls).
    assert!(proxy.injected() >= 5, "{} SES failures", proxy.injected());
    assert!(app.emails_to(&poison).await.is_empty());
    for to in recipients.iter().filter(|t| **t != poison) {
        assert_eq!(app.emails_to(to).await.len(), 1, "{to} mailed once");
    }

    proxy.set(Vec::new());
    let redriven = shopctl::dlq::redrive(&dlq, &work, None).await.unwrap();
    assert_eq!(redriven.len(), 1);
    app.wait_for_emails(&poison, 1, Duration::from_secs(30))
        .await;
    assert!(shopctl::dlq::list(&dlq).await.unwrap().is_empty());
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(app.emails_to(&poison).await.len(), 1);
}
