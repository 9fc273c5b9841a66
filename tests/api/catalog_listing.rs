//! The product listings: every filter, sort and the search on a fixture catalog, keyset pages
//! that list each product once while the catalog changes, cursors bound to their list, caching,
//! the staff listing, and staff changes reaching the listing within 5 seconds.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use crate::catalog::{create_product, product, review, send, staff};
use crate::helpers::{TestApp, assert_problem, unique, unique_email};

/// The six fixture products, by the names the assertions use.
struct Fixture {
    app: TestApp,
    staff: String,
    ids: Vec<(&'static str, String)>,
}

impl Fixture {
    fn id(&self, name: &str) -> &str {
        &self.ids.iter().find(|(n, _)| *n == name).unwrap().1
    }

    fn names(&self, items: &Value) -> Vec<&'static str> {
        items["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                let id = p["id"].as_str().unwrap();
                self.ids.iter().find(|(_, i)| i == id).unwrap().0
            })
            .collect()
    }

    async fn list(&self, query: &str) -> Value {
        let response = self.app.get(&format!("/api/v1/products?{query}")).await;
        assert_eq!(response.status(), 200, "{query}");
        response.json().await.unwrap()
    }

    async fn names_of(&self, query: &str) -> Vec<&'static str> {
        let list = self.list(query).await;
        self.names(&list)
    }

    async fn staff_list(&self, query: &str) -> Value {
        let response = self
            .app
            .authed(
                Method::GET,
                &format!("/api/v1/admin/products?{query}"),
                &self.staff,
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{query}");
        response.json().await.unwrap()
    }
}

async fn category(app: &TestApp, staff: &str, slug: &str, parent: Option<&str>) {
    let body = json!({"slug": slug, "name": slug, "parent": parent});
    let made = send(app, Method::POST, "/api/v1/admin/categories", staff, &body).await;
    assert_eq!(made.status(), 201);
}

