//! Stands in for EventBridge: runs each scheduled function of template.yaml on its period, and
//! serves `POST /_local/schedules/{name}` (optional body `{"at": "<RFC 3339>"}`), which runs
//! that function now as if the clock read `at` and answers what it did. Deployed functions
//! always read the real clock; only this local route can move it.

use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use shop::AppState;
use shop::error::ApiError;
use shop::state::Need;
use time::OffsetDateTime;

/// A scheduled function of template.yaml, by its binary's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheduled {
    Cleanup,
    StockAlerts,
}

impl Scheduled {
    pub fn of_binary(binary: &str) -> Option<Self> {
        match binary {
            "cleanup" => Some(Self::Cleanup),
            "stock_alerts" => Some(Self::StockAlerts),
            _ => None,
        }
    }

    fn needs(self) -> &'static [Need] {
        match self {
            Self::Cleanup => shop::cleanup::NEEDS,
            Self::StockAlerts => shop::stock_alerts::NEEDS,
        }
    }

    /// Runs the function with what it would have on Lambda, as if the clock read `now`.
    pub async fn run(
        self,
        state: &AppState,
        now: OffsetDateTime,
    ) -> Result<serde_json::Value, ApiError> {
        let state = state.only(self.needs());
        let report = match self {
            Self::Cleanup => serde_json::to_value(shop::cleanup::run(&state, now).await),
            Self::StockAlerts => serde_json::to_value(shop::stock_alerts::run(&state, now).await?),
        };
        Ok(report.expect("reports serialise"))
    }
}

/// EventBridge's part: `function` once per period, first after one period.
pub async fn run_every(state: AppState, function: Scheduled, every: Duration) {
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        ticks.tick().await;
        if let Err(e) = function.run(&state, OffsetDateTime::now_utc()).await {
            tracing::warn!(?function, error = ?e, "a scheduled run failed");
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    pub at: Option<String>,
}

/// `POST /_local/schedules/{name}`.
pub async fn run_now(
    State(state): State<AppState>,
    Path(name): Path<String>,
    body: Option<Json<RunRequest>>,
) -> Response {
    let Some(function) = Scheduled::of_binary(&name) else {
        return ApiError::NotFound.into_response();
    };
    let at = match body.and_then(|Json(b)| b.at) {
        None => OffsetDateTime::now_utc(),
        Some(raw) => match shop::accounts::parse_rfc3339(&raw) {
            Some(at) => at,
            None => return ApiError::field("at", "must be an RFC 3339 time").into_response(),
        },
    };
    match function.run(&state, at).await {
        Ok(report) => (StatusCode::OK, Json(report)).into_response(),
        Err(e) => e.into_response(),
    }
}
