//! The API explorer (`GET /api/v1/docs`) loads in headless Chromium (Debian's package, which
//! `make test` installs), lists the routes of the served OpenAPI document, and nothing it loads
//! leaves 127.0.0.1 (every URL in Chromium's network log is checked).

use std::process::Command;

use crate::helpers::{TestApp, unique};

/// Every URL Chromium's network log shows the page asking for: requests whose initiator is
/// `origin` (Chromium's own background requests, such as its component updater, have none).
fn requested_urls(net_log: &str, origin: &str) -> Vec<String> {
    let log: serde_json::Value = serde_json::from_str(net_log)
        // Chromium may end the log without closing it; close it.
        .or_else(|_| {
            serde_json::from_str(&format!("{}]}}", net_log.trim_end().trim_end_matches(',')))
        })
        .expect("Chromium's network log is JSON");
    log["events"]
        .as_array()
        .expect("the log has events")
        .iter()
        .filter(|e| e["params"]["initiator"].as_str() == Some(origin))
        .filter_map(|e| e["params"]["url"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn the_explorer_lists_the_routes_in_chromium_and_asks_no_other_host() {
    let app = TestApp::spawn().await;
    let page = app.url("/api/v1/docs");
    let served = app.get("/api/v1/docs").await;
    assert_eq!(served.status(), 200);
    assert!(
        served.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    assert_eq!(app.get("/api/v1/docs/0.0.0/init.js").await.status(), 404);

    let dir = std::env::temp_dir().join(format!("shop-explorer-{}", unique()));
    std::fs::create_dir_all(&dir).unwrap();
    let net_log = dir.join("net.json");
    let page_url = page.clone();
    let net_log_arg = format!("--log-net-log={}", net_log.display());
    let profile = format!("--user-data-dir={}", dir.join("profile").display());
    let output = tokio::task::spawn_blocking(move || {
        Command::new("chromium")
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--virtual-time-budget=20000",
                &profile,
                &net_log_arg,
                "--dump-dom",
                &page_url,
            ])
            .output()
            .expect("Chromium runs (make test installs Debian's chromium)")
    })
    .await
    .unwrap();
    let dom = String::from_utf8_lossy(&output.stdout).replace("<wbr>", "");
    assert!(
        dom.contains("swagger-ui"),
        "the page: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    for path in [
        "/api/v1/products",
        "/api/v1/checkout",
        "/api/v1/orders/{id}/returns",
        "/api/v1/admin/returns/{id}/receive",
    ] {
        assert!(dom.contains(path), "{path} is not listed");
    }
    let log = std::fs::read_to_string(&net_log).expect("Chromium wrote its network log");
    let origin = app.url("");
    let urls = requested_urls(&log, origin.trim_end_matches('/'));
    assert!(
        urls.iter().any(|u| u.ends_with("/api/v1/openapi.json")),
        "{urls:?}"
    );
    let outside: Vec<&String> = urls
        .iter()
        .filter(|u| u.starts_with("http") || u.starts_with("ws"))
        .filter(|u| !u.starts_with("http://127.0.0.1:"))
        .collect();
    assert!(outside.is_empty(), "requests left 127.0.0.1: {outside:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
