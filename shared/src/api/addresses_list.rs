//! `GET /api/v1/me/addresses`: the user's saved addresses (at most 20, so one page).

use axum::extract::State;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::accounts::address::AddressView;
use crate::error::{ApiError, Problem};
use crate::http::AuthUser;
use crate::http::Json;
use crate::paging::List;
use crate::state::{AppState, Need};
use crate::store::addresses;

pub const ROUTE: Route = Route {
    name: "addresses_list",
    needs: &[Need::TableRead, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(addresses_list)),
    serve: serve!(addresses_list),
};

#[utoipa::path(get, path = "/api/v1/me/addresses", tag = "account", security(("bearer" = [])),
    responses(
        (status = 200, description = "Every saved address, the default first", body = List<AddressView>),
        (status = 401, description = "No valid access token", body = Problem)))]
pub async fn addresses_list(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<Json<List<AddressView>>, ApiError> {
    let default_id = user.user.default_address_id.as_deref();
    let mut items: Vec<AddressView> = addresses::list(state.reader(), user.id())
        .await?
        .into_iter()
        .map(|a| AddressView::new(a, default_id))
        .collect();
    items.sort_by(|a, b| {
        b.is_default
            .cmp(&a.is_default)
            .then(a.created_at.cmp(&b.created_at))
    });
    Ok(Json(List {
        items,
        next_cursor: None,
    }))
}
