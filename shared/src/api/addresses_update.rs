//! `PUT /api/v1/me/addresses/{id}`: replaces one of the user's addresses. Another user's
//! address is 404, as if it did not exist.

use axum::extract::{Path, State};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::accounts::address::{AddressInput, AddressView};
use crate::domain::id::is_ulid;
use crate::error::{ApiError, Problem};
use crate::http::AuthUser;
use crate::http::Json;
use crate::state::{AppState, Need};
use crate::store::addresses::{self, ChangeAddressError};

pub const ROUTE: Route = Route {
    name: "addresses_update",
    needs: &[Need::TableWrite, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(addresses_update)),
    serve: serve!(addresses_update),
};

#[utoipa::path(put, path = "/api/v1/me/addresses/{id}", tag = "account", request_body = AddressInput,
    params(("id" = String, Path, description = "The address id")), security(("bearer" = [])),
    responses(
        (status = 200, description = "The address as now saved", body = AddressView),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 404, description = "`not_found` (also another user's address)", body = Problem),
        (status = 422, description = "`validation_failed`", body = Problem)))]
pub async fn addresses_update(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(req): Json<AddressInput>,
) -> Result<Json<AddressView>, ApiError> {
    if !is_ulid(&id) {
        return Err(ApiError::NotFound);
    }
    let table = state.table();
    let existing = addresses::get(table, user.id(), &id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let (address, make_default) = req.into_address(existing.id, existing.created_at)?;
    let is_default = addresses::replace(table, user.id(), &address, make_default)
        .await
        .map_err(|e| match e {
            ChangeAddressError::NotFound => ApiError::NotFound,
            ChangeAddressError::Store(e) => e.into(),
        })?;
    let default_id = is_default.then_some(address.id.clone());
    Ok(Json(AddressView::new(address, default_id.as_deref())))
}
