//! `GET /api/v1/me`: the signed-in user's profile and buying history figures.

use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::accounts::UserView;
use crate::error::{ApiError, Problem};
use crate::http::AuthUser;
use crate::http::Json;
use crate::state::Need;

pub const ROUTE: Route = Route {
    name: "me_get",
    needs: &[Need::TableRead, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(me_get)),
    serve: serve!(me_get),
};

#[utoipa::path(get, path = "/api/v1/me", tag = "account", security(("bearer" = [])),
    responses(
        (status = 200, description = "The signed-in user", body = UserView),
        (status = 401, description = "No valid access token", body = Problem)))]
pub async fn me_get(user: AuthUser) -> Result<Json<UserView>, ApiError> {
    Ok(Json(UserView::from(&user.user)))
}
