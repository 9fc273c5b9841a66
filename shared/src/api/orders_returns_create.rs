//! `POST /api/v1/orders/{id}/returns`: the buyer asks to send units of a delivered order back
//! within the return window (`orders::returns::request`). The units in returns that are not
//! rejected never pass what was delivered, also under concurrent requests (a DynamoDB
//! condition on the order's counts).

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::domain::catalog::Sku;
use crate::domain::returns::ReturnReason;
use crate::domain::text;
use crate::error::{ApiError, FieldError, Problem};
use crate::http::Json;
use crate::orders::returns::{self, Asked, ReturnView};
use crate::orders::{self, Asker};
use crate::state::{AppState, Need};

pub const ROUTE: Route = Route {
    name: "orders_returns_create",
    needs: &[Need::TableWrite, Need::AccessTokens, Need::Queue],
    router: || OpenApiRouter::new().routes(routes!(orders_returns_create)),
    serve: serve!(orders_returns_create),
};

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnRequest {
    /// Each sku of the order at most once.
    #[schema(min_items = 1, max_items = 100)]
    pub lines: Vec<ReturnLineRequest>,
    pub reason: ReturnReason,
    #[schema(schema_with = crate::domain::schema::optional_text::<1000>)]
    pub comment: Option<String>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnLineRequest {
    /// A line's sku (a bundle's: its slug upper-cased).
    #[schema(schema_with = crate::domain::schema::sku)]
    pub sku: String,
    #[schema(schema_with = crate::domain::schema::int::<1, 99>)]
    pub quantity: u32,
}

#[utoipa::path(post, path = "/api/v1/orders/{id}/returns", tag = "orders",
    params(("id" = String, Path, description = "The order id"),
        ("token" = Option<String>, Query, description = "A guest's order token")),
    request_body = ReturnRequest, security((), ("bearer" = [])),
    responses(
        (status = 201, description = "The return, `requested`; the customer is emailed what to send back", body = ReturnView, headers(("Location" = String, description = "The order's returns: `/api/v1/orders/{id}/returns`"))),
        (status = 401, description = "`unauthenticated`", body = Problem),
        (status = 404, description = "`not_found` (also someone else's order)", body = Problem),
        (status = 409, description = "`invalid_state`: the order was not delivered", body = Problem),
        (status = 422, description = "`return_exceeds_delivered` (with `sku` and `returnable`); `return_window_closed`; `validation_failed`: a sku not in the order, twice, or a bad quantity, reason or comment", body = Problem),
        (status = 429, description = "`busy`: other returns of the order kept it changing; try again", body = Problem)))]
pub async fn orders_returns_create(
    State(state): State<AppState>,
    asker: Asker,
    Path(id): Path<String>,
    Json(req): Json<ReturnRequest>,
) -> Result<Response, ApiError> {
    let asked = read(req)?;
    let order = orders::owned(&state, &asker, &id).await?;
    let (ret, mails, events) = returns::request(&state, order, asked).await?;
    orders::post(&state, mails).await;
    orders::announce(&state, events).await;
    // The order was found, so its id is a plain ULID.
    let location = format!("/api/v1/orders/{id}/returns");
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(ReturnView::new(ret)),
    )
        .into_response())
}

/// The request checked field by field.
fn read(req: ReturnRequest) -> Result<Asked, ApiError> {
    let mut errors = Vec::new();
    if req.lines.is_empty() || req.lines.len() > 100 {
        errors.push(FieldError::new("lines", "must hold 1 to 100 lines"));
    }
    let mut lines: Vec<(String, u32)> = Vec::new();
    for (i, line) in req.lines.iter().enumerate() {
        match Sku::parse(&line.sku) {
            Ok(sku) if lines.iter().any(|(s, _)| s == sku.as_str()) => {
                errors.push(FieldError::new(format!("lines[{i}].sku"), "appears twice"));
            }
            Ok(sku) => lines.push((sku.as_str().to_owned(), line.quantity)),
            Err(e) => errors.push(FieldError::new(format!("lines[{i}].sku"), e)),
        }
        if !(1..=99).contains(&line.quantity) {
            errors.push(FieldError::new(
                format!("lines[{i}].quantity"),
                "must be 1 to 99",
            ));
        }
    }
    let comment = text::optional(&mut errors, "comment", req.comment.as_deref(), 1000);
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    Ok(Asked {
        lines,
        reason: req.reason,
        comment,
    })
}
