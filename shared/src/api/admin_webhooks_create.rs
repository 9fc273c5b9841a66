//! `POST /api/v1/admin/webhooks`: subscribes a URL to events. The URL must be https and
//! resolve only to public addresses (`webhooks::address`; the local stack lifts both rules);
//! the answer shows the signing secret, this once.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::accounts;
use crate::error::{ApiError, FieldError, Problem};
use crate::http::{Admin, Json};
use crate::notify::EventKind;
use crate::state::{AppState, Need};
use crate::store::webhooks::{self, Subscription};
use crate::webhooks::address;

pub const ROUTE: Route = Route {
    name: "admin_webhooks_create",
    needs: &[Need::TableWrite, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(admin_webhooks_create)),
    serve: serve!(admin_webhooks_create),
};

/// At most this many subscriptions (each event is one message per subscription).
pub const MAX_SUBSCRIPTIONS: usize = 25;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscribeRequest {
    /// An https URL whose host resolves only to public addresses.
    #[schema(max_length = 2048, pattern = "^\\s*https?://")]
    pub url: String,
    /// The events to receive, each at most once.
    #[schema(min_items = 1, max_items = 9)]
    pub events: Vec<EventKind>,
}

/// A subscription as admins see it (its secret only when it is made).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WebhookView {
    pub id: String,
    pub url: String,
    pub events: Vec<EventKind>,
    /// The `Shop-Signature` HMAC key: in the 201 answer only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    pub created_at: String,
}

impl WebhookView {
    pub fn new(sub: Subscription, with_secret: bool) -> Self {
        Self {
            id: sub.id,
            url: sub.url,
            events: sub.events,
            secret: with_secret.then_some(sub.secret),
            created_at: sub.created_at,
        }
    }
}

#[utoipa::path(post, path = "/api/v1/admin/webhooks", tag = "admin",
    request_body = SubscribeRequest, security(("bearer" = [])),
    responses(
        (status = 201, description = "The subscription, with its signing `secret` (shown only now)", body = WebhookView, headers(("Location" = String, description = "Its deliveries: `/api/v1/admin/webhooks/{id}/deliveries`"))),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 403, description = "`forbidden`: not an admin", body = Problem),
        (status = 422, description = "`validation_failed`: a URL that is not https, carries credentials, or resolves to a private, loopback, link-local or metadata address; an unknown or repeated event; too many subscriptions", body = Problem)))]
pub async fn admin_webhooks_create(
    State(state): State<AppState>,
    _admin: Admin,
    Json(req): Json<SubscribeRequest>,
) -> Result<Response, ApiError> {
    let mut errors = Vec::new();
    if let Err(e) =
        address::resolve(req.url.trim(), state.is_local(), &address::SystemResolver).await
    {
        errors.push(FieldError::new("url", e));
    }
    let mut events: Vec<EventKind> = Vec::new();
    for (i, kind) in req.events.iter().enumerate() {
        if events.contains(kind) {
            errors.push(FieldError::new(format!("events[{i}]"), "is listed twice"));
        }
        events.push(*kind);
    }
    if events.is_empty() {
        errors.push(FieldError::new("events", "must name at least one event"));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    if webhooks::all(state.reader()).await?.len() >= MAX_SUBSCRIPTIONS {
        return Err(ApiError::field(
            "url",
            format!("at most {MAX_SUBSCRIPTIONS} subscriptions; delete one first"),
        ));
    }
    let sub = Subscription {
        id: ulid::Ulid::new().to_string(),
        url: req.url.trim().to_owned(),
        events,
        secret: format!("whsec_{}", crate::crypto::random_token(24)),
        created_at: accounts::rfc3339(accounts::now()),
    };
    webhooks::create(state.table(), &sub).await?;
    let location = format!("/api/v1/admin/webhooks/{}/deliveries", sub.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(WebhookView::new(sub, true)),
    )
        .into_response())
}
