//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 document, generated from the routes' own
//! annotations (never written by hand).
//!
//! The function serves `shared/openapi.json`, the generated document as committed (`make
//! openapi` writes it; a test fails when it differs from what the code generates). Building
//! the document at run time would link every route's schemas and utoipa's builders into this
//! one function: 4.7 MB zipped, against the 3 MB budget (docs/build.md).

use std::sync::OnceLock;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::error::{FieldError, Problem};
use crate::state::{AppState, Need};

mod rules;

pub const ROUTE: Route = Route {
    name: "openapi",
    // Links: the storefront's origins, which the document gives as the return URLs' pattern.
    needs: &[Need::Links],
    router: || OpenApiRouter::new().routes(routes!(openapi)),
    serve: serve!(openapi),
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

/// The generated document as committed (`shared/openapi.json`), as any deployment's: return
/// URLs described by their rules, not by this deployment's origins.
pub const COMMITTED: &str = include_str!("../../openapi.json");

/// The document as this function serves it: the committed one with the return URLs this
/// deployment accepts (`PUBLIC_BASE_URL` and `ALLOWED_RETURN_ORIGINS`), rendered once per
/// container.
fn served_json(state: &AppState) -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| {
        let mut doc: serde_json::Value =
            serde_json::from_str(COMMITTED).expect("shared/openapi.json is JSON");
        rules::return_urls(&mut doc, &state.return_origins());
        doc.to_string()
    })
}

/// The whole document generated from the routes' annotations, as `make openapi` writes it
/// into `shared/openapi.json`.
pub fn generate() -> serde_json::Value {
    let (_, mut api) = super::all().split_for_parts();
    document_body_errors(&mut api);
    problems_as_problem_json(&mut api);
    let mut doc = serde_json::to_value(&api).expect("the OpenAPI document serializes");
    rules::apply(&mut doc);
    doc
}

/// Every operation of the document.
fn operations(
    api: &mut utoipa::openapi::OpenApi,
) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    api.paths.paths.values_mut().flat_map(|item| {
        [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
    })
}

/// A route's `body = Problem` is served as `application/problem+json`: say so in the document.
fn problems_as_problem_json(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::RefOr;
    for op in operations(api) {
        for response in op.responses.responses.values_mut() {
            let RefOr::T(response) = response else {
                continue;
            };
            let is_problem = response.content.get("application/json").is_some_and(|c| {
                matches!(&c.schema, Some(RefOr::Ref(r)) if r.ref_location.ends_with("/Problem"))
            });
            if is_problem && let Some(content) = response.content.shift_remove("application/json") {
                response
                    .content
                    .insert(crate::error::PROBLEM_JSON.to_owned(), content);
            }
        }
    }
}

/// What `shop::http::Json` answers for any route that takes a body, documented once here for
/// all of them (a route's own description of a status, such as its 422, is kept).
const BODY_ERRORS: &[(&str, &str)] = &[
    (
        "400",
        "`malformed_json`: the body is not valid JSON (or not UTF-8)",
    ),
    ("413", "`payload_too_large`: the body is over 64 KiB"),
    (
        "415",
        "`unsupported_media_type`: the body is not `application/json`",
    ),
    (
        "422",
        "`validation_failed`: a field is missing or wrong (`errors` names it)",
    ),
];

fn document_body_errors(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    for op in operations(api) {
        if op.request_body.is_none() {
            continue;
        }
        for (status, description) in BODY_ERRORS {
            op.responses
                .responses
                .entry((*status).to_owned())
                .or_insert_with(|| {
                    RefOr::T(
                        ResponseBuilder::new()
                            .description(*description)
                            .content(
                                crate::error::PROBLEM_JSON,
                                ContentBuilder::new()
                                    .schema(Some(Ref::from_schema_name("Problem")))
                                    .build(),
                            )
                            .build(),
                    )
                });
        }
    }
}

#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "health",
    responses((status = 200, description = "The OpenAPI 3.1 document of every route", content_type = "application/json")))]
pub async fn openapi(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        served_json(&state),
    )
}
