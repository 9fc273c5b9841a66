//! `DELETE /api/v1/cart/items/{sku}`: removes a line; 404 `not_in_cart` for a sku the cart
//! does not hold.

use axum::extract::{Path, State};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::cart::{self, Caller, CartView};
use crate::error::{ApiError, Problem};
use crate::http::Json;
use crate::state::{AppState, Need};

pub const ROUTE: Route = Route {
    name: "cart_items_delete",
    needs: &[Need::TableWrite, Need::AccessTokens, Need::Queue],
    router: || OpenApiRouter::new().routes(routes!(cart_items_delete)),
    serve: serve!(cart_items_delete),
};

#[utoipa::path(delete, path = "/api/v1/cart/items/{sku}", tag = "cart",
    params(("sku" = String, Path, description = "The line's sku"),
        ("X-Cart-Token" = Option<String>, Header, description = "A guest's cart token")),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The cart", body = CartView),
        (status = 401, description = "`invalid_access_token` or `invalid_cart_token`", body = Problem),
        (status = 404, description = "`not_in_cart`, or `cart_not_found`", body = Problem)))]
pub async fn cart_items_delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(sku): Path<String>,
) -> Result<Json<CartView>, ApiError> {
    let view = cart::change(&state, &caller, false, |cart| {
        let at = cart::line_at(cart, &sku)?;
        cart.lines.remove(at);
        Ok(None)
    })
    .await?;
    Ok(Json(view))
}
