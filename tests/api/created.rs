//! Every 201 carries a `Location` of the resource it created (API.md, "Decisions on details"),
//! checked over every route whose OpenAPI document declares a 201.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};

use crate::cart::{Who, item};
use crate::catalog::{product, send, staff};
use crate::catalog_images::{PNG, slot, upload};
use crate::helpers::{TestApp, unique, unique_email};
use crate::orders::{address, paid_order};
use crate::settings::admin;

/// The answer's `Location`, which must be there.
fn location(r: &reqwest::Response, what: &str) -> String {
    assert_eq!(r.status(), 201, "{what}");
    r.headers()
        .get("location")
        .unwrap_or_else(|| panic!("{what}: a 201 without Location"))
        .to_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn every_create_answers_201_with_the_location_of_what_it_made() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let admin = admin(&app).await;
    let mut covered = BTreeSet::new();
    let mut check = |method: &str, path: &str, got: String, want: String| {
        assert_eq!(got, want, "{method} {path}");
        covered.insert((method.to_owned(), path.to_owned()));
    };

    // Sign-up: the account.
    let email = unique_email();
    let r = app
        .post_json(
            "/api/v1/auth/register",
            &json!({"email": email, "password": "correct horse battery"}),
        )
        .await;
    let got = location(&r, "register");
    let signed: Value = r.json().await.unwrap();
    let user = signed["access_token"].as_str().unwrap().to_owned();
    check(
        "POST",
        "/api/v1/auth/register",
        got.clone(),
        "/api/v1/me".into(),
    );
    assert_eq!(
        app.authed(Method::GET, &got, &user)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    // An address.
    let r = send(
        &app,
        Method::POST,
        "/api/v1/me/addresses",
        &user,
        &address(),
    )
    .await;
    let got = location(&r, "address");
    let made: Value = r.json().await.unwrap();
    check(
        "POST",
        "/api/v1/me/addresses",
        got,
        format!("/api/v1/me/addresses/{}", made["id"].as_str().unwrap()),
    );

    // A category, a product, a bundle, an image.
    let slug = format!("c-{}", unique().to_lowercase());
    let r = send(
        &app,
        Method::POST,
        "/api/v1/admin/categories",
        &staff,
        &json!({"slug": slug, "name": "Cat"}),
    )
    .await;
    let got = location(&r, "category");
    check(
        "POST",
        "/api/v1/admin/categories",
        got,
        format!("/api/v1/admin/categories/{slug}"),
    );
    let sku = format!("LOC-{}", unique());
    let r = send(
        &app,
        Method::POST,
        "/api/v1/admin/products",
        &staff,
        &product("Located", &[(&sku, 1000, 5)]),
    )
    .await;
    let got = location(&r, "product");
    let made: Value = r.json().await.unwrap();
    let product_id = made["id"].as_str().unwrap().to_owned();
    check(
        "POST",
        "/api/v1/admin/products",
        got.clone(),
        format!("/api/v1/admin/products/{product_id}"),
    );
    assert_eq!(
        app.authed(Method::GET, &got, &staff)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let parts = [
        sku.clone(),
        item(&app, &staff, 1000, 5).await,
        item(&app, &staff, 1000, 5).await,
    ];
    let bundle_slug = format!("b-{}", unique().to_lowercase());
    let r = send(
        &app,
        Method::POST,
        "/api/v1/admin/bundles",
        &staff,
        &json!({"name": "Set", "slug": bundle_slug, "skus": parts}),
    )
    .await;
    let got = location(&r, "bundle");
    check(
        "POST",
        "/api/v1/admin/bundles",
        got.clone(),
        format!("/api/v1/bundles/{bundle_slug}"),
    );
    assert_eq!(app.get(&got).await.status(), 200);
    let upload_slot = slot(&app, &staff, &product_id, "image/png", PNG.len()).await;
    upload(&app, &upload_slot, "image/png", PNG.to_vec()).await;
    let r = send(
        &app,
        Method::POST,
        &format!("/api/v1/admin/products/{product_id}/images"),
        &staff,
        &json!({"key": upload_slot["key"], "alt": "front"}),
    )
    .await;
    let got = location(&r, "image");
    let made: Value = r.json().await.unwrap();
    let image_id = made["images"][0]["id"].as_str().unwrap();
    check(
        "POST",
        "/api/v1/admin/products/{id}/images",
        got,
        format!("/api/v1/admin/products/{product_id}/images/{image_id}"),
    );

    // A coupon.
    let code = format!("LOC{}", &unique()[..6]).to_uppercase();
    let r = send(
        &app,
        Method::POST,
        "/api/v1/admin/coupons",
        &admin,
        &json!({"code": code, "percent_off": 5}),
    )
    .await;
    let got = location(&r, "coupon");
    check(
        "POST",
        "/api/v1/admin/coupons",
        got,
        format!("/api/v1/admin/coupons/{code}"),
    );

    // A cart line, then a guest's checkout: the order, readable with its token.
    let r = Who::Guest(None)
        .request(&app, Method::POST, "/api/v1/cart/items")
        .json(&json!({"sku": sku, "quantity": 1}))
        .send()
        .await
        .unwrap();
    let got = location(&r, "cart line");
    let cart: Value = r.json().await.unwrap();
    check(
        "POST",
        "/api/v1/cart/items",
        got,
        format!("/api/v1/cart/items/{}", sku.to_uppercase()),
    );
    let guest = Who::Guest(Some(cart["cart_token"].as_str().unwrap().to_owned()));
    let body = json!({"shipping_address": address(), "email": unique_email()});
    for key in [None, Some(unique()), None] {
        let mut request = guest
            .request(&app, Method::POST, "/api/v1/checkout")
            .json(&body);
        if let Some(key) = &key {
            request = request.header("idempotency-key", key);
        }
        let r = request.send().await.unwrap();
        let got = location(&r, "checkout");
        let answer: Value = r.json().await.unwrap();
        let id = answer["order"]["id"].as_str().unwrap();
        let token = answer["order_token"].as_str().unwrap();
        check(
            "POST",
            "/api/v1/checkout",
            got.clone(),
            format!("/api/v1/orders/{id}?token={token}"),
        );
        assert_eq!(app.get(&got).await.status(), 200);
    }

    // A review.
    let r = send(
        &app,
        Method::POST,
        &format!(
            "/api/v1/products/{}/reviews",
            made["slug"].as_str().unwrap()
        ),
        &user,
        &json!({"rating": 4, "title": "Good", "comment": "Holds tea."}),
    )
    .await;
    let got = location(&r, "review");
    let review: Value = r.json().await.unwrap();
    check(
        "POST",
        "/api/v1/products/{slug}/reviews",
        got,
        format!("/api/v1/reviews/{}", review["id"].as_str().unwrap()),
    );

    // A refund (twice with one key: the repeat carries it too).
    let (buyer, order_id, _, _) = paid_order(&app, &staff, 1).await;
    let key = unique();
    for _ in 0..2 {
        let r = app
            .authed(
                Method::POST,
                &format!("/api/v1/admin/orders/{order_id}/refund"),
                &admin,
            )
            .header("idempotency-key", &key)
            .json(&json!({"amount": 100}))
            .send()
            .await
            .unwrap();
        let got = location(&r, "refund");
        check(
            "POST",
            "/api/v1/admin/orders/{id}/refund",
            got.clone(),
            format!("/api/v1/orders/{order_id}/payment"),
        );
        let seen = buyer.request(&app, Method::GET, &got).send().await.unwrap();
        assert_eq!(seen.status(), 200);
    }

    // A return of a delivered order: the order's returns.
    let (buyer, order_id, sku, _) = paid_order(&app, &staff, 1).await;
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
    let r = buyer
        .request(
            &app,
            Method::POST,
            &format!("/api/v1/orders/{order_id}/returns"),
        )
        .json(&json!({"lines": [{"sku": sku, "quantity": 1}], "reason": "other"}))
        .send()
        .await
        .unwrap();
    let got = location(&r, "return");
    check(
        "POST",
        "/api/v1/orders/{id}/returns",
        got.clone(),
        format!("/api/v1/orders/{order_id}/returns"),
    );
    let seen = buyer.request(&app, Method::GET, &got).send().await.unwrap();
    assert_eq!(seen.status(), 200);

    // A webhook subscription: its deliveries.
    let r = send(
        &app,
        Method::POST,
        "/api/v1/admin/webhooks",
        &admin,
        &json!({"url": "http://127.0.0.1:9/hook", "events": ["order.paid"]}),
    )
    .await;
    let got = location(&r, "webhook");
    let made: Value = r.json().await.unwrap();
    let id = made["id"].as_str().unwrap();
    let want = format!("/api/v1/admin/webhooks/{id}/deliveries");
    check("POST", "/api/v1/admin/webhooks", got.clone(), want);
    let seen = app.authed(Method::GET, &got, &admin).send().await.unwrap();
    assert_eq!(seen.status(), 200);

    // Exactly the routes whose OpenAPI answers include a 201, each declaring its Location.
    let doc: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    let mut declared = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if let Some(created) = op["responses"].get("201") {
                assert!(
                    created["headers"]["Location"].is_object(),
                    "{method} {path} declares no Location"
                );
                declared.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    assert_eq!(covered, declared);
}
