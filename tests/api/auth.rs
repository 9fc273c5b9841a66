//! Sign-up, sign-in, tokens and their attacks, email verification and password reset.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TEST_JWT_SECRET, TEST_KID, TestApp, assert_problem, unique_email};

async fn me(app: &TestApp, token: &str) -> reqwest::Response {
    app.authed(Method::GET, "/api/v1/me", token)
        .send()
        .await
        .unwrap()
}

async fn refresh(app: &TestApp, token: &str) -> reqwest::Response {
    app.post_json(
        "/api/v1/auth/token/refresh",
        &json!({"refresh_token": token}),
    )
    .await
}

#[tokio::test]
async fn sign_up_then_verify_the_email_from_its_link() {
    let app = TestApp::spawn().await;
    let email = unique_email();
    let session = app.register(&email).await;
    assert_eq!(session.user["email"], email);
    assert_eq!(session.user["email_verified"], false);
    assert_eq!(session.user["role"], "customer");
    assert_eq!(session.user["first_time_buyer"], true);

    let emails = app
        .wait_for_emails(&email, 1, Duration::from_secs(15))
        .await;
    assert!(
        emails[0]
            .text
            .contains(&format!("{}/verify-email?token=", app.shop.base_url)),
        "{}",
        emails[0].text
    );
    let token = app.emailed_token(&email, 1).await;
    let verified = app
        .post_json("/api/v1/auth/verify-email", &json!({"token": token}))
        .await;
    assert_eq!(verified.status(), 200);
    let body: Value = me(&app, &session.access).await.json().await.unwrap();
    assert_eq!(body["email_verified"], true);

    // A token works once.
    let again = app
        .post_json("/api/v1/auth/verify-email", &json!({"token": token}))
        .await;
    assert_problem(again, 400, "invalid_token").await;
    let unknown = app
        .post_json("/api/v1/auth/verify-email", &json!({"token": "made-up"}))
        .await;
    assert_problem(unknown, 400, "invalid_token").await;
}

#[tokio::test]
async fn an_expired_verification_token_is_refused() {
    use shop::store::one_time_tokens::{self, Purpose};
    let app = TestApp::spawn().await;
    let session = app.register(&unique_email()).await;
    let user_id = session.user["id"].as_str().unwrap();
    let past = time::OffsetDateTime::now_utc() - time::Duration::seconds(1);
    let token = one_time_tokens::issue(
        app.shop.state.table(),
        Purpose::VerifyEmail,
        user_id,
        0,
        past,
    )
    .await
    .unwrap();
    let response = app
        .post_json("/api/v1/auth/verify-email", &json!({"token": token}))
        .await;
    assert_problem(response, 400, "invalid_token").await;
    // An expired reset token is refused too.
    let expired_reset = one_time_tokens::issue(
        app.shop.state.table(),
        Purpose::PasswordReset,
        user_id,
        0,
        past,
    )
    .await
    .unwrap();
    let response = app
        .post_json(
            "/api/v1/auth/password-reset/confirm",
            &json!({"token": expired_reset, "new_password": "a brand new password"}),
        )
        .await;
    assert_problem(response, 400, "invalid_token").await;
    // And a reset token is no verification token.
    let future = time::OffsetDateTime::now_utc() + time::Duration::hours(1);
    let reset = one_time_tokens::issue(
        app.shop.state.table(),
        Purpose::PasswordReset,
        user_id,
        0,
        future,
    )
    .await
    .unwrap();
    let response = app
        .post_json("/api/v1/auth/verify-email", &json!({"token": reset}))
        .await;
    assert_problem(response, 400, "invalid_token").await;
}

#[tokio::test]
async fn resend_sends_a_new_link_until_verified() {
    let app = TestApp::spawn().await;
    let email = unique_email();
    let session = app.register(&email).await;
    let resent = app
        .authed(
            Method::POST,
            "/api/v1/auth/verify-email/resend",
            &session.access,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resent.status(), 202);
    let token = app.emailed_token(&email, 2).await;
    assert_eq!(
        app.post_json("/api/v1/auth/verify-email", &json!({"token": token}))
            .await
            .status(),
        200
    );
    let unauthenticated = app
        .post_json("/api/v1/auth/verify-email/resend", &json!({}))
        .await;
    assert_problem(unauthenticated, 401, "unauthenticated").await;
}

