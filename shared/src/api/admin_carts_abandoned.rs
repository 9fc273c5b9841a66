//! `GET /api/v1/admin/carts/abandoned`: open carts with lines and no change for
//! `abandoned_cart_minutes` (a setting, 30 by default), newest first, with their owner (or
//! guest), lines and value; paginated. Read from GSI2 (`CARTS#with_lines` by last change),
//! never a Scan.

use axum::extract::State;
use axum::http::Uri;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::accounts;
use crate::error::{ApiError, Problem};
use crate::http::{Admin, Json};
use crate::paging::{List, Page, next_cursor};
use crate::state::{AppState, Need};
use crate::store::carts::{self, Cart};
use crate::store::{settings, users};

pub const ROUTE: Route = Route {
    name: "admin_carts_abandoned",
    needs: &[Need::TableRead, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(admin_carts_abandoned)),
    serve: serve!(admin_carts_abandoned),
};

#[derive(Debug, Serialize, ToSchema)]
pub struct AbandonedCart {
    pub cart_id: String,
    /// The signed-in owner; `None` for a guest's cart.
    pub owner: Option<CartOwner>,
    pub lines: Vec<AbandonedLine>,
    /// What the lines came to at the prices they were added at (minor units).
    pub value: i64,
    pub currency: String,
    /// Locked to this pending order (checked out, not paid).
    pub pending_order: Option<String>,
    pub created_at: String,
    /// The last change: the cart is listed once this is older than the threshold.
    pub updated_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CartOwner {
    pub user_id: String,
    /// `None` when the account was deleted since.
    pub email: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AbandonedLine {
    pub sku: String,
    pub quantity: u32,
    pub unit_price: i64,
    pub line_total: i64,
}

#[utoipa::path(get, path = "/api/v1/admin/carts/abandoned", tag = "admin",
    params(
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "1..=100, default 20"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of abandoned carts, newest first", body = List<AbandonedCart>),
        (status = 400, description = "`invalid_cursor`", body = Problem),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 403, description = "`forbidden`: not an admin", body = Problem),
        (status = 422, description = "`validation_failed`: a bad `limit`", body = Problem)))]
pub async fn admin_carts_abandoned(
    State(state): State<AppState>,
    _admin: Admin,
    uri: Uri,
) -> Result<Json<List<AbandonedCart>>, ApiError> {
    let key = &state.auth().cursor_key;
    let page = Page::from_uri(&uri, key, "abandoned_carts")?;
    let settings = settings::current(state.reader()).await?;
    let now = accounts::now();
    let before = now - time::Duration::minutes(i64::from(settings.abandoned_cart_minutes));
    let (found, last) =
        carts::untouched_since(state.reader(), &accounts::rfc3339(before), &page).await?;
    let mut items = Vec::with_capacity(found.len());
    for cart in found {
        // A guest cart past its TTL is gone, whenever DynamoDB gets to deleting it.
        if cart.expires_at.is_some_and(|at| at <= now.unix_timestamp()) {
            continue;
        }
        let owner = match &cart.user_id {
            Some(id) => Some(CartOwner {
                user_id: id.clone(),
                email: users::get(state.reader(), id).await?.map(|u| u.email),
            }),
            None => None,
        };
        items.push(view(cart, owner, &settings.currency));
    }
    Ok(Json(List {
        items,
        next_cursor: next_cursor(last, key, "abandoned_carts"),
    }))
}

fn view(cart: Cart, owner: Option<CartOwner>, currency: &str) -> AbandonedCart {
    let lines: Vec<AbandonedLine> = cart
        .lines
        .iter()
        .map(|l| AbandonedLine {
            sku: l.sku.clone(),
            quantity: l.quantity,
            unit_price: l.price_at_add,
            line_total: l.price_at_add * i64::from(l.quantity),
        })
        .collect();
    AbandonedCart {
        cart_id: cart.id,
        owner,
        value: lines.iter().map(|l| l.line_total).sum(),
        lines,
        currency: currency.to_owned(),
        pending_order: cart.pending_order,
        created_at: cart.created_at,
        updated_at: cart.updated_at,
    }
}
