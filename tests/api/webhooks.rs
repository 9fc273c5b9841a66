//! Outbound webhooks through the local server and its worker, to receivers on 127.0.0.1 (the
//! local stack lifts the https and address rules): each subscribed event arrives once, signed
//! with the subscription's secret; a receiver failing twice sees three attempts, which the
//! deliveries route lists; deleting a subscription; bad subscriptions are 422.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use reqwest::Method;
use serde_json::{Value, json};

use crate::catalog::{send, staff};
use crate::helpers::{TestApp, assert_problem, eventually_within};
use crate::orders::paid_order;
use crate::settings::admin;

/// What a receiver got: (headers, body).
type Got = Arc<Mutex<Vec<(HeaderMap, String)>>>;

/// A receiver on 127.0.0.1 that answers 500 to its first `failures` requests, then 200.
struct Receiver {
    url: String,
    got: Got,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Receiver {
    async fn start(failures: usize) -> Self {
        let got: Got = Arc::default();
        let seen = got.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: String| {
                let seen = seen.clone();
                async move {
                    let mut all = seen.lock().unwrap();
                    all.push((headers, body));
                    if all.len() <= failures {
                        StatusCode::INTERNAL_SERVER_ERROR
                    } else {
                        StatusCode::OK
                    }
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let task = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { url, got, task }
    }

    fn received(&self) -> Vec<(HeaderMap, String)> {
        self.got.lock().unwrap().clone()
    }
}

async fn subscribe(app: &TestApp, admin: &str, url: &str, events: &[&str]) -> Value {
    let r = send(
        app,
        Method::POST,
        "/api/v1/admin/webhooks",
        admin,
        &json!({"url": url, "events": events}),
    )
    .await;
    assert_eq!(r.status(), 201);
    r.json().await.unwrap()
}

#[tokio::test]
async fn subscribed_events_arrive_once_signed_and_failures_are_retried_and_listed() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let admin = admin(&app).await;
    let ok = Receiver::start(0).await;
    let flaky = Receiver::start(2).await;
    let sub = subscribe(&app, &admin, &ok.url, &["order.paid", "order.shipped"]).await;
    let secret = sub["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    let flaky_sub = subscribe(&app, &admin, &flaky.url, &["order.delivered"]).await;
    // The secret is shown once: the list does not carry it.
    let listed = app.get_json("/api/v1/admin/webhooks", &admin).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);
    assert!(listed["items"][0].get("secret").is_none());

    let (_, order_id, _, _) = paid_order(&app, &staff, 1).await;
    for status in ["processing", "shipped", "delivered"] {
        let path = format!("/api/v1/admin/orders/{order_id}/status");
        let moved = send(
            &app,
            Method::POST,
            &path,
            &admin,
            &json!({"status": status}),
        )
        .await;
        assert_eq!(moved.status(), 200);
    }

    // paid and shipped, each once (processing and delivered are not subscribed here).
    eventually_within(Duration::from_secs(30), || async {
        let got = ok.received();
        if got.len() >= 2 {
            Ok(got)
        } else {
            Err(format!("{} deliveries so far", got.len()))
        }
    })
    .await;
    app.wait_for_empty_queue(Duration::from_secs(10)).await;
    let got = ok.received();
    assert_eq!(got.len(), 2, "{got:?}");
    let mut kinds = Vec::new();
    let mut ids = Vec::new();
    for (headers, body) in &got {
        let signature = headers["shop-signature"].to_str().unwrap();
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        assert!(
            shop::webhooks::verify(&secret, signature, body.as_bytes(), now),
            "{signature}"
        );
        assert!(!shop::webhooks::verify(
            "whsec_other",
            signature,
            body.as_bytes(),
            now
        ));
        let event: Value = serde_json::from_str(body).unwrap();
        assert_eq!(event["data"]["order"]["id"], order_id.as_str());
        assert_eq!(
            headers["shop-event-id"].to_str().unwrap(),
            event["id"].as_str().unwrap()
        );
        kinds.push(event["type"].as_str().unwrap().to_owned());
        ids.push(event["id"].as_str().unwrap().to_owned());
    }
    kinds.sort();
    assert_eq!(kinds, ["order.paid", "order.shipped"]);
    assert_ne!(ids[0], ids[1]);

    // 500, 500, then 200: three attempts, all listed.
    let fid = flaky_sub["id"].as_str().unwrap();
    let attempts = eventually_within(Duration::from_secs(30), || async {
        let page = app
            .get_json(&format!("/api/v1/admin/webhooks/{fid}/deliveries"), &admin)
            .await;
        let items = page["items"].as_array().unwrap().clone();
        if items.len() >= 3 {
            Ok(items)
        } else {
            Err(format!("attempts so far: {items:?}"))
        }
    })
    .await;
    assert_eq!(flaky.received().len(), 3);
    let codes: Vec<i64> = attempts
        .iter()
        .map(|a| a["status_code"].as_i64().unwrap())
        .collect();
    assert_eq!(codes, [200, 500, 500], "newest first: {attempts:?}");
    assert_eq!(attempts[0]["outcome"], "delivered");
    assert_eq!(attempts[0]["attempt"], 3);
    assert!(attempts[0]["next_retry_at"].is_null());
    assert_eq!(attempts[2]["outcome"], "pending");
    assert!(attempts[2]["next_retry_at"].is_string());
    assert!(attempts[2]["error"].as_str().unwrap().contains("500"));
    assert!(attempts.iter().all(|a| a["event"] == "order.delivered"));

    // Re-sending a settled delivery (what `shopctl webhooks resend` does): once more, the same
    // event id; a second re-send while it is pending is refused.
    let event_id = attempts[0]["event_id"].as_str().unwrap();
    let state = &app.shop.state;
    let resent = shop::webhooks::resend(state.table(), state.queue(), fid, event_id).await;
    assert!(resent.unwrap());
    eventually_within(Duration::from_secs(20), || async {
        let n = flaky.received().len();
        if n == 4 {
            Ok(())
        } else {
            Err(format!("{n} requests"))
        }
    })
    .await;
    let again = flaky.received();
    assert_eq!(
        again[3].0["shop-event-id"].to_str().unwrap(),
        format!("evt_{event_id}")
    );
    assert_eq!(again[3].1, again[2].1, "the same body");

    // Deleting: 204, then 404; its deliveries are 404 too.
    let sid = sub["id"].as_str().unwrap();
    let path = format!("/api/v1/admin/webhooks/{sid}");
    assert_eq!(
        send(&app, Method::DELETE, &path, &admin, &json!(null))
            .await
            .status(),
        204
    );
    assert_problem(
        send(&app, Method::DELETE, &path, &admin, &json!(null)).await,
        404,
        "not_found",
    )
    .await;
    let deliveries = app
        .authed(Method::GET, &format!("{path}/deliveries"), &admin)
        .send()
        .await
        .unwrap();
    assert_problem(deliveries, 404, "not_found").await;
}

#[tokio::test]
async fn bad_subscriptions_are_refused() {
    let app = TestApp::spawn().await;
    let admin = admin(&app).await;
    for body in [
        json!({"url": "ftp://127.0.0.1/x", "events": ["order.paid"]}),
        json!({"url": "http://user:pw@127.0.0.1/x", "events": ["order.paid"]}),
        json!({"url": "not a url", "events": ["order.paid"]}),
        json!({"url": "http://127.0.0.1:9/x", "events": []}),
        json!({"url": "http://127.0.0.1:9/x", "events": ["order.paid", "order.paid"]}),
        json!({"url": "http://127.0.0.1:9/x", "events": ["order.eaten"]}),
    ] {
        let r = send(&app, Method::POST, "/api/v1/admin/webhooks", &admin, &body).await;
        assert_problem(r, 422, "validation_failed").await;
    }
    let customer = app.register(&crate::helpers::unique_email()).await;
    let r = send(
        &app,
        Method::POST,
        "/api/v1/admin/webhooks",
        &customer.access,
        &json!({"url": "http://127.0.0.1:9/x", "events": ["order.paid"]}),
    )
    .await;
    assert_problem(r, 403, "forbidden").await;
}
