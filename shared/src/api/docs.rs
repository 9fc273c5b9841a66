//! `GET /api/v1/docs`: the interactive API explorer (Swagger UI) over the served OpenAPI
//! document; `api::docs_assets` serves the files it loads. The assets are swagger-ui-dist from the
//! npm registry, vendored in `shared/assets/explorer/` by `infra/vendor-explorer.sh` and
//! compiled into this function: the page asks no other host for anything (its validator badge
//! is switched off), and its Content-Security-Policy says so to the browser.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;

pub const ROUTE: Route = Route {
    name: "docs",
    needs: &[],
    router: || OpenApiRouter::new().routes(routes!(docs)),
    serve: serve!(docs),
};

/// The vendored swagger-ui-dist release (its version names the asset paths, so they can be
/// cached for good).
pub(super) const VERSION: &str = include_str!("../../assets/explorer/VERSION");

/// Everything the page loads comes from this API; styles inline because Swagger UI sets some.
const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                      img-src 'self' data:; connect-src 'self'; base-uri 'none'; \
                      form-action 'none'; frame-ancestors 'none'";

/// The page: relative links, so it works under any stage or path prefix.
fn page() -> String {
    let v = VERSION.trim();
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Shop API explorer</title>
<link rel="stylesheet" href="docs/{v}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="docs/{v}/swagger-ui-bundle.js"></script>
<script src="docs/{v}/init.js"></script>
</body>
</html>
"#
    )
}

/// Starts Swagger UI on the document next to this page, with no validator (it would send the
/// document to validator.swagger.io).
pub(super) const INIT: &str = r##"window.ui = SwaggerUIBundle({
  url: new URL("openapi.json", document.baseURI).href,
  dom_id: "#swagger-ui",
  validatorUrl: null,
  deepLinking: true,
  tryItOutEnabled: false,
  persistAuthorization: false
});
"##;

pub(super) fn answer(
    content_type: &'static str,
    cache: &'static str,
    body: impl Into<axum::body::Body>,
) -> Response {
    let mut response = (StatusCode::OK, body.into()).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

#[utoipa::path(get, path = "/api/v1/docs", tag = "health",
    responses((status = 200, description = "The API explorer, an HTML page over `/api/v1/openapi.json`", content((String = "text/html")))))]
pub async fn docs() -> Response {
    answer("text/html; charset=utf-8", "public, max-age=300", page())
}
