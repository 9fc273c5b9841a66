//! The catalog so far: categories, staff product management, stock, and the public product.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{ADMIN_PASSWORD, TestApp, assert_problem, unique, unique_email};

/// A signed-in staff member (registered, then given the role by the seeded admin).
pub(crate) async fn staff(app: &TestApp) -> String {
    let admin = app.login_ok(&app.admin_email, ADMIN_PASSWORD).await;
    let member = app.register(&unique_email()).await;
    let id = member.user["id"].as_str().unwrap();
    let made = app
        .authed(
            Method::PUT,
            &format!("/api/v1/admin/users/{id}/role"),
            &admin.access,
        )
        .json(&json!({"role": "staff"}))
        .send()
        .await
        .unwrap();
    assert_eq!(made.status(), 200);
    member.access
}

pub(crate) async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: &Value,
) -> reqwest::Response {
    app.authed(method, path, token)
        .json(body)
        .send()
        .await
        .unwrap()
}

pub(crate) fn product(name: &str, skus: &[(&str, i64, i64)]) -> Value {
    json!({
        "name": name,
        "description": "A fine thing.",
        "tags": ["kitchen"],
        "variants": skus.iter().map(|(sku, price, stock)| json!({
            "sku": sku, "name": format!("{sku} variant"), "price": price, "stock": stock
        })).collect::<Vec<_>>()
    })
}

pub(crate) async fn create_product(app: &TestApp, staff: &str, body: &Value) -> Value {
    let response = send(app, Method::POST, "/api/v1/admin/products", staff, body).await;
    assert_eq!(response.status(), 201, "{body}");
    assert!(response.headers().contains_key("location"));
    response.json().await.unwrap()
}

