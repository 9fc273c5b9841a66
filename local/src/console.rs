//! The admin console (`admin/`, built into `admin/dist`) at `/admin/`, as CloudFront serves it
//! on AWS: the files as they are, and `index.html` for every other path under `/admin/` (the
//! app's own routes, so a reload or a typed URL works).

use std::path::{Path, PathBuf};

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{Redirect, Response};
use axum::routing::get;
use tower_http::services::{ServeDir, ServeFile};

/// `admin/dist` of this repository, wherever the server is started from.
pub fn default_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../admin/dist")
}

/// `services` is where the bucket is (moto): the console shows product images from there and
/// uploads to it, so the page's Content-Security-Policy names it beside the page's own origin.
pub fn router(dir: &Path, services: &str) -> Router {
    let index = ServeFile::new(dir.join("index.html"));
    let policy = HeaderValue::try_from(policy(services))
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"));
    Router::new()
        .route("/admin", get(|| async { Redirect::permanent("/admin/") }))
        .nest_service("/admin/", ServeDir::new(dir).fallback(index))
        .layer(axum::middleware::map_response(move |mut r: Response| {
            let policy = policy.clone();
            async move {
                r.headers_mut()
                    .insert(header::CONTENT_SECURITY_POLICY, policy);
                r
            }
        }))
}

/// The console's own scripts and styles only, and the API and the bucket as the only other
/// places it talks to (the same policy CloudFront sends on AWS; see template.yaml).
fn policy(services: &str) -> String {
    let services = services.trim_end_matches('/');
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' blob: data: {services}; connect-src 'self' {services}; \
         frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )
}
