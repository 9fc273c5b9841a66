//! `PATCH /api/v1/cart/items/{sku}`: sets a line's quantity (0 removes it). Growing a line is
//! checked against stock as an add is; 404 `not_in_cart` for a sku the cart does not hold.

use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::cart::{self, Caller, CartView};
use crate::error::{ApiError, Problem};
use crate::http::Json;
use crate::state::{AppState, Need};

pub const ROUTE: Route = Route {
    name: "cart_items_update",
    needs: &[Need::TableWrite, Need::AccessTokens, Need::Queue],
    router: || OpenApiRouter::new().routes(routes!(cart_items_update)),
    serve: serve!(cart_items_update),
};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetQuantity {
    /// 0 to 99; 0 removes the line.
    #[schema(minimum = 0, maximum = 99)]
    pub quantity: i64,
}

#[utoipa::path(patch, path = "/api/v1/cart/items/{sku}", tag = "cart", request_body = SetQuantity,
    params(("sku" = String, Path, description = "The line's sku"),
        ("X-Cart-Token" = Option<String>, Header, description = "A guest's cart token")),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The cart", body = CartView),
        (status = 401, description = "`invalid_access_token` or `invalid_cart_token`", body = Problem),
        (status = 404, description = "`not_in_cart`, or `cart_not_found`", body = Problem),
        (status = 409, description = "`insufficient_stock`", body = Problem),
        (status = 422, description = "`validation_failed`: a quantity outside 0..=99, or more than one of a one-of-a-kind item", body = Problem)))]
pub async fn cart_items_update(
    State(state): State<AppState>,
    caller: Caller,
    Path(sku): Path<String>,
    Json(req): Json<SetQuantity>,
) -> Result<Json<CartView>, ApiError> {
    let quantity = cart::quantity(req.quantity, true)?;
    let view = cart::change(&state, &caller, false, |cart| {
        let at = cart::line_at(cart, &sku)?;
        if quantity == 0 {
            cart.lines.remove(at);
            return Ok(None);
        }
        let grew = quantity > cart.lines[at].quantity;
        cart.lines[at].quantity = quantity;
        Ok(grew.then(|| cart.lines[at].sku.clone()))
    })
    .await?;
    Ok(Json(view))
}