fn with(mut body: Value, fields: Value) -> Value {
    for (k, v) in fields.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

/// Polls `check` until it holds, for at most 5 seconds (API.md: staff changes show within 5 s).
async fn within_five_seconds<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !check().await {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{what} did not show within 5 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn fixture() -> Fixture {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    category(&app, &staff, "kitchen", None).await;
    category(&app, &staff, "mugs", Some("kitchen")).await;
    category(&app, &staff, "teapots", Some("kitchen")).await;
    category(&app, &staff, "garden", None).await;
    let bodies = [
        (
            "blue mug",
            with(
                product("Blue Mug", &[("MUG-BLUE", 1200, 10)]),
                json!({"category": "mugs", "tags": ["gift"], "featured": true}),
            ),
        ),
        (
            "teapot",
            with(
                product("Crème Teapot", &[("POT-CREME", 3500, 0)]),
                json!({"category": "teapots", "tags": ["tea"], "tier": "pro"}),
            ),
        ),
        (
            "hose",
            with(
                product(
                    "Garden Hose",
                    &[("HOSE-10", 2500, 3), ("HOSE-20", 4000, 50)],
                ),
                json!({"category": "garden", "tags": ["outdoor"]}),
            ),
        ),
        (
            "red mug",
            with(
                product("Red Mug", &[("MUG-RED-XL", 1500, 2)]),
                json!({"category": "mugs", "featured": true, "description": "Stoneware, 350 ml."}),
            ),
        ),
        (
            "draft",
            with(
                product("Secret Mug", &[("MUG-SECRET", 900, 100)]),
                json!({"status": "draft"}),
            ),
        ),
        (
            "tree",
            with(
                product("Apple Tree", &[("TREE-APPLE", 1200, 0)]),
                json!({"tier": "pro", "tags": []}),
            ),
        ),
    ];
    let mut ids = Vec::new();
    let mut slugs = Vec::new();
    for (name, body) in bodies {
        let created = create_product(&app, &staff, &body).await;
        ids.push((name, created["id"].as_str().unwrap().to_owned()));
        slugs.push((name, created["slug"].as_str().unwrap().to_owned()));
    }
    // Ratings: the teapot 5, the blue mug 3.
    for (name, rating) in [("teapot", 5), ("blue mug", 3)] {
        let slug = &slugs.iter().find(|(n, _)| *n == name).unwrap().1;
        let customer = app.register(&unique_email()).await;
        let made = review(&app, &customer.access, slug, rating).await;
        assert_eq!(made.status(), 201, "{name}");
    }
    let fixture = Fixture { app, staff, ids };
    within_five_seconds("the fixture catalog", || async {
        let list = fixture.list("limit=100&sort=-rating").await;
        fixture.names(&list).len() == 5 && list["items"][0]["rating"]["count"] == 1
    })
    .await;
    fixture
}

#[tokio::test]
async fn every_filter_sort_and_search_lists_exactly_the_expected_products() {
    let f = fixture().await;
    let cases: &[(&str, &[&str])] = &[
        ("", &["tree", "red mug", "hose", "teapot", "blue mug"]),
        (
            "sort=-created_at",
            &["tree", "red mug", "hose", "teapot", "blue mug"],
        ),
        // Equal prices: newest first.
        (
            "sort=price",
            &["tree", "blue mug", "red mug", "hose", "teapot"],
        ),
        (
            "sort=-price",
            &["teapot", "hose", "red mug", "tree", "blue mug"],
        ),
        // Case- and accent-insensitive.
        (
            "sort=name",
            &["tree", "blue mug", "teapot", "hose", "red mug"],
        ),
        // Unrated last, newest first among them.
        (
            "sort=-rating",
            &["teapot", "blue mug", "tree", "red mug", "hose"],
        ),
        ("category=kitchen", &["red mug", "teapot", "blue mug"]),
        ("category=mugs", &["red mug", "blue mug"]),
        ("category=garden", &["hose"]),
        ("category=no-such-category", &[]),
        ("min_price=1500&max_price=2500", &["red mug", "hose"]),
        ("min_price=1200&max_price=1200", &["tree", "blue mug"]),
        ("max_price=1199", &[]),
        // A range that ends before it starts lists nothing (it is no error).
        ("min_price=10&max_price=5", &[]),
        ("in_stock=true", &["red mug", "hose", "blue mug"]),
        ("in_stock=false", &["tree", "teapot"]),
        ("featured=true", &["red mug", "blue mug"]),
        ("featured=false", &["tree", "hose", "teapot"]),
        ("tier=pro", &["tree", "teapot"]),
        ("tier=standard", &["red mug", "hose", "blue mug"]),
        ("tag=gift", &["blue mug"]),
        ("tag=GIFT", &["blue mug"]),
        ("q=mug", &["red mug", "blue mug"]),
        ("q=MU", &["red mug", "blue mug"]),
        ("q=m", &[]),
        ("q=creme", &["teapot"]),
        ("q=Cr%C3%A8me%20tea", &["teapot"]),
        ("q=stonew%20mug", &["red mug"]),
        ("q=mug%20teapot", &[]),
        ("q=mug-red-xl", &["red mug"]),
        ("q=outdoor", &["hose"]),
        ("q=secret", &[]),
        (
            "q=mug&category=kitchen&in_stock=true&sort=price",
            &["blue mug", "red mug"],
        ),
        ("q=mug&featured=true&tag=gift", &["blue mug"]),
    ];
    for (query, expected) in cases {
        assert_eq!(&f.names_of(query).await, expected, "?{query}");
    }
    // What a listed product shows: stock only as a status.
    let list = f.list("q=hose").await;
    let hose = &list["items"][0];
    assert_eq!(hose["price_from"], 2500);
    assert_eq!(hose["stock_status"], "in_stock");
    assert!(hose.get("stock").is_none() && hose.get("variants").is_none());
    let list = f.list("q=blue").await;
    assert_eq!(
        list["items"][0]["rating"],
        json!({"average": 3.0, "count": 1})
    );
}

/// Every page of `query` at `limit`, creating a product after the first page.
async fn all_pages(f: &Fixture, query: &str, limit: usize, create_midway: bool) -> Vec<String> {
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut url = format!("{query}&limit={limit}");
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let page = f.list(&url).await;
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= limit);
        seen.extend(items.iter().map(|p| p["id"].as_str().unwrap().to_owned()));
        if create_midway && cursor.is_none() {
            let name = format!("Aardvark {}", unique());
            let body = product(&name, &[(&format!("NEW-{}", unique()), 1, 1)]);
            create_product(&f.app, &f.staff, &body).await;
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return seen,
        }
    }
}

