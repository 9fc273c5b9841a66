//! The local server: the whole shop on one machine, over the emulators.
//!
//! It reads template.yaml and creates the table, queues and bucket it declares; mounts every
//! route of `shop::api::ROUTES` (each at the path its handler's OpenAPI description gives, with
//! only what its needs allow; the drift test checks those paths against template.yaml's
//! events); drains each queue into the function template.yaml triggers with it (the worker,
//! the images worker) as Lambda's SQS event source would; runs
//! each scheduled function (the cleanup, the stock alert) on the template's schedule; and
//! serves `GET /_local/emails`, `GET /_local/dynamodb` (every DynamoDB request with its
//! capacity units) and `POST /_local/schedules/{name}` (a scheduled function now, at any
//! clock). Tests start it in-process with their own resource prefix.

pub mod console;
pub mod demo;
pub mod emails;
pub mod faults;
pub mod meter;
pub mod poller;
pub mod provision;
pub mod schedules;
pub mod seed;
pub mod template;

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};
use shop::AppState;
use shop::aws::{Blobs, Mailer, Queue, Table};
use shop::config::Config;
use shop::state::Need;
use tokio::task::JoinHandle;

/// An HTTP client for the local server's own calls (localstripe, the SES relay, the fault
/// proxy) and the tests. reqwest is fine here: the local server is not a Lambda function, whose
/// outbound calls go through `shop::outbound`.
pub fn http_client(timeout: Duration) -> reqwest::Client {
    // reqwest is built without a crypto provider of its own; use the aws-lc-rs one the SDK
    // links. Installing twice is harmless (the second call reports the first is in place).
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(timeout)
        .build()
        .expect("an HTTP client with the aws-lc-rs provider builds")
}

pub use provision::Names;
pub use template::Template;

/// How the local server is set up; [`LocalOptions::from_env`] reads it for the binary.
#[derive(Clone, Debug)]
pub struct LocalOptions {
    /// 0 picks a free port.
    pub port: u16,
    pub dynamodb_endpoint: String,
    pub services_endpoint: String,
    /// Names every local resource (table `prefix`, queue `prefix-work-queue`, ...).
    pub prefix: String,
    pub email_from: String,
    pub shop_name: String,
    /// Runs the scheduled functions on the template's schedule.
    pub run_schedule: bool,
    /// Access-token keys (`kid=secret,...`); generated at start when not given.
    pub jwt_keys: Option<String>,
    pub google_client_id: Option<String>,
    pub google_jwks_url: Option<String>,
    /// Stripe's API: localstripe on 127.0.0.1 (`STRIPE_API_BASE`).
    pub stripe_api_base: String,
    /// The webhook signing secret localstripe is told to sign with; generated when not given.
    pub stripe_webhook_secret: Option<String>,
    /// Tells localstripe to send its webhooks to this server (`make run`; a test that wants
    /// them turns it on, so the suite's many shops do not all receive every event).
    pub register_stripe_webhook: bool,
    /// The admin account to seed, if any.
    pub admin: Option<seed::AdminSeed>,
    /// Seeds the demo catalog on first start (`make run`; `LOCAL_DEMO_CATALOG=0` turns it off).
    pub demo_catalog: bool,
    /// Origins besides the server's own that Checkout Sessions may return buyers to (a
    /// storefront on another port: `ALLOWED_RETURN_ORIGINS=http://127.0.0.1:5173`).
    pub allowed_return_origins: Option<String>,
    /// The built admin console (`admin/dist`), served at `/admin/` when it exists.
    pub admin_dir: Option<std::path::PathBuf>,
}

