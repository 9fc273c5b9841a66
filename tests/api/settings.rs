//! Store settings: admins read and replace them (each bad field named), nobody else may, and
//! the defaults apply until the first save.

use reqwest::Method;
use serde_json::{Value, json};

use crate::catalog::{send, staff};
use crate::helpers::{ADMIN_PASSWORD, TestApp, assert_problem, unique_email};

pub(crate) async fn admin(app: &TestApp) -> String {
    app.login_ok(&app.admin_email, ADMIN_PASSWORD).await.access
}

/// Saves the settings with `changes` over the current ones.
pub(crate) async fn change_settings(app: &TestApp, admin: &str, changes: Value) -> Value {
    let mut settings = app.get_json("/api/v1/admin/settings", admin).await;
    for (k, v) in changes.as_object().unwrap() {
        settings[k] = v.clone();
    }
    let saved = send(app, Method::PUT, "/api/v1/admin/settings", admin, &settings).await;
    assert_eq!(saved.status(), 200);
    saved.json().await.unwrap()
}

#[tokio::test]
async fn admins_read_and_replace_the_settings() {
    let app = TestApp::spawn().await;
    let admin = admin(&app).await;
    let defaults = app.get_json("/api/v1/admin/settings", &admin).await;
    assert_eq!(defaults["nth_customer"], 5);
    assert_eq!(defaults["free_delivery_threshold"], 4000);
    assert_eq!(defaults["delivery_fee"], 499);
    assert_eq!(defaults["currency"], "gbp");

    let saved = change_settings(
        &app,
        &admin,
        json!({"nth_customer": 10, "currency": "EUR", "staff_email": "Ops@Shop.example"}),
    )
    .await;
    assert_eq!(saved["nth_customer"], 10);
    assert_eq!(saved["currency"], "eur");
    let read = app.get_json("/api/v1/admin/settings", &admin).await;
    assert_eq!(read, saved);
}

#[tokio::test]
async fn every_bad_field_is_named_and_nothing_is_saved() {
    let app = TestApp::spawn().await;
    let admin = admin(&app).await;
    let mut body = app.get_json("/api/v1/admin/settings", &admin).await;
    body["nth_customer"] = json!(0);
    body["delivery_fee"] = json!(-5);
    body["coupon_percent"] = json!("lots");
    body["currency"] = json!("x".repeat(10_000));
    body["seller"]["name"] = json!("");
    body.as_object_mut().unwrap().remove("guest_cart_days");
    let refused = send(&app, Method::PUT, "/api/v1/admin/settings", &admin, &body).await;
    let problem = assert_problem(refused, 422, "validation_failed").await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in [
        "nth_customer",
        "delivery_fee",
        "coupon_percent",
        "currency",
        "seller.name",
        "guest_cart_days",
    ] {
        assert!(fields.contains(&f), "{f} in {fields:?}");
    }
    let unknown = send(
        &app,
        Method::PUT,
        "/api/v1/admin/settings",
        &admin,
        &json!({"nth_customer": 3, "surprise": true}),
    )
    .await;
    assert_eq!(unknown.status(), 422);
    let not_json = app
        .authed(Method::PUT, "/api/v1/admin/settings", &admin)
        .json(&json!([1, 2]))
        .send()
        .await
        .unwrap();
    assert!(not_json.status().is_client_error());
    assert_eq!(
        app.get_json("/api/v1/admin/settings", &admin).await["nth_customer"],
        5,
        "nothing was saved"
    );
}

#[tokio::test]
async fn only_admins_may_see_or_change_settings() {
    let app = TestApp::spawn().await;
    let anonymous = app.get("/api/v1/admin/settings").await;
    assert_problem(anonymous, 401, "unauthenticated").await;
    let customer = app.register(&unique_email()).await;
    let staff = staff(&app).await;
    for token in [customer.access.as_str(), staff.as_str()] {
        let read = app
            .authed(Method::GET, "/api/v1/admin/settings", token)
            .send()
            .await
            .unwrap();
        assert_problem(read, 403, "forbidden").await;
        let write = send(
            &app,
            Method::PUT,
            "/api/v1/admin/settings",
            token,
            &json!({}),
        )
        .await;
        assert_problem(write, 403, "forbidden").await;
    }
}

#[tokio::test]
async fn the_low_stock_threshold_reaches_the_catalog() {
    let app = TestApp::spawn().await;
    let admin = admin(&app).await;
    let staff = staff(&app).await;
    let sku = format!("LS-{}", crate::helpers::unique()).to_uppercase();
    let made = crate::catalog::create_product(
        &app,
        &staff,
        &crate::catalog::product(
            &format!("Lamp {}", crate::helpers::unique()),
            &[(&sku, 900, 8)],
        ),
    )
    .await;
    let slug = made["slug"].as_str().unwrap();
    let status = |v: Value| v["variants"][0]["stock_status"].clone();
    let page: Value = app
        .get(&format!("/api/v1/products/{slug}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(status(page), "in_stock", "8 is over the default of 5");
    change_settings(&app, &admin, json!({"low_stock_threshold": 10})).await;
    let page: Value = app
        .get(&format!("/api/v1/products/{slug}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(status(page), "low_stock");
    let staff_view = app
        .get_json(
            &format!("/api/v1/admin/products/{}", made["id"].as_str().unwrap()),
            &staff,
        )
        .await;
    assert_eq!(status(staff_view), "low_stock");
}

#[tokio::test]
async fn a_new_bundle_takes_the_default_discount_of_the_settings() {
    let app = TestApp::spawn().await;
    let admin = admin(&app).await;
    let staff = staff(&app).await;
    change_settings(&app, &admin, json!({"bundle_discount_percent": 15})).await;
    let mut skus = Vec::new();
    for _ in 0..3 {
        skus.push(crate::cart::item(&app, &staff, 1000, 5).await);
    }
    let slug = crate::cart::bundle(&app, &staff, &[&skus[0], &skus[1], &skus[2]]).await;
    let made: Value = app
        .get(&format!("/api/v1/bundles/{slug}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(made["discount_percent"], 15);
    assert_eq!(
        (made["list_price"].as_i64(), made["price"].as_i64()),
        (Some(3000), Some(2550))
    );
}
