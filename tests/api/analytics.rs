//! Sales and product analytics through the local server and its worker: after 30 paid orders
//! and some refunds on a table of their own, the running totals equal the sums computed from
//! the orders themselves (by day and by month); an event published twice counts once; best
//! sellers and wishlists rank as they should.

use std::time::Duration;

use futures_util::StreamExt;
use reqwest::Method;
use serde_json::{Value, json};

use crate::catalog::{send, staff};
use crate::helpers::{TestApp, assert_problem};
use crate::orders::paid_order;
use crate::settings::admin;

/// Every order, read through the admin list.
async fn all_orders(app: &TestApp, admin: &str) -> Vec<Value> {
    let page = app.get_json("/api/v1/admin/orders?limit=100", admin).await;
    page["items"].as_array().unwrap().clone()
}

fn sums(orders: &[Value]) -> (i64, i64, i64, i64) {
    let paid: Vec<&Value> = orders
        .iter()
        .filter(|o| o["payment"]["amount_paid"].as_i64().unwrap() > 0)
        .collect();
    let revenue = paid.iter().map(|o| o["total"].as_i64().unwrap()).sum();
    let discounts = paid
        .iter()
        .map(|o| {
            o["bundle_discount"].as_i64().unwrap()
                + o["first_time_discount"].as_i64().unwrap()
                + o["coupon_discount"].as_i64().unwrap()
        })
        .sum();
    let refunds = orders
        .iter()
        .map(|o| o["payment"]["amount_refunded"].as_i64().unwrap())
        .sum();
    (paid.len() as i64, revenue, discounts, refunds)
}

fn bucket_sums(report: &Value) -> (i64, i64, i64, i64) {
    let buckets = report["buckets"].as_array().unwrap();
    let sum = |k: &str| buckets.iter().map(|b| b[k].as_i64().unwrap()).sum::<i64>();
    (
        sum("orders"),
        sum("revenue"),
        sum("discounts"),
        sum("refunds"),
    )
}

fn totals(report: &Value) -> (i64, i64, i64, i64) {
    let t = &report["totals"];
    let get = |k: &str| t[k].as_i64().unwrap();
    (
        get("orders"),
        get("revenue"),
        get("discounts"),
        get("refunds"),
    )
}