impl LocalOptions {
    pub fn from_env() -> Result<Self, String> {
        let var = |name: &str, default: &str| {
            std::env::var(name)
                .ok()
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| default.to_owned())
        };
        let port = var("PORT", "3000");
        let prefix = var("LOCAL_PREFIX", "shop");
        // It names the table (3+ characters) and the bucket (lowercase letters, digits, dashes).
        let prefix_ok = (3..=40).contains(&prefix.len())
            && prefix
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !prefix_ok {
            return Err(format!(
                "LOCAL_PREFIX must be 3 to 40 lowercase letters, digits or dashes, not {prefix:?}"
            ));
        }
        Ok(Self {
            port: port
                .parse()
                .map_err(|_| format!("PORT must be a port number, not {port:?}"))?,
            dynamodb_endpoint: var("DYNAMODB_ENDPOINT_URL", "http://127.0.0.1:8000"),
            services_endpoint: var("AWS_SERVICES_ENDPOINT_URL", "http://127.0.0.1:5050"),
            prefix,
            email_from: var("EMAIL_FROM", "shop@example.com"),
            shop_name: var("SHOP_NAME", "Shop"),
            run_schedule: true,
            jwt_keys: std::env::var("JWT_SIGNING_KEYS")
                .ok()
                .filter(|v| !v.is_empty()),
            google_client_id: std::env::var("GOOGLE_CLIENT_ID")
                .ok()
                .filter(|v| !v.is_empty()),
            google_jwks_url: std::env::var("GOOGLE_JWKS_URL")
                .ok()
                .filter(|v| !v.is_empty()),
            stripe_api_base: var("STRIPE_API_BASE", "http://127.0.0.1:8420"),
            stripe_webhook_secret: std::env::var("STRIPE_WEBHOOK_SECRET")
                .ok()
                .filter(|v| !v.is_empty()),
            register_stripe_webhook: true,
            admin: Some(seed::AdminSeed {
                email: var("LOCAL_ADMIN_EMAIL", "admin@shop.example"),
                password: std::env::var("LOCAL_ADMIN_PASSWORD")
                    .ok()
                    .filter(|v| !v.is_empty()),
            }),
            demo_catalog: var("LOCAL_DEMO_CATALOG", "1") != "0",
            allowed_return_origins: std::env::var("ALLOWED_RETURN_ORIGINS")
                .ok()
                .filter(|v| !v.is_empty()),
            admin_dir: Some(
                std::env::var("LOCAL_ADMIN_DIR")
                    .ok()
                    .filter(|v| !v.is_empty())
                    .map_or_else(console::default_dir, std::path::PathBuf::from),
            ),
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Template(#[from] template::TemplateError),
    #[error(transparent)]
    Provision(#[from] provision::ProvisionError),
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind { port: u16, source: std::io::Error },
    #[error("template.yaml declares no {0}")]
    Missing(&'static str),
    #[error("template.yaml declares the function `{0}`, but the local server cannot run it")]
    Unknown(String),
    #[error(transparent)]
    Config(#[from] shop::config::ConfigError),
    #[error(transparent)]
    Seed(#[from] seed::SeedError),
}

/// A running local shop. Dropping it stops its server, poller and schedule.
pub struct RunningShop {
    pub addr: SocketAddr,
    pub base_url: String,
    pub state: AppState,
    pub names: Names,
    /// The work queue's dead-letter queue.
    pub dead_letter_queue_url: String,
    /// Every queue this shop made.
    pub queue_urls: Vec<String>,
    /// What the seeders made (None when seeding was off).
    pub seeded: Option<seed::Seeded>,
    /// The demo catalog, when this start seeded it.
    pub demo: Option<demo::DemoSeeded>,
    /// Every DynamoDB request this shop made, with its capacity units.
    pub meter: meter::Meter,
    tasks: Vec<JoinHandle<()>>,
}

impl RunningShop {
    /// Stops serving and removes the table and queues this shop made on the emulators, and
    /// empties its bucket
    /// (tests call it as they end, so a suite of hundreds of shops does not fill the emulators'
    /// memory).
    ///
    /// It builds clients of its own, so it can run on another runtime than the shop's (the
    /// shop's clients keep pooled connections tied to the runtime that made them).
    pub async fn remove_resources(&self) {
        for task in &self.tasks {
            task.abort();
        }
        let config = &self.state.config;
        let sdk = shop::aws::sdk_config(&config.endpoints).await;
        provision::remove(
            &self.names,
            &Table::new(&sdk, config),
            &provision::sqs_client(&sdk, config),
            &self.queue_urls,
            &provision::s3_client(&sdk, config),
        )
        .await;
    }
}

impl Drop for RunningShop {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

pub async fn start(opts: LocalOptions) -> Result<RunningShop, StartError> {
    let template = Template::load(&Template::repo_path())?;
    let names = Names::new(&opts.prefix, &template);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", opts.port))
        .await
        .map_err(|source| StartError::Bind {
            port: opts.port,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| StartError::Bind {
        port: opts.port,
        source,
    })?;
    let base_url = format!("http://{addr}");

    let webhook_secret = opts
        .stripe_webhook_secret
        .clone()
        .unwrap_or_else(|| format!("whsec_{}", shop::crypto::random_token(24)));
    // The same configuration a deployed function reads, with the local values filled in.
    let jwt_keys = opts
        .jwt_keys
        .clone()
        .unwrap_or_else(|| format!("local={}", shop::crypto::random_token(32)));
    let mut settings: Vec<(String, String)> = [
        ("TABLE_NAME", names.table.clone()),
        ("BUCKET_NAME", names.bucket.clone()),
        ("EMAIL_FROM", opts.email_from.clone()),
        ("PUBLIC_BASE_URL", base_url.clone()),
        (
            "ALLOWED_RETURN_ORIGINS",
            opts.allowed_return_origins.clone().unwrap_or_default(),
        ),
        ("SHOP_NAME", opts.shop_name.clone()),
        ("LOG_FORMAT", "pretty".to_owned()),
        ("JWT_SIGNING_KEYS", jwt_keys),
        (
            "GOOGLE_CLIENT_ID",
            opts.google_client_id.clone().unwrap_or_default(),
        ),
        (
            "GOOGLE_JWKS_URL",
            opts.google_jwks_url.clone().unwrap_or_default(),
        ),
        ("STRIPE_SECRET_KEY", "sk_test_local".to_owned()),
        ("STRIPE_API_BASE", opts.stripe_api_base.clone()),
        ("STRIPE_WEBHOOK_SECRET", webhook_secret.clone()),
        ("DYNAMODB_ENDPOINT_URL", opts.dynamodb_endpoint.clone()),
        ("AWS_SERVICES_ENDPOINT_URL", opts.services_endpoint.clone()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let read = |settings: &[(String, String)], needs: &[Need]| {
        Config::for_needs(needs, |name| {
            settings
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        })
    };
    // The queues' URLs are known once they exist: provision with everything else first.
    let queue_needs = [Need::Queue, Need::ImageQueue, Need::DeadLetters];
    let but_queues: Vec<Need> = Need::ALL
        .iter()
        .copied()
        .filter(|n| !queue_needs.contains(n))
        .collect();
    let base = read(&settings, &but_queues)?;
    let sdk = shop::aws::sdk_config(&base.endpoints).await;
    let meter = meter::Meter::default();
    let (table, blobs, mailer) = (
        Table::tuned(&sdk, &base, |b| b.interceptor(meter.clone())),
        Blobs::new(&sdk, &base),
        Mailer::new(&sdk, &base),
    );
    // One SQS client for provisioning and for every poller.
    let sqs = provision::sqs_client(&sdk, &base);
    let provisioned = provision::provision(
        &template,
        &names,
        &table,
        &sqs,
        &provision::s3_client(&sdk, &base),
        &provision::ses_client(&sdk, &base),
        &mailer.from,
    )
    .await?;
    for (variable, queue) in &template.queue_variables {
        settings.push((variable.clone(), provisioned.queues[queue].url.clone()));
    }
    // Every need: the local server serves every route and hands each only what it declared.
    let config = read(&settings, Need::ALL)?;
    let state = AppState::new(config.clone())
        .with_table(table)
        .with_queue(Queue::new(&sdk, &config))
        .with_image_queue(Queue::images(&sdk, &config))
        .with_dead_letters(Queue::dead_letters(&sdk, &config))
        .with_mailer(mailer)
        .with_blobs(blobs)
        .with_stripe(shop::stripe::Stripe::from_config(&config));

    let seeded = match &opts.admin {
        Some(admin) => Some(seed::admin(&state, admin).await?),
        None => None,
    };
    let demo = if opts.demo_catalog {
        demo::seed(&state).await.map_err(seed::SeedError::Store)?
    } else {
        None
    };

    if opts.register_stripe_webhook {
        register_webhook(&opts, &base_url, &webhook_secret).await;
    }
    let mut tasks = Vec::new();
    let app = app(state.clone(), &opts, template.cors.as_ref(), meter.clone());
    tasks.push(tokio::spawn(async move {
        let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "the local server stopped");
        }
    }));

    let consumers = template.consumers();
    if consumers.is_empty() {
        return Err(StartError::Missing("SQS-triggered function"));
    }
    for (function, queue, batch_size) in consumers {
        let kind = poller::SqsFunction::of_binary(&function.binary)
            .ok_or(StartError::Unknown(function.binary.clone()))?;
        let made = &provisioned.queues[&queue.logical_id];
        tracing::debug!(
            function = function.logical_id,
            queue = queue.logical_id,
            "mounted on its queue"
        );
        tasks.push(tokio::spawn(poller::run(
            state.clone(),
            kind,
            sqs.clone(),
            made.url.clone(),
            batch_size,
            made.arn.clone(),
            meter.clone(),
        )));
    }

    let scheduled = template.schedules();
    if scheduled.is_empty() {
        return Err(StartError::Missing("scheduled function"));
    }
    for (function, every) in scheduled {
        let kind = schedules::Scheduled::of_binary(&function.binary)
            .ok_or(StartError::Unknown(function.binary.clone()))?;
        if opts.run_schedule {
            tasks.push(tokio::spawn(schedules::run_every(
                state.clone(),
                kind,
                every,
            )));
        }
    }

    Ok(RunningShop {
        addr,
        base_url,
        state,
        names,
        dead_letter_queue_url: template
            .queue_of("QUEUE_URL")
            .and_then(|q| q.redrive.as_ref())
            .map(|(dlq, _)| provisioned.queues[dlq].url.clone())
            .ok_or(StartError::Missing("work queue with a dead-letter queue"))?,
        queue_urls: provisioned.queues.values().map(|q| q.url.clone()).collect(),
        seeded,
        demo,
        meter,
        tasks,
    })
}

/// Every route of the shop plus the local-only routes, wrapped as every function is, with the
/// CORS answers API Gateway gives (so a browser front end on another port works locally).
pub fn app(
    state: AppState,
    opts: &LocalOptions,
    cors: Option<&template::CorsRule>,
    meter: meter::Meter,
) -> Router {
    // Each route's requests timed as its function's invocations (route_layer: after routing,
    // so the matched path is known).
    let api = shop::api::serve_all(&state).route_layer(axum::middleware::from_fn_with_state(
        meter.clone(),
        meter::count_invocation,
    ));
    let emails = emails::EmailsState {
        http: http_client(Duration::from_secs(10)),
        moto: opts.services_endpoint.clone(),
    };
    let local = Router::new()
        .route("/_local/emails", get(emails::list))
        // The explorer at the address people try first.
        .route(
            "/docs",
            get(|| async { axum::response::Redirect::permanent("/api/v1/docs") }),
        )
        .with_state(emails)
        .merge(
            Router::new()
                .route("/_local/dynamodb", get(meter::read).delete(meter::reset))
                .route("/_local/allocations", get(meter::allocations))
                .with_state(meter),
        )
        .merge(
            Router::new()
                .route("/_local/schedules/{name}", post(schedules::run_now))
                .with_state(state.clone()),
        );
    let local = match &opts.admin_dir {
        Some(dir) => local.merge(console::router(dir, &opts.services_endpoint)),
        None => local,
    };
    let app = shop::http::wrap(api.merge(local));
    match cors {
        Some(rule) => app.layer(cors_layer(rule)),
        None => app,
    }
}

fn parse_all<T: std::str::FromStr>(values: &[String]) -> Vec<T> {
    values.iter().filter_map(|v| v.parse().ok()).collect()
}

fn cors_layer(rule: &template::CorsRule) -> tower_http::cors::CorsLayer {
    use tower_http::cors::{AllowHeaders, AllowMethods, AllowOrigin, CorsLayer};
    let origins = if rule.origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(parse_all(&rule.origins))
    };
    let headers = if rule.headers.iter().any(|h| h == "*") {
        AllowHeaders::any()
    } else {
        AllowHeaders::list(parse_all(&rule.headers))
    };
    let layer = CorsLayer::new()
        .allow_origin(origins)
        .allow_methods(AllowMethods::list(parse_all(&rule.methods)))
        .allow_headers(headers)
        .expose_headers([axum::http::HeaderName::from_static(shop::http::REQUEST_ID)]);
    match rule.max_age {
        Some(secs) => layer.max_age(Duration::from_secs(secs.max(0) as u64)),
        None => layer,
    }
}

/// Points localstripe's webhooks (named after this shop's prefix) at this server, signed
/// with its secret. localstripe not running is only a warning: the shop works without it
/// until a payment is made.
async fn register_webhook(opts: &LocalOptions, base_url: &str, secret: &str) {
    let url = format!(
        "{}/_config/webhooks/{}",
        opts.stripe_api_base.trim_end_matches('/'),
        opts.prefix
    );
    let endpoint = format!("{base_url}/api/v1/stripe/webhook");
    let sent = http_client(Duration::from_secs(5))
        .post(&url)
        .form(&[("url", endpoint.as_str()), ("secret", secret)])
        .send()
        .await;
    match sent {
        Ok(r) if r.status().is_success() => {
            tracing::info!(endpoint, "localstripe sends its webhooks here");
        }
        Ok(r) => {
            tracing::warn!(status = %r.status(), "localstripe refused the webhook registration")
        }
        Err(e) => {
            tracing::warn!(error = %e, "localstripe could not be reached to register the webhook")
        }
    }
}
