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
