//! `GET /api/v1/admin/users`: the shop's users for an admin, newest first: one by `?email=`
//! (exact), the holders of one `?role=`, or all of them; paginated.

use axum::extract::State;
use axum::http::Uri;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::domain::{Email, Role};
use crate::error::{ApiError, Problem};
use crate::http::query::choice;
use crate::http::{Admin, Json};
use crate::paging::{List, Page, next_cursor};
use crate::state::{AppState, Need};
use crate::store::users::{self, User};

pub const ROUTE: Route = Route {
    name: "admin_users_list",
    needs: &[Need::TableRead, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(admin_users_list)),
    serve: serve!(admin_users_list),
};

/// A user as an admin sees them in the list.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminUserView {
    pub id: String,
    pub email: String,
    pub name: Option<String>,
    pub role: Role,
    pub created_at: String,
}

impl From<User> for AdminUserView {
    fn from(u: User) -> Self {
        Self {
            id: u.id,
            email: u.email,
            name: u.name,
            role: u.role,
            created_at: u.created_at,
        }
    }
}

#[derive(Deserialize)]
struct Filter {
    email: Option<String>,
    role: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/admin/users", tag = "admin", security(("bearer" = [])),
    params(
        ("email" = Option<String>, Query, format = Email, description = "exactly this address (any letter case)"),
        ("role" = Option<crate::domain::Role>, Query, description = "`customer`, `staff` or `admin`"),
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "1..=100, default 20"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page")),
    responses(
        (status = 200, description = "A page of users, newest first", body = List<AdminUserView>),
        (status = 400, description = "`invalid_cursor`", body = Problem),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 403, description = "`forbidden`: not an admin", body = Problem),
        (status = 422, description = "`validation_failed`: a bad `email`, `role` or `limit`", body = Problem)))]
pub async fn admin_users_list(
    State(state): State<AppState>,
    _admin: Admin,
    uri: Uri,
) -> Result<Json<List<AdminUserView>>, ApiError> {
    let axum::extract::Query(filter) = axum::extract::Query::<Filter>::try_from_uri(&uri)
        .map_err(|e| ApiError::field("query", e.body_text()))?;
    let table = state.reader();
    if let Some(email) = filter.email.as_deref().filter(|e| !e.is_empty()) {
        let email = Email::parse(email).map_err(|e| ApiError::field("email", e.to_string()))?;
        let found = users::by_email(table, &email).await?;
        return Ok(Json(List {
            items: found.into_iter().map(AdminUserView::from).collect(),
            next_cursor: None,
        }));
    }
    let role: Option<Role> = choice(
        filter.role.as_deref(),
        "role",
        "must be customer, staff or admin",
    )?;
    let scope = format!("admin-users:{}", role.map_or("all", Role::as_str));
    let key = &state.auth().cursor_key;
    let page = Page::from_uri(&uri, key, &scope)?;
    let (found, last) = users::page(table, role, &page).await?;
    Ok(Json(List {
        items: found.into_iter().map(AdminUserView::from).collect(),
        next_cursor: next_cursor(last, key, &scope),
    }))
}