#[tokio::test]
async fn sales_totals_equal_the_orders_and_an_event_counts_once() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let admin = admin(&app).await;
    // 30 paid orders (each a new buyer's first, 1 to 3 units), five at a time.
    let made: Vec<(String, i64)> = futures_util::stream::iter(0..30)
        .map(|i| {
            let app = &app;
            let staff = staff.clone();
            async move {
                let (_, id, _, total) = paid_order(app, &staff, 1 + i % 3).await;
                (id, total)
            }
        })
        .buffer_unordered(5)
        .collect()
        .await;
    // Refunds: part of ten orders, all of two more (through cancel).
    for (i, (id, _)) in made.iter().take(10).enumerate() {
        let path = format!("/api/v1/admin/orders/{id}/refund");
        let r = send(
            &app,
            Method::POST,
            &path,
            &admin,
            &json!({"amount": 100 * (i as i64 + 1)}),
        )
        .await;
        assert_eq!(r.status(), 201);
    }
    for (id, _) in made.iter().skip(10).take(2) {
        let path = format!("/api/v1/admin/orders/{id}/status");
        let r = send(
            &app,
            Method::POST,
            &path,
            &admin,
            &json!({"status": "cancelled"}),
        )
        .await;
        assert_eq!(r.status(), 200);
    }
    app.wait_for_empty_queue(Duration::from_secs(60)).await;

    let orders = all_orders(&app, &admin).await;
    assert_eq!(orders.len(), 30);
    let expected = sums(&orders);
    assert_eq!(expected.0, 30);
    assert!(expected.3 > 0);
    let today = time::OffsetDateTime::now_utc().date();
    let range = format!(
        "from={}&to={}",
        today.previous_day().unwrap(),
        today.next_day().unwrap()
    );
    for interval in ["day", "month", "week"] {
        let report = app
            .get_json(
                &format!("/api/v1/admin/analytics/sales?{range}&interval={interval}"),
                &admin,
            )
            .await;
        assert_eq!(totals(&report), expected, "{interval}: {report}");
        assert_eq!(bucket_sums(&report), expected, "{interval}");
        assert_eq!(report["currency"], "gbp");
        let t = &report["totals"];
        assert_eq!(t["net"].as_i64().unwrap(), expected.1 - expected.3);
        assert_eq!(
            t["average_order_value"].as_i64().unwrap(),
            (expected.1 * 2 + 30) / 60,
            "rounded half up"
        );
    }
    let daily = app
        .get_json(
            &format!("/api/v1/admin/analytics/sales?{range}&interval=day"),
            &admin,
        )
        .await;
    assert_eq!(daily["buckets"].as_array().unwrap().len(), 3);

    // The same event again, twice through the queue and once directly: counted once.
    let (first, _) = &made[0];
    let paid_at = orders.iter().find(|o| o["id"] == first.as_str()).unwrap()["created_at"]
        .as_str()
        .unwrap()
        .to_owned();
    let state = &app.shop.state;
    let stored = shop::store::orders::get(state.reader(), first)
        .await
        .unwrap()
        .unwrap();
    let at = stored
        .tracking
        .iter()
        .find(|t| t.status == shop::domain::order::OrderStatus::Paid)
        .map_or(paid_at, |t| t.at.clone());
    let event = shop::notify::Event::order(shop::notify::EventKind::OrderPaid, first, "", &at);
    shop::notify::publish(state.queue(), vec![event.clone(), event.clone()]).await;
    app.wait_for_empty_queue(Duration::from_secs(20)).await;
    assert!(!shop::analytics::count(state, &event).await.unwrap());
    let again = app
        .get_json(
            &format!("/api/v1/admin/analytics/sales?{range}&interval=month"),
            &admin,
        )
        .await;
    assert_eq!(totals(&again), expected);

    // Bad input.
    for query in [
        "interval=year",
        "from=2026-13-01",
        "from=2026-12-05&to=2026-12-01",
        "from=2020-01-01&to=2026-01-01",
    ] {
        let r = app
            .authed(
                Method::GET,
                &format!("/api/v1/admin/analytics/sales?{query}"),
                &admin,
            )
            .send()
            .await
            .unwrap();
        assert_problem(r, 422, "validation_failed").await;
    }
}

#[tokio::test]
async fn best_sellers_and_wishlists_rank_products() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let admin = admin(&app).await;
    let (who, _, sku, _) = paid_order(&app, &staff, 3).await;
    let (_, _, other, _) = paid_order(&app, &staff, 1).await;
    let product = crate::orders::product_of(&app, &sku).await;
    let other_product = crate::orders::product_of(&app, &other).await;
    let token = crate::orders::token(&who);
    for p in [&product, &product, &other_product] {
        let r = app
            .authed(Method::PUT, &format!("/api/v1/wishlist/{p}"), token)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
    }
    app.wait_for_empty_queue(Duration::from_secs(30)).await;
    let report = app
        .get_json("/api/v1/admin/analytics/products?limit=5", &admin)
        .await;
    let units = &report["best_sellers_by_units"];
    assert_eq!(units[0]["product_id"], product.as_str(), "{report}");
    assert_eq!(units[0]["count"], 3);
    assert_eq!(units[1]["product_id"], other_product.as_str());
    assert!(units[0]["revenue"].as_i64().unwrap() > units[1]["revenue"].as_i64().unwrap());
    let wished = report["most_wished"].as_array().unwrap();
    assert_eq!(
        wished.len(),
        2,
        "a second add of the same product counts once: {report}"
    );
    assert!(wished.iter().all(|w| w["count"] == 1));
    let r = app
        .authed(
            Method::DELETE,
            &format!("/api/v1/wishlist/{product}"),
            token,
        )
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let r = app
        .authed(
            Method::DELETE,
            &format!("/api/v1/wishlist/{product}"),
            token,
        )
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let report = app
        .get_json("/api/v1/admin/analytics/products", &admin)
        .await;
    let wished = report["most_wished"].as_array().unwrap();
    assert_eq!(wished.len(), 1);
    assert_eq!(wished[0]["product_id"], other_product.as_str());
    let r = app
        .authed(
            Method::GET,
            "/api/v1/admin/analytics/products?limit=0",
            &admin,
        )
        .send()
        .await
        .unwrap();
    assert_problem(r, 422, "validation_failed").await;
}
