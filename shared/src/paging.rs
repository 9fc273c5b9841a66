//! Cursor pagination: `?limit=` (1..=100, default 20) and `?cursor=`, answered as
//! `{"items": [...], "next_cursor": "..." | null}`.
//!
//! A cursor is DynamoDB's LastEvaluatedKey (or, for lists kept in memory, the position a page
//! ended at), base64url-encoded and signed with an HMAC over the
//! list it belongs to (its scope, such as one user's notifications). A forged cursor, or one
//! from another list or another user, is `400 invalid_cursor`, never a 500.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::types::AttributeValue;
use axum::extract::Query;
use axum::http::Uri;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::crypto::{hmac_b64, hmac_matches};
use crate::error::ApiError;

pub const DEFAULT_LIMIT: i32 = 20;
pub const MAX_LIMIT: i32 = 100;

/// One page of a list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct List<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// Where a page starts and how long it is.
#[derive(Debug, Clone)]
pub struct Page {
    pub limit: i32,
    pub start: Option<HashMap<String, AttributeValue>>,
}

#[derive(Deserialize)]
struct RawPage {
    limit: Option<String>,
    cursor: Option<String>,
}

impl Page {
    /// Reads `limit` and `cursor` from a request URI; `scope` names the list being paged.
    pub fn from_uri(uri: &Uri, key: &[u8], scope: &str) -> Result<Self, ApiError> {
        let Query(raw) = Query::<RawPage>::try_from_uri(uri)
            .map_err(|e| ApiError::field("query", e.body_text()))?;
        let limit = checked_limit(raw.limit.as_deref())?;
        let start = match raw.cursor.as_deref() {
            None | Some("") => None,
            Some(cursor) => Some(decode(cursor, key, scope).ok_or(ApiError::InvalidCursor)?),
        };
        Ok(Self { limit, start })
    }
}

/// The cursor for the page after one that ended at `last_key` (none when the list is done).
pub fn next_cursor(
    last_key: Option<HashMap<String, AttributeValue>>,
    key: &[u8],
    scope: &str,
) -> Option<String> {
    let plain: BTreeMap<String, String> = last_key?
        .into_iter()
        .filter_map(|(k, v)| v.as_s().ok().map(|s| (k, s.clone())))
        .collect();
    seal(&plain, key, scope)
}

fn decode(cursor: &str, key: &[u8], scope: &str) -> Option<HashMap<String, AttributeValue>> {
    let plain: BTreeMap<String, String> = open(cursor, key, scope)?;
    Some(
        plain
            .into_iter()
            .map(|(k, v)| (k, AttributeValue::S(v)))
            .collect(),
    )
}

/// `position` as a cursor: base64url JSON with an HMAC over it and the list's `scope`.
pub fn seal<T: Serialize>(position: &T, key: &[u8], scope: &str) -> Option<String> {
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(position).ok()?);
    let tag = hmac_b64(key, format!("{scope}|{payload}").as_bytes());
    Some(format!("{payload}.{tag}"))
}

/// The position a cursor carries, when it was sealed with `key` for `scope`.
pub fn open<T: DeserializeOwned>(cursor: &str, key: &[u8], scope: &str) -> Option<T> {
    if cursor.len() > 2048 {
        return None;
    }
    let (payload, tag) = cursor.split_once('.')?;
    if !hmac_matches(key, format!("{scope}|{payload}").as_bytes(), tag) {
        return None;
    }
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
}

/// `?limit=` and the position `?cursor=` carries, for lists that page on their own positions
/// rather than DynamoDB's keys; a cursor not sealed for `scope` is `400 invalid_cursor`.
pub fn limit_and_position<T: DeserializeOwned>(
    uri: &Uri,
    key: &[u8],
    scope: &str,
) -> Result<(usize, Option<T>), ApiError> {
    let Query(raw) =
        Query::<RawPage>::try_from_uri(uri).map_err(|e| ApiError::field("query", e.body_text()))?;
    let limit = checked_limit(raw.limit.as_deref())? as usize;
    let position = match raw.cursor.as_deref() {
        None | Some("") => None,
        Some(cursor) => Some(open(cursor, key, scope).ok_or(ApiError::InvalidCursor)?),
    };
    Ok((limit, position))
}

fn checked_limit(raw: Option<&str>) -> Result<i32, ApiError> {
    match raw {
        None | Some("") => Ok(DEFAULT_LIMIT),
        Some(v) => v
            .parse::<i32>()
            .ok()
            .filter(|l| (1..=MAX_LIMIT).contains(l))
            .ok_or_else(|| ApiError::field("limit", "must be a whole number from 1 to 100")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_of(pk: &str, sk: &str) -> HashMap<String, AttributeValue> {
        HashMap::from([
            ("PK".to_owned(), AttributeValue::S(pk.into())),
            ("SK".to_owned(), AttributeValue::S(sk.into())),
        ])
    }

    #[test]
    fn cursors_round_trip_within_their_scope_only() {
        let k = b"secret";
        let cursor = next_cursor(Some(key_of("USER#1", "NOTE#5")), k, "notes:1").unwrap();
        assert_eq!(
            decode(&cursor, k, "notes:1"),
            Some(key_of("USER#1", "NOTE#5"))
        );
        assert_eq!(decode(&cursor, k, "notes:2"), None, "another user's list");
        assert_eq!(decode(&cursor, b"other key", "notes:1"), None);
        let (payload, tag) = cursor.split_once('.').unwrap();
        let forged_payload = URL_SAFE_NO_PAD.encode(br#"{"PK":"USER#2","SK":"NOTE#9"}"#);
        assert_eq!(
            decode(&format!("{forged_payload}.{tag}"), k, "notes:1"),
            None
        );
        assert_eq!(decode(payload, k, "notes:1"), None);
        assert_eq!(decode("%%%.!!!", k, "notes:1"), None);
        assert!(next_cursor(None, k, "notes:1").is_none());
    }

    #[test]
    fn limits_are_bounded() {
        let uri = |q: &str| q.parse::<Uri>().unwrap();
        assert_eq!(Page::from_uri(&uri("/x"), b"k", "s").unwrap().limit, 20);
        assert_eq!(
            Page::from_uri(&uri("/x?limit=100"), b"k", "s")
                .unwrap()
                .limit,
            100
        );
        for bad in ["/x?limit=0", "/x?limit=101", "/x?limit=ten", "/x?limit=-1"] {
            assert!(
                matches!(
                    Page::from_uri(&uri(bad), b"k", "s"),
                    Err(ApiError::Validation(_))
                ),
                "{bad}"
            );
        }
        assert!(matches!(
            Page::from_uri(&uri("/x?cursor=abc.def"), b"k", "s"),
            Err(ApiError::InvalidCursor)
        ));
    }
}
