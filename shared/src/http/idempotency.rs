//! The `Idempotency-Key` header of money routes (API.md): the same key and body within 24 h
//! answer the first response and do nothing twice, also when several arrive at once (the
//! later ones wait for the first); the same key with another body is 422
//! `idempotency_key_reused`. Keys are the caller's own: two buyers' equal keys never meet.

use std::future::Future;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::{ApiError, PROBLEM_JSON};
use crate::state::AppState;
use crate::store::idempotency::{self, IdempotencyError, NextAction, Saved, Scope};

pub const HEADER: &str = "idempotency-key";

/// The longest `Idempotency-Key` (API.md: 1 to 255 printable characters).
pub const MAX_HEADER_LEN: usize = 255;

/// Checkouts: the claim outlasts a slow Stripe call.
pub const CHECKOUT: Scope = Scope {
    name: "checkout",
    lease: Duration::from_secs(60),
    keep_for: Duration::from_secs(24 * 3600),
};

/// Admin refunds.
pub const REFUND: Scope = Scope {
    name: "refund",
    lease: Duration::from_secs(60),
    keep_for: Duration::from_secs(24 * 3600),
};

/// How long a request waits for an earlier one with its key to finish.
const WAIT: Duration = Duration::from_secs(15);

/// Runs `work` once per `(owner, Idempotency-Key)`, or at once when no key was sent.
/// Answers of 5xx are not kept (the work may be tried again with the same key). A 201, first
/// or repeated, carries the `Location` that `location` reads from its body. When the owner is
/// a signed-in user (`home`), the kept answer lives in their account's partition, so that
/// deleting the account deletes it.
#[allow(clippy::too_many_arguments)]
pub async fn once<T, F, Fut>(
    state: &AppState,
    headers: &HeaderMap,
    scope: &Scope,
    owner: &str,
    home: Option<&str>,
    request: &impl Serialize,
    location: impl Fn(&serde_json::Value) -> Option<String>,
    work: F,
) -> Result<Response, ApiError>
where
    T: Serialize,
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<(StatusCode, T), ApiError>>,
{
    let Some(raw) = headers.get(HEADER) else {
        let (status, body) = work().await?;
        let saved = Saved {
            status: status.as_u16(),
            body: serde_json::to_string(&body).map_err(ApiError::internal)?,
        };
        return Ok(answer(&saved, &location));
    };
    let key = raw
        .to_str()
        .ok()
        .filter(|k| {
            (1..=MAX_HEADER_LEN).contains(&k.len()) && k.bytes().all(|b| (0x21..0x7f).contains(&b))
        })
        .ok_or_else(invalid_key)?;
    let stored_key = format!("{owner}:{key}");
    let body = serde_json::to_vec(request).map_err(ApiError::internal)?;
    let fingerprint = idempotency::fingerprint(&[owner.as_bytes(), &body]);
    let table = state.table();
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let now = time::OffsetDateTime::now_utc();
        match idempotency::try_start_at(table, scope, home, &stored_key, &fingerprint, now).await {
            Ok(NextAction::ReturnSaved(saved)) => return Ok(answer(&saved, &location)),
            Ok(NextAction::StartProcessing) => break,
            Err(IdempotencyError::InProgress) if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(IdempotencyError::InProgress) => return Err(ApiError::IdempotencyInProgress),
            Err(IdempotencyError::KeyReused) => return Err(ApiError::IdempotencyKeyReused),
            Err(IdempotencyError::InvalidKey) => return Err(invalid_key()),
            Err(IdempotencyError::Store(e)) => return Err(e.into()),
        }
    }
    let (status, body) = match work().await {
        Ok((status, body)) => (
            status,
            serde_json::to_string(&body).map_err(ApiError::internal)?,
        ),
        Err(err) if err.status().is_server_error() => {
            idempotency::release_at(table, scope, home, &stored_key).await?;
            return Err(err);
        }
        Err(err) => (
            err.status(),
            serde_json::to_string(&err.to_problem()).map_err(ApiError::internal)?,
        ),
    };
    let saved = Saved {
        status: status.as_u16(),
        body,
    };
    idempotency::save_at(table, scope, home, &stored_key, &saved).await?;
    Ok(answer(&saved, &location))
}

fn invalid_key() -> ApiError {
    ApiError::field(
        "Idempotency-Key",
        format!(
            "an idempotency key is 1 to {} printable ASCII characters",
            MAX_HEADER_LEN
        ),
    )
}

/// An answer (kept or new), as it was first given, with its `Location` when it is a 201.
fn answer(saved: &Saved, location: &impl Fn(&serde_json::Value) -> Option<String>) -> Response {
    let status = StatusCode::from_u16(saved.status).unwrap_or(StatusCode::OK);
    let content_type = if status.is_success() {
        "application/json"
    } else {
        PROBLEM_JSON
    };
    let mut response = (status, saved.body.clone()).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    let created = (status == StatusCode::CREATED)
        .then(|| serde_json::from_str(&saved.body).ok())
        .flatten()
        .and_then(|body| location(&body))
        .and_then(|l| HeaderValue::from_str(&l).ok());
    if let Some(l) = created {
        response.headers_mut().insert(header::LOCATION, l);
    }
    response
}
