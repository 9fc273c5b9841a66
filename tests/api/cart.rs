//! Carts through the local server: the worked examples of PRICING.md and more priced by
//! `GET /cart`, guest carts and their tokens, summed demand of bundles and their products,
//! merging on sign-in, settings reaching the next cart, and bad input.

use reqwest::Method;
use serde_json::{Value, json};

use crate::catalog::{create_product, product, send, staff};
use crate::helpers::{TestApp, assert_problem, unique, unique_email};
use crate::settings::{admin, change_settings};

/// A product with one variant; returns its sku.
pub(crate) async fn item(app: &TestApp, staff: &str, price: i64, stock: i64) -> String {
    let sku = format!("C-{}", unique()).to_uppercase();
    create_product(
        app,
        staff,
        &product(&format!("Thing {}", unique()), &[(&sku, price, stock)]),
    )
    .await;
    sku
}

/// A bundle of `skus` (10 % off); returns its slug.
pub(crate) async fn bundle(app: &TestApp, staff: &str, skus: &[&str]) -> String {
    let slug = format!("b-{}", unique().to_lowercase());
    let made = send(
        app,
        Method::POST,
        "/api/v1/admin/bundles",
        staff,
        &json!({"name": "Set", "slug": slug, "skus": skus}),
    )
    .await;
    assert_eq!(made.status(), 201);
    slug
}

/// Who is shopping: a bearer token, a guest token, or nobody yet.
#[derive(Clone)]
pub(crate) enum Who {
    User(String),
    Guest(Option<String>),
}

impl Who {
    pub(crate) fn request(
        &self,
        app: &TestApp,
        method: Method,
        path: &str,
    ) -> reqwest::RequestBuilder {
        let r = app.http.request(method, app.url(path));
        match self {
            Who::User(token) => r.bearer_auth(token),
            Who::Guest(Some(token)) => r.header("x-cart-token", token),
            Who::Guest(None) => r,
        }
    }
}

pub(crate) async fn add(app: &TestApp, who: &Who, sku: &str, quantity: i64) -> reqwest::Response {
    who.request(app, Method::POST, "/api/v1/cart/items")
        .json(&json!({"sku": sku, "quantity": quantity}))
        .send()
        .await
        .unwrap()
}

/// Adds and expects 201; a guest keeps the token it is given.
pub(crate) async fn add_ok(app: &TestApp, who: &mut Who, sku: &str, quantity: i64) -> Value {
    let response = add(app, who, sku, quantity).await;
    assert_eq!(response.status(), 201, "add {sku} × {quantity}");
    let cart: Value = response.json().await.unwrap();
    if let Who::Guest(token) = who {
        *token = Some(
            cart["cart_token"]
                .as_str()
                .expect("a guest gets a token")
                .to_owned(),
        );
    }
    cart
}

