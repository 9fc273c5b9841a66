//! `GET /api/v1/cart`: the caller's cart (a signed-in user's, or a guest's by `X-Cart-Token`)
//! with each line's current price and stock status and the priced summary. With neither, an
//! empty cart. A guest token of a merged or expired cart is 404 `cart_not_found`.

use axum::extract::State;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::cart::{self, Caller, CartView};
use crate::error::{ApiError, Problem};
use crate::http::Json;
use crate::state::{AppState, Need};

pub const ROUTE: Route = Route {
    name: "cart_get",
    needs: &[Need::TableRead, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(cart_get)),
    serve: serve!(cart_get),
};

#[utoipa::path(get, path = "/api/v1/cart", tag = "cart",
    params(("X-Cart-Token" = Option<String>, Header, description = "A guest's cart token")),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The cart with its priced summary", body = CartView),
        (status = 401, description = "`invalid_access_token` or `invalid_cart_token`", body = Problem),
        (status = 404, description = "`cart_not_found`: the guest cart was merged or expired", body = Problem)))]
pub async fn cart_get(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<CartView>, ApiError> {
    Ok(Json(cart::read(&state, &caller).await?))
}