#[tokio::test]
async fn sign_up_input_is_checked() {
    let app = TestApp::spawn().await;
    let cases = [
        (
            json!({"email": "not-an-email", "password": PASSWORD}),
            "email",
        ),
        (
            json!({"email": unique_email(), "password": "short"}),
            "password",
        ),
        (
            json!({"email": unique_email(), "password": "x".repeat(129)}),
            "password",
        ),
        (json!({"password": PASSWORD}), "body"),
        (
            json!({"email": unique_email(), "password": PASSWORD, "name": "   "}),
            "name",
        ),
    ];
    for (body, field) in cases {
        let problem = assert_problem(
            app.post_json("/api/v1/auth/register", &body).await,
            422,
            "validation_failed",
        )
        .await;
        let got = problem["errors"][0]["field"].as_str().unwrap().to_owned();
        assert!(
            got == field || (field == "body" && got.contains("email")),
            "{body}: {problem}"
        );
    }
}

#[tokio::test]
async fn one_email_one_account_in_any_letter_case_even_at_once() {
    let app = TestApp::spawn().await;
    let email = unique_email();
    let variants = [
        email.clone(),
        email.to_uppercase(),
        email.replacen('u', "U", 1),
        email.clone(),
    ];
    let bodies: Vec<Value> = variants
        .iter()
        .cycle()
        .take(8)
        .map(|e| json!({"email": e, "password": PASSWORD}))
        .collect();
    let attempts = bodies
        .iter()
        .map(|b| app.post_json("/api/v1/auth/register", b));
    let responses = futures_util::future::join_all(attempts).await;
    let created = responses.iter().filter(|r| r.status() == 201).count();
    let taken = responses.iter().filter(|r| r.status() == 409).count();
    assert_eq!((created, taken), (1, 7));
    let again = app
        .post_json(
            "/api/v1/auth/register",
            &json!({"email": email.to_uppercase(), "password": PASSWORD}),
        )
        .await;
    assert_problem(again, 409, "email_taken").await;
}

#[tokio::test]
async fn wrong_password_and_unknown_email_are_the_same_401() {
    let app = TestApp::spawn().await;
    let email = unique_email();
    app.register(&email).await;
    let ok = app.login_ok(&email.to_uppercase(), PASSWORD).await;
    assert_eq!(ok.user["email"], email);
    let wrong = assert_problem(
        app.login(&email, "wrong password!").await,
        401,
        "invalid_credentials",
    )
    .await;
    let unknown = assert_problem(
        app.login(&unique_email(), PASSWORD).await,
        401,
        "invalid_credentials",
    )
    .await;
    assert_eq!(wrong, unknown);
    // Absurd input is a 401 too, never a 500.
    let huge = format!("{}@example.com", "a".repeat(20_000));
    assert_problem(app.login(&huge, PASSWORD).await, 401, "invalid_credentials").await;
    assert_problem(
        app.login(&email, &"p".repeat(10_000)).await,
        401,
        "invalid_credentials",
    )
    .await;
}

#[tokio::test]
async fn the_sixth_attempt_in_15_minutes_is_429_even_when_right() {
    let app = TestApp::spawn().await;
    let email = unique_email();
    app.register(&email).await;
    for _ in 0..5 {
        assert_problem(
            app.login(&email, "wrong password!").await,
            401,
            "invalid_credentials",
        )
        .await;
    }
    let response = app.login(&email, PASSWORD).await;
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    assert_problem(response, 429, "too_many_attempts").await;
    // Another address is unaffected.
    let other = unique_email();
    app.register(&other).await;
    app.login_ok(&other, PASSWORD).await;
}

