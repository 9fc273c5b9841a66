//! `GET /api/v1/health`: liveness, answered without touching any AWS service.

use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::http::Json;

pub const ROUTE: Route = Route {
    name: "health",
    needs: &[],
    router: || OpenApiRouter::new().routes(routes!(health)),
    serve: serve!(health),
};

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` when the function answers.
    #[schema(example = "ok")]
    pub status: &'static str,
}

#[utoipa::path(get, path = "/api/v1/health", tag = "health",
    responses((status = 200, description = "The API is up", body = Health)))]
pub async fn health() -> Json<Health> {
    Json(Health { status: "ok" })
}
