//! `GET /api/v1/admin/coupons`: every coupon, newest first, with its redemptions; paginated.

use axum::extract::State;
use axum::http::Uri;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use super::admin_coupons_create::CouponAdminView;
use crate::error::{ApiError, Problem};
use crate::http::{Admin, Json};
use crate::paging::{List, Page, next_cursor};
use crate::state::{AppState, Need};
use crate::store::coupons;

pub const ROUTE: Route = Route {
    name: "admin_coupons_list",
    needs: &[Need::TableRead, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(admin_coupons_list)),
    serve: serve!(admin_coupons_list),
};

#[utoipa::path(get, path = "/api/v1/admin/coupons", tag = "admin",
    params(
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "1..=100, default 20"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of coupons, newest first", body = List<CouponAdminView>),
        (status = 400, description = "`invalid_cursor`", body = Problem),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 403, description = "`forbidden`: not an admin", body = Problem),
        (status = 422, description = "`validation_failed`: a bad `limit`", body = Problem)))]
pub async fn admin_coupons_list(
    State(state): State<AppState>,
    _admin: Admin,
    uri: Uri,
) -> Result<Json<List<CouponAdminView>>, ApiError> {
    let key = &state.auth().cursor_key;
    let page = Page::from_uri(&uri, key, "coupons")?;
    let (found, last) = coupons::page(state.reader(), &page).await?;
    Ok(Json(List {
        items: found.into_iter().map(CouponAdminView::from).collect(),
        next_cursor: next_cursor(last, key, "coupons"),
    }))
}
