//! `POST /api/v1/stripe/webhook`: Stripe's events. The signature is checked on the raw body
//! before anything is parsed (tolerance 300 s either way: a timestamp more than 300 s in the
//! future is refused too, unlike Stripe's libraries; docs/architecture.md says why); the event
//! id is recorded with a condition, the follow-up queued for the worker, and 200 answered at
//! once. An event already recorded is acknowledged and not queued again.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::error::{ApiError, Problem};
use crate::http::{ClientAddress, Json};
use crate::notify::{Job, enqueue_keyed};
use crate::state::{AppState, Need};
use crate::store::attempts::{self, Counting};
use crate::store::stripe_events;
use crate::stripe::event::Event;
use crate::stripe::signature::{self, TOLERANCE_SECS};

pub const ROUTE: Route = Route {
    name: "stripe_webhook",
    needs: &[Need::TableWrite, Need::Queue, Need::StripeWebhook],
    router: || OpenApiRouter::new().routes(routes!(stripe_webhook)),
    serve: serve!(stripe_webhook),
};

/// What a bad signature counts under.
const BAD_SIGNATURE: &str = "webhook_signature";

#[derive(Debug, Serialize, ToSchema)]
pub struct Received {
    pub received: bool,
    /// False when the event was received before, or is not one the shop acts on.
    pub queued: bool,
}

#[utoipa::path(post, path = "/api/v1/stripe/webhook", tag = "payments",
    params(("Stripe-Signature" = String, Header, description = "t=<unix time>,v1=<HMAC-SHA256 hex>[,v1=...]")),
    request_body(content = String, description = "A Stripe event, verified as raw bytes", content_type = "application/json"),
    responses(
        (status = 200, description = "Received (and queued once per event id)", body = Received),
        (status = 400, description = "`invalid_signature`; `malformed_json` for a signed body that is not an event", body = Problem),
        (status = 429, description = "`too_many_attempts` (with Retry-After): too many bad signatures from this source address in the hour (settings `limits.bad_webhook_signatures_per_hour`)", body = Problem),
        (status = 503, description = "`upstream_unavailable`: the follow-up could not be queued; Stripe retries", body = Problem)))]
pub async fn stripe_webhook(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Received>, ApiError> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let header = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    // Bad signatures are counted per source address (Stripe's own deliveries never fail it).
    let table = state.table();
    let per_hour = |l: &crate::domain::settings::Limits| l.bad_webhook_signatures_per_hour;
    attempts::within_hourly_limit(table, BAD_SIGNATURE, &client, per_hour, Counting::Failures)
        .await?;
    let verified = signature::verify(
        header,
        &body,
        &[state.stripe_webhook_secret()],
        now,
        TOLERANCE_SECS,
    );
    if let Err(e) = verified {
        tracing::warn!(error = %e, "a webhook call with a bad signature was refused");
        attempts::failed(table, BAD_SIGNATURE, &client).await?;
        return Err(ApiError::InvalidSignature);
    }
    attempts::give_back(table, BAD_SIGNATURE, &client).await?;
    let event = Event::parse(&body).map_err(|e| ApiError::MalformedJson(e.to_string()))?;
    if !event.acted_on() {
        return Ok(Json(Received {
            received: true,
            queued: false,
        }));
    }
    if !stripe_events::record(state.table(), &event.id, &event.kind, now).await? {
        tracing::info!(
            event = event.id,
            "a Stripe event received again; acknowledged"
        );
        return Ok(Json(Received {
            received: true,
            queued: false,
        }));
    }
    let job = Job::StripeEvent {
        event_id: event.id.clone(),
        kind: event.kind.clone(),
        object: event.data.object,
    };
    if let Err(e) = enqueue_keyed(state.queue(), format!("stripe-{}", event.id), job).await {
        tracing::error!(error = %e, event = event.id, "the follow-up could not be queued; Stripe will retry");
        stripe_events::forget(state.table(), &event.id).await?;
        return Err(ApiError::UpstreamUnavailable("the work queue"));
    }
    Ok(Json(Received {
        received: true,
        queued: true,
    }))
}