#[tokio::test]
async fn pages_list_every_product_once_even_while_products_are_created() {
    let f = fixture().await;
    let fixture_ids: HashSet<String> = f
        .ids
        .iter()
        .filter(|(n, _)| *n != "draft")
        .map(|(_, id)| id.clone())
        .collect();
    for sort in ["-created_at", "price", "-price", "name", "-rating"] {
        for limit in [1, 3, 100] {
            let seen = all_pages(&f, &format!("sort={sort}"), limit, true).await;
            let distinct: HashSet<&String> = seen.iter().collect();
            assert_eq!(
                distinct.len(),
                seen.len(),
                "a product twice: {sort} {limit}"
            );
            for id in &fixture_ids {
                assert!(seen.contains(id), "missing {id}: {sort} {limit}");
            }
        }
    }
}

#[tokio::test]
async fn a_cursor_is_bound_to_its_list_filters_and_sort() {
    let f = fixture().await;
    let page = f.list("sort=price&limit=2").await;
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    let next = f.list(&format!("sort=price&limit=2&cursor={cursor}")).await;
    assert_eq!(f.names(&next), ["red mug", "hose"]);
    for other in [
        "sort=name",
        "",
        "sort=price&tag=gift",
        "sort=price&in_stock=true",
    ] {
        let response = f
            .app
            .get(&format!("/api/v1/products?{other}&cursor={cursor}"))
            .await;
        assert_problem(response, 400, "invalid_cursor").await;
    }
    let (payload, tag) = cursor.split_once('.').unwrap();
    for forged in [
        format!("{payload}x.{tag}"),
        format!("{payload}.{}", "A".repeat(tag.len())),
        "not-a-cursor".to_owned(),
        "x".repeat(5000),
    ] {
        let response = f
            .app
            .get(&format!("/api/v1/products?sort=price&cursor={forged}"))
            .await;
        assert_problem(response, 400, "invalid_cursor").await;
    }
    // A staff listing's cursor is not the public listing's.
    let staff_page = f.staff_list("limit=1").await;
    let staff_cursor = staff_page["next_cursor"].as_str().unwrap();
    let response = f
        .app
        .get(&format!("/api/v1/products?cursor={staff_cursor}"))
        .await;
    assert_problem(response, 400, "invalid_cursor").await;
}

