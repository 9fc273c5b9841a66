//! Google sign-in against a JWKS served by the test on 127.0.0.1 and ID tokens it signs itself.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::routing::get;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, assert_problem, unique, unique_email};

pub const CLIENT_ID: &str = "test-client.apps.googleusercontent.com";
const KID: &str = "test-google-key";

/// Serves `fixtures/google_jwks.json` with a cache lifetime, and counts the fetches.
pub struct JwksServer {
    pub url: String,
    pub fetches: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for JwksServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl JwksServer {
    pub async fn start() -> Self {
        let fetches = Arc::new(AtomicUsize::new(0));
        let counter = fetches.clone();
        let app = Router::new().route(
            "/oauth2/v3/certs",
            get(move || {
                counter.fetch_add(1, Ordering::SeqCst);
                async {
                    (
                        [
                            ("content-type", "application/json"),
                            ("cache-control", "public, max-age=600"),
                        ],
                        include_str!("../fixtures/google_jwks.json"),
                    )
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self {
            url: format!("http://{addr}/oauth2/v3/certs"),
            fetches,
            task,
        }
    }
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

pub fn claims(email: &str, sub: &str) -> Value {
    json!({
        "iss": "https://accounts.google.com", "aud": CLIENT_ID, "sub": sub, "email": email,
        "email_verified": true, "name": "Grace Hopper", "iat": now(), "exp": now() + 3600
    })
}

fn sign(claims: &Value, pem: &[u8], kid: &str) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_owned());
    encode(&header, claims, &EncodingKey::from_rsa_pem(pem).unwrap()).unwrap()
}

pub fn google_signed(claims: &Value) -> String {
    sign(claims, include_bytes!("../fixtures/google_rsa.pem"), KID)
}

pub async fn sign_in(app: &TestApp, id_token: &str) -> reqwest::Response {
    app.post_json("/api/v1/auth/oauth/google", &json!({"id_token": id_token}))
        .await
}

#[tokio::test]
async fn a_verified_google_account_signs_in_and_is_remembered() {
    let app = TestApp::spawn().await;
    let email = unique_email();
    let sub = unique();
    let first = sign_in(&app, &google_signed(&claims(&email, &sub))).await;
    assert_eq!(first.status(), 200);
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["user"]["email"], email);
    assert_eq!(first["user"]["email_verified"], true);
    assert_eq!(first["user"]["name"], "Grace Hopper");
    assert!(first["access_token"].is_string() && first["refresh_token"].is_string());

    let again: Value = sign_in(&app, &google_signed(&claims(&email, &sub)))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["user"]["id"], first["user"]["id"], "the same account");
    assert_eq!(
        app.jwks.fetches.load(Ordering::SeqCst),
        1,
        "keys are cached per container"
    );

    let me = app
        .authed(
            reqwest::Method::GET,
            "/api/v1/me",
            again["access_token"].as_str().unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
}

#[tokio::test]
async fn an_existing_account_with_that_email_is_linked_not_duplicated() {
    let app = TestApp::spawn().await;
    let email = unique_email();
    let registered = app.register(&email).await;
    // The owner proved the address, so the account is theirs and keeps its password.
    let token = app.emailed_token(&email, 1).await;
    let verified = app
        .post_json("/api/v1/auth/verify-email", &json!({"token": token}))
        .await;
    assert_eq!(verified.status(), 200);
    // Google says the same address, in other letter case.
    let body: Value = sign_in(
        &app,
        &google_signed(&claims(
            &email.to_uppercase().replace("@EXAMPLE.COM", "@example.com"),
            &unique(),
        )),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(body["user"]["id"], registered.user["id"]);
    assert_eq!(
        body["user"]["email_verified"], true,
        "Google verified the address"
    );
    app.login_ok(&email, PASSWORD).await;
    // Their session survives the linking.
    app.get_json("/api/v1/me", &registered.access).await;
}

/// Whoever registered an address first may not own it: Google proving the address takes the
/// unverified account over, ending the registrant's password and sessions.
#[tokio::test]
async fn google_sign_in_takes_over_an_account_whose_email_was_never_verified() {
    let app = TestApp::spawn().await;
    let email = unique_email();
    let squatter = app.register(&email).await;
    let sub = unique();
    let response = sign_in(&app, &google_signed(&claims(&email, &sub))).await;
    assert_eq!(response.status(), 200);
    let owner: Value = response.json().await.unwrap();
    assert_eq!(
        owner["user"]["id"], squatter.user["id"],
        "linked, not duplicated"
    );
    assert_eq!(owner["user"]["email_verified"], true);
    // The registrant's password, access token and refresh token no longer work.
    assert_problem(
        app.login(&email, PASSWORD).await,
        401,
        "invalid_credentials",
    )
    .await;
    let me = app
        .authed(reqwest::Method::GET, "/api/v1/me", &squatter.access)
        .send()
        .await
        .unwrap();
    assert_problem(me, 401, "session_revoked").await;
    let refreshed = app
        .post_json(
            "/api/v1/auth/token/refresh",
            &json!({"refresh_token": squatter.refresh}),
        )
        .await;
    assert_eq!(refreshed.status(), 401);
    // The owner's Google session works, and signs in again later.
    let owner_access = owner["access_token"].as_str().unwrap();
    app.get_json("/api/v1/me", owner_access).await;
    let again = sign_in(&app, &google_signed(&claims(&email, &sub))).await;
    assert_eq!(again.status(), 200);
}

#[tokio::test]
async fn id_tokens_that_must_fail() {
    let app = TestApp::spawn().await;
    let email = unique_email();
    let good = claims(&email, &unique());
    let with = |k: &str, v: Value| {
        let mut c = good.clone();
        c[k] = v;
        c
    };
    let cases = [
        (
            "another audience",
            google_signed(&with(
                "aud",
                json!("someone-else.apps.googleusercontent.com"),
            )),
        ),
        (
            "another issuer",
            google_signed(&with("iss", json!("https://evil.example"))),
        ),
        ("expired", google_signed(&with("exp", json!(now() - 3600)))),
        (
            "email not verified",
            google_signed(&with("email_verified", json!(false))),
        ),
        (
            "another key",
            sign(&good, include_bytes!("../fixtures/other_rsa.pem"), KID),
        ),
        (
            "unknown key id",
            sign(
                &good,
                include_bytes!("../fixtures/google_rsa.pem"),
                "rotated-away",
            ),
        ),
        ("not a JWT", "nonsense".to_owned()),
    ];
    for (why, token) in cases {
        let response = sign_in(&app, &token).await;
        assert_eq!(response.status(), 401, "{why}");
        assert_problem(response, 401, "invalid_id_token").await;
    }
    // HS/RS swap: an HS256 token keyed with the public JWKS itself.
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(KID.to_owned());
    let swapped = encode(
        &header,
        &good,
        &EncodingKey::from_secret(include_bytes!("../fixtures/google_jwks.json")),
    )
    .unwrap();
    assert_problem(sign_in(&app, &swapped).await, 401, "invalid_id_token").await;
}

#[tokio::test]
async fn google_sign_in_is_refused_when_not_configured() {
    let app = TestApp::spawn_with(|o| o.google_client_id = None).await;
    let token = google_signed(&claims(&unique_email(), &unique()));
    assert_problem(sign_in(&app, &token).await, 403, "google_sign_in_disabled").await;
}

#[tokio::test]
async fn unreachable_google_keys_are_a_503_not_a_sign_in() {
    // A port nothing listens on: bind one, then free it.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let app =
        TestApp::spawn_with(|o| o.google_jwks_url = Some(format!("http://{closed}/certs"))).await;
    let token = google_signed(&claims(&unique_email(), &unique()));
    assert_problem(sign_in(&app, &token).await, 503, "upstream_unavailable").await;
}
