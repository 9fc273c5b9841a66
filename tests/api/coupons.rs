//! Coupons: made and changed by admins, applied to and removed from carts with the error codes
//! of API.md, and priced by the one pricing function (PRICING.md's coupon examples).

use aws_sdk_dynamodb::types::AttributeValue;
use reqwest::Method;
use serde_json::{Value, json};

use crate::cart::{Who, add_ok, bundle, cart, figures, item, returning_customer};
use crate::catalog::{send, staff};
use crate::helpers::{TestApp, assert_problem, unique, unique_email};
use crate::settings::admin;

pub(crate) async fn coupon(app: &TestApp, admin: &str, body: Value) -> Value {
    let made = send(app, Method::POST, "/api/v1/admin/coupons", admin, &body).await;
    assert_eq!(made.status(), 201, "{body}");
    made.json().await.unwrap()
}

pub(crate) async fn apply(app: &TestApp, who: &Who, code: &str) -> reqwest::Response {
    who.request(app, Method::PUT, "/api/v1/cart/coupon")
        .json(&json!({ "code": code }))
        .send()
        .await
        .unwrap()
}

/// Sets attributes of a coupon item directly (what checkout and time will do).
async fn set(app: &TestApp, code: &str, expression: &str, values: &[(&str, AttributeValue)]) {
    let mut update = app
        .shop
        .state
        .table()
        .update_item()
        .key("PK", AttributeValue::S(format!("COUPON#{code}")))
        .key("SK", AttributeValue::S("COUPON".into()))
        .update_expression(expression);
    for (k, v) in values {
        update = update.expression_attribute_values(*k, v.clone());
    }
    update.send().await.unwrap();
}

#[tokio::test]
async fn the_worked_examples_with_coupons_and_more() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let admin = admin(&app).await;
    let ten = coupon(
        &app,
        &admin,
        json!({"code": format!("ten-{}", unique()), "percent_off": 10}),
    )
    .await;
    let ten = ten["code"].as_str().unwrap();

    // 1 × 2500 + a bundle of 3 × 2000, first-time, 10 %: 6399.
    let parts = [
        item(&app, &staff, 2000, 5).await,
        item(&app, &staff, 2000, 5).await,
        item(&app, &staff, 2000, 5).await,
    ];
    let slug = bundle(&app, &staff, &[&parts[0], &parts[1], &parts[2]]).await;
    let mut who = Who::User(app.register(&unique_email()).await.access);
    add_ok(&app, &mut who, &item(&app, &staff, 2500, 5).await, 1).await;
    add_ok(&app, &mut who, &slug, 1).await;
    let applied = apply(&app, &who, &ten.to_lowercase()).await;
    assert_eq!(applied.status(), 200);
    let c: Value = applied.json().await.unwrap();
    assert_eq!(figures(&c), (8500, 600, 790, 711, 0, 6399));
    assert_eq!(c["coupon"]["code"], ten);
    assert_eq!(c["coupon"]["applied"], true);

    // 1 × 4400, returning, 10 %: 4459.
    let mut who = Who::User(returning_customer(&app).await);
    add_ok(&app, &mut who, &item(&app, &staff, 4400, 5).await, 1).await;
    assert_eq!(apply(&app, &who, ten).await.status(), 200);
    assert_eq!(
        figures(&cart(&app, &who).await),
        (4400, 0, 0, 440, 499, 4459)
    );

    // An amount coupon larger than the rest takes only the rest.
    let big = coupon(&app, &admin, json!({"amount_off": 5000})).await["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut who = Who::Guest(None);
    add_ok(&app, &mut who, &item(&app, &staff, 1500, 5).await, 1).await;
    assert_eq!(apply(&app, &who, &big).await.status(), 200);
    assert_eq!(
        figures(&cart(&app, &who).await),
        (1500, 0, 0, 1500, 499, 499)
    );

    // The free-delivery threshold met exactly after the discount: 4500 − 500 = 4000.
    let five = coupon(&app, &admin, json!({"amount_off": 500})).await["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut who = Who::User(returning_customer(&app).await);
    add_ok(&app, &mut who, &item(&app, &staff, 1500, 5).await, 3).await;
    assert_eq!(apply(&app, &who, &five).await.status(), 200);
    let c = cart(&app, &who).await;
    assert_eq!(figures(&c), (4500, 0, 0, 500, 0, 4000));
    assert_eq!(c["summary"]["amount_to_free_delivery"], 0);

    // Of our own, with other numbers: two bundles of 3 × 1234 at 15 % and 2 × 999, first-time,
    // a 20 % coupon. Subtotal 7404 + 1998 = 9402; bundle round(1110.6) = 1111; first-time
    // round(829.1) = 829; coupon round(1492.4) = 1492; free delivery.
    let parts = [
        item(&app, &staff, 1234, 9).await,
        item(&app, &staff, 1234, 9).await,
        item(&app, &staff, 1234, 9).await,
    ];
    let slug = format!("b15-{}", unique().to_lowercase());
    let made = send(
        &app,
        Method::POST,
        "/api/v1/admin/bundles",
        &staff,
        &json!({"name": "Fifteen", "slug": slug, "skus": parts, "discount_percent": 15}),
    )
    .await;
    assert_eq!(made.status(), 201);
    let twenty = coupon(&app, &admin, json!({"percent_off": 20})).await["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut first = Who::User(app.register(&unique_email()).await.access);
    add_ok(&app, &mut first, &slug, 2).await;
    add_ok(&app, &mut first, &item(&app, &staff, 999, 9).await, 2).await;
    assert_eq!(apply(&app, &first, &twenty).await.status(), 200);
    assert_eq!(
        figures(&cart(&app, &first).await),
        (9402, 1111, 829, 1492, 0, 5970)
    );

    // Removing it prices without it.
    let removed = who
        .request(&app, Method::DELETE, "/api/v1/cart/coupon")
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), 200);
    let c: Value = removed.json().await.unwrap();
    assert_eq!(c["coupon"], Value::Null);
    assert_eq!(figures(&c).5, 4500);
}

