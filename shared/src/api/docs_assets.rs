//! `GET /api/v1/docs/{version}/{file}`: the files the API explorer (`api::docs`) loads:
//! swagger-ui-dist's bundle and stylesheet (vendored, compiled in) and the page's start-up
//! script, cached for good (the version is in the path).

use axum::extract::Path;
use axum::response::Response;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use super::docs::{INIT, VERSION, answer};
use crate::error::{ApiError, Problem};

pub const ROUTE: Route = Route {
    name: "docs_assets",
    needs: &[],
    router: || OpenApiRouter::new().routes(routes!(docs_file)),
    serve: serve!(docs_file),
};

#[utoipa::path(get, path = "/api/v1/docs/{version}/{file}", tag = "health",
    params(("version" = String, Path, description = "The explorer's version, as the page links it"),
        ("file" = String, Path, description = "`swagger-ui-bundle.js`, `swagger-ui.css` or `init.js`")),
    responses(
        (status = 200, description = "The asset", content((String = "text/javascript"), (String = "text/css"))),
        (status = 404, description = "`not_found`: no such asset (or another version)", body = Problem)))]
pub async fn docs_file(
    Path((version, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    if version != VERSION.trim() {
        return Err(ApiError::NotFound);
    }
    const FOREVER: &str = "public, max-age=31536000, immutable";
    const JS: &str = "text/javascript; charset=utf-8";
    Ok(match file.as_str() {
        "swagger-ui-bundle.js" => answer(
            JS,
            FOREVER,
            include_str!("../../assets/explorer/swagger-ui-bundle.js"),
        ),
        "swagger-ui.css" => answer(
            "text/css; charset=utf-8",
            FOREVER,
            include_str!("../../assets/explorer/swagger-ui.css"),
        ),
        "init.js" => answer(JS, FOREVER, INIT),
        _ => return Err(ApiError::NotFound),
    })
}
