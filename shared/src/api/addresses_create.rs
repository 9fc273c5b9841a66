//! `POST /api/v1/me/addresses`: saves an address. The first one is the default.

use axum::extract::State;
use axum::http::{HeaderName, StatusCode, header};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::accounts::{
    self,
    address::{AddressInput, AddressView},
};
use crate::error::{ApiError, Problem};
use crate::http::AuthUser;
use crate::http::Json;
use crate::state::{AppState, Need};
use crate::store::addresses::{self, CreateAddressError, MAX_ADDRESSES};

pub const ROUTE: Route = Route {
    name: "addresses_create",
    needs: &[Need::TableWrite, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(addresses_create)),
    serve: serve!(addresses_create),
};

#[utoipa::path(post, path = "/api/v1/me/addresses", tag = "account", request_body = AddressInput, security(("bearer" = [])),
    responses(
        (status = 201, description = "The saved address", body = AddressView, headers(("Location" = String, description = "The address: `/api/v1/me/addresses/{id}`"))),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 422, description = "`validation_failed`, also past 20 addresses", body = Problem)))]
pub async fn addresses_create(
    State(state): State<AppState>,
    user: AuthUser,
    Json(req): Json<AddressInput>,
) -> Result<(StatusCode, [(HeaderName, String); 1], Json<AddressView>), ApiError> {
    let (address, make_default) = req.into_address(
        ulid::Ulid::new().to_string(),
        accounts::rfc3339(accounts::now()),
    )?;
    let is_default = addresses::create(state.table(), user.id(), &address, make_default)
        .await
        .map_err(|e| match e {
            CreateAddressError::TooMany => ApiError::field(
                "addresses",
                format!("at most {MAX_ADDRESSES} addresses can be saved"),
            ),
            CreateAddressError::UserGone => ApiError::InvalidAccessToken,
            CreateAddressError::Store(e) => e.into(),
        })?;
    let default_id = is_default.then_some(address.id.clone());
    let location = format!("/api/v1/me/addresses/{}", address.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(AddressView::new(address, default_id.as_deref())),
    ))
}
