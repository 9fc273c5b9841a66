//! `POST /api/v1/admin/orders/{id}/status`: an admin moves an order along the state machine
//! (`processing`, `shipped`, `delivered`, or `cancelled`, which refunds a paid order in full),
//! with a tracking number, carrier, location and note. Each move appends a tracking entry and
//! an in-app notification, and queues the email API.md names.

use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::accounts;
use crate::domain::order::{Actor, OrderStatus};
use crate::domain::text;
use crate::error::{ApiError, FieldError, Problem};
use crate::http::{Admin, Json};
use crate::notify::{Event, EventKind};
use crate::orders::{self, Mail, OrderView, email, invalid, refund};
use crate::state::{AppState, Need};
use crate::store::orders::{self as store, Also, MoveError, TrackingEntry};

pub const ROUTE: Route = Route {
    name: "admin_orders_status",
    needs: &[
        Need::TableWrite,
        Need::AccessTokens,
        Need::Stripe,
        Need::Queue,
    ],
    router: || OpenApiRouter::new().routes(routes!(admin_orders_status)),
    serve: serve!(admin_orders_status),
};

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    /// `processing`, `shipped`, `delivered` or `cancelled`.
    #[schema(value_type = crate::domain::order::OrderStatus)]
    pub status: String,
    #[schema(schema_with = crate::domain::schema::optional_text::<100>)]
    pub tracking_number: Option<String>,
    #[schema(schema_with = crate::domain::schema::optional_text::<100>)]
    pub carrier: Option<String>,
    #[schema(schema_with = crate::domain::schema::optional_text::<200>)]
    pub location: Option<String>,
    #[schema(schema_with = crate::domain::schema::optional_text::<500>)]
    pub note: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/admin/orders/{id}/status", tag = "admin",
    params(("id" = String, Path, description = "The order id")),
    request_body = StatusChange, security(("bearer" = [])),
    responses(
        (status = 200, description = "The order after the move", body = OrderView),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 403, description = "`forbidden`: not an admin", body = Problem),
        (status = 404, description = "`not_found`", body = Problem),
        (status = 409, description = "`invalid_transition`: the state machine does not allow it (`paid` is set only by a payment)", body = Problem),
        (status = 422, description = "`validation_failed`: an unknown status or an over-long field", body = Problem),
        (status = 503, description = "`payment_provider_unavailable`: a cancelled paid order's refund failed; asking again retries it", body = Problem)))]
pub async fn admin_orders_status(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<String>,
    Json(req): Json<StatusChange>,
) -> Result<Json<OrderView>, ApiError> {
    let mut errors = Vec::new();
    let to: Option<OrderStatus> = crate::domain::variant_named(&req.status);
    if to.is_none() {
        errors.push(FieldError::new(
            "status",
            "must be processing, shipped, delivered or cancelled",
        ));
    }
    let tracking_number = text::optional(
        &mut errors,
        "tracking_number",
        req.tracking_number.as_deref(),
        100,
    );
    let carrier = text::optional(&mut errors, "carrier", req.carrier.as_deref(), 100);
    let location = text::optional(&mut errors, "location", req.location.as_deref(), 200);
    let note = text::optional(&mut errors, "note", req.note.as_deref(), 500);
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let to = to.expect("checked above");
    let mut order = store::get(state.reader(), &id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if to == OrderStatus::Cancelled {
        let done = refund::cancel(&state, order, Actor::Admin, note).await?;
        orders::post(&state, done.mails).await;
        orders::announce(&state, done.events).await;
        return Ok(Json(OrderView::from(&done.order)));
    }
    for _ in 0..6 {
        if !order.status.may_become(to, Actor::Admin) {
            return Err(invalid(order.status, to));
        }
        let at = accounts::rfc3339(accounts::now());
        let entry = TrackingEntry {
            status: to,
            at: at.clone(),
            note: note.clone(),
            location: location.clone(),
            tracking_number: tracking_number.clone(),
            carrier: carrier.clone(),
        };
        let notification = email::notification(&order, to, &at);
        let also = Also {
            count_purchase: false,
            notification: Some(&notification),
        };
        match store::transition(state.table(), &order, order.status, to, &entry, &[], &also).await {
            Ok(()) => {
                let order = store::get(state.reader(), &id)
                    .await?
                    .ok_or(ApiError::NotFound)?;
                let kind = match to {
                    OrderStatus::Processing => Some(EventKind::OrderProcessing),
                    OrderStatus::Shipped => Some(EventKind::OrderShipped),
                    OrderStatus::Delivered => Some(EventKind::OrderDelivered),
                    _ => None,
                };
                let events = kind.map(|k| Event::order(k, &order.id, "", &at));
                orders::announce(&state, events.into_iter().collect()).await;
                if matches!(to, OrderStatus::Shipped | OrderStatus::Delivered) {
                    let what = store::status_name(to);
                    let mail =
                        Mail::new(&order, what, email::update(&order, to, note.clone(), None));
                    orders::post(&state, mail.into_iter().collect()).await;
                }
                return Ok(Json(OrderView::from(&order)));
            }
            Err(MoveError::Moved | MoveError::Lapsed(_)) => {
                order = store::get(state.reader(), &id)
                    .await?
                    .ok_or(ApiError::NotFound)?;
            }
            Err(MoveError::Store(e)) => return Err(e.into()),
        }
    }
    Err(ApiError::Busy)
}
