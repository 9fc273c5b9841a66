//! The layers around every router: body limit (413), panics as problem documents (500),
//! problem documents for unknown paths and methods, security headers on every response, and one
//! access-log line per request carrying its request id.

use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower_http::catch_panic::CatchPanicLayer;

use super::json::BODY_LIMIT;
use crate::error::ApiError;

/// The header that carries the request id in and out.
pub const REQUEST_ID: &str = "x-request-id";

/// Wraps a router with the layers every route shares.
pub fn wrap(router: Router) -> Router {
    router
        .fallback(|| async { ApiError::NoSuchRoute })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn(refuse_oversized))
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::internal("a handler panicked").into_response()
        }))
        .layer(middleware::map_response(problems_only))
        .layer(middleware::map_response(security_headers))
        .layer(middleware::from_fn(access_log))
}

/// The headers every answer carries. `Cache-Control: no-store` is the default, since most
/// answers carry tokens or personal data (RFC 6749 §5.1 for tokens): a route whose answer may be
/// cached (a public catalog page) sets its own `Cache-Control`, and so may a page that needs its
/// own `Content-Security-Policy`.
async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(
            "default-src 'none'; frame-ancestors 'none'",
        ));
    response
}

/// Every error the API answers is a problem document: an error response that something
/// other than `ApiError` wrote (axum's own rejections, such as a path segment that is not
/// UTF-8, which it answers in plain text) is rewritten as one, keeping its status.
async fn problems_only(response: Response) -> Response {
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| {
            v.as_bytes()
                .starts_with(crate::error::PROBLEM_JSON.as_bytes())
        });
    if is_problem || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let body = axum::body::to_bytes(response.into_body(), 4096)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&body).trim().to_owned();
    let error = match status.as_u16() {
        404 => ApiError::NoSuchRoute,
        405 => ApiError::MethodNotAllowed,
        413 => ApiError::PayloadTooLarge { limit: BODY_LIMIT },
        415 => ApiError::UnsupportedMediaType,
        s if s < 500 => ApiError::MalformedRequest(text),
        _ => ApiError::internal(text),
    };
    error.into_response()
}

/// Refuses a body whose declared length is over the limit before anything reads it.
async fn refuse_oversized(req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    match declared {
        Some(len) if len > BODY_LIMIT => {
            ApiError::PayloadTooLarge { limit: BODY_LIMIT }.into_response()
        }
        _ => next.run(req).await,
    }
}

/// Logs one line per request (id, method, route, status, latency) and echoes the request id.
async fn access_log(mut req: Request, next: Next) -> Response {
    let request_id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| is_safe_id(v))
        .map(str::to_owned)
        .unwrap_or_else(|| ulid::Ulid::new().to_string());
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        req.headers_mut().insert(REQUEST_ID, value);
    }
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let started = Instant::now();
    let mut response = next.run(req).await;
    let status = response.status().as_u16();
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    if status >= 500 {
        tracing::error!(request_id, %method, route, status, latency_ms, "request");
    } else {
        tracing::info!(request_id, %method, route, status, latency_ms, "request");
    }
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    response
}

/// A caller-supplied request id is echoed only when it is short and plain.
fn is_safe_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::is_safe_id;

    #[test]
    fn only_plain_request_ids_are_trusted() {
        assert!(is_safe_id("01JABCDEF-xyz_1"));
        assert!(!is_safe_id(""));
        assert!(!is_safe_id("a\nb"));
        assert!(!is_safe_id(&"a".repeat(65)));
    }
}