/// Only failures count against the limit: an owner signing in again and again, from several
/// devices at once, is never locked out, and a success clears the failures before it.
#[tokio::test]
async fn successful_sign_ins_never_count_against_the_limit() {
    let app = TestApp::spawn().await;
    let email = unique_email();
    app.register(&email).await;
    for _ in 0..8 {
        app.login_ok(&email, PASSWORD).await;
    }
    // Six at once, past the limit of five: none is locked out; one that arrives while five
    // others are being judged is asked to come back in a second (and then gets in).
    let login_soon = || async {
        for _ in 0..10 {
            let r = app.login(&email, PASSWORD).await;
            if r.status() != 429 {
                return r.status().as_u16();
            }
            assert_eq!(r.headers()["retry-after"], "1");
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        429
    };
    let together = futures_util::future::join_all((0..6).map(|_| login_soon())).await;
    assert_eq!(together, [200; 6]);
    // Four failures, a success (clearing them), four more failures: still let in.
    for _ in 0..2 {
        for _ in 0..4 {
            assert_problem(
                app.login(&email, "wrong password!").await,
                401,
                "invalid_credentials",
            )
            .await;
        }
        app.login_ok(&email, PASSWORD).await;
    }
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_reused_one_ends_the_family() {
    let app = TestApp::spawn().await;
    let email = unique_email();
    let session = app.register(&email).await;
    let r1 = refresh(&app, &session.refresh).await;
    assert_eq!(r1.status(), 200);
    let r1: Value = r1.json().await.unwrap();
    let r1_refresh = r1["refresh_token"].as_str().unwrap();
    assert_ne!(r1_refresh, session.refresh);
    assert_eq!(
        me(&app, r1["access_token"].as_str().unwrap())
            .await
            .status(),
        200
    );

    // The rotated-away token is presented again: reuse.
    assert_problem(refresh(&app, &session.refresh).await, 401, "token_reused").await;
    // ...and the whole family is dead, the newest token included.
    assert_problem(
        refresh(&app, r1_refresh).await,
        401,
        "invalid_refresh_token",
    )
    .await;

    // Another session of the same user lives on.
    let other = app.login_ok(&email, PASSWORD).await;
    assert_eq!(refresh(&app, &other.refresh).await.status(), 200);
    assert_problem(refresh(&app, "garbage").await, 401, "invalid_refresh_token").await;
    let long = format!(
        "{}.{}.0.{}",
        "A".repeat(3000),
        "B".repeat(3000),
        "c".repeat(64)
    );
    assert_problem(refresh(&app, &long).await, 401, "invalid_refresh_token").await;
}

#[tokio::test]
async fn logout_ends_the_refresh_token() {
    let app = TestApp::spawn().await;
    let session = app.register(&unique_email()).await;
    let out = app
        .authed(Method::POST, "/api/v1/auth/logout", &session.access)
        .json(&json!({"refresh_token": session.refresh}))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204);
    assert_problem(
        refresh(&app, &session.refresh).await,
        401,
        "invalid_refresh_token",
    )
    .await;
}

fn forge(claims: &Value, kid: &str, secret: &str) -> String {
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(kid.to_owned());
    encode(
        &header,
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

#[tokio::test]
async fn access_tokens_that_must_fail() {
    let app = TestApp::spawn().await;
    let session = app.register(&unique_email()).await;
    let id = session.user["id"].as_str().unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let claims =
        json!({"sub": id, "role": "admin", "iat": now, "exp": now + 900, "jti": "x", "ver": 0});
    // The test key itself works: the forgeries below fail for their own reason.
    assert_eq!(
        me(&app, &forge(&claims, TEST_KID, TEST_JWT_SECRET))
            .await
            .status(),
        200
    );

    let other_key = forge(&claims, TEST_KID, "another-secret-0123456789abcdef012345");
    assert_problem(me(&app, &other_key).await, 401, "invalid_access_token").await;
    let unknown_kid = forge(&claims, "nope", TEST_JWT_SECRET);
    assert_problem(me(&app, &unknown_kid).await, 401, "invalid_access_token").await;

    let b64 = |v: Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let none = format!(
        "{}.{}.",
        b64(json!({"alg": "none", "typ": "JWT", "kid": TEST_KID})),
        b64(claims.clone())
    );
    assert_problem(me(&app, &none).await, 401, "invalid_access_token").await;

    let mut rs = Header::new(Algorithm::RS256);
    rs.kid = Some(TEST_KID.to_owned());
    let rs_token = encode(
        &rs,
        &claims,
        &EncodingKey::from_rsa_pem(include_bytes!("../fixtures/other_rsa.pem")).unwrap(),
    )
    .unwrap();
    assert_problem(me(&app, &rs_token).await, 401, "invalid_access_token").await;

    let expired = json!({"sub": id, "role": "customer", "iat": now - 1000, "exp": now - 100, "jti": "x", "ver": 0});
    let response = me(&app, &forge(&expired, TEST_KID, TEST_JWT_SECRET)).await;
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    assert_problem(response, 401, "token_expired").await;

    assert_problem(app.get("/api/v1/me").await, 401, "unauthenticated").await;
    let basic = app
        .http
        .get(app.url("/api/v1/me"))
        .header("authorization", "Basic abc")
        .send()
        .await
        .unwrap();
    assert_problem(basic, 401, "invalid_access_token").await;
}

#[tokio::test]
async fn a_deleted_users_token_is_refused() {
    let app = TestApp::spawn().await;
    let session = app.register(&unique_email()).await;
    let table = app.shop.state.table();
    let user = shop::store::users::get(table, session.user["id"].as_str().unwrap())
        .await
        .unwrap()
        .unwrap();
    shop::store::users::delete_account(table, &user)
        .await
        .unwrap();
    assert_problem(me(&app, &session.access).await, 401, "invalid_access_token").await;
    assert_problem(
        refresh(&app, &session.refresh).await,
        401,
        "invalid_refresh_token",
    )
    .await;
}

#[tokio::test]
async fn password_reset_by_email_ends_every_session() {
    let app = TestApp::spawn().await;
    let email = unique_email();
    let first = app.register(&email).await;
    let second = app.login_ok(&email, PASSWORD).await;

    let asked = app
        .post_json(
            "/api/v1/auth/password-reset",
            &json!({"email": email.to_uppercase()}),
        )
        .await;
    assert_eq!(asked.status(), 202);
    // The verification email came first; the reset email is the second.
    let emails = app
        .wait_for_emails(&email, 2, Duration::from_secs(15))
        .await;
    assert!(
        emails[0].subject.contains("Reset"),
        "{:?}",
        emails[0].subject
    );
    assert!(emails[0].text.contains("/reset-password?token="));
    let token = app.emailed_token(&email, 2).await;

    let new_password = "a brand new password";
    let weak = app
        .post_json(
            "/api/v1/auth/password-reset/confirm",
            &json!({"token": token, "new_password": "short"}),
        )
        .await;
    assert_problem(weak, 422, "validation_failed").await;
    let confirmed = app
        .post_json(
            "/api/v1/auth/password-reset/confirm",
            &json!({"token": token, "new_password": new_password}),
        )
        .await;
    assert_eq!(confirmed.status(), 200);
    let body: Value = confirmed.json().await.unwrap();
    assert_eq!(body["sessions_revoked"], 2);

    for old in [&first, &second] {
        assert_problem(
            refresh(&app, &old.refresh).await,
            401,
            "invalid_refresh_token",
        )
        .await;
        assert_problem(me(&app, &old.access).await, 401, "session_revoked").await;
    }
    assert_problem(
        app.login(&email, PASSWORD).await,
        401,
        "invalid_credentials",
    )
    .await;
    let fresh = app.login_ok(&email, new_password).await;
    assert_eq!(me(&app, &fresh.access).await.status(), 200);

    let reused = app
        .post_json(
            "/api/v1/auth/password-reset/confirm",
            &json!({"token": token, "new_password": "yet another password"}),
        )
        .await;
    assert_problem(reused, 400, "invalid_token").await;
}

#[tokio::test]
async fn password_reset_answers_the_same_for_unknown_addresses_and_is_limited() {
    let app = TestApp::spawn().await;
    let unknown = unique_email();
    for _ in 0..5 {
        let response = app
            .post_json("/api/v1/auth/password-reset", &json!({"email": unknown}))
            .await;
        assert_eq!(response.status(), 202);
    }
    let sixth = app
        .post_json("/api/v1/auth/password-reset", &json!({"email": unknown}))
        .await;
    assert!(sixth.headers().contains_key("retry-after"));
    assert_problem(sixth, 429, "too_many_attempts").await;
    app.wait_for_empty_queue(Duration::from_secs(15)).await;
    assert!(
        app.emails_to(&unknown).await.is_empty(),
        "no email to an address without an account"
    );
    let bad = app
        .post_json("/api/v1/auth/password-reset", &json!({"email": "nope"}))
        .await;
    assert_problem(bad, 422, "validation_failed").await;
}
