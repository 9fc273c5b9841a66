//! `GET /api/v1/categories`: the category tree, public and cacheable.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::catalog::tree::{self, CategoryNode};
use crate::error::ApiError;
use crate::http::cache::public_json;
use crate::state::{AppState, Need};
use crate::store::categories;

pub const ROUTE: Route = Route {
    name: "categories_list",
    needs: &[Need::TableRead],
    router: || OpenApiRouter::new().routes(routes!(categories_list)),
    serve: serve!(categories_list),
};

#[utoipa::path(get, path = "/api/v1/categories", tag = "catalog",
    responses(
        (status = 200, description = "The category tree, each level by name; `ETag` and a short public `Cache-Control`", body = Vec<CategoryNode>),
        (status = 304, description = "Not modified (`If-None-Match`)")))]
pub async fn categories_list(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let all = categories::all(state.reader()).await?;
    Ok(public_json(&headers, &tree::build(&all)))
}
