//! The admin console's serving and deploying (its pages are tested in a browser by
//! `admin/e2e/`, which `make test` runs): the local server serves a build at `/admin/` with the
//! app's routes falling back to its `index.html` and a policy naming only the API and the bucket;
//! `infra/deploy_admin.py` uploads a build to the bucket with its `config.json`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::helpers::{TestApp, env_or, unique};

/// A console build of two files, as `vite build` lays it out.
fn fake_build(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("shop-console-{tag}-{}", unique()));
    std::fs::create_dir_all(dir.join("assets")).unwrap();
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><title>console</title><script type=module src=/admin/assets/app-1.js></script>",
    )
    .unwrap();
    std::fs::write(dir.join("assets/app-1.js"), "console.log('app')").unwrap();
    dir
}

#[tokio::test]
async fn the_local_server_serves_the_console_and_its_routes_fall_back_to_the_app() {
    let dir = fake_build("serve");
    let app = TestApp::spawn_with(|o| o.admin_dir = Some(dir.clone())).await;
    let moto = env_or("TEST_AWS_SERVICES_ENDPOINT_URL", "http://127.0.0.1:15050");

    let index = app.get("/admin/").await;
    assert_eq!(index.status(), 200);
    let policy = index.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(policy.contains("script-src 'self'"), "{policy}");
    assert!(
        policy.contains(&format!("connect-src 'self' {moto}")),
        "{policy}"
    );
    assert!(!policy.contains("unsafe-eval"), "{policy}");
    assert!(
        index
            .text()
            .await
            .unwrap()
            .contains("<title>console</title>")
    );

    // A route of the app (a reload, a typed URL) is the app.
    let deep = app.get("/admin/orders/01ABC").await;
    assert_eq!(deep.status(), 200);
    assert!(
        deep.text()
            .await
            .unwrap()
            .contains("<title>console</title>")
    );

    let script = app.get("/admin/assets/app-1.js").await;
    assert_eq!(script.status(), 200);
    assert!(
        script.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("javascript")
    );
    assert_eq!(script.text().await.unwrap(), "console.log('app')");

    // The API is untouched by the console's policy.
    let health = app.get("/api/v1/health").await;
    assert_eq!(
        health.headers()["content-security-policy"],
        "default-src 'none'; frame-ancestors 'none'"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// An S3 client of moto's, as the shop's own is made.
async fn moto_s3() -> aws_sdk_s3::Client {
    let moto = env_or("TEST_AWS_SERVICES_ENDPOINT_URL", "http://127.0.0.1:15050");
    let config = shop::config::Config::for_needs(&[], |k| {
        (k == "AWS_SERVICES_ENDPOINT_URL").then(|| moto.clone())
    })
    .unwrap();
    let sdk = shop::aws::sdk_config(&config.endpoints).await;
    let s3 = aws_sdk_s3::config::Builder::from(&sdk)
        .endpoint_url(moto)
        .force_path_style(true)
        .build();
    aws_sdk_s3::Client::from_conf(s3)
}

#[tokio::test]
async fn the_deploy_script_uploads_a_build_with_its_config_and_drops_the_old_one() {
    let moto = env_or("TEST_AWS_SERVICES_ENDPOINT_URL", "http://127.0.0.1:15050");
    let s3 = moto_s3().await;
    let bucket = format!("console-{}", unique().to_lowercase());
    s3.create_bucket().bucket(&bucket).send().await.unwrap();
    // What an older build left.
    s3.put_object()
        .bucket(&bucket)
        .key("admin/assets/app-0.js")
        .body(b"old".to_vec().into())
        .send()
        .await
        .unwrap();

    let dist = fake_build("deploy");
    let out = Command::new(repo().join(".venv/bin/python"))
        .arg(repo().join("infra/deploy_admin.py"))
        .args([
            "--bucket",
            &bucket,
            "--api-url",
            "https://api.example.com/api/v1/",
        ])
        .args(["--endpoint-url", &moto, "--dist"])
        .arg(&dist)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .output()
        .expect("the project's .venv has Python (make test installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let get = |key: &'static str| s3.get_object().bucket(&bucket).key(key).send();
    let config = get("admin/config.json").await.unwrap();
    assert_eq!(config.cache_control(), Some("no-cache"));
    assert_eq!(config.content_type(), Some("application/json"));
    let body = config.body.collect().await.unwrap().into_bytes();
    let config: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(config["api_url"], "https://api.example.com/api/v1");

    let index = get("admin/index.html").await.unwrap();
    assert_eq!(index.cache_control(), Some("no-cache"));
    assert!(index.content_type().unwrap().starts_with("text/html"));
    let script = get("admin/assets/app-1.js").await.unwrap();
    assert_eq!(
        script.cache_control(),
        Some("public, max-age=31536000, immutable")
    );
    assert!(
        script
            .content_type()
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(
        get("admin/assets/app-0.js").await.is_err(),
        "the old build is gone"
    );
    std::fs::remove_dir_all(dist).unwrap();
}
