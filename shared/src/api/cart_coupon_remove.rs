//! `DELETE /api/v1/cart/coupon`: takes the coupon off the caller's cart (none on it is fine).

use axum::extract::State;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::cart::{self, Caller, CartView};
use crate::error::{ApiError, Problem};
use crate::http::Json;
use crate::state::{AppState, Need};

pub const ROUTE: Route = Route {
    name: "cart_coupon_remove",
    needs: &[Need::TableWrite, Need::AccessTokens, Need::Queue],
    router: || OpenApiRouter::new().routes(routes!(cart_coupon_remove)),
    serve: serve!(cart_coupon_remove),
};

#[utoipa::path(delete, path = "/api/v1/cart/coupon", tag = "cart",
    params(("X-Cart-Token" = Option<String>, Header, description = "A guest's cart token")),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The cart without a coupon", body = CartView),
        (status = 401, description = "`invalid_access_token` or `invalid_cart_token`", body = Problem),
        (status = 404, description = "`cart_not_found`: a guest with no cart, or one merged or expired", body = Problem)))]
pub async fn cart_coupon_remove(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<CartView>, ApiError> {
    let view = cart::change(&state, &caller, false, |cart| {
        cart.coupon = None;
        Ok(None)
    })
    .await?;
    Ok(Json(view))
}
