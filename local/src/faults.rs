//! A fault-injecting proxy for tests, in front of an emulator (DynamoDB Local, or moto's SQS,
//! SES and S3): it forwards every request unchanged, except a chosen share of the ones a rule
//! matches, which it fails (a 500), throttles (a throttling error) or delays. The shop's own
//! code stays real: its SDK clients talk to the proxy over HTTP as they would to AWS, with
//! their retries, and only the transport misbehaves.
//!
//! A rule's share is exact, not random: with share 0.1, every tenth matching request is hit.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// What a rule does to the requests it hits.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Fault {
    /// A 500 the SDK retries, as a failing AWS server answers.
    Fail,
    /// A throttling error the SDK backs off from and retries.
    Throttle,
    /// The request is forwarded after this long.
    Delay(Duration),
}

/// Which requests a rule hits, and what it does to them.
#[derive(Clone, Debug)]
pub struct Rule {
    /// A part of the operation: the `X-Amz-Target` header (`DynamoDB_20120810.TransactWriteItems`,
    /// `AmazonSQS.ReceiveMessage`) or, for REST APIs, `<METHOD> <path>`
    /// (`POST /v2/email/outbound-emails` for SES). Empty: every request.
    pub operation: String,
    /// Only requests whose body contains this (an email address, a sku).
    pub body_contains: Option<String>,
    /// The share of matching requests hit, 0.0 to 1.0.
    pub share: f64,
    pub fault: Fault,
}

impl Rule {
    pub fn new(operation: &str, share: f64, fault: Fault) -> Self {
        Self {
            operation: operation.to_owned(),
            body_contains: None,
            share,
            fault,
        }
    }

    pub fn with_body(mut self, part: &str) -> Self {
        self.body_contains = Some(part.to_owned());
        self
    }
}

struct Shared {
    target: String,
    http: reqwest::Client,
    /// Each rule with how many requests it has matched.
    rules: Mutex<Vec<(Rule, u64)>>,
    injected: AtomicU64,
}

/// A running proxy; dropping it stops it. It serves from a thread and runtime of its own, so
/// it keeps answering while the test's runtime is blocked (a test shop removing its
/// resources as it is dropped, through this proxy).
pub struct FaultProxy {
    /// Where the SDK should send its requests instead of the emulator.
    pub url: String,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl FaultProxy {
    /// Starts a proxy on 127.0.0.1 (a free port) in front of `target` (`http://127.0.0.1:8000`).
    pub async fn start(target: &str) -> std::io::Result<Self> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
        listener.set_nonblocking(true)?;
        let url = format!("http://{}", listener.local_addr()?);
        let shared = Arc::new(Shared {
            target: target.trim_end_matches('/').to_owned(),
            // Long enough for SQS's long polls.
            http: crate::http_client(Duration::from_secs(60)),
            rules: Mutex::new(Vec::new()),
            injected: AtomicU64::new(0),
        });
        let app = axum::Router::new()
            .fallback(forward)
            .with_state(shared.clone());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        std::thread::spawn(move || {
            runtime.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                    return;
                };
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await;
            });
        });
        Ok(Self {
            url,
            shared,
            stop: Some(stop),
        })
    }

    /// Replaces the rules (none: every request passes).
    pub fn set(&self, rules: Vec<Rule>) {
        *self.shared.rules.lock().unwrap_or_else(|e| e.into_inner()) =
            rules.into_iter().map(|r| (r, 0)).collect();
    }

    /// How many requests were failed, throttled or delayed so far.
    pub fn injected(&self) -> u64 {
        self.shared.injected.load(Ordering::Relaxed)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The operation a request names, as rules match it.
fn operation(headers: &HeaderMap, method: &str, path: &str) -> String {
    headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .unwrap_or_else(|| format!("{method} {path}"))
}

/// The fault for this request, if a rule hits it (counting it against the rule's share).
fn decide(shared: &Shared, operation: &str, body: &[u8]) -> Option<Fault> {
    let mut rules = shared.rules.lock().unwrap_or_else(|e| e.into_inner());
    for (rule, seen) in rules.iter_mut() {
        let matches = operation.contains(&rule.operation)
            && rule.body_contains.as_ref().is_none_or(|part| {
                body.windows(part.len().max(1))
                    .any(|w| w == part.as_bytes())
            });
        if !matches {
            continue;
        }
        *seen += 1;
        // Exactly `share` of the matches: the n-th is hit when floor(n·share) moves on.
        let n = *seen as f64;
        if (n * rule.share).floor() > ((n - 1.0) * rule.share).floor() {
            shared.injected.fetch_add(1, Ordering::Relaxed);
            return Some(rule.fault);
        }
        return None;
    }
    None
}

/// An AWS-shaped error: JSON with `__type` for the JSON protocols (DynamoDB, SQS, SES v2),
/// which every SDK reads, plus the `x-amzn-errortype` header REST APIs use.
fn aws_error(status: StatusCode, code: &str) -> Response {
    let body = serde_json::json!({"__type": code, "message": "injected by the fault proxy"});
    let mut response = (status, body.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        "content-type",
        HeaderValue::from_static("application/x-amz-json-1.0"),
    );
    if let Ok(v) = HeaderValue::from_str(code) {
        headers.insert("x-amzn-errortype", v);
    }
    response
}

async fn forward(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body): Result<Bytes, _> = axum::body::to_bytes(body, 64 << 20).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "/".to_owned());
    let op = operation(&parts.headers, parts.method.as_str(), parts.uri.path());
    match decide(&shared, &op, &body) {
        Some(Fault::Fail) => {
            return aws_error(StatusCode::INTERNAL_SERVER_ERROR, "InternalServerError");
        }
        Some(Fault::Throttle) => return aws_error(StatusCode::BAD_REQUEST, "ThrottlingException"),
        Some(Fault::Delay(d)) => tokio::time::sleep(d).await,
        None => {}
    }
    let mut outbound = shared.http.request(
        parts.method.clone(),
        format!("{}{path_and_query}", shared.target),
    );
    for (name, value) in &parts.headers {
        if !matches!(name.as_str(), "host" | "content-length" | "connection") {
            outbound = outbound.header(name, value);
        }
    }
    let answered = match outbound.body(body).send().await {
        Ok(r) => r,
        Err(_) => return StatusCode::BAD_GATEWAY.into_response(),
    };
    let status = answered.status();
    let headers = answered.headers().clone();
    let bytes = answered.bytes().await.unwrap_or_default();
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    for (name, value) in &headers {
        if !matches!(
            name.as_str(),
            "content-length" | "transfer-encoding" | "connection"
        ) {
            response.headers_mut().insert(name, value.clone());
        }
    }
    response
}
