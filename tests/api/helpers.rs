//! `TestApp`: a local shop of the test's own, driven over HTTP.

use std::time::Duration;

use serde_json::Value;
use shop_local::emails::SentEmail;
use shop_local::seed::AdminSeed;
use shop_local::{LocalOptions, RunningShop};

pub struct TestApp {
    pub shop: RunningShop,
    pub http: reqwest::Client,
    /// This shop's stand-in for Google's key endpoint.
    pub jwks: crate::google::JwksServer,
    pub admin_email: String,
}

/// The access-token key the test shops sign with, so tests can forge tokens on purpose.
pub const TEST_KID: &str = "test";
pub const TEST_JWT_SECRET: &str = "test-secret-0123456789abcdef0123456789";
pub const ADMIN_PASSWORD: &str = "admin-password-123";
pub const PASSWORD: &str = "correct horse battery";
/// The Stripe webhook secret the test shops verify with.
pub const WEBHOOK_SECRET: &str = "whsec_test_0123456789abcdef";

/// What register and login answer.
pub struct Session {
    pub user: Value,
    pub access: String,
    pub refresh: String,
}

pub fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

/// A unique suffix, so each test's data is its own.
pub fn unique() -> String {
    ulid::Ulid::new().to_string().to_lowercase()
}

/// An email address no other test uses.
pub fn unique_email() -> String {
    format!("user-{}@example.com", unique())
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// A shop whose options the test adjusts first.
    pub async fn spawn_with(adjust: impl FnOnce(&mut LocalOptions)) -> Self {
        let jwks = crate::google::JwksServer::start().await;
        let admin_email = format!("admin-{}@example.com", unique());
        let mut opts = LocalOptions {
            port: 0,
            dynamodb_endpoint: env_or("TEST_DYNAMODB_ENDPOINT_URL", "http://127.0.0.1:18000"),
            services_endpoint: env_or("TEST_AWS_SERVICES_ENDPOINT_URL", "http://127.0.0.1:15050"),
            prefix: format!("t{}", unique()),
            email_from: "shop@example.com".to_owned(),
            shop_name: "Test Shop".to_owned(),
            run_schedule: false,
            jwt_keys: Some(format!("{TEST_KID}={TEST_JWT_SECRET}")),
            google_client_id: Some(crate::google::CLIENT_ID.to_owned()),
            google_jwks_url: Some(jwks.url.clone()),
            stripe_api_base: env_or("TEST_STRIPE_API_BASE", "http://127.0.0.1:18420"),
            stripe_webhook_secret: Some(WEBHOOK_SECRET.to_owned()),
            register_stripe_webhook: false,
            admin: Some(AdminSeed {
                email: admin_email.clone(),
                password: Some(ADMIN_PASSWORD.to_owned()),
            }),
            demo_catalog: false,
            // The storefront the tests' Checkout Sessions return to.
            allowed_return_origins: Some("http://127.0.0.1:3000".to_owned()),
            admin_dir: None,
        };
        adjust(&mut opts);
        let shop = shop_local::start(opts)
            .await
            .expect("the local shop starts (are the test emulators up? run `make test`)");
        Self {
            shop,
            jwks,
            admin_email,
            http: shop_local::http_client(Duration::from_secs(20)),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.shop.base_url)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .send()
            .await
            .expect("request sent")
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request sent")
    }

    /// A request with a bearer token.
    pub fn authed(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
    ) -> reqwest::RequestBuilder {
        self.http.request(method, self.url(path)).bearer_auth(token)
    }

    /// A GET with a bearer token whose answer must be 200 JSON.
    pub async fn get_json(&self, path: &str, token: &str) -> Value {
        let response = self
            .authed(reqwest::Method::GET, path, token)
            .send()
            .await
            .expect("request sent");
        assert_eq!(response.status(), 200, "GET {path}");
        response.json().await.expect("a JSON body")
    }

    pub async fn register(&self, email: &str) -> Session {
        let response = self
            .post_json(
                "/api/v1/auth/register",
                &serde_json::json!({"email": email, "password": PASSWORD, "name": "Ada"}),
            )
            .await;
        assert_eq!(response.status(), 201, "register {email}");
        Self::session(response.json().await.unwrap())
    }

    pub async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        self.post_json(
            "/api/v1/auth/login",
            &serde_json::json!({"email": email, "password": password}),
        )
        .await
    }

    pub async fn login_ok(&self, email: &str, password: &str) -> Session {
        let response = self.login(email, password).await;
        assert_eq!(response.status(), 200, "login {email}");
        Self::session(response.json().await.unwrap())
    }

    pub fn session(body: Value) -> Session {
        Session {
            user: body["user"].clone(),
            access: body["access_token"]
                .as_str()
                .expect("access_token")
                .to_owned(),
            refresh: body["refresh_token"]
                .as_str()
                .expect("refresh_token")
                .to_owned(),
        }
    }

    /// The token in the newest emailed link to `to` (`...?token=XYZ`), waiting for the email.
    pub async fn emailed_token(&self, to: &str, count: usize) -> String {
        let emails = self
            .wait_for_emails(to, count, Duration::from_secs(15))
            .await;
        assert!(
            emails.len() >= count,
            "expected {count} emails to {to}, got {emails:?}"
        );
        let text = &emails[0].text;
        let start = text.find("token=").expect("a link with a token") + "token=".len();
        text[start..].split_whitespace().next().unwrap().to_owned()
    }

    /// The emails sent to `to` so far, newest first, read through `GET /_local/emails`.
    pub async fn emails_to(&self, to: &str) -> Vec<SentEmail> {
        let response = self
            .http
            .get(self.url("/_local/emails"))
            .query(&[("to", to)])
            .send()
            .await
            .expect("request sent");
        assert_eq!(response.status(), 200);
        response.json().await.expect("a list of emails")
    }

    /// Waits until at least `count` emails reached `to`, or fails after `timeout`.
    pub async fn wait_for_emails(
        &self,
        to: &str,
        count: usize,
        timeout: Duration,
    ) -> Vec<SentEmail> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let emails = self.emails_to(to).await;
            if emails.len() >= count || tokio::time::Instant::now() > deadline {
                return emails;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The SDK's SQS client on this shop's emulator (the shop itself only sends: to receive,
    /// inspect or tune a queue, the tests use this).
    pub async fn sqs(&self) -> aws_sdk_sqs::Client {
        let config = &self.shop.state.config;
        let sdk = shop::aws::sdk_config(&config.endpoints).await;
        shop_local::provision::sqs_client(&sdk, config)
    }

    /// Waits until the work queue holds no message, visible or in flight.
    pub async fn wait_for_empty_queue(&self, timeout: Duration) {
        use aws_sdk_sqs::types::QueueAttributeName as A;
        let (queue, sqs) = (self.shop.state.queue(), self.sqs().await);
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let attrs = sqs
                .get_queue_attributes()
                .queue_url(&*queue.url)
                .attribute_names(A::ApproximateNumberOfMessages)
                .attribute_names(A::ApproximateNumberOfMessagesNotVisible)
                .send()
                .await
                .expect("queue attributes");
            let count = |a: A| {
                attrs
                    .attributes()
                    .and_then(|m| m.get(&a))
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(0)
            };
            if count(A::ApproximateNumberOfMessages)
                + count(A::ApproximateNumberOfMessagesNotVisible)
                == 0
            {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the queue did not drain within {timeout:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// A test's shop removes its table and queues (and empties its bucket) when the test ends,
/// passed or failed.
/// The removal runs on a thread of its own: `Drop` cannot await, and the test's runtime is
/// the one being dropped from.
impl Drop for TestApp {
    fn drop(&mut self) {
        let shop = &self.shop;
        std::thread::scope(|scope| {
            scope.spawn(|| {
                match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt.block_on(shop.remove_resources()),
                    Err(e) => eprintln!("test resources not removed: {e}"),
                }
            });
        });
    }
}

/// Polls `look` every 200 ms until it answers `Ok`, for at most 20 s; then fails with what its
/// last `Err` said it saw.
pub async fn eventually<T, F, Fut>(look: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, String>>,
{
    eventually_within(Duration::from_secs(20), look).await
}

/// [`eventually`] with a time limit of the caller's.
pub async fn eventually_within<T, F, Fut>(limit: Duration, mut look: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, String>>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match look().await {
            Ok(found) => return found,
            Err(seen) => assert!(tokio::time::Instant::now() < deadline, "{seen}"),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Asserts a problem document's status and code, and returns its body.
pub async fn assert_problem(response: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status().as_u16(), status, "unexpected status");
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    let body: Value = response.json().await.expect("a JSON problem");
    assert_eq!(body["code"], code, "problem: {body}");
    assert_eq!(body["status"], status);
    body
}

/// `count` customers made directly in the table (Argon2 for hundreds of sign-ups would only
/// slow a test), with access tokens; their addresses start with `label`.
pub async fn customers(app: &TestApp, count: usize, label: &str) -> Vec<String> {
    use futures_util::StreamExt;
    use shop::domain::{Email, Role};
    use shop::store::users::{self, User};
    let state = &app.shop.state;
    futures_util::stream::iter(0..count)
        .map(|i| async move {
            let email = Email::parse(&format!("{label}-{i}-{}@example.com", unique())).unwrap();
            let now = shop::accounts::now();
            let user = User::new(
                &email,
                None,
                Role::Customer,
                None,
                shop::accounts::rfc3339(now),
            );
            users::create(state.table(), &user, &email).await.unwrap();
            state.auth().access.issue(&user.id, Role::Customer, 0, now)
        })
        .buffer_unordered(16)
        .collect()
        .await
}

/// Every item of the test shop's table of this `type` (or all), read with a Scan: a check over
/// the whole table, test code only, never a request path.
pub async fn every_item(
    app: &TestApp,
    kind: Option<&str>,
) -> Vec<std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>> {
    use aws_sdk_dynamodb::types::AttributeValue;
    let table = app.shop.state.table();
    let mut items = Vec::new();
    let mut start = None;
    loop {
        let mut scan = table
            .client()
            .scan()
            .table_name(table.name())
            .set_exclusive_start_key(start);
        if let Some(kind) = kind {
            scan = scan
                .filter_expression("#type = :type")
                .expression_attribute_names("#type", "type")
                .expression_attribute_values(":type", AttributeValue::S(kind.into()));
        }
        let page = scan.send().await.unwrap();
        items.extend(page.items.unwrap_or_default());
        start = page.last_evaluated_key;
        if start.is_none() {
            return items;
        }
    }
}
