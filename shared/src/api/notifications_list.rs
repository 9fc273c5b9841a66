//! `GET /api/v1/me/notifications`: the user's in-app notifications, newest first, paginated.

use axum::extract::State;
use axum::http::Uri;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::error::{ApiError, Problem};
use crate::http::AuthUser;
use crate::http::Json;
use crate::paging::next_cursor;
use crate::paging::{List, Page};
use crate::state::{AppState, Need};
use crate::store::notifications::{self, Notification};

/// A notification as its user sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationView {
    pub id: String,
    /// What happened, e.g. `order_status`.
    pub kind: String,
    pub title: String,
    pub body: String,
    pub order_id: Option<String>,
    pub created_at: String,
}

impl From<Notification> for NotificationView {
    fn from(n: Notification) -> Self {
        Self {
            id: n.id,
            kind: n.kind,
            title: n.title,
            body: n.body,
            order_id: n.order_id,
            created_at: n.created_at,
        }
    }
}

pub const ROUTE: Route = Route {
    name: "notifications_list",
    needs: &[Need::TableRead, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(notifications_list)),
    serve: serve!(notifications_list),
};

#[utoipa::path(get, path = "/api/v1/me/notifications", tag = "account", security(("bearer" = [])),
    params(
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "1..=100, default 20"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page")),
    responses(
        (status = 200, description = "A page of notifications", body = List<NotificationView>),
        (status = 400, description = "`invalid_cursor`", body = Problem),
        (status = 422, description = "`validation_failed`: `limit` outside 1..=100", body = Problem),
        (status = 401, description = "No valid access token", body = Problem)))]
pub async fn notifications_list(
    State(state): State<AppState>,
    user: AuthUser,
    uri: Uri,
) -> Result<Json<List<NotificationView>>, ApiError> {
    let scope = format!("notifications:{}", user.id());
    let key = &state.auth().cursor_key;
    let page = Page::from_uri(&uri, key, &scope)?;
    let (items, last) = notifications::page(state.reader(), user.id(), &page).await?;
    Ok(Json(List {
        items: items.into_iter().map(NotificationView::from).collect(),
        next_cursor: next_cursor(last, key, &scope),
    }))
}
