use std::collections::BTreeSet;

use crate::helpers::TestApp;

#[tokio::test]
async fn the_openapi_document_describes_every_route() {
    let app = TestApp::spawn().await;
    let response = app.get("/api/v1/openapi.json").await;
    assert_eq!(response.status(), 200);
    let doc: serde_json::Value = response.json().await.unwrap();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let served: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |method| (method.to_uppercase(), path.clone()))
        })
        .collect();
    let expected: BTreeSet<(String, String)> = shop::api::ROUTES
        .iter()
        .flat_map(|r| r.endpoints())
        .map(|(m, p)| (m.to_string(), p))
        .collect();
    assert_eq!(served, expected);
    assert!(doc["components"]["schemas"]["Problem"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

/// Every route that takes a JSON body documents the answers the body extractor gives.
#[tokio::test]
async fn every_route_with_a_body_documents_400_413_415_and_422() {
    let app = TestApp::spawn().await;
    let doc: serde_json::Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    let mut with_body = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op.get("requestBody").is_none() {
                continue;
            }
            with_body += 1;
            for status in ["400", "413", "415", "422"] {
                let answer = &op["responses"][status];
                assert!(
                    answer["content"]["application/problem+json"].is_object(),
                    "{method} {path} does not document {status}: {answer}"
                );
            }
        }
    }
    assert!(with_body >= 10, "only {with_body} routes take a body?");
}

/// The functions serve the committed `shared/openapi.json`; it must be what the routes'
/// annotations generate today.
#[test]
fn the_committed_document_is_the_one_the_code_generates() {
    let committed: serde_json::Value =
        serde_json::from_str(shop::api::openapi::COMMITTED).expect("shared/openapi.json is JSON");
    assert!(
        committed == shop::api::openapi::generate(),
        "shared/openapi.json is not the document the routes generate: run `make openapi` and \
         commit the result"
    );
}