#[tokio::test]
async fn bad_listing_input_is_422_naming_the_field() {
    let f = fixture().await;
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("sort=cheapest", "sort"),
        ("min_price=-1", "min_price"),
        ("max_price=1.5", "max_price"),
        ("in_stock=yes", "in_stock"),
        ("featured=1", "featured"),
        ("tier=gold", "tier"),
        ("category=Not%20A%20Slug", "category"),
    ] {
        let response = f.app.get(&format!("/api/v1/products?{query}")).await;
        let problem = assert_problem(response, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], field, "?{query}");
    }
    let long = "a".repeat(10_000);
    let response = f.app.get(&format!("/api/v1/products?q={long}")).await;
    assert_problem(response, 422, "validation_failed").await;
    let response = f.app.get(&format!("/api/v1/products?tag={long}")).await;
    assert_problem(response, 422, "validation_failed").await;
    let response = f
        .app
        .authed(
            Method::GET,
            "/api/v1/admin/products?status=gone&low_stock=maybe",
            &f.staff,
        )
        .send()
        .await
        .unwrap();
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(problem["errors"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_listing_is_cacheable_and_shows_staff_changes_within_five_seconds() {
    let f = fixture().await;
    let first = f.app.get("/api/v1/products?q=mug").await;
    assert!(
        first.headers()["cache-control"]
            .to_str()
            .unwrap()
            .starts_with("public")
    );
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let again = f
        .app
        .http
        .get(f.app.url("/api/v1/products?q=mug"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert!(again.bytes().await.unwrap().is_empty());

    // A rename shows in search, a price change in the price filter, a stock change in
    // `in_stock`, an archived product leaves, and a new product arrives: each within 5 s.
    let red = f.id("red mug").to_owned();
    let renamed = send(
        &f.app,
        Method::PATCH,
        &format!("/api/v1/admin/products/{red}"),
        &f.staff,
        &json!({"name": "Red Beaker", "variants": [{"sku": "MUG-RED-XL", "price": 5000}]}),
    )
    .await;
    assert_eq!(renamed.status(), 200);
    within_five_seconds("a rename", || async {
        f.names_of("q=mug&max_price=4999").await == ["blue mug"]
            && f.names_of("q=beaker&min_price=5000").await == ["red mug"]
    })
    .await;
    let changed = f
        .app
        .http
        .get(f.app.url("/api/v1/products?q=mug"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200, "the ETag changed with the listing");

    let tree = f.id("tree").to_owned();
    let stocked = send(
        &f.app,
        Method::PUT,
        &format!("/api/v1/admin/products/{tree}/stock"),
        &f.staff,
        &json!({"sku": "TREE-APPLE", "set": 4}),
    )
    .await;
    assert_eq!(stocked.status(), 200);
    within_five_seconds("a stock change", || async {
        f.names_of("in_stock=false").await == ["teapot"]
    })
    .await;

    let hose = f.id("hose").to_owned();
    let archived = send(
        &f.app,
        Method::DELETE,
        &format!("/api/v1/admin/products/{hose}"),
        &f.staff,
        &json!({}),
    )
    .await;
    assert_eq!(archived.status(), 204);
    let created = create_product(
        &f.app,
        &f.staff,
        &product("Watering Can", &[("CAN-1", 1800, 7)]),
    )
    .await;
    let can = created["id"].as_str().unwrap().to_owned();
    within_five_seconds("an archive and a new product", || async {
        let list = f.list("limit=100").await;
        let ids: Vec<&str> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap())
            .collect();
        !ids.contains(&hose.as_str()) && ids.first() == Some(&can.as_str())
    })
    .await;
}

#[tokio::test]
async fn staff_list_every_product_with_numeric_stock_and_their_own_filters() {
    let f = fixture().await;
    let names = |list: &Value| -> Vec<String> {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = f.staff_list("limit=100").await;
    assert_eq!(
        names(&all),
        [
            "Apple Tree",
            "Secret Mug",
            "Red Mug",
            "Garden Hose",
            "Crème Teapot",
            "Blue Mug"
        ]
    );
    let hose = &all["items"][3];
    assert_eq!(hose["variants"][0]["stock"], 3);
    assert_eq!(hose["variants"][1]["stock"], 50);
    assert_eq!(hose["status"], "active");

    assert_eq!(names(&f.staff_list("status=draft").await), ["Secret Mug"]);
    assert_eq!(
        names(&f.staff_list("q=mug").await),
        ["Secret Mug", "Red Mug", "Blue Mug"]
    );
    assert_eq!(names(&f.staff_list("q=hose-20").await), ["Garden Hose"]);
    assert!(
        names(&f.staff_list("q=stoneware").await).is_empty(),
        "staff search reads names and skus"
    );
    assert_eq!(
        names(&f.staff_list("category=kitchen").await),
        ["Red Mug", "Crème Teapot", "Blue Mug"]
    );
    assert_eq!(
        names(&f.staff_list("low_stock=true").await),
        ["Apple Tree", "Red Mug", "Garden Hose", "Crème Teapot"]
    );
    assert_eq!(
        names(&f.staff_list("low_stock=true&status=active&q=mug").await),
        ["Red Mug"]
    );

    // Paged at 2: every product once.
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = f
            .staff_list(&format!("limit=2&status=active&cursor={cursor}"))
            .await;
        seen.extend(names(&page));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = c.to_owned(),
            None => break,
        }
    }
    assert_eq!(seen.len(), 5);

    // Anonymous is 401, a customer 403.
    let response = f.app.get("/api/v1/admin/products").await;
    assert_eq!(response.status(), 401);
    let customer = f.app.register(&unique_email()).await;
    let response = f
        .app
        .authed(Method::GET, "/api/v1/admin/products", &customer.access)
        .send()
        .await
        .unwrap();
    assert_problem(response, 403, "forbidden").await;
}
