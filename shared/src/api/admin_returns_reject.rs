//! `POST /api/v1/admin/returns/{id}/reject`: a requested return is refused with a note to the
//! customer; its units may be asked for again (`orders::returns::reject`).

use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::domain::text;
use crate::error::{ApiError, Problem};
use crate::http::{Admin, Json};
use crate::orders::{self, returns, returns::ReturnView};
use crate::state::{AppState, Need};

pub const ROUTE: Route = Route {
    name: "admin_returns_reject",
    needs: &[Need::TableWrite, Need::AccessTokens, Need::Queue],
    router: || OpenApiRouter::new().routes(routes!(admin_returns_reject)),
    serve: serve!(admin_returns_reject),
};

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectRequest {
    /// Why, for the customer (emailed).
    #[schema(schema_with = crate::domain::schema::text::<1000>)]
    pub note: String,
}

#[utoipa::path(post, path = "/api/v1/admin/returns/{id}/reject", tag = "admin",
    params(("id" = String, Path, description = "The return id")),
    request_body = RejectRequest, security(("bearer" = [])),
    responses(
        (status = 200, description = "The return, `rejected`", body = ReturnView),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 403, description = "`forbidden`: not an admin", body = Problem),
        (status = 404, description = "`not_found`", body = Problem),
        (status = 409, description = "`invalid_transition`: received, refunded or rejected already", body = Problem),
        (status = 422, description = "`validation_failed`: an empty or over-long note", body = Problem),
        (status = 429, description = "`busy`: the order kept changing; try again", body = Problem)))]
pub async fn admin_returns_reject(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<String>,
    Json(req): Json<RejectRequest>,
) -> Result<Json<ReturnView>, ApiError> {
    let note = text::clean(&req.note, 1000).map_err(|e| ApiError::field("note", e))?;
    let (ret, _order, mails, events) = returns::reject(&state, &id, &note).await?;
    orders::post(&state, mails).await;
    orders::announce(&state, events).await;
    Ok(Json(ReturnView::new(ret)))
}
