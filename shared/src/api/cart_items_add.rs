//! `POST /api/v1/cart/items`: adds `quantity` of a variant's sku or a bundle's slug to the
//! caller's cart (to its line if there is one). A guest's first add makes their cart and
//! answers its `cart_token`. Stock is checked on the demand of the whole cart: 409
//! `insufficient_stock` past what is left.

use axum::extract::State;
use axum::http::{HeaderName, StatusCode, header};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::cart::{self, Caller, CartView, MAX_LINES, MAX_QUANTITY};
use crate::error::{ApiError, Problem};
use crate::http::Json;
use crate::state::{AppState, Need};

pub const ROUTE: Route = Route {
    name: "cart_items_add",
    needs: &[Need::TableWrite, Need::AccessTokens, Need::Queue],
    router: || OpenApiRouter::new().routes(routes!(cart_items_add)),
    serve: serve!(cart_items_add),
};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddItem {
    /// A product variant's sku, or a bundle's slug.
    #[schema(schema_with = crate::domain::schema::sku)]
    pub sku: String,
    /// 1 to 99.
    #[schema(minimum = 1, maximum = 99)]
    pub quantity: i64,
}

#[utoipa::path(post, path = "/api/v1/cart/items", tag = "cart", request_body = AddItem,
    params(("X-Cart-Token" = Option<String>, Header, description = "A guest's cart token")),
    security((), ("bearer" = [])),
    responses(
        (status = 201, description = "The cart (with `cart_token` for a guest)", body = CartView, headers(("Location" = String, description = "The line: `/api/v1/cart/items/{sku}`"))),
        (status = 401, description = "`invalid_access_token` or `invalid_cart_token`", body = Problem),
        (status = 404, description = "`not_found`: no such sku on sale; `cart_not_found`: the guest cart was merged or expired", body = Problem),
        (status = 409, description = "`insufficient_stock`: more than is left, naming the skus", body = Problem),
        (status = 422, description = "`validation_failed`: a quantity outside 1..=99 (also once added to the line), a second one-of-a-kind item, or a 91st line", body = Problem)))]
pub async fn cart_items_add(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<AddItem>,
) -> Result<(StatusCode, [(HeaderName, String); 1], Json<CartView>), ApiError> {
    let quantity = cart::quantity(req.quantity, false)?;
    let target = cart::target(&state, &req.sku).await?;
    let view = cart::change(&state, &caller, true, |cart| {
        let lines = cart.lines.len();
        match cart.lines.iter_mut().find(|l| l.sku == target.sku) {
            Some(line) => {
                let total = line.quantity + quantity;
                if total > MAX_QUANTITY {
                    return Err(ApiError::field(
                        "quantity",
                        format!(
                            "a line holds at most {MAX_QUANTITY}; {} already in the cart",
                            line.quantity
                        ),
                    ));
                }
                line.quantity = total;
            }
            None if lines >= MAX_LINES => {
                return Err(ApiError::field(
                    "sku",
                    format!("a cart holds at most {MAX_LINES} lines"),
                ));
            }
            None => cart.lines.push(target.line(quantity)),
        }
        Ok(Some(target.sku.clone()))
    })
    .await?;
    let location = format!("/api/v1/cart/items/{}", target.sku);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(view),
    ))
}
