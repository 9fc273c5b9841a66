//! `PATCH /api/v1/me`: changes the user's name, phone or marketing choice. An absent field is
//! left alone; `null` clears `name` or `phone`.

use axum::extract::State;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Route;
use crate::accounts::UserView;
use crate::domain::text;
use crate::error::{ApiError, FieldError, Problem};
use crate::http::AuthUser;
use crate::http::Json;
use crate::state::{AppState, Need};
use crate::store::users::{self, ProfileChange};

pub const ROUTE: Route = Route {
    name: "me_update",
    needs: &[Need::TableWrite, Need::AccessTokens],
    router: || OpenApiRouter::new().routes(routes!(me_update)),
    serve: serve!(me_update),
};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMe {
    /// 1 to 100 characters; `null` removes it.
    #[serde(default, deserialize_with = "crate::domain::patch::present")]
    #[schema(schema_with = crate::domain::schema::text_or_null::<100>)]
    pub name: Option<Option<String>>,
    /// 6 to 15 digits, optionally starting with `+`; `null` removes it.
    #[serde(default, deserialize_with = "crate::domain::patch::present")]
    #[schema(schema_with = crate::domain::schema::phone_or_null)]
    pub phone: Option<Option<String>>,
    pub marketing_opt_in: Option<bool>,
}

#[utoipa::path(patch, path = "/api/v1/me", tag = "account", request_body = UpdateMe, security(("bearer" = [])),
    responses(
        (status = 200, description = "The user as now stored", body = UserView),
        (status = 401, description = "No valid access token", body = Problem),
        (status = 422, description = "`validation_failed`", body = Problem)))]
pub async fn me_update(
    State(state): State<AppState>,
    user: AuthUser,
    Json(req): Json<UpdateMe>,
) -> Result<Json<UserView>, ApiError> {
    let mut errors = Vec::new();
    let mut check = |field: &str,
                     value: Option<Option<String>>,
                     parse: fn(&str) -> Result<String, String>| match value {
        Some(Some(v)) => match parse(&v) {
            Ok(v) => Some(Some(v)),
            Err(e) => {
                errors.push(FieldError::new(field, e));
                None
            }
        },
        other => other,
    };
    let change = ProfileChange {
        name: check("name", req.name, |v| text::clean(v, 100)),
        phone: check("phone", req.phone, text::phone),
        marketing_opt_in: req.marketing_opt_in,
    };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let updated = users::update_profile(state.table(), user.id(), &change)
        .await?
        .ok_or(ApiError::InvalidAccessToken)?;
    Ok(Json(UserView::from(&updated)))
}
