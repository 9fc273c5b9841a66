//! Deleting one's own account (`DELETE /me`), and how an admin lists users and gives them roles.

use reqwest::Method;
use serde_json::{Value, json};

use crate::google::{claims, google_signed, sign_in};
use crate::helpers::{ADMIN_PASSWORD, PASSWORD, TestApp, assert_problem, unique, unique_email};

async fn delete_me(app: &TestApp, access: &str, body: Value) -> reqwest::Response {
    app.authed(Method::DELETE, "/api/v1/me", access)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// How many items are left in a user's partition of the table.
async fn items_of_user(app: &TestApp, user_id: &str) -> usize {
    let table = app.shop.state.table();
    let out = table
        .query()
        .key_condition_expression("PK = :pk")
        .expression_attribute_values(
            ":pk",
            aws_sdk_dynamodb::types::AttributeValue::S(format!("USER#{user_id}")),
        )
        .consistent_read(true)
        .send()
        .await
        .unwrap();
    out.items.unwrap_or_default().len()
}

#[tokio::test]
async fn deleting_an_account_takes_everything_personal_and_frees_the_address() {
    let app = TestApp::spawn().await;
    let email = unique_email();
    let session = app.register(&email).await;
    let user_id = session.user["id"].as_str().unwrap().to_owned();
    let other = app.login_ok(&email, PASSWORD).await;
    let address = app
        .authed(Method::POST, "/api/v1/me/addresses", &session.access)
        .json(
            &json!({"name": "Ada", "line1": "1 High St", "city": "London",
                      "postcode": "N1 9GU", "country": "GB"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(address.status(), 201);
    // The verification email's token is stored in the account too.
    app.emailed_token(&email, 1).await;
    assert!(
        items_of_user(&app, &user_id).await >= 5,
        "profile, 2 sessions, address, token"
    );

    assert_problem(
        delete_me(&app, &session.access, json!({})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_problem(
        delete_me(
            &app,
            &session.access,
            json!({"password": "not the password"}),
        )
        .await,
        401,
        "invalid_credentials",
    )
    .await;
    assert!(
        items_of_user(&app, &user_id).await >= 5,
        "nothing deleted yet"
    );

    let deleted = delete_me(&app, &session.access, json!({"password": PASSWORD})).await;
    assert_eq!(deleted.status(), 204);
    assert_eq!(
        items_of_user(&app, &user_id).await,
        0,
        "the whole partition is gone"
    );
    for access in [&session.access, &other.access] {
        let me = app
            .authed(Method::GET, "/api/v1/me", access)
            .send()
            .await
            .unwrap();
        assert_eq!(me.status(), 401);
    }
    let refreshed = app
        .post_json(
            "/api/v1/auth/token/refresh",
            &json!({"refresh_token": other.refresh}),
        )
        .await;
    assert_eq!(refreshed.status(), 401);
    assert_problem(
        app.login(&email, PASSWORD).await,
        401,
        "invalid_credentials",
    )
    .await;
    // The address can register again: a new account, with nothing of the old one.
    let again = app.register(&email).await;
    assert_ne!(again.user["id"], session.user["id"]);
    let list = app.get_json("/api/v1/me/addresses", &again.access).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
}

/// The orders of a deleted account stay for the books (amounts, lines, status) without a
/// trace of the person: the whole table is read afterwards and holds neither the email
/// address nor the name, street, postcode or phone it was sent to.
#[tokio::test]
async fn a_deleted_accounts_orders_are_kept_without_its_personal_data() {
    let app = TestApp::spawn().await;
    let staff = crate::catalog::staff(&app).await;
    let admin = crate::settings::admin(&app).await;
    let (mut who, sku, email) = crate::orders::buyer_with_cart(&app, &staff, 10, 1).await;
    let token = crate::orders::token(&who).to_owned();
    let personal = [
        "Grace Brewster Hopper",
        "17 Cobol Crescent",
        "Flat 9 Compiler House",
        "Arlington Fields",
        "ZX9 8QW",
        "+44 20 7946 0999",
        "a note only Grace wrote",
        "a gift message only Grace wrote",
    ];
    let shipping = json!({"name": personal[0], "line1": personal[1], "line2": personal[2],
        "city": personal[3], "postcode": personal[4], "country": "GB", "phone": personal[5]});
    let saved = app
        .authed(Method::POST, "/api/v1/me/addresses", &token)
        .json(&shipping)
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 201);
    // One order paid (with an Idempotency-Key: its answer is kept), one pending.
    let body =
        json!({"shipping_address": shipping, "notes": personal[6], "gift_message": personal[7]});
    let first = crate::orders::checkout(&app, &who, &body, Some(&unique())).await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let paid_id = first["order"]["id"].as_str().unwrap().to_owned();
    crate::orders::pay_on_stripe(
        &app,
        first["payment"]["payment_intent_id"].as_str().unwrap(),
    )
    .await;
    let synced = app
        .authed(
            Method::POST,
            &format!("/api/v1/orders/{paid_id}/payment/sync"),
            &token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(synced.status(), 200);
    crate::cart::add_ok(&app, &mut who, &sku, 1).await;
    let pending = crate::orders::checkout_ok(&app, &who, &body).await;
    let by_email = format!("/api/v1/admin/orders?email={email}");
    assert_eq!(
        app.get_json(&by_email, &admin).await["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let deleted = delete_me(&app, &token, json!({"password": PASSWORD})).await;
    assert_eq!(deleted.status(), 204);

    // Nothing of the person anywhere in the table.
    let lower = email.to_lowercase();
    for item in crate::helpers::every_item(&app, None).await {
        let text = format!("{item:?}");
        assert!(!text.to_lowercase().contains(&lower), "{text}");
        for p in personal {
            assert!(!text.contains(p), "{p} in {text}");
        }
    }
    assert_eq!(
        app.get_json(&by_email, &admin).await["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    // The orders themselves are kept, with what the books need.
    let all = app.get_json("/api/v1/admin/orders", &admin).await;
    for (answer, status) in [(&first, "paid"), (&pending, "pending")] {
        let id = answer["order"]["id"].as_str().unwrap();
        let o = all["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["id"] == id)
            .unwrap_or_else(|| panic!("order {id} kept: {all}"));
        assert_eq!(o["status"], status);
        for kept in ["total", "subtotal", "lines", "number", "currency"] {
            assert_eq!(o[kept], answer["order"][kept], "{kept}");
        }
        assert_eq!(o["shipping_address"]["country"], "GB");
        assert!(o["notes"].is_null() && o["gift_message"].is_null(), "{o}");
    }
}

#[tokio::test]
async fn a_google_only_account_is_deleted_with_a_fresh_google_id_token() {
    let app = TestApp::spawn().await;
    let email = unique_email();
    let sub = unique();
    let signed_in: Value = sign_in(&app, &google_signed(&claims(&email, &sub)))
        .await
        .json()
        .await
        .unwrap();
    let access = signed_in["access_token"].as_str().unwrap();
    assert_problem(
        delete_me(&app, access, json!({"password": PASSWORD})).await,
        422,
        "validation_failed",
    )
    .await;
    let someone_else = google_signed(&claims(&email, &unique()));
    assert_problem(
        delete_me(&app, access, json!({"id_token": someone_else})).await,
        401,
        "invalid_id_token",
    )
    .await;
    let own = google_signed(&claims(&email, &sub));
    assert_eq!(
        delete_me(&app, access, json!({"id_token": own}))
            .await
            .status(),
        204
    );
    // Signing in with Google again makes a new account.
    let fresh: Value = sign_in(&app, &google_signed(&claims(&email, &sub)))
        .await
        .json()
        .await
        .unwrap();
    assert_ne!(fresh["user"]["id"], signed_in["user"]["id"]);
}

async fn set_role(app: &TestApp, admin: &str, id: &str, role: &str) -> reqwest::Response {
    app.authed(
        Method::PUT,
        &format!("/api/v1/admin/users/{id}/role"),
        admin,
    )
    .json(&json!({"role": role}))
    .send()
    .await
    .unwrap()
}

#[tokio::test]
async fn an_admin_lists_users_and_makes_staff() {
    let app = TestApp::spawn().await;
    let admin = app.login_ok(&app.admin_email, ADMIN_PASSWORD).await;
    let admin_id = admin.user["id"].as_str().unwrap().to_owned();
    let email = unique_email();
    let customer = app.register(&email).await;
    let customer_id = customer.user["id"].as_str().unwrap().to_owned();

    // Only an admin may look or change.
    let listed = app
        .authed(Method::GET, "/api/v1/admin/users", &customer.access)
        .send()
        .await
        .unwrap();
    assert_problem(listed, 403, "forbidden").await;
    assert_problem(
        set_role(&app, &customer.access, &customer_id, "admin").await,
        403,
        "forbidden",
    )
    .await;

    // By exact address (any letter case), and all users newest first.
    let found = app
        .get_json(
            &format!("/api/v1/admin/users?email={}", email.to_uppercase()),
            &admin.access,
        )
        .await;
    assert_eq!(found["items"][0]["id"], customer_id.as_str());
    assert_eq!(found["items"][0]["role"], "customer");
    assert!(found["items"][0].get("password_hash").is_none());
    let all = app.get_json("/api/v1/admin/users", &admin.access).await;
    let ids: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [customer_id.as_str(), admin_id.as_str()]);
    // One at a time, with a cursor.
    let first = app
        .get_json("/api/v1/admin/users?limit=1", &admin.access)
        .await;
    let cursor = first["next_cursor"].as_str().expect("a next page");
    let second = app
        .get_json(
            &format!("/api/v1/admin/users?limit=1&cursor={cursor}"),
            &admin.access,
        )
        .await;
    assert_eq!(second["items"][0]["id"], admin_id.as_str());

    // Make them staff: it counts from their next request.
    let changed = set_role(&app, &admin.access, &customer_id, "staff").await;
    assert_eq!(changed.status(), 200);
    let changed: Value = changed.json().await.unwrap();
    assert_eq!(changed["role"], "staff");
    let me = app.get_json("/api/v1/me", &customer.access).await;
    assert_eq!(me["role"], "staff");
    let staff = app
        .get_json("/api/v1/admin/users?role=staff", &admin.access)
        .await;
    assert_eq!(staff["items"].as_array().unwrap().len(), 1);
    assert_eq!(staff["items"][0]["id"], customer_id.as_str());
    let customers = app
        .get_json("/api/v1/admin/users?role=customer", &admin.access)
        .await;
    assert_eq!(customers["items"].as_array().unwrap().len(), 0);

    // What is refused.
    assert_problem(
        set_role(&app, &admin.access, &admin_id, "staff").await,
        409,
        "cannot_demote_self",
    )
    .await;
    assert_eq!(
        set_role(&app, &admin.access, &admin_id, "admin")
            .await
            .status(),
        200,
        "keeping one's own role is no demotion"
    );
    assert_problem(
        set_role(&app, &admin.access, &ulid::Ulid::new().to_string(), "staff").await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        set_role(&app, &admin.access, &customer_id, "owner").await,
        422,
        "validation_failed",
    )
    .await;
    let bad_role = app
        .authed(Method::GET, "/api/v1/admin/users?role=owner", &admin.access)
        .send()
        .await
        .unwrap();
    assert_problem(bad_role, 422, "validation_failed").await;
}
