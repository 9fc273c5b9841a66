//! `GET /api/v1/admin/products/{id}`: one product as staff see it, whatever its status, with
//! numeric stock per variant.

use axum::extract::{Path, State};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::catalog::product::StaffProductView;
use crate::domain::id::is_ulid;
use crate::error::{ApiError, Problem};
use crate::http::{Json, Staff};
use crate::state::{AppState, Need};

pub const ROUTE: Route = Route {
    name: "admin_products_get",
    needs: &[Need::TableRead, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(admin_products_get)),
    serve: serve!(admin_products_get),
};

#[utoipa::path(get, path = "/api/v1/admin/products/{id}", tag = "admin",
    params(("id" = String, Path, description = "The product's id")), security(("bearer" = [])),
    responses(
        (status = 200, description = "The product as staff see it", body = StaffProductView),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 403, description = "`forbidden`: not staff", body = Problem),
        (status = 404, description = "`not_found`", body = Problem)))]
pub async fn admin_products_get(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<String>,
) -> Result<Json<StaffProductView>, ApiError> {
    if !is_ulid(&id) {
        return Err(ApiError::NotFound);
    }
    Ok(Json(StaffProductView::read(state.reader(), &id).await?))
}
