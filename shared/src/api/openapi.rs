//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 document, generated from the routes' own
//! annotations (never written by hand) and built once per container.

use std::sync::OnceLock;

use axum::http::header;
use axum::response::IntoResponse;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::error::{FieldError, Problem};

pub const ROUTE: Route = Route {
    name: "openapi",
    needs: &[],
    router: || OpenApiRouter::new().routes(routes!(openapi)),
};

#[derive(OpenApi)]
#[openapi(
    info(title = "Shop API", version = "1", description = "A serverless commerce backend: catalog, carts, checkout and orders."),
    components(schemas(Problem, FieldError)),
    modifiers(&BearerAuth)
)]
struct BaseDocument;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The document's info, shared components and security schemes, before any path is merged in.
pub fn base_document() -> utoipa::openapi::OpenApi {
    BaseDocument::openapi()
}

/// The whole document, rendered once.
pub fn document_json() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| {
        let (_, api) = super::all().split_for_parts();
        api.to_json().expect("the OpenAPI document serializes")
    })
}

#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "health",
    responses((status = 200, description = "The OpenAPI 3.1 document of every route", content_type = "application/json")))]
pub async fn openapi() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        document_json(),
    )
}