#[tokio::test]
async fn staff_routes_need_staff_and_staff_is_not_admin() {
    let app = TestApp::spawn().await;
    let body = product(
        &format!("Mug {}", unique()),
        &[(&format!("M-{}", unique()), 900, 3)],
    );
    let anonymous = app
        .http
        .post(app.url("/api/v1/admin/products"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_problem(anonymous, 401, "unauthenticated").await;
    let customer = app.register(&unique_email()).await;
    for (method, path) in [
        (Method::POST, "/api/v1/admin/products"),
        (Method::POST, "/api/v1/admin/categories"),
    ] {
        let refused = send(&app, method, path, &customer.access, &body).await;
        assert_problem(refused, 403, "forbidden").await;
    }
    let staff = staff(&app).await;
    create_product(&app, &staff, &body).await;
    let admin_only = app
        .authed(Method::GET, "/api/v1/admin/users", &staff)
        .send()
        .await
        .unwrap();
    assert_problem(admin_only, 403, "forbidden").await;
}

#[tokio::test]
async fn categories_form_a_tree_that_never_loops() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let create = |slug: &str, name: &str, parent: Option<&str>| {
        let body = json!({"slug": slug, "name": name, "parent": parent});
        let (app, staff) = (&app, staff.clone());
        async move { send(app, Method::POST, "/api/v1/admin/categories", &staff, &body).await }
    };
    assert_eq!(create("home", "Home", None).await.status(), 201);
    assert_eq!(
        create("kitchen", "Kitchen", Some("home")).await.status(),
        201
    );
    assert_eq!(create("mugs", "Mugs", Some("kitchen")).await.status(), 201);
    assert_eq!(
        create("bowls", "bowls", Some("kitchen")).await.status(),
        201
    );
    assert_problem(create("mugs", "Again", None).await, 409, "slug_taken").await;
    let orphan = assert_problem(
        create("x", "X", Some("nowhere")).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(orphan["errors"][0]["field"], "parent");

    let tree: Value = app.get("/api/v1/categories").await.json().await.unwrap();
    assert_eq!(tree[0]["slug"], "home");
    assert_eq!(tree[0]["children"][0]["slug"], "kitchen");
    let kitchen: Vec<&str> = tree[0]["children"][0]["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["slug"].as_str().unwrap())
        .collect();
    assert_eq!(kitchen, ["bowls", "mugs"], "by name, case-insensitively");

    let patch = |slug: &str, body: Value| {
        let (app, staff, path) = (
            &app,
            staff.clone(),
            format!("/api/v1/admin/categories/{slug}"),
        );
        async move { send(app, Method::PATCH, &path, &staff, &body).await }
    };
    // Its own descendant, or itself, can never become its parent.
    for (slug, parent) in [("home", "mugs"), ("home", "home"), ("kitchen", "mugs")] {
        let refused = patch(slug, json!({"parent": parent})).await;
        let body = assert_problem(refused, 422, "validation_failed").await;
        assert_eq!(
            body["errors"][0]["field"], "parent",
            "{slug} under {parent}"
        );
    }
    assert_problem(patch("nope", json!({"name": "X"})).await, 404, "not_found").await;
    // Moving to the top, and renaming.
    let moved = patch("mugs", json!({"parent": null, "name": "All mugs"})).await;
    assert_eq!(moved.status(), 200);
    let moved: Value = moved.json().await.unwrap();
    assert_eq!(
        (moved["name"].as_str(), moved["parent"].as_null()),
        (Some("All mugs"), Some(()))
    );

    // Two moves that would close a loop between them, at once: at most one wins.
    for round in 0..6 {
        let (a, b) = (
            format!("a{round}-{}", unique().to_lowercase()),
            format!("b{round}-{}", unique().to_lowercase()),
        );
        assert_eq!(create(&a, "A", None).await.status(), 201);
        assert_eq!(create(&b, "B", None).await.status(), 201);
        let (x, y) = tokio::join!(
            patch(&a, json!({"parent": b})),
            patch(&b, json!({"parent": a}))
        );
        let ok = [x.status().as_u16(), y.status().as_u16()];
        assert!(
            ok.iter().filter(|s| **s == 200).count() <= 1,
            "round {round}: {ok:?}"
        );
        assert!(
            ok.iter().all(|s| [200, 422, 429].contains(s)),
            "round {round}: {ok:?}"
        );
    }
    let tree: Value = app.get("/api/v1/categories").await.json().await.unwrap();
    assert!(tree.as_array().unwrap().len() >= 2);
}

#[tokio::test]
async fn a_product_is_public_only_when_active_and_shows_no_stock_numbers() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let sku = format!("MUG-{}", unique());
    let created = create_product(
        &app,
        &staff,
        &product(
            &format!("Blue Mug {}", unique()),
            &[(&sku, 1200, 10), (&format!("{sku}-S"), 900, 0)],
        ),
    )
    .await;
    let slug = created["slug"].as_str().unwrap().to_owned();
    assert!(slug.starts_with("blue-mug-"));
    assert_eq!(created["price_from"], 900);
    assert_eq!(created["variants"][0]["stock"], 10, "staff see numbers");

    let public = app.get(&format!("/api/v1/products/{slug}")).await;
    assert_eq!(public.status(), 200);
    assert!(
        public.headers()["cache-control"]
            .to_str()
            .unwrap()
            .starts_with("public")
    );
    let etag = public.headers()["etag"].clone();
    let body: Value = public.json().await.unwrap();
    assert_eq!(body["variants"][0]["stock_status"], "in_stock");
    assert_eq!(body["variants"][1]["stock_status"], "out_of_stock");
    assert!(body["variants"][0].get("stock").is_none());
    assert!(body.get("status").is_none());
    assert_eq!(body["rating"]["average"], Value::Null);

    // 304 for the version the client has; a change makes a new one.
    let again = app
        .http
        .get(app.url(&format!("/api/v1/products/{slug}")))
        .header("if-none-match", etag.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert!(again.bytes().await.unwrap().is_empty());
    let id = created["id"].as_str().unwrap();
    let stock = send(
        &app,
        Method::PUT,
        &format!("/api/v1/admin/products/{id}/stock"),
        &staff,
        &json!({"sku": sku, "set": 2}),
    )
    .await;
    assert_eq!(stock.status(), 200);
    let changed = app
        .http
        .get(app.url(&format!("/api/v1/products/{slug}")))
        .header("if-none-match", etag.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
    assert_ne!(changed.headers()["etag"], etag);
    let body: Value = changed.json().await.unwrap();
    assert_eq!(body["variants"][0]["stock_status"], "low_stock");

    // A draft is staff-only.
    let mut draft = product(
        &format!("Draft {}", unique()),
        &[(&format!("D-{}", unique()), 100, 1)],
    );
    draft["status"] = json!("draft");
    let draft = create_product(&app, &staff, &draft).await;
    let hidden = app
        .get(&format!(
            "/api/v1/products/{}",
            draft["slug"].as_str().unwrap()
        ))
        .await;
    assert_problem(hidden, 404, "not_found").await;
    let seen = app
        .get_json(
            &format!("/api/v1/admin/products/{}", draft["id"].as_str().unwrap()),
            &staff,
        )
        .await;
    assert_eq!(seen["status"], "draft");
    assert_problem(
        app.get("/api/v1/products/no-such-thing").await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn slugs_and_skus_are_unique_even_at_once() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let name = format!("Teapot {}", unique());
    let attempts = (0..10).map(|i| {
        let body = product(&name, &[(&format!("TEA-{}-{i}", unique()), 2500, 1)]);
        let (app, staff) = (&app, staff.clone());
        async move {
            send(app, Method::POST, "/api/v1/admin/products", &staff, &body)
                .await
                .status()
                .as_u16()
        }
    });
    let mut statuses = futures_util::future::join_all(attempts).await;
    statuses.sort();
    assert_eq!(statuses, [201, 409, 409, 409, 409, 409, 409, 409, 409, 409]);

    let sku = format!("cup-{}", unique());
    create_product(
        &app,
        &staff,
        &product(&format!("Cup {}", unique()), &[(&sku, 500, 1)]),
    )
    .await;
    let clash = send(
        &app,
        Method::POST,
        "/api/v1/admin/products",
        &staff,
        &product(
            &format!("Other cup {}", unique()),
            &[
                (&sku.to_uppercase(), 500, 1),
                (&format!("FREE-{}", unique()), 1, 1),
            ],
        ),
    )
    .await;
    let body = assert_problem(clash, 409, "sku_taken").await;
    assert_eq!(body["skus"], json!([sku.to_uppercase()]));
}

#[tokio::test]
async fn concurrent_stock_decrements_never_go_below_zero() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let sku = format!("LAMP-{}", unique());
    let created = create_product(
        &app,
        &staff,
        &product(&format!("Lamp {}", unique()), &[(&sku, 4000, 10)]),
    )
    .await;
    let path = format!(
        "/api/v1/admin/products/{}/stock",
        created["id"].as_str().unwrap()
    );
    let takes = (0..20).map(|_| {
        let (app, staff, path, sku) = (&app, staff.clone(), path.clone(), sku.clone());
        async move {
            send(
                app,
                Method::PUT,
                &path,
                &staff,
                &json!({"sku": sku, "delta": -1}),
            )
            .await
        }
    });
    let answers = futures_util::future::join_all(takes).await;
    let mut ok = 0;
    for answer in answers {
        match answer.status().as_u16() {
            200 => ok += 1,
            _ => {
                let body = assert_problem(answer, 409, "insufficient_stock").await;
                assert_eq!(body["skus"], json!([sku.to_uppercase()]));
                assert_eq!(body["available"], 0);
            }
        }
    }
    assert_eq!(ok, 10);
    let seen = app
        .get_json(
            &format!("/api/v1/admin/products/{}", created["id"].as_str().unwrap()),
            &staff,
        )
        .await;
    assert_eq!(seen["variants"][0]["stock"], 0);
    // Adding works again, and unknown skus or products are 404.
    let added = send(
        &app,
        Method::PUT,
        &path,
        &staff,
        &json!({"sku": sku, "delta": 3}),
    )
    .await;
    assert_eq!(added.json::<Value>().await.unwrap()["stock"], 3);
    assert_problem(
        send(
            &app,
            Method::PUT,
            &path,
            &staff,
            &json!({"sku": "NOPE", "set": 1}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    let other = format!("/api/v1/admin/products/{}/stock", ulid::Ulid::new());
    assert_problem(
        send(
            &app,
            Method::PUT,
            &other,
            &staff,
            &json!({"sku": sku, "set": 1}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn bad_input_on_the_catalog_routes_is_a_4xx_problem_never_a_5xx() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let long = "x".repeat(10_000);
    let sku = format!("OK-{}", unique());
    let created = create_product(
        &app,
        &staff,
        &product(&format!("Base {}", unique()), &[(&sku, 100, 5)]),
    )
    .await;
    let stock_path = format!(
        "/api/v1/admin/products/{}/stock",
        created["id"].as_str().unwrap()
    );
    let variant = |v: Value| json!({"name": "P", "variants": [v]});
    let cases: Vec<(Method, String, Value)> = vec![
        (
            Method::POST,
            "/api/v1/admin/products".into(),
            json!({"name": 5, "variants": []}),
        ),
        (
            Method::POST,
            "/api/v1/admin/products".into(),
            json!({"name": "", "variants": [{"sku": "A", "name": "A", "price": 1}]}),
        ),
        (
            Method::POST,
            "/api/v1/admin/products".into(),
            json!({"name": long, "variants": [{"sku": "A", "name": "A", "price": 1}]}),
        ),
        (
            Method::POST,
            "/api/v1/admin/products".into(),
            variant(json!({"sku": "A", "name": "A", "price": -1})),
        ),
        (
            Method::POST,
            "/api/v1/admin/products".into(),
            variant(json!({"sku": "A", "name": "A", "price": 1.5})),
        ),
        (
            Method::POST,
            "/api/v1/admin/products".into(),
            variant(json!({"sku": "A", "name": "A", "price": "1"})),
        ),
        (
            Method::POST,
            "/api/v1/admin/products".into(),
            variant(json!({"sku": "A B", "name": "A", "price": 1})),
        ),
        (
            Method::POST,
            "/api/v1/admin/products".into(),
            variant(json!({"sku": long, "name": "A", "price": 1})),
        ),
        (
            Method::POST,
            "/api/v1/admin/products".into(),
            variant(json!({"sku": "A", "name": long, "price": 1})),
        ),
        (
            Method::POST,
            "/api/v1/admin/products".into(),
            variant(json!({"sku": "A", "name": "A", "price": 1, "stock": -5})),
        ),
        (
            Method::POST,
            "/api/v1/admin/products".into(),
            variant(json!({"sku": "A", "name": "A", "price": 1, "colour": "red"})),
        ),
        (
            Method::POST,
            "/api/v1/admin/products".into(),
            json!({"name": "P", "slug": "Not A Slug", "variants": [{"sku": "A", "name": "A", "price": 1}]}),
        ),
        (
            Method::POST,
            "/api/v1/admin/products".into(),
            json!({"name": "P", "category": "missing", "variants": [{"sku": "A", "name": "A", "price": 1}]}),
        ),
        (
            Method::POST,
            "/api/v1/admin/products".into(),
            json!({"name": "P", "tier": "gold", "variants": [{"sku": "A", "name": "A", "price": 1}]}),
        ),
        (
            Method::POST,
            "/api/v1/admin/products".into(),
            json!({"name": "P", "tags": [long], "variants": [{"sku": "A", "name": "A", "price": 1}]}),
        ),
        (
            Method::POST,
            "/api/v1/admin/products".into(),
            json!({"name": "P", "variants": (0..41).map(|i| json!({"sku": format!("V{i}"), "name": "V", "price": 1})).collect::<Vec<_>>()}),
        ),
        (
            Method::POST,
            "/api/v1/admin/products".into(),
            json!([1, 2, 3]),
        ),
        (
            Method::POST,
            "/api/v1/admin/categories".into(),
            json!({"slug": long, "name": "X"}),
        ),
        (
            Method::POST,
            "/api/v1/admin/categories".into(),
            json!({"slug": "ok-slug", "name": long}),
        ),
        (
            Method::POST,
            "/api/v1/admin/categories".into(),
            json!({"slug": "ok-slug", "name": ""}),
        ),
        (
            Method::PATCH,
            "/api/v1/admin/categories/x".into(),
            json!({"parent": 7}),
        ),
        (
            Method::PUT,
            stock_path.clone(),
            json!({"sku": sku, "set": 1, "delta": 1}),
        ),
        (Method::PUT, stock_path.clone(), json!({"sku": sku})),
        (
            Method::PUT,
            stock_path.clone(),
            json!({"sku": sku, "set": -1}),
        ),
        (
            Method::PUT,
            stock_path.clone(),
            json!({"sku": sku, "delta": 99_999_999}),
        ),
        (
            Method::PUT,
            stock_path.clone(),
            json!({"sku": sku, "set": "ten"}),
        ),
    ];
    for (method, path, body) in cases {
        let response = send(&app, method.clone(), &path, &staff, &body).await;
        let status = response.status().as_u16();
        assert!(
            (400..500).contains(&status),
            "{method} {path} {}: {status}",
            body.to_string().chars().take(120).collect::<String>()
        );
        let problem: Value = response.json().await.unwrap();
        assert!(problem["code"].is_string(), "{problem}");
    }
    // Paths that cannot name anything are 404, never a 5xx.
    for path in [
        "/api/v1/admin/products/not-an-id",
        &format!("/api/v1/products/{long}"),
    ] {
        let response = app.authed(Method::GET, path, &staff).send().await.unwrap();
        assert_eq!(response.status(), 404, "{}", &path[..40]);
    }
}

/// A product made by staff, by slug.
async fn active_product(app: &TestApp, staff: &str) -> (String, String) {
    let created = create_product(
        app,
        staff,
        &product(
            &format!("Kettle {}", unique()),
            &[(&format!("K-{}", unique()), 3000, 5)],
        ),
    )
    .await;
    (
        created["id"].as_str().unwrap().to_owned(),
        created["slug"].as_str().unwrap().to_owned(),
    )
}

pub(crate) async fn review(
    app: &TestApp,
    token: &str,
    slug: &str,
    rating: i64,
) -> reqwest::Response {
    send(
        app,
        Method::POST,
        &format!("/api/v1/products/{slug}/reviews"),
        token,
        &json!({"rating": rating, "title": "Good", "comment": "Does what it says."}),
    )
    .await
}

#[tokio::test]
async fn fifty_concurrent_reviews_make_an_exact_rating() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let (_, slug) = active_product(&app, &staff).await;
    let users = futures_util::future::join_all((0..50).map(|_| {
        let app = &app;
        async move { app.register(&unique_email()).await.access }
    }))
    .await;
    let ratings: Vec<i64> = (0..50).map(|i| (i * 7 % 5) + 1).collect();
    let answers = futures_util::future::join_all(
        users
            .iter()
            .zip(&ratings)
            .map(|(token, rating)| review(&app, token, &slug, *rating)),
    )
    .await;
    assert!(answers.iter().all(|a| a.status() == 201));
    let shown: Value = app
        .get(&format!("/api/v1/products/{slug}"))
        .await
        .json()
        .await
        .unwrap();
    let sum: i64 = ratings.iter().sum();
    let expected = (sum as f64 / 50.0 * 100.0).round() / 100.0;
    assert_eq!(shown["rating"]["count"], 50);
    assert_eq!(shown["rating"]["average"].as_f64(), Some(expected));
    // One review per user and product.
    assert_problem(
        review(&app, &users[0], &slug, 5).await,
        409,
        "review_exists",
    )
    .await;
    // Listed newest first, a page at a time, every review once.
    let mut seen = std::collections::BTreeSet::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/products/{slug}/reviews?limit=7&cursor={c}"),
            None => format!("/api/v1/products/{slug}/reviews?limit=7"),
        };
        let page: Value = app.get(&path).await.json().await.unwrap();
        for r in page["items"].as_array().unwrap() {
            assert!(seen.insert(r["id"].as_str().unwrap().to_owned()));
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 50);
}

/// No public answer about reviews carries a user id: not the reviews' ids, not the list's
/// cursor (a signed key), not the answer to the author.
#[tokio::test]
async fn public_review_answers_carry_no_user_id() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let (_, slug) = active_product(&app, &staff).await;
    let mut user_ids = Vec::new();
    for rating in [3, 5] {
        let s = app.register(&unique_email()).await;
        user_ids.push(s.user["id"].as_str().unwrap().to_owned());
        let written = review(&app, &s.access, &slug, rating).await;
        assert_eq!(written.status(), 201);
        let text = written.text().await.unwrap();
        assert!(!text.contains(user_ids.last().unwrap().as_str()), "{text}");
        // One review per user and product, still.
        assert_eq!(review(&app, &s.access, &slug, 1).await.status(), 409);
    }
    let mut cursor: Option<String> = None;
    let mut seen = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/products/{slug}/reviews?limit=1&cursor={c}"),
            None => format!("/api/v1/products/{slug}/reviews?limit=1"),
        };
        let text = app.get(&path).await.text().await.unwrap();
        let page: Value = serde_json::from_str(&text).unwrap();
        seen += page["items"].as_array().unwrap().len();
        let mut decoded = String::new();
        if let Some(c) = page["next_cursor"].as_str() {
            use base64::Engine;
            for part in c.split('.') {
                if let Ok(bytes) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part) {
                    decoded.push_str(&String::from_utf8_lossy(&bytes));
                }
            }
        }
        for id in &user_ids {
            assert!(!text.contains(id.as_str()), "{text}");
            assert!(!decoded.contains(id.as_str()), "{decoded}");
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, 2);
}

#[tokio::test]
async fn reviews_are_edited_and_deleted_by_their_authors_and_votes_count_once() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let (_, slug) = active_product(&app, &staff).await;
    let author = app.register(&unique_email()).await.access;
    let other = app.register(&unique_email()).await.access;
    let written = review(&app, &author, &slug, 2).await;
    assert_eq!(written.status(), 201);
    let written: Value = written.json().await.unwrap();
    let id = written["id"].as_str().unwrap().to_owned();
    let rating = || async {
        let shown: Value = app
            .get(&format!("/api/v1/products/{slug}"))
            .await
            .json()
            .await
            .unwrap();
        (
            shown["rating"]["average"].clone(),
            shown["rating"]["count"].clone(),
        )
    };
    assert_eq!(rating().await, (json!(2.0), json!(1)));

    // Only the author edits; the rating moves with it.
    let path = format!("/api/v1/reviews/{id}");
    assert_problem(
        send(&app, Method::PATCH, &path, &other, &json!({"rating": 1})).await,
        404,
        "not_found",
    )
    .await;
    let edited = send(
        &app,
        Method::PATCH,
        &path,
        &author,
        &json!({"rating": 5, "title": "Great"}),
    )
    .await;
    assert_eq!(edited.status(), 200);
    let edited: Value = edited.json().await.unwrap();
    assert_eq!(
        (edited["rating"].as_i64(), edited["title"].as_str()),
        (Some(5), Some("Great"))
    );
    assert_eq!(rating().await, (json!(5.0), json!(1)));
    assert_problem(
        send(&app, Method::PATCH, &path, &author, &json!({"rating": 6})).await,
        422,
        "validation_failed",
    )
    .await;

    // 20 helpful votes at once by one user count once; one's own vote is refused.
    let helpful = format!("/api/v1/reviews/{id}/helpful");
    let votes = futures_util::future::join_all((0..20).map(|_| {
        let (app, other, helpful) = (&app, other.clone(), helpful.clone());
        async move {
            app.authed(Method::POST, &helpful, &other)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    }))
    .await;
    assert!(votes.iter().all(|s| *s == 204), "{votes:?}");
    let listed: Value = app
        .get(&format!("/api/v1/products/{slug}/reviews"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"][0]["helpful_count"], 1);
    let own = app
        .authed(Method::POST, &helpful, &author)
        .send()
        .await
        .unwrap();
    assert_problem(own, 403, "forbidden").await;

    // Another customer cannot delete it; its author can, and so can staff.
    let delete = |token: &str, path: &str| {
        let (app, token, path) = (&app, token.to_owned(), path.to_owned());
        async move {
            app.authed(Method::DELETE, &path, &token)
                .send()
                .await
                .unwrap()
        }
    };
    assert_problem(delete(&other, &path).await, 404, "not_found").await;
    assert_eq!(delete(&author, &path).await.status(), 204);
    assert_eq!(rating().await, (Value::Null, json!(0)));
    assert_problem(delete(&author, &path).await, 404, "not_found").await;
    let second = review(&app, &other, &slug, 4)
        .await
        .json::<Value>()
        .await
        .unwrap();
    let path = format!("/api/v1/reviews/{}", second["id"].as_str().unwrap());
    assert_eq!(delete(&staff, &path).await.status(), 204);
    assert_eq!(rating().await, (Value::Null, json!(0)));

    // Drafts cannot be reviewed; bad ids are 404.
    let mut draft = product(
        &format!("Hidden {}", unique()),
        &[(&format!("H-{}", unique()), 1, 1)],
    );
    draft["status"] = json!("draft");
    let draft = create_product(&app, &staff, &draft).await;
    assert_problem(
        review(&app, &author, draft["slug"].as_str().unwrap(), 3).await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        delete(&author, "/api/v1/reviews/nonsense").await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        review(&app, &author, &slug, 0).await,
        422,
        "validation_failed",
    )
    .await;
}

#[tokio::test]
async fn a_wishlist_adds_idempotently_and_shows_current_prices() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let (id, slug) = active_product(&app, &staff).await;
    let user = app.register(&unique_email()).await.access;
    let at = |path: &str, method: Method| {
        let (app, user, path) = (&app, user.clone(), path.to_owned());
        async move { app.authed(method, &path, &user).send().await.unwrap() }
    };
    let path = format!("/api/v1/wishlist/{id}");
    assert_problem(at(&path, Method::GET).await, 404, "not_found").await;
    for _ in 0..3 {
        assert_eq!(at(&path, Method::PUT).await.status(), 204);
    }
    assert_eq!(at(&path, Method::GET).await.status(), 204);
    let list = app.get_json("/api/v1/wishlist", &user).await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "added once however often");
    assert_eq!(items[0]["product"]["slug"], slug.as_str());
    assert_eq!(items[0]["product"]["price_from"], 3000);
    assert_eq!(items[0]["product"]["stock_status"], "low_stock");
    assert_eq!(items[0]["product"]["available"], true);
    assert!(items[0]["added_at"].is_string());
    // Unknown products cannot be wished; removing twice is fine.
    let unknown = format!("/api/v1/wishlist/{}", ulid::Ulid::new());
    assert_problem(at(&unknown, Method::PUT).await, 404, "not_found").await;
    assert_problem(
        at("/api/v1/wishlist/not-an-id", Method::PUT).await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(at(&path, Method::DELETE).await.status(), 204);
    assert_eq!(at(&path, Method::DELETE).await.status(), 204);
    assert_problem(at(&path, Method::GET).await, 404, "not_found").await;
    let anonymous = app.get("/api/v1/wishlist").await;
    assert_problem(anonymous, 401, "unauthenticated").await;
}

#[tokio::test]
async fn staff_update_products_by_merging_variants_and_archive_them() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let sku = format!("BOWL-{}", unique()).to_uppercase();
    let created = create_product(
        &app,
        &staff,
        &product(&format!("Bowl {}", unique()), &[(&sku, 1500, 5)]),
    )
    .await;
    let id = created["id"].as_str().unwrap().to_owned();
    let slug = created["slug"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/admin/products/{id}");
    let patch = |body: Value| {
        let (app, staff, path) = (&app, staff.clone(), path.clone());
        async move { send(app, Method::PATCH, &path, &staff, &body).await }
    };

    // A new price and a new variant: price_from follows, the new variant has no stock.
    let new_sku = format!("{sku}-XL");
    let changed = patch(json!({"name": "Big Bowl", "variants": [
        {"sku": sku, "price": 1700},
        {"sku": new_sku, "name": "Extra large", "price": 1100}
    ]}))
    .await;
    assert_eq!(changed.status(), 200);
    let changed: Value = changed.json().await.unwrap();
    assert_eq!(changed["name"], "Big Bowl");
    assert_eq!(changed["price_from"], 1100);
    let stocks: Vec<(String, i64)> = changed["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["sku"].as_str().unwrap().to_owned(),
                v["stock"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(stocks, [(sku.clone(), 5), (new_sku.clone(), 0)]);

    // What a change may not do.
    for (body, status, code) in [
        (
            json!({"variants": [{"sku": "NEW-ONE", "name": "No price"}]}),
            422,
            "validation_failed",
        ),
        (
            json!({"variants": [{"sku": sku, "stock": 50}]}),
            422,
            "validation_failed",
        ),
        (
            json!({"variants": [{"sku": sku, "unique": true}]}),
            422,
            "validation_failed",
        ),
        (
            json!({"category": "no-such-category"}),
            422,
            "validation_failed",
        ),
        (json!({"price_from": 1}), 422, "validation_failed"),
    ] {
        assert_problem(patch(body.clone()).await, status, code).await;
    }
    let other = create_product(
        &app,
        &staff,
        &product(
            &format!("Plate {}", unique()),
            &[(&format!("PLATE-{}", unique()), 900, 1)],
        ),
    )
    .await;
    let other_sku = other["variants"][0]["sku"].as_str().unwrap();
    let clash = patch(json!({"variants": [{"sku": other_sku, "name": "Mine", "price": 1}]})).await;
    let body = assert_problem(clash, 409, "sku_taken").await;
    assert_eq!(body["skus"], json!([other_sku]));
    assert_problem(
        patch(json!({"slug": other["slug"]})).await,
        409,
        "slug_taken",
    )
    .await;

    // A new slug: the old one is free again and no longer names it.
    let renamed = format!("big-bowl-{}", unique().to_lowercase());
    assert_eq!(patch(json!({"slug": renamed})).await.status(), 200);
    assert_problem(
        app.get(&format!("/api/v1/products/{slug}")).await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(
        app.get(&format!("/api/v1/products/{renamed}"))
            .await
            .status(),
        200
    );

    // Price edits racing with stock changes never lose a stock change.
    let stock_path = format!("{path}/stock");
    let deltas = (0..10).map(|_| {
        let (app, staff, stock_path, sku) = (&app, staff.clone(), stock_path.clone(), sku.clone());
        async move {
            send(
                app,
                Method::PUT,
                &stock_path,
                &staff,
                &json!({"sku": sku, "delta": 1}),
            )
            .await
            .status()
            .as_u16()
        }
    });
    let prices = (0..5).map(|i| patch(json!({"variants": [{"sku": sku, "price": 1800 + i}]})));
    let (deltas, prices) = tokio::join!(
        futures_util::future::join_all(deltas),
        futures_util::future::join_all(prices)
    );
    assert!(deltas.iter().all(|s| *s == 200), "{deltas:?}");
    assert!(
        prices
            .iter()
            .all(|p| [200, 429].contains(&p.status().as_u16()))
    );
    let seen = app.get_json(&path, &staff).await;
    assert_eq!(seen["variants"][0]["stock"], 15);

    // Archived: gone from the catalog, kept for staff and shown as unavailable on wishlists.
    let user = app.register(&unique_email()).await.access;
    let wished = app
        .authed(Method::PUT, &format!("/api/v1/wishlist/{id}"), &user)
        .send()
        .await
        .unwrap();
    assert_eq!(wished.status(), 204);
    for _ in 0..2 {
        let archived = app
            .authed(Method::DELETE, &path, &staff)
            .send()
            .await
            .unwrap();
        assert_eq!(archived.status(), 204);
    }
    assert_problem(
        app.get(&format!("/api/v1/products/{renamed}")).await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(app.get_json(&path, &staff).await["status"], "archived");
    let wishlist = app.get_json("/api/v1/wishlist", &user).await;
    assert_eq!(wishlist["items"][0]["product"]["available"], false);
    assert_eq!(
        wishlist["items"][0]["product"]["stock_status"],
        "out_of_stock"
    );
    let gone = format!("/api/v1/admin/products/{}", ulid::Ulid::new());
    let missing = app
        .authed(Method::DELETE, &gone, &staff)
        .send()
        .await
        .unwrap();
    assert_problem(missing, 404, "not_found").await;
}

#[tokio::test]
async fn bundles_follow_their_rules_and_price_their_components() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let mut skus = Vec::new();
    let mut ids = Vec::new();
    for (i, price) in [2000, 2000, 2000].into_iter().enumerate() {
        let sku = format!("B{i}-{}", unique()).to_uppercase();
        let mut body = product(
            &format!("Part {i} {}", unique()),
            &[(&sku, price, 10 - i as i64 * 4)],
        );
        if i == 2 {
            body["tier"] = json!("pro");
        }
        ids.push(
            create_product(&app, &staff, &body).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
        skus.push(sku);
    }
    let create = |body: Value| {
        let (app, staff) = (&app, staff.clone());
        async move { send(app, Method::POST, "/api/v1/admin/bundles", &staff, &body).await }
    };
    let slug = format!("starter-{}", unique().to_lowercase());
    // Two distinct products are not a bundle; nor is a pro bundle without a pro product.
    let two = create(json!({"name": "Two", "skus": [skus[0], skus[1]]})).await;
    assert_eq!(
        assert_problem(two, 422, "bundle_rules").await["rule"],
        "at_least_3_products"
    );
    let more = format!("B9-{}", unique()).to_uppercase();
    create_product(
        &app,
        &staff,
        &product(&format!("Extra {}", unique()), &[(&more, 500, 3)]),
    )
    .await;
    let not_pro =
        create(json!({"name": "X", "type": "pro", "skus": [skus[0], skus[1], more]})).await;
    assert_eq!(
        assert_problem(not_pro, 422, "bundle_rules").await["rule"],
        "pro_bundle_needs_a_pro_product"
    );
    let unknown = create(json!({"name": "X", "skus": [skus[0], skus[1], "NO-SUCH-SKU"]})).await;
    let body = assert_problem(unknown, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "skus[2]");

    // A pro bundle: 2000 + 2000 + 2000 less 10 % (PRICING.md's worked example).
    let made = create(json!({"name": "Starter", "slug": slug, "type": "pro", "skus": skus})).await;
    assert_eq!(made.status(), 201);
    let made: Value = made.json().await.unwrap();
    assert_eq!(
        (made["list_price"].as_i64(), made["price"].as_i64()),
        (Some(6000), Some(5400))
    );
    assert_eq!(made["discount_percent"], 10);
    assert_eq!(made["stock_status"], "low_stock", "the scarcest part has 2");
    assert_eq!(made["products"].as_array().unwrap().len(), 3);

    // Its slug is a name a cart line may use: no sku may take it, and it takes no sku's.
    let clash = send(
        &app,
        Method::POST,
        "/api/v1/admin/products",
        &staff,
        &product("Clash", &[(&slug, 100, 1)]),
    )
    .await;
    assert_problem(clash, 409, "sku_taken").await;
    let taken = create(json!({"name": "Y", "slug": skus[0].to_lowercase(), "skus": skus})).await;
    assert_problem(taken, 409, "slug_taken").await;
    assert_problem(
        create(json!({"name": "Z", "slug": slug, "skus": skus})).await,
        409,
        "slug_taken",
    )
    .await;

    // Listed by type, shown alone with an ETag, and named on its products' pages.
    let pro = app.get("/api/v1/bundles?type=pro").await;
    assert_eq!(pro.status(), 200);
    let pro: Value = pro.json().await.unwrap();
    assert!(pro["items"].is_array(), "{pro}");
    assert!(
        pro["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["slug"] == slug.as_str())
    );
    let special = app
        .get("/api/v1/bundles?type=special")
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert!(
        !special["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["slug"] == slug.as_str())
    );
    assert_problem(
        app.get("/api/v1/bundles?type=gold").await,
        422,
        "validation_failed",
    )
    .await;
    let one = app.get(&format!("/api/v1/bundles/{slug}")).await;
    assert_eq!(one.status(), 200);
    assert!(one.headers().contains_key("etag"));
    let part_slug = made["products"][0]["slug"].as_str().unwrap();
    let part: Value = app
        .get(&format!("/api/v1/products/{part_slug}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(part["bundles"][0]["slug"], slug.as_str());

    // Changes keep the rules.
    let path = format!("/api/v1/admin/bundles/{slug}");
    let cheaper = send(
        &app,
        Method::PATCH,
        &path,
        &staff,
        &json!({"discount_percent": 25}),
    )
    .await;
    assert_eq!(cheaper.json::<Value>().await.unwrap()["price"], 4500);
    let fewer = send(
        &app,
        Method::PATCH,
        &path,
        &staff,
        &json!({"skus": [skus[0], skus[1]]}),
    )
    .await;
    assert_problem(fewer, 422, "bundle_rules").await;
    let bad = send(
        &app,
        Method::PATCH,
        &path,
        &staff,
        &json!({"discount_percent": 95}),
    )
    .await;
    assert_problem(bad, 422, "validation_failed").await;
    assert_problem(
        send(
            &app,
            Method::PATCH,
            "/api/v1/admin/bundles/no-such",
            &staff,
            &json!({"name": "N"}),
        )
        .await,
        404,
        "not_found",
    )
    .await;

    // A part taken off sale makes the bundle unavailable.
    let archived = app
        .authed(
            Method::DELETE,
            &format!("/api/v1/admin/products/{}", ids[0]),
            &staff,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(archived.status(), 204);
    let now: Value = app
        .get(&format!("/api/v1/bundles/{slug}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (now["available"].as_bool(), now["stock_status"].as_str()),
        (Some(false), Some("out_of_stock"))
    );
}

#[tokio::test]
async fn the_local_shop_seeds_a_demo_catalog_once() {
    let prefix = format!("t{}", unique());
    let app = TestApp::spawn_with(|o| {
        o.demo_catalog = true;
        o.prefix = prefix.clone();
    })
    .await;
    let seeded = app.shop.demo.clone().expect("seeded on first start");
    assert!(seeded.products >= 200 && seeded.bundles == 9, "{seeded:?}");
    let tree: Value = app.get("/api/v1/categories").await.json().await.unwrap();
    let home = tree
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["slug"] == "home-living")
        .expect("the demo tree");
    assert!(
        home["children"][0]["children"]
            .as_array()
            .is_some_and(|c| !c.is_empty()),
        "three levels"
    );
    // Every bundle type, in stock, priced.
    for kind in ["standard", "pro", "special"] {
        let page: Value = app
            .get(&format!("/api/v1/bundles?type={kind}"))
            .await
            .json()
            .await
            .unwrap();
        let items = page["items"].as_array().unwrap();
        assert_eq!(items.len(), 3, "{kind}");
        assert!(
            items
                .iter()
                .all(|b| b["available"] == true && b["price"].as_i64() < b["list_price"].as_i64())
        );
    }
    // Products show publicly (a draft does not).
    let catalog = shop_local::demo::generate(shop_local::demo::PRODUCTS);
    let (first, _) = &catalog.products[2];
    assert_eq!(
        app.get(&format!("/api/v1/products/{}", first.slug))
            .await
            .status(),
        200
    );
    // Every product has a picture the local S3 serves, and the images worker makes its
    // display sizes in the background (the first ones within seconds).
    let detail: Value = app
        .get(&format!("/api/v1/products/{}", first.slug))
        .await
        .json()
        .await
        .unwrap();
    let picture = app
        .http
        .get(detail["images"][0]["url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(picture.status(), 200);
    assert_eq!(picture.headers()["content-type"], "image/jpeg");
    let mut sized = false;
    for _ in 0..300 {
        let page: Value = app
            .get("/api/v1/products?limit=100")
            .await
            .json()
            .await
            .unwrap();
        let items = page["items"].as_array().unwrap();
        assert!(
            items.iter().all(|p| p["image"].is_string()),
            "every card has a picture"
        );
        if items
            .iter()
            .any(|p| p["image"].as_str().unwrap().ends_with("/thumbnail.jpg"))
        {
            sized = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(sized, "no demo picture got its display sizes within 30 s");
    let (draft, _) = &catalog.products[24];
    assert_eq!(draft.status, shop::domain::catalog::ProductStatus::Draft);
    assert_eq!(
        app.get(&format!("/api/v1/products/{}", draft.slug))
            .await
            .status(),
        404
    );
    drop(app);
    // A second start on the same table does not seed again. (The first shop's drop removed its
    // table; this one seeds its own afresh, then a restart over it finds it.)
    let again = TestApp::spawn_with(|o| {
        o.demo_catalog = true;
        o.prefix = prefix.clone();
    })
    .await;
    assert!(again.shop.demo.is_some());
    let state = again.shop.state.clone();
    let restarted = shop_local::demo::seed(&state).await.unwrap();
    assert_eq!(restarted, None, "already there");
}