pub(crate) async fn cart(app: &TestApp, who: &Who) -> Value {
    let response = who
        .request(app, Method::GET, "/api/v1/cart")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// (subtotal, bundle, first-time, coupon, delivery, total)
pub(crate) fn figures(cart: &Value) -> (i64, i64, i64, i64, i64, i64) {
    let s = &cart["summary"];
    let f = |k: &str| s[k].as_i64().unwrap();
    (
        f("subtotal"),
        f("bundle_discount"),
        f("first_time_discount"),
        f("coupon_discount"),
        f("delivery_fee"),
        f("total"),
    )
}

/// A signed-in customer who has bought before (their order count set in the table, as the
/// payment follow-up will).
pub(crate) async fn returning_customer(app: &TestApp) -> String {
    let session = app.register(&unique_email()).await;
    let id = session.user["id"].as_str().unwrap();
    app.shop
        .state
        .table()
        .update_item()
        .key(
            "PK",
            aws_sdk_dynamodb::types::AttributeValue::S(format!("USER#{id}")),
        )
        .key(
            "SK",
            aws_sdk_dynamodb::types::AttributeValue::S("PROFILE".into()),
        )
        .update_expression("SET order_count = :one")
        .expression_attribute_values(
            ":one",
            aws_sdk_dynamodb::types::AttributeValue::N("1".into()),
        )
        .send()
        .await
        .unwrap();
    session.access
}

#[tokio::test]
async fn the_worked_examples_without_coupons_price_through_get_cart() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;

    // 2 × 1999, returning: 3998 + 499 delivery.
    let mut who = Who::User(returning_customer(&app).await);
    let sku = item(&app, &staff, 1999, 10).await;
    add_ok(&app, &mut who, &sku, 2).await;
    let c = cart(&app, &who).await;
    assert_eq!(figures(&c), (3998, 0, 0, 0, 499, 4497));
    assert_eq!(c["summary"]["amount_to_free_delivery"], 2);
    assert_eq!(c["prices_changed"], false);
    assert_eq!(c["summary"]["currency"], "gbp");

    // 1 × 4000, returning: free delivery at the threshold.
    let mut who = Who::User(returning_customer(&app).await);
    add_ok(&app, &mut who, &item(&app, &staff, 4000, 10).await, 1).await;
    assert_eq!(figures(&cart(&app, &who).await), (4000, 0, 0, 0, 0, 4000));

    // 3 × 1333, guest.
    let mut who = Who::Guest(None);
    add_ok(&app, &mut who, &item(&app, &staff, 1333, 10).await, 3).await;
    assert_eq!(figures(&cart(&app, &who).await), (3999, 0, 0, 0, 499, 4498));

    // 1 × 1005, first-time: 100.5 rounds up, delivery free.
    let mut who = Who::User(app.register(&unique_email()).await.access);
    add_ok(&app, &mut who, &item(&app, &staff, 1005, 10).await, 1).await;
    assert_eq!(figures(&cart(&app, &who).await), (1005, 0, 101, 0, 0, 904));

    // Of our own: a bundle of 3 × 2000 and 1 × 2500, first-time: 8500 − 600 − 790.
    let parts = [
        item(&app, &staff, 2000, 5).await,
        item(&app, &staff, 2000, 5).await,
        item(&app, &staff, 2000, 5).await,
    ];
    let slug = bundle(&app, &staff, &[&parts[0], &parts[1], &parts[2]]).await;
    let mut who = Who::User(app.register(&unique_email()).await.access);
    add_ok(&app, &mut who, &item(&app, &staff, 2500, 5).await, 1).await;
    let c = add_ok(&app, &mut who, &slug, 1).await;
    assert_eq!(figures(&c), (8500, 600, 790, 0, 0, 7110));
    let line = c["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kind"] == "bundle")
        .unwrap();
    assert_eq!(line["sku"], slug.to_uppercase());
    assert_eq!(
        (line["unit_price"].as_i64(), line["line_total"].as_i64()),
        (Some(6000), Some(6000))
    );
}

#[tokio::test]
async fn a_guest_cart_is_made_by_its_first_add_and_its_token_is_checked() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let sku = item(&app, &staff, 500, 10).await;

    // Nobody yet: an empty cart, no id.
    let empty = cart(&app, &Who::Guest(None)).await;
    assert_eq!(
        (empty["id"].clone(), empty["lines"].clone()),
        (Value::Null, json!([]))
    );

    let mut guest = Who::Guest(None);
    let first = add_ok(&app, &mut guest, &sku, 2).await;
    let id = first["id"].as_str().unwrap().to_owned();
    add_ok(&app, &mut guest, &sku.to_lowercase(), 1).await;
    let c = cart(&app, &guest).await;
    assert_eq!(c["id"], id.as_str());
    assert_eq!(
        c["lines"][0]["quantity"], 3,
        "adds to the line, whatever the case of the sku"
    );

    // Another guest starts another cart.
    let mut other = Who::Guest(None);
    assert_ne!(add_ok(&app, &mut other, &sku, 1).await["id"], id.as_str());

    // A forged token, or one for a user's cart, is 401.
    let Who::Guest(Some(token)) = &guest else {
        unreachable!()
    };
    let (_, tag) = token.split_once('.').unwrap();
    let user = app.register(&unique_email()).await;
    let user_cart = format!("user-{}", user.user["id"].as_str().unwrap());
    for forged in [
        format!("{}.{tag}", ulid::Ulid::new()),
        format!("{user_cart}.{tag}"),
        "nonsense".to_owned(),
        format!("{id}.{}", "A".repeat(43)),
    ] {
        let r = Who::Guest(Some(forged))
            .request(&app, Method::GET, "/api/v1/cart")
            .send()
            .await
            .unwrap();
        assert_problem(r, 401, "invalid_cart_token").await;
    }
    // The user's own cart is theirs alone: the guest's lines are not in it.
    let mine = cart(&app, &Who::User(user.access.clone())).await;
    assert_eq!(mine["lines"], json!([]));
    assert!(mine.get("cart_token").is_none());
}

