//! Try your luck: exactly floor(K / N) winners at distinct positions under concurrency, one
//! counted try per user per 24 hours (repeats answered with the first result), and the won
//! coupon reserved to its winner, on their cart, refused to others, and dropped once it runs
//! out.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_dynamodb::types::AttributeValue;
use futures_util::StreamExt;
use reqwest::Method;
use serde_json::{Value, json};

use crate::cart::{Who, add_ok, cart, item};
use crate::catalog::staff;
use crate::coupons::apply;
use crate::helpers::{TestApp, assert_problem, customers, every_item, unique_email};
use crate::settings::{admin, change_settings};

pub(crate) async fn try_luck(app: &TestApp, token: &str) -> Value {
    let r = app
        .authed(Method::POST, "/api/v1/coupons/try-luck", token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

#[tokio::test]
async fn a_thousand_tries_make_exactly_a_hundred_winners() {
    let app = TestApp::spawn().await;
    let admin = admin(&app).await;
    // One machine makes every try here: the per-address limit is lifted for this test.
    change_settings(
        &app,
        &admin,
        json!({"nth_customer": 10, "limits": {"luck_tries_per_address_per_hour": 100_000}}),
    )
    .await;
    let tokens = customers(&app, 1000, "luck").await;

    // Every user once, and the first 100 a second time, interleaved so that some repeats race
    // their first try; 32 requests at a time.
    let mut calls: Vec<(usize, bool)> = Vec::new();
    for i in 0..1000 {
        calls.push((i, false));
        if i < 100 {
            calls.push((i, true));
        }
    }
    let answers: Vec<(usize, bool, Value)> = futures_util::stream::iter(calls)
        .map(|(i, repeat)| {
            let (app, token) = (&app, tokens[i].clone());
            async move { (i, repeat, try_luck(app, &token).await) }
        })
        .buffer_unordered(32)
        .collect()
        .await;

    let firsts: BTreeMap<usize, &Value> = answers
        .iter()
        .filter(|(_, repeat, _)| !repeat)
        .map(|(i, _, v)| (*i, v))
        .collect();
    // The answers never show the position drawn; the table holds it.
    assert!(answers.iter().all(|(_, _, v)| v.get("position").is_none()));
    let tries: Vec<shop::store::luck::Outcome> = every_item(&app, Some("luck_try"))
        .await
        .into_iter()
        .map(|mut item| {
            serde_dynamo::from_attribute_value(item.remove("outcome").unwrap()).unwrap()
        })
        .collect();
    let positions: BTreeSet<u64> = tries.iter().map(|o| o.position).collect();
    assert_eq!(
        positions,
        (1..=1000).collect(),
        "every counted try its own position"
    );
    let winners: Vec<u64> = tries.iter().filter(|o| o.won).map(|o| o.position).collect();
    assert_eq!(winners.len(), 100);
    assert!(winners.iter().all(|p| p % 10 == 0));
    assert_eq!(firsts.values().filter(|v| v["won"] == true).count(), 100);
    for (i, repeat, v) in &answers {
        if *repeat {
            assert_eq!(v, firsts[i], "user {i}'s repeat answers the first result");
        }
    }
    // Exactly 100 coupons in the table, each reserved to its winner.
    let table = app.shop.state.table();
    let mut coupons = Vec::new();
    let mut start = None;
    loop {
        let page = table
            .query()
            .index_name("GSI1")
            .key_condition_expression("GSI1PK = :pk")
            .expression_attribute_values(":pk", AttributeValue::S("COUPONS".into()))
            .set_exclusive_start_key(start)
            .send()
            .await
            .unwrap();
        coupons.extend(page.items.unwrap_or_default());
        start = page.last_evaluated_key;
        if start.is_none() {
            break;
        }
    }
    assert_eq!(coupons.len(), 100);
    let codes: BTreeSet<String> = firsts
        .values()
        .filter_map(|v| v["coupon"]["code"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(codes.len(), 100, "distinct codes");
}

#[tokio::test]
async fn a_won_coupon_is_the_winners_alone_until_it_runs_out() {
    let app = TestApp::spawn().await;
    let admin = admin(&app).await;
    let staff = staff(&app).await;
    change_settings(
        &app,
        &admin,
        json!({"nth_customer": 1, "coupon_percent": 20}),
    )
    .await;
    let sku = item(&app, &staff, 1000, 50).await;

    let winner = app.register(&unique_email()).await.access;
    let mut me = Who::User(winner.clone());
    add_ok(&app, &mut me, &sku, 2).await;
    let won = try_luck(&app, &winner).await;
    assert_eq!(won["won"], true);
    assert_eq!(won["coupon"]["percent_off"], 20);
    let code = won["coupon"]["code"].as_str().unwrap().to_owned();
    assert!(code.starts_with("LUCK-"));
    // On the winner's cart at once: 2000 − 200 (first-time) − 360.
    let c = cart(&app, &me).await;
    assert_eq!(c["coupon"]["code"], code.as_str());
    assert_eq!(c["coupon"]["applied"], true);
    assert_eq!(c["summary"]["coupon_discount"], 360);
    assert_eq!(
        try_luck(&app, &winner).await,
        won,
        "a second try answers the first"
    );

    // Someone else: reserved.
    let mut other = Who::User(app.register(&unique_email()).await.access);
    add_ok(&app, &mut other, &sku, 1).await;
    assert_problem(apply(&app, &other, &code).await, 422, "coupon_reserved").await;
    let guest = Who::Guest(None);
    assert_problem(apply(&app, &guest, &code).await, 422, "coupon_reserved").await;

    // The reservation runs out: expired for everyone, and dropped from the winner's cart at
    // its next change, with a notice.
    app.shop
        .state
        .table()
        .update_item()
        .key("PK", AttributeValue::S(format!("COUPON#{code}")))
        .key("SK", AttributeValue::S("COUPON".into()))
        .update_expression("SET reserved_until = :past")
        .expression_attribute_values(
            ":past",
            AttributeValue::S("2020-01-01T00:00:00.000000Z".into()),
        )
        .send()
        .await
        .unwrap();
    assert_problem(apply(&app, &other, &code).await, 422, "coupon_expired").await;
    let c = cart(&app, &me).await;
    assert_eq!(
        (
            c["coupon"]["applied"].clone(),
            c["coupon"]["problem"].clone()
        ),
        (json!(false), json!("coupon_expired"))
    );
    assert_eq!(c["summary"]["coupon_discount"], 0);
    let changed = add_ok(&app, &mut me, &sku, 1).await;
    assert_eq!(changed["coupon"], Value::Null);
    assert!(
        changed["notices"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains(&code))
    );
    assert_problem(apply(&app, &me, &code).await, 422, "coupon_expired").await;
}

#[tokio::test]
async fn trying_needs_a_signed_in_user() {
    let app = TestApp::spawn().await;
    let anonymous = app.post_json("/api/v1/coupons/try-luck", &json!({})).await;
    assert_problem(anonymous, 401, "unauthenticated").await;
    let forged = app
        .authed(Method::POST, "/api/v1/coupons/try-luck", "not.a.token")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
}
