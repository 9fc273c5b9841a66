//! What every Lambda binary's `main` calls: load the configuration and logging once per
//! container, build the clients the function needs, and hand one handler to the runtime.

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use aws_lambda_events::event::sqs::SqsEvent;
use aws_types::SdkConfig;
use lambda_http::RequestExt;
use lambda_runtime::{LambdaEvent, service_fn};

use crate::api::Serve;
use crate::aws::{Blobs, Mailer, Queue, Table, TableReader};
use crate::config::Config;
use crate::http::REQUEST_ID;
use crate::state::{AppState, Need};

pub type Error = lambda_runtime::Error;

/// A function's cold-start environment: its configuration, and the SDK settings loaded on
/// the first client asked for (a function with no AWS client, such as health, links none of
/// the SDK).
pub struct Env {
    pub config: Config,
    sdk: tokio::sync::OnceCell<SdkConfig>,
}

impl Env {
    /// Reads the settings `needs` call for (failing start-up with the name of a missing or bad
    /// variable) and starts logging.
    pub async fn load(needs: &[Need]) -> Result<Self, Error> {
        let config = Config::from_env(needs)?;
        crate::telemetry::init(config.log_format);
        Ok(Self {
            config,
            sdk: tokio::sync::OnceCell::new(),
        })
    }

    pub fn state(&self) -> AppState {
        AppState::new(self.config.clone())
    }

    async fn sdk(&self) -> &SdkConfig {
        self.sdk
            .get_or_init(|| crate::aws::sdk_config(&self.config.endpoints))
            .await
    }

    pub async fn table(&self) -> Table {
        Table::new(self.sdk().await, &self.config)
    }

    /// The table for a route that only reads it (`Need::TableRead`).
    pub async fn reader(&self) -> TableReader {
        self.table().await.reader()
    }

    /// The Stripe client (`Need::Stripe`).
    pub fn stripe(&self) -> crate::stripe::Stripe {
        crate::stripe::Stripe::from_config(&self.config)
    }

    pub async fn queue(&self) -> Queue {
        Queue::new(self.sdk().await, &self.config)
    }

    pub async fn image_queue(&self) -> Queue {
        Queue::images(self.sdk().await, &self.config)
    }

    pub async fn dead_letters(&self) -> Queue {
        Queue::dead_letters(self.sdk().await, &self.config)
    }

    pub async fn mailer(&self) -> Mailer {
        Mailer::new(self.sdk().await, &self.config)
    }

    pub async fn blobs(&self) -> Blobs {
        Blobs::new(self.sdk().await, &self.config)
    }
}

/// Serves one HTTP route behind API Gateway (HTTP API, payload v2), given the route's `needs`
/// and `serve` (`ROUTE.needs`, `ROUTE.serve`). Not the whole `Route`: a reference to it would
/// keep its `router`, and with it the route's OpenAPI description, in the binary (about 100 KB
/// of code in checkout).
pub async fn serve(needs: &'static [Need], serve: Serve, state: AppState) -> Result<(), Error> {
    state.require(needs)?;
    let app = router(serve, state).layer(axum::middleware::map_request(lambda_request_id));
    lambda_http::run(app).await
}

/// The router a route's function serves: that route alone, wrapped in the shared layers.
pub fn router(serve: Serve, state: AppState) -> axum::Router {
    crate::http::wrap(serve().with_state(state))
}

/// Uses Lambda's request id as the request id, so logs and responses agree with CloudWatch,
/// and keeps the source address API Gateway saw, for per-client limits.
async fn lambda_request_id(mut req: axum::extract::Request) -> axum::extract::Request {
    if !req.headers().contains_key(REQUEST_ID) {
        let id = req.lambda_context_ref().map(|c| c.request_id.clone());
        if let Some(value) = id.and_then(|id| http::HeaderValue::from_str(&id).ok()) {
            req.headers_mut().insert(REQUEST_ID, value);
        }
    }
    let source = match req.request_context_ref() {
        Some(lambda_http::request::RequestContext::ApiGatewayV2(ctx)) => ctx.http.source_ip.clone(),
        _ => None,
    };
    if let Some(ip) = source {
        req.extensions_mut().insert(crate::http::SourceIp(ip));
    }
    req
}

/// Runs the SQS worker.
pub async fn run_worker(state: AppState) -> Result<(), Error> {
    state.require(crate::worker::NEEDS)?;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| {
        let state = state.clone();
        async move { Ok::<_, Error>(crate::worker::handle(&state, event.payload).await) }
    }))
    .await
}

/// Runs the SQS-triggered images worker.
pub async fn run_images_worker(state: AppState) -> Result<(), Error> {
    state.require(crate::images_worker::NEEDS)?;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| {
        let state = state.clone();
        async move { Ok::<_, Error>(crate::images_worker::handle(&state, event.payload).await) }
    }))
    .await
}

/// Runs the scheduled cleanup.
pub async fn run_cleanup(state: AppState) -> Result<(), Error> {
    state.require(crate::cleanup::NEEDS)?;
    lambda_runtime::run(service_fn(move |_event: LambdaEvent<EventBridgeEvent>| {
        let state = state.clone();
        async move {
            // Boxed: the sweep's nested futures overflow the compiler's layout depth otherwise.
            let run = Box::pin(crate::cleanup::run(&state, time::OffsetDateTime::now_utc()));
            Ok::<_, Error>(run.await)
        }
    }))
    .await
}

/// Runs the daily stock alert.
pub async fn run_stock_alerts(state: AppState) -> Result<(), Error> {
    state.require(crate::stock_alerts::NEEDS)?;
    lambda_runtime::run(service_fn(move |_event: LambdaEvent<EventBridgeEvent>| {
        let state = state.clone();
        async move {
            // A failure is the invocation's error: EventBridge tries it again.
            crate::stock_alerts::run(&state, time::OffsetDateTime::now_utc())
                .await
                .map_err(|e| Error::from(format!("the stock alert failed: {}", e.code())))
        }
    }))
    .await
}

/// The functions that serve no route, by binary name, with their needs.
pub const BACKGROUND: &[(&str, &[Need])] = &[
    ("worker", crate::worker::NEEDS),
    ("images_worker", crate::images_worker::NEEDS),
    ("cleanup", crate::cleanup::NEEDS),
    ("stock_alerts", crate::stock_alerts::NEEDS),
];

/// The clients a function needs, whatever kind it is (used by the drift test).
pub fn needs_of(function: &str) -> Option<&'static [Need]> {
    BACKGROUND
        .iter()
        .find(|(name, _)| *name == function)
        .map(|(_, needs)| *needs)
        .or_else(|| crate::api::route(function).map(|r| r.needs))
}