#[tokio::test]
async fn lines_change_and_go_and_the_cart_empties() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let (a, b) = (
        item(&app, &staff, 700, 10).await,
        item(&app, &staff, 300, 10).await,
    );
    let mut who = Who::User(app.register(&unique_email()).await.access);
    add_ok(&app, &mut who, &a, 2).await;
    add_ok(&app, &mut who, &b, 1).await;

    let patch = |sku: String, quantity: Value| {
        let (app, who) = (&app, who.clone());
        async move {
            who.request(app, Method::PATCH, &format!("/api/v1/cart/items/{sku}"))
                .json(&json!({ "quantity": quantity }))
                .send()
                .await
                .unwrap()
        }
    };
    let r = patch(a.clone(), json!(5)).await;
    assert_eq!(r.status(), 200);
    let c: Value = r.json().await.unwrap();
    assert_eq!(c["lines"][0]["quantity"], 5);
    assert_eq!(c["summary"]["subtotal"], 3800);
    let c: Value = patch(b.clone(), json!(0)).await.json().await.unwrap();
    assert_eq!(
        c["lines"].as_array().unwrap().len(),
        1,
        "0 removes the line"
    );
    assert_problem(patch(b.clone(), json!(1)).await, 404, "not_in_cart").await;
    for bad in [json!(-1), json!(100), json!("two"), json!(1.5), Value::Null] {
        assert_problem(patch(a.clone(), bad).await, 422, "validation_failed").await;
    }
    let gone = who
        .request(&app, Method::DELETE, &format!("/api/v1/cart/items/{a}"))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 200);
    let again = who
        .request(&app, Method::DELETE, &format!("/api/v1/cart/items/{a}"))
        .send()
        .await
        .unwrap();
    assert_problem(again, 404, "not_in_cart").await;

    add_ok(&app, &mut who, &a, 1).await;
    let cleared = who
        .request(&app, Method::DELETE, "/api/v1/cart")
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status(), 204);
    assert_eq!(cart(&app, &who).await["lines"], json!([]));
    // A guest with no cart has none to clear.
    let nobody = Who::Guest(None)
        .request(&app, Method::DELETE, "/api/v1/cart")
        .send()
        .await
        .unwrap();
    assert_problem(nobody, 404, "cart_not_found").await;
}

