//! `DELETE /api/v1/cart`: empties the caller's cart (its lines and its coupon) → 204.

use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::cart::{self, Caller};
use crate::error::{ApiError, Problem};
use crate::state::{AppState, Need};

pub const ROUTE: Route = Route {
    name: "cart_clear",
    needs: &[Need::TableWrite, Need::AccessTokens, Need::Queue],
    router: || OpenApiRouter::new().routes(routes!(cart_clear)),
    serve: serve!(cart_clear),
};

#[utoipa::path(delete, path = "/api/v1/cart", tag = "cart",
    params(("X-Cart-Token" = Option<String>, Header, description = "A guest's cart token")),
    security((), ("bearer" = [])),
    responses(
        (status = 204, description = "The cart is empty"),
        (status = 401, description = "`invalid_access_token` or `invalid_cart_token`", body = Problem),
        (status = 404, description = "`cart_not_found`: a guest with no cart, or one merged or expired", body = Problem)))]
pub async fn cart_clear(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<StatusCode, ApiError> {
    cart::change(&state, &caller, false, |cart| {
        cart.lines.clear();
        cart.coupon = None;
        Ok(None)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
