//! Answers to public reads that API Gateway, a CDN or a browser may keep: a short public
//! `Cache-Control` and a strong `ETag` (a digest of the body), and `304 Not Modified` with no
//! body when the client's `If-None-Match` already names it.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// How long a public read may be kept (staff changes show within a few seconds more).
pub const PUBLIC_MAX_AGE_SECS: u32 = 5;

/// `value` as JSON with a strong ETag, or 304 when `request` already holds that version.
pub fn public_json<T: Serialize>(request: &HeaderMap, value: &T) -> Response {
    let body = match serde_json::to_vec(value) {
        Ok(body) => body,
        Err(e) => return crate::error::ApiError::internal(e).into_response(),
    };
    let etag = format!("\"{}\"", crate::crypto::sha256_hex_bytes(&body));
    let cache = format!("public, max-age={PUBLIC_MAX_AGE_SECS}");
    let headers = [
        (
            header::ETAG,
            HeaderValue::from_str(&etag).expect("hex is a header value"),
        ),
        (
            header::CACHE_CONTROL,
            HeaderValue::from_str(&cache).expect("ASCII"),
        ),
    ];
    if matches_etag(request, &etag) {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    (
        headers,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

/// True when `If-None-Match` lists `etag` (or is `*`); weak validators compare by their tag.
fn matches_etag(request: &HeaderMap, etag: &str) -> bool {
    request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == "*" || tag == etag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_body_is_304_and_another_is_200() {
        let first = public_json(&HeaderMap::new(), &serde_json::json!({"a": 1}));
        assert_eq!(first.status(), 200);
        let etag = first.headers()[header::ETAG].clone();
        let mut asked = HeaderMap::new();
        asked.insert(header::IF_NONE_MATCH, etag.clone());
        let again = public_json(&asked, &serde_json::json!({"a": 1}));
        assert_eq!(again.status(), 304);
        assert_eq!(again.headers()[header::ETAG], etag);
        let changed = public_json(&asked, &serde_json::json!({"a": 2}));
        assert_eq!(changed.status(), 200);
        let mut list = HeaderMap::new();
        list.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_str(&format!("\"x\", W/{}", etag.to_str().unwrap())).unwrap(),
        );
        assert_eq!(
            public_json(&list, &serde_json::json!({"a": 1})).status(),
            304
        );
    }
}