#[tokio::test]
async fn stock_is_checked_on_the_summed_demand_of_the_whole_cart() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let a = item(&app, &staff, 1000, 3).await;
    let b = item(&app, &staff, 1000, 10).await;
    let c = item(&app, &staff, 1000, 10).await;
    let slug = bundle(&app, &staff, &[&a, &b, &c]).await;

    let mut who = Who::User(app.register(&unique_email()).await.access);
    add_ok(&app, &mut who, &slug, 2).await;
    // The bundle takes 2 of A's 3: one more A fits, a second does not.
    add_ok(&app, &mut who, &a, 1).await;
    let over = add(&app, &who, &a, 1).await;
    let problem = assert_problem(over, 409, "insufficient_stock").await;
    assert_eq!(problem["skus"], json!([a]));
    assert_eq!(problem["available"], 3);
    // Nor does a third bundle.
    let over = add(&app, &who, &slug, 1).await;
    assert_problem(over, 409, "insufficient_stock").await;
    let c = cart(&app, &who).await;
    assert!(
        c["lines"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["available"] == true)
    );
    assert_eq!(c["lines"][0]["stock_status"], "low_stock", "A has 3");

    // Past stock from the start, and a sku that is no product.
    let guest = Who::Guest(None);
    assert_problem(add(&app, &guest, &a, 4).await, 409, "insufficient_stock").await;
    assert_problem(add(&app, &guest, "NO-SUCH-SKU", 1).await, 404, "not_found").await;
    assert_problem(
        add(&app, &guest, &"X".repeat(10_000), 1).await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn one_of_a_kind_items_drafts_and_the_line_limit() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let unique_sku = format!("U-{}", unique()).to_uppercase();
    let mut body = product(&format!("Vase {}", unique()), &[(&unique_sku, 9000, 1)]);
    body["variants"][0]["unique"] = json!(true);
    create_product(&app, &staff, &body).await;
    let mut who = Who::User(app.register(&unique_email()).await.access);
    assert_problem(
        add(&app, &who, &unique_sku, 2).await,
        422,
        "validation_failed",
    )
    .await;
    add_ok(&app, &mut who, &unique_sku, 1).await;
    assert_problem(
        add(&app, &who, &unique_sku, 1).await,
        422,
        "validation_failed",
    )
    .await;

    let draft_sku = format!("D-{}", unique()).to_uppercase();
    let mut body = product(&format!("Draft {}", unique()), &[(&draft_sku, 100, 5)]);
    body["status"] = json!("draft");
    create_product(&app, &staff, &body).await;
    assert_problem(add(&app, &who, &draft_sku, 1).await, 404, "not_found").await;

    let plenty = item(&app, &staff, 10, 500).await;
    add_ok(&app, &mut who, &plenty, 99).await;
    assert_problem(add(&app, &who, &plenty, 1).await, 422, "validation_failed").await;
    for bad in [
        json!({"sku": plenty, "quantity": 0}),
        json!({"sku": plenty, "quantity": 100}),
        json!({"sku": plenty, "quantity": "1"}),
        json!({"sku": plenty}),
        json!({"sku": 5, "quantity": 1}),
        json!({"sku": plenty, "quantity": 1, "extra": true}),
    ] {
        let r = who
            .request(&app, Method::POST, "/api/v1/cart/items")
            .json(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{bad}");
    }
    let r = who
        .request(&app, Method::POST, "/api/v1/cart/items")
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn a_changed_price_shows_beside_the_price_at_add() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let sku = format!("P-{}", unique()).to_uppercase();
    let made = create_product(
        &app,
        &staff,
        &product(&format!("Jug {}", unique()), &[(&sku, 1200, 5)]),
    )
    .await;
    let mut who = Who::User(returning_customer(&app).await);
    add_ok(&app, &mut who, &sku, 2).await;
    let id = made["id"].as_str().unwrap();
    let patched = send(
        &app,
        Method::PATCH,
        &format!("/api/v1/admin/products/{id}"),
        &staff,
        &json!({"variants": [{"sku": sku, "price": 1500}]}),
    )
    .await;
    assert_eq!(patched.status(), 200);
    let c = cart(&app, &who).await;
    let line = &c["lines"][0];
    assert_eq!(
        (line["unit_price"].as_i64(), line["price_at_add"].as_i64()),
        (Some(1500), Some(1200))
    );
    assert_eq!(line["price_changed"], true);
    assert_eq!(c["prices_changed"], true, "the cart says so as a whole");
    assert_eq!(
        c["summary"]["subtotal"], 3000,
        "the current price is charged"
    );

    // Archived since: shown, flagged, not priced.
    let archived = send(
        &app,
        Method::DELETE,
        &format!("/api/v1/admin/products/{id}"),
        &staff,
        &json!({}),
    )
    .await;
    assert!(archived.status().is_success());
    let c = cart(&app, &who).await;
    assert_eq!(c["lines"][0]["available"], false);
    assert_eq!(c["summary"]["subtotal"], 0);
    assert_eq!(c["notices"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn merging_adds_the_guest_cart_capped_by_stock_once() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let a = item(&app, &staff, 100, 5).await;
    let b = item(&app, &staff, 200, 10).await;
    let mut guest = Who::Guest(None);
    add_ok(&app, &mut guest, &a, 4).await;
    add_ok(&app, &mut guest, &b, 2).await;
    let Who::Guest(Some(token)) = guest.clone() else {
        unreachable!()
    };

    let user = app.register(&unique_email()).await;
    let mut me = Who::User(user.access.clone());
    add_ok(&app, &mut me, &a, 3).await;

    let merge = |token: String| {
        let (app, access) = (&app, user.access.clone());
        async move {
            app.authed(Method::POST, "/api/v1/cart/merge", &access)
                .json(&json!({ "cart_token": token }))
                .send()
                .await
                .unwrap()
        }
    };
    let merged = merge(token.clone()).await;
    assert_eq!(merged.status(), 200);
    let c: Value = merged.json().await.unwrap();
    let qty = |sku: &str| {
        c["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["sku"] == sku)
            .unwrap()["quantity"]
            .as_i64()
    };
    assert_eq!(qty(&a), Some(5), "3 + 4 capped at the stock of 5");
    assert_eq!(qty(&b), Some(2));

    // A second merge of the same token does nothing; the guest cart is gone for the guest.
    let again: Value = merge(token.clone()).await.json().await.unwrap();
    assert_eq!(again["lines"], c["lines"]);
    let r = guest
        .request(&app, Method::GET, "/api/v1/cart")
        .send()
        .await
        .unwrap();
    assert_problem(r, 404, "cart_not_found").await;
    // A forged token is 401; merging needs a signed-in user.
    assert_problem(
        merge("forged.token".into()).await,
        401,
        "invalid_cart_token",
    )
    .await;
    let anonymous = app
        .post_json("/api/v1/cart/merge", &json!({"cart_token": token}))
        .await;
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn a_settings_change_reaches_the_next_cart() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let admin = admin(&app).await;
    let mut who = Who::Guest(None);
    add_ok(&app, &mut who, &item(&app, &staff, 1000, 10).await, 1).await;
    assert_eq!(figures(&cart(&app, &who).await).4, 499);
    change_settings(
        &app,
        &admin,
        json!({"delivery_fee": 250, "free_delivery_threshold": 5000}),
    )
    .await;
    let c = cart(&app, &who).await;
    assert_eq!(figures(&c), (1000, 0, 0, 0, 250, 1250));
    assert_eq!(c["summary"]["amount_to_free_delivery"], 4000);
    change_settings(&app, &admin, json!({"free_delivery_threshold": 1000})).await;
    assert_eq!(figures(&cart(&app, &who).await).4, 0);
}

#[tokio::test]
async fn concurrent_adds_to_one_cart_lose_nothing() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let skus: Vec<String> =
        futures_util::future::join_all((0..6).map(|_| item(&app, &staff, 100, 50))).await;
    let who = Who::User(app.register(&unique_email()).await.access);
    let adds = skus.iter().chain(skus.iter()).map(|sku| {
        let (app, who, sku) = (&app, who.clone(), sku.clone());
        async move { add(app, &who, &sku, 1).await.status().as_u16() }
    });
    let statuses = futures_util::future::join_all(adds).await;
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
    let c = cart(&app, &who).await;
    let lines = c["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 6);
    assert!(lines.iter().all(|l| l["quantity"] == 2), "{lines:?}");
}
