//! `PUT /api/v1/admin/users/{id}/role`: an admin gives a user a role (how staff are made). The
//! new role counts from the user's next request, since every request reads the stored role.
//! An admin cannot demote themself, so the shop always keeps the admin who asked.

use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use super::admin_users_list::AdminUserView;
use crate::domain::Role;
use crate::domain::id::is_ulid;
use crate::error::{ApiError, Problem};
use crate::http::{Admin, Json};
use crate::state::{AppState, Need};
use crate::store::users;

pub const ROUTE: Route = Route {
    name: "admin_users_role_update",
    needs: &[Need::TableWrite, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(admin_users_role_update)),
    serve: serve!(admin_users_role_update),
};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    pub role: Role,
}

#[utoipa::path(put, path = "/api/v1/admin/users/{id}/role", tag = "admin", request_body = RoleChange,
    params(("id" = String, Path, description = "The user's id")), security(("bearer" = [])),
    responses(
        (status = 200, description = "The user with the new role", body = AdminUserView),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 403, description = "`forbidden`: not an admin", body = Problem),
        (status = 404, description = "`not_found`: no such user", body = Problem),
        (status = 409, description = "`cannot_demote_self`: an admin cannot take their own admin role away", body = Problem)))]
pub async fn admin_users_role_update(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(id): Path<String>,
    Json(change): Json<RoleChange>,
) -> Result<Json<AdminUserView>, ApiError> {
    if !is_ulid(&id) {
        return Err(ApiError::NotFound);
    }
    if id == admin.id() && change.role != Role::Admin {
        return Err(ApiError::CannotDemoteSelf);
    }
    let user = users::set_role(state.table(), &id, change.role)
        .await?
        .ok_or(ApiError::NotFound)?;
    tracing::info!(
        admin = admin.id(),
        user = user.id,
        role = user.role.as_str(),
        "role changed"
    );
    Ok(Json(AdminUserView::from(user)))
}