#[tokio::test]
async fn each_reason_a_coupon_does_not_apply_has_its_code() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let admin = admin(&app).await;
    let mut who = Who::User(returning_customer(&app).await);
    add_ok(&app, &mut who, &item(&app, &staff, 1000, 5).await, 1).await;

    assert_problem(
        apply(&app, &who, "NO-SUCH-CODE").await,
        422,
        "coupon_invalid",
    )
    .await;
    assert_problem(apply(&app, &who, "x").await, 422, "coupon_invalid").await;
    let min = coupon(
        &app,
        &admin,
        json!({"percent_off": 5, "min_subtotal": 5000}),
    )
    .await;
    let min = min["code"].as_str().unwrap();
    assert_problem(apply(&app, &who, min).await, 422, "coupon_min_subtotal").await;

    let used = coupon(
        &app,
        &admin,
        json!({"percent_off": 5, "max_redemptions": 1}),
    )
    .await;
    let used = used["code"].as_str().unwrap();
    set(
        &app,
        used,
        "SET redemptions = :one",
        &[(":one", AttributeValue::N("1".into()))],
    )
    .await;
    assert_problem(apply(&app, &who, used).await, 422, "coupon_exhausted").await;

    let old = coupon(&app, &admin, json!({"percent_off": 5})).await;
    let old = old["code"].as_str().unwrap();
    set(
        &app,
        old,
        "SET expires_at = :past",
        &[(
            ":past",
            AttributeValue::S("2020-01-01T00:00:00.000000Z".into()),
        )],
    )
    .await;
    assert_problem(apply(&app, &who, old).await, 422, "coupon_expired").await;

    // Switched off by an admin: refused from then on, and no longer priced in a cart holding it.
    let off = coupon(&app, &admin, json!({"percent_off": 5})).await;
    let off = off["code"].as_str().unwrap().to_owned();
    assert_eq!(apply(&app, &who, &off).await.status(), 200);
    let patched = send(
        &app,
        Method::PATCH,
        &format!("/api/v1/admin/coupons/{off}"),
        &admin,
        &json!({"active": false}),
    )
    .await;
    assert_eq!(patched.status(), 200);
    let c = cart(&app, &who).await;
    assert_eq!(c["coupon"]["applied"], false);
    assert_eq!(c["coupon"]["problem"], "coupon_invalid");
    assert_eq!(figures(&c).3, 0);
    assert_problem(apply(&app, &who, &off).await, 422, "coupon_invalid").await;
}

