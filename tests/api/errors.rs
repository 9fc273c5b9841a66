//! The cross-cutting answers every route shares: 404/405 as problem documents, and the JSON
//! body rules (413, 415, 400, 422), checked over HTTP through the same layers every function
//! and the local server wrap their routes in.

use axum::Router;
use axum::routing::post;
use serde_json::json;
use shop::http::{BODY_LIMIT, Json};

use crate::helpers::{TestApp, assert_problem};

#[tokio::test]
async fn unknown_paths_and_methods_are_problem_documents() {
    let app = TestApp::spawn().await;
    assert_problem(app.get("/api/v1/no-such-thing").await, 404, "no_such_route").await;
    let response = app
        .http
        .delete(app.url("/api/v1/health"))
        .send()
        .await
        .unwrap();
    assert_problem(response, 405, "method_not_allowed").await;
    // A path segment that is not UTF-8 is refused by the framework before the handler runs:
    // still a problem document, not plain text.
    for path in [
        "/api/v1/products/%ff%fe",
        "/api/v1/bundles/%c3",
        "/api/v1/products/%ff/reviews",
    ] {
        let p = assert_problem(app.get(path).await, 400, "malformed_request").await;
        assert!(p["detail"].as_str().unwrap().contains("UTF-8"), "{p}");
    }
}

#[tokio::test]
async fn wrong_json_types_and_arrays_for_objects_are_422_naming_the_field() {
    let app = TestApp::spawn().await;
    // serde would read the struct from an array of its fields in order.
    let array = app
        .post_json(
            "/api/v1/auth/register",
            &json!(["a@example.com", "Passw0rd-123", "A"]),
        )
        .await;
    let p = assert_problem(array, 422, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "body");
    let admin = crate::settings::admin(&app).await;
    let me = app.get_json("/api/v1/me", &admin).await;
    let role_path = format!("/api/v1/admin/users/{}/role", me["id"].as_str().unwrap());
    for wrong in [json!(null), json!(1), json!([]), json!({}), json!("boss")] {
        let r = app
            .authed(reqwest::Method::PUT, &role_path, &admin)
            .json(&json!({ "role": wrong }))
            .send()
            .await
            .unwrap();
        let p = assert_problem(r, 422, "validation_failed").await;
        assert_eq!(p["errors"][0]["field"], "role", "{wrong}: {p}");
    }
}

#[derive(serde::Deserialize, serde::Serialize)]
struct Order {
    sku: String,
    quantity: u8,
}

/// A JSON route of the test's own, wrapped exactly as real routes are.
async fn echo_server() -> String {
    let router = Router::new().route(
        "/api/v1/echo",
        post(|Json(order): Json<Order>| async move { Json(order) }),
    );
    let app = shop::http::wrap(router);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/api/v1/echo")
}

#[tokio::test]
async fn json_bodies_are_checked_in_one_place() {
    let url = echo_server().await;
    let http = shop_local::http_client(std::time::Duration::from_secs(20));

    let ok = http
        .post(&url)
        .json(&json!({"sku": "TEE-M", "quantity": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.json::<serde_json::Value>().await.unwrap()["quantity"], 2);

    let malformed = http
        .post(&url)
        .header("content-type", "application/json")
        .body("{\"sku\": ")
        .send()
        .await
        .unwrap();
    assert_problem(malformed, 400, "malformed_json").await;

    let wrong_type = http
        .post(&url)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_problem(wrong_type, 415, "unsupported_media_type").await;
    let no_type = http.post(&url).body("{}").send().await.unwrap();
    assert_problem(no_type, 415, "unsupported_media_type").await;

    let bad_field = http
        .post(&url)
        .json(&json!({"sku": "TEE-M", "quantity": 1000}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(bad_field, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "quantity");
    let missing = http
        .post(&url)
        .json(&json!({"quantity": 1}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(missing, 422, "validation_failed").await;
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("sku")
    );
}

#[tokio::test]
async fn bodies_over_64_kib_are_refused_whether_declared_or_streamed() {
    let url = echo_server().await;
    let http = shop_local::http_client(std::time::Duration::from_secs(20));
    let big = format!(
        "{{\"sku\": \"{}\", \"quantity\": 1}}",
        "x".repeat(BODY_LIMIT)
    );
    let declared = http
        .post(&url)
        .header("content-type", "application/json")
        .body(big.clone())
        .send()
        .await
        .unwrap();
    assert_problem(declared, 413, "payload_too_large").await;

    // Chunked, with no Content-Length: refused while reading.
    let chunks: Vec<Result<String, std::io::Error>> = big
        .as_bytes()
        .chunks(8 * 1024)
        .map(|c| Ok(String::from_utf8(c.to_vec()).unwrap()))
        .collect();
    let streamed = http
        .post(&url)
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .send()
        .await
        .unwrap();
    assert_problem(streamed, 413, "payload_too_large").await;

    // Exactly at the limit is accepted as far as size goes.
    let padding = BODY_LIMIT - "{\"sku\": \"\", \"quantity\": 1}".len();
    let at_limit = format!("{{\"sku\": \"{}\", \"quantity\": 1}}", "y".repeat(padding));
    assert_eq!(at_limit.len(), BODY_LIMIT);
    let response = http
        .post(&url)
        .header("content-type", "application/json")
        .body(at_limit)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}
