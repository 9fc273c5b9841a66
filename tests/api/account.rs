//! The signed-in user's profile, addresses and notifications.

use reqwest::Method;
use serde_json::{Value, json};
use shop::store::notifications::{self, Notification};

use crate::helpers::{TestApp, assert_problem, unique_email};

#[tokio::test]
async fn me_shows_the_profile_and_patch_changes_only_what_is_sent() {
    let app = TestApp::spawn().await;
    let email = unique_email();
    let s = app.register(&email).await;
    let me: Value = app.get_json("/api/v1/me", &s.access).await;
    for field in [
        "id",
        "email",
        "name",
        "email_verified",
        "role",
        "first_time_buyer",
        "order_count",
        "total_spent",
        "currency",
        "created_at",
    ] {
        assert!(me.get(field).is_some(), "missing {field}: {me}");
    }
    assert_eq!(
        (
            me["order_count"].as_i64(),
            me["total_spent"].as_i64(),
            me["currency"].as_str()
        ),
        (Some(0), Some(0), Some("gbp"))
    );

    let patch = |body: Value| {
        app.authed(Method::PATCH, "/api/v1/me", &s.access)
            .json(&body)
            .send()
    };
    let updated: Value = patch(
        json!({"name": " Ada Lovelace ", "phone": "+44 20 7946 0958", "marketing_opt_in": true}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(updated["name"], "Ada Lovelace");
    assert_eq!(updated["phone"], "+44 20 7946 0958");
    assert_eq!(updated["marketing_opt_in"], true);

    let partial: Value = patch(json!({"phone": null}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(partial["phone"], Value::Null, "null clears");
    assert_eq!(partial["name"], "Ada Lovelace", "absent stays");

    let bad = patch(json!({"phone": "call me maybe", "name": ""}))
        .await
        .unwrap();
    let problem = assert_problem(bad, 422, "validation_failed").await;
    assert_eq!(problem["errors"].as_array().unwrap().len(), 2);
    assert_problem(
        patch(json!({"role": "admin"})).await.unwrap(),
        422,
        "validation_failed",
    )
    .await;
    let still: Value = app.get_json("/api/v1/me", &s.access).await;
    assert_eq!(still["role"], "customer");
}

fn address(line1: &str, default: bool) -> Value {
    json!({"label": "Home", "name": "Ada Lovelace", "line1": line1, "city": "London", "postcode": "N1 9GU", "country": "gb", "is_default": default})
}

#[tokio::test]
async fn addresses_keep_exactly_one_default() {
    let app = TestApp::spawn().await;
    let s = app.register(&unique_email()).await;
    let create = |body: Value| {
        app.authed(Method::POST, "/api/v1/me/addresses", &s.access)
            .json(&body)
            .send()
    };
    let list = || async {
        let body: Value = app.get_json("/api/v1/me/addresses", &s.access).await;
        body["items"].as_array().unwrap().clone()
    };

    let first = create(address("1 High St", false)).await.unwrap();
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    assert_eq!(
        first["is_default"], true,
        "the first address is the default"
    );
    assert_eq!(first["country"], "GB");
    let second: Value = create(address("2 High St", false))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(second["is_default"], false);
    let third: Value = create(address("3 High St", true))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(third["is_default"], true);

    let items = list().await;
    assert_eq!(items.len(), 3);
    assert_eq!(items.iter().filter(|a| a["is_default"] == true).count(), 1);
    assert_eq!(items[0]["id"], third["id"], "the default first");

    let id = second["id"].as_str().unwrap();
    let updated = app
        .authed(
            Method::PUT,
            &format!("/api/v1/me/addresses/{id}"),
            &s.access,
        )
        .json(&address("2a High St", true))
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status(), 200);
    let updated: Value = updated.json().await.unwrap();
    assert_eq!(
        (updated["line1"].as_str(), updated["is_default"].as_bool()),
        (Some("2a High St"), Some(true))
    );
    assert_eq!(
        list()
            .await
            .iter()
            .filter(|a| a["is_default"] == true)
            .count(),
        1
    );

    // Deleting the default makes another the default.
    let gone = app
        .authed(
            Method::DELETE,
            &format!("/api/v1/me/addresses/{id}"),
            &s.access,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 204);
    let items = list().await;
    assert_eq!(items.len(), 2);
    assert_eq!(items.iter().filter(|a| a["is_default"] == true).count(), 1);
    let again = app
        .authed(
            Method::DELETE,
            &format!("/api/v1/me/addresses/{id}"),
            &s.access,
        )
        .send()
        .await
        .unwrap();
    assert_problem(again, 404, "not_found").await;
}

#[tokio::test]
async fn another_users_address_is_not_found() {
    let app = TestApp::spawn().await;
    let owner = app.register(&unique_email()).await;
    let other = app.register(&unique_email()).await;
    let created: Value = app
        .authed(Method::POST, "/api/v1/me/addresses", &owner.access)
        .json(&address("1 High St", false))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let path = format!("/api/v1/me/addresses/{}", created["id"].as_str().unwrap());
    let read: Value = app.get_json("/api/v1/me/addresses", &other.access).await;
    assert!(read["items"].as_array().unwrap().is_empty());
    let change = app
        .authed(Method::PUT, &path, &other.access)
        .json(&address("Stolen", true))
        .send()
        .await
        .unwrap();
    assert_problem(change, 404, "not_found").await;
    let delete = app
        .authed(Method::DELETE, &path, &other.access)
        .send()
        .await
        .unwrap();
    assert_problem(delete, 404, "not_found").await;
    let mine: Value = app.get_json("/api/v1/me/addresses", &owner.access).await;
    assert_eq!(mine["items"][0]["line1"], "1 High St");
}

#[tokio::test]
async fn addresses_are_validated_and_limited_to_20() {
    let app = TestApp::spawn().await;
    let s = app.register(&unique_email()).await;
    let create = |body: Value| {
        app.authed(Method::POST, "/api/v1/me/addresses", &s.access)
            .json(&body)
            .send()
    };
    let mut bad = address("1 High St", false);
    bad["country"] = json!("UK");
    bad["postcode"] = json!("");
    let problem = assert_problem(create(bad).await.unwrap(), 422, "validation_failed").await;
    let fields: Vec<_> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, vec!["postcode", "country"]);
    let responses = futures_util::future::join_all(
        (0..22).map(|i| create(address(&format!("{i} High St"), false))),
    )
    .await;
    let created = responses
        .iter()
        .filter(|r| r.as_ref().unwrap().status() == 201)
        .count();
    assert_eq!(created, 20, "the limit holds under concurrency");
}

#[tokio::test]
async fn notifications_page_newest_first_with_cursors_only_their_owner_can_use() {
    let app = TestApp::spawn().await;
    let s = app.register(&unique_email()).await;
    let other = app.register(&unique_email()).await;
    let user_id = s.user["id"].as_str().unwrap();
    for i in 0..5 {
        let note = Notification {
            id: ulid::Ulid::new().to_string(),
            kind: "order_status".into(),
            title: format!("Update {i}"),
            body: "Your order has shipped".into(),
            order_id: None,
            created_at: "2026-11-25T00:00:00Z".into(),
        };
        notifications::add(app.shop.state.table(), user_id, &note)
            .await
            .unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    let get = |query: &str, token: &str| {
        app.authed(
            Method::GET,
            &format!("/api/v1/me/notifications{query}"),
            token,
        )
        .send()
    };
    let page1: Value = get("?limit=2", &s.access)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let titles = |page: &Value| {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["title"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(titles(&page1), vec!["Update 4", "Update 3"]);
    let cursor = page1["next_cursor"].as_str().unwrap().to_owned();
    let page2: Value = get(&format!("?limit=2&cursor={cursor}"), &s.access)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(titles(&page2), vec!["Update 2", "Update 1"]);
    let rest: Value = get(
        &format!(
            "?limit=10&cursor={}",
            page2["next_cursor"].as_str().unwrap()
        ),
        &s.access,
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(titles(&rest), vec!["Update 0"]);
    assert_eq!(rest["next_cursor"], Value::Null);

    let forged = format!("{cursor}x");
    let refused = [
        (
            format!("?cursor={cursor}"),
            &other.access,
            400,
            "invalid_cursor",
        ),
        (
            format!("?cursor={forged}"),
            &s.access,
            400,
            "invalid_cursor",
        ),
        ("?cursor=!!!".to_owned(), &s.access, 400, "invalid_cursor"),
        ("?limit=0".to_owned(), &s.access, 422, "validation_failed"),
        ("?limit=101".to_owned(), &s.access, 422, "validation_failed"),
    ];
    for (query, token, status, code) in refused {
        assert_problem(get(&query, token).await.unwrap(), status, code).await;
    }
    let empty: Value = get("", &other.access).await.unwrap().json().await.unwrap();
    assert_eq!(empty, json!({"items": [], "next_cursor": null}));
}