#[tokio::test]
async fn admins_make_list_and_change_coupons() {
    let app = TestApp::spawn().await;
    let admin = admin(&app).await;
    let generated = coupon(
        &app,
        &admin,
        json!({"percent_off": 15, "max_redemptions": 100}),
    )
    .await;
    let code = generated["code"].as_str().unwrap().to_owned();
    assert!(
        code.len() >= 12 && code.chars().all(|c| c.is_ascii_alphanumeric()),
        "{code}"
    );
    assert_eq!(
        (
            generated["active"].clone(),
            generated["redemptions"].clone()
        ),
        (json!(true), json!(0))
    );
    let again = coupon(&app, &admin, json!({"percent_off": 15})).await;
    assert_ne!(again["code"], code.as_str(), "generated codes differ");

    let named = format!("SUMMER-{}", &unique()[16..]).to_uppercase();
    coupon(
        &app,
        &admin,
        json!({"code": named.to_lowercase(), "amount_off": 250}),
    )
    .await;
    let taken = send(
        &app,
        Method::POST,
        "/api/v1/admin/coupons",
        &admin,
        &json!({"code": named, "amount_off": 1}),
    )
    .await;
    assert_problem(taken, 409, "coupon_code_taken").await;

    for bad in [
        json!({}),
        json!({"percent_off": 10, "amount_off": 100}),
        json!({"percent_off": 0}),
        json!({"percent_off": 101}),
        json!({"amount_off": -1}),
        json!({"percent_off": 10, "min_subtotal": -5}),
        json!({"percent_off": 10, "expires_at": "2020-01-01T00:00:00Z"}),
        json!({"percent_off": 10, "expires_at": "tomorrow"}),
        json!({"percent_off": 10, "max_redemptions": 0}),
        json!({"percent_off": 10, "code": "has space"}),
        json!({"percent_off": 10, "code": "X".repeat(10_000)}),
        json!({"percent_off": "ten"}),
        json!({"percent_off": 10, "surprise": 1}),
    ] {
        let r = send(&app, Method::POST, "/api/v1/admin/coupons", &admin, &bad).await;
        assert_eq!(r.status(), 422, "{bad}");
    }

    let listed = app.get_json("/api/v1/admin/coupons?limit=2", &admin).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);
    assert_eq!(listed["items"][0]["code"], named.as_str(), "newest first");
    let rest = app
        .get_json(
            &format!(
                "/api/v1/admin/coupons?limit=2&cursor={}",
                listed["next_cursor"].as_str().unwrap()
            ),
            &admin,
        )
        .await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);

    let path = format!("/api/v1/admin/coupons/{code}");
    let changed = send(
        &app,
        Method::PATCH,
        &path,
        &admin,
        &json!({"max_redemptions": null, "expires_at": "2099-01-01T00:00:00Z"}),
    )
    .await;
    assert_eq!(changed.status(), 200);
    let changed: Value = changed.json().await.unwrap();
    assert_eq!(changed["max_redemptions"], Value::Null);
    assert_eq!(changed["expires_at"], "2099-01-01T00:00:00.000000Z");
    let bad = send(
        &app,
        Method::PATCH,
        &path,
        &admin,
        &json!({"max_redemptions": -3}),
    )
    .await;
    assert_problem(bad, 422, "validation_failed").await;
    let missing = send(
        &app,
        Method::PATCH,
        "/api/v1/admin/coupons/NO-SUCH",
        &admin,
        &json!({"active": false}),
    )
    .await;
    assert_problem(missing, 404, "not_found").await;

    let staff = staff(&app).await;
    let customer = app.register(&unique_email()).await.access;
    for token in [staff.as_str(), customer.as_str()] {
        let r = send(
            &app,
            Method::POST,
            "/api/v1/admin/coupons",
            token,
            &json!({"percent_off": 5}),
        )
        .await;
        assert_problem(r, 403, "forbidden").await;
    }
    let anonymous = app.get("/api/v1/admin/coupons").await;
    assert_problem(anonymous, 401, "unauthenticated").await;
}
