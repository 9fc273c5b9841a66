//! What a black-box security probe of the accounts routes found (issue 14), each reproduced as
//! the probe saw it (races with enough rounds to have caught them before the fix).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{
    PASSWORD, Session, TEST_JWT_SECRET, TEST_KID, TestApp, assert_problem, unique, unique_email,
};

/// The token in an emailed link's text (`...?token=XYZ`).
fn token_in(text: &str) -> String {
    let start = text.find("token=").expect("a link with a token") + "token=".len();
    text[start..].split_whitespace().next().unwrap().to_owned()
}

async fn status_of_me(app: &TestApp, access: &str) -> u16 {
    app.authed(Method::GET, "/api/v1/me", access)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Asks for a reset link and returns the token of the newest email once `count` emails reached
/// the address.
async fn reset_link(app: &TestApp, email: &str, count: usize) -> String {
    let asked = app
        .post_json("/api/v1/auth/password-reset", &json!({"email": email}))
        .await;
    assert_eq!(asked.status(), 202);
    let emails = app
        .wait_for_emails(email, count, Duration::from_secs(15))
        .await;
    assert!(emails.len() >= count, "{} emails", emails.len());
    token_in(&emails[0].text)
}

async fn confirm(app: &TestApp, token: &str, password: &str) -> reqwest::Response {
    app.post_json(
        "/api/v1/auth/password-reset/confirm",
        &json!({"token": token, "new_password": password}),
    )
    .await
}

// 1. A refresh that overlaps a password reset outlived it.
#[tokio::test]
async fn no_token_issued_before_or_during_a_reset_works_after_it() {
    let app = TestApp::spawn().await;
    for round in 0..3 {
        let email = unique_email();
        let first = app.register(&email).await;
        let mut sessions = vec![first];
        for _ in 0..5 {
            sessions.push(app.login_ok(&email, PASSWORD).await);
        }
        // Six sessions refresh in a loop, keeping every access token they are handed.
        let stop = Arc::new(AtomicBool::new(false));
        let minted = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
        let loops: Vec<_> = sessions
            .into_iter()
            .map(|s: Session| {
                let (http, url, stop, minted) = (
                    app.http.clone(),
                    app.url("/api/v1/auth/token/refresh"),
                    stop.clone(),
                    minted.clone(),
                );
                tokio::spawn(async move {
                    let mut refresh = s.refresh;
                    minted.lock().unwrap().push(s.access);
                    while !stop.load(Ordering::SeqCst) {
                        let response = http
                            .post(&url)
                            .json(&json!({"refresh_token": refresh}))
                            .send()
                            .await
                            .unwrap();
                        if response.status() != 200 {
                            break;
                        }
                        let body: Value = response.json().await.unwrap();
                        minted
                            .lock()
                            .unwrap()
                            .push(body["access_token"].as_str().unwrap().to_owned());
                        refresh = body["refresh_token"].as_str().unwrap().to_owned();
                    }
                })
            })
            .collect();
        let token = reset_link(&app, &email, 2).await;
        let confirmed = confirm(&app, &token, "a brand new password").await;
        assert_eq!(confirmed.status(), 200, "round {round}");
        // Let the loops run on a little after the reset returned, then stop them.
        tokio::time::sleep(Duration::from_millis(300)).await;
        stop.store(true, Ordering::SeqCst);
        for l in loops {
            l.await.unwrap();
        }
        let minted = minted.lock().unwrap().clone();
        assert!(minted.len() > 6, "round {round}: the loops refreshed");
        for access in &minted {
            assert_eq!(
                status_of_me(&app, access).await,
                401,
                "round {round}: an access token from before or during the reset still works"
            );
        }
        app.login_ok(&email, "a brand new password").await;
    }
}

// 2. Older reset links survived a reset.
#[tokio::test]
async fn a_reset_invalidates_every_other_reset_link_of_the_account() {
    let app = TestApp::spawn().await;
    // Use the newer link: the older one no longer works.
    let email = unique_email();
    app.register(&email).await;
    let older = reset_link(&app, &email, 2).await;
    let newer = reset_link(&app, &email, 3).await;
    assert_ne!(older, newer);
    assert_eq!(
        confirm(&app, &newer, "the newer password").await.status(),
        200
    );
    assert_problem(
        confirm(&app, &older, "the older password").await,
        400,
        "invalid_token",
    )
    .await;
    app.login_ok(&email, "the newer password").await;
    // And the other way round.
    let email = unique_email();
    app.register(&email).await;
    let older = reset_link(&app, &email, 2).await;
    let newer = reset_link(&app, &email, 3).await;
    assert_eq!(
        confirm(&app, &older, "the older password").await.status(),
        200
    );
    assert_problem(
        confirm(&app, &newer, "the newer password").await,
        400,
        "invalid_token",
    )
    .await;
    app.login_ok(&email, "the older password").await;
}

// 3. Email identity was not normalised beyond ASCII case and spaces.
#[tokio::test]
async fn look_alike_spellings_of_an_address_are_refused_not_registered() {
    let app = TestApp::spawn().await;
    let name = format!("kelvin{}", unique());
    let plain = format!("{name}@example.com");
    app.register(&plain).await;
    let look_alikes = [
        format!("\u{212A}{}@example.com", &name[1..]), // KELVIN SIGN for the k
        format!("\u{FF4B}{}@example.com", &name[1..]), // fullwidth k
        format!("{name}@ex\u{0430}mple.com"),          // Cyrillic a
        format!("{name}\u{200B}@example.com"),         // zero-width space
        format!("ke\u{00AD}{}@example.com", &name[2..]), // soft hyphen
    ];
    for spelling in &look_alikes {
        let response = app
            .post_json(
                "/api/v1/auth/register",
                &json!({"email": spelling, "password": PASSWORD, "name": "Mallory"}),
            )
            .await;
        let body = assert_problem(response, 422, "validation_failed").await;
        assert_eq!(body["errors"][0]["field"], "email", "{spelling:?}: {body}");
    }
    // The owner of the plain address still has it, and nobody else does.
    app.login_ok(&plain, PASSWORD).await;
    for spelling in &look_alikes {
        let response = app.login(spelling, PASSWORD).await;
        assert_ne!(response.status(), 200, "{spelling:?}");
    }
}

// 5. A never-issued refresh token ended a real session.
#[tokio::test]
async fn only_a_token_we_issued_can_trigger_reuse_detection() {
    let app = TestApp::spawn().await;
    let session = app.register(&unique_email()).await;
    let refresh = |token: String| {
        let app = &app;
        async move {
            app.post_json(
                "/api/v1/auth/token/refresh",
                &json!({"refresh_token": token}),
            )
            .await
        }
    };
    let first: Value = refresh(session.refresh.clone()).await.json().await.unwrap();
    let current = first["refresh_token"].as_str().unwrap().to_owned();
    // The right user and family, an older generation, a made-up secret.
    let parts: Vec<&str> = current.split('.').collect();
    let forged = format!("{}.{}.0.{}", parts[0], parts[1], "A".repeat(43));
    assert_problem(refresh(forged).await, 401, "invalid_refresh_token").await;
    // The real session lives on.
    let second = refresh(current).await;
    assert_eq!(second.status(), 200);
    // A genuine retired token is reuse, and ends the family.
    assert_problem(refresh(session.refresh).await, 401, "token_reused").await;
    let next: Value = second.json().await.unwrap();
    let after = refresh(next["refresh_token"].as_str().unwrap().to_owned()).await;
    assert_eq!(after.status(), 401);
}

// 6. No Cache-Control: no-store on tokens and personal data, no nosniff anywhere.
#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    let email = unique_email();
    let registered = app
        .post_json(
            "/api/v1/auth/register",
            &json!({"email": email, "password": PASSWORD}),
        )
        .await;
    let answers = vec![
        ("register", registered),
        ("login", app.login(&email, PASSWORD).await),
        ("health", app.get("/api/v1/health").await),
        ("no such route", app.get("/api/v1/nope").await),
        (
            "bad json",
            app.http
                .post(app.url("/api/v1/auth/login"))
                .header("content-type", "application/json")
                .body("{")
                .send()
                .await
                .unwrap(),
        ),
    ];
    let session = app.login_ok(&email, PASSWORD).await;
    let me = app
        .authed(Method::GET, "/api/v1/me", &session.access)
        .send()
        .await
        .unwrap();
    for (what, response) in answers.into_iter().chain([("me", me)]) {
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        assert_eq!(header("x-content-type-options"), "nosniff", "{what}");
        assert_eq!(header("cache-control"), "no-store", "{what}");
        assert_eq!(header("x-frame-options"), "DENY", "{what}");
    }
}

// 7. Some malformed bodies were 422 instead of 400.
#[tokio::test]
async fn malformed_json_is_400_on_every_route() {
    let app = TestApp::spawn().await;
    let session = app.register(&unique_email()).await;
    let truncated_unknown_first = r#"{"unknown": 1, "name": "A"#;
    let cases: Vec<(Method, &str, Vec<u8>)> = vec![
        (Method::PATCH, "/api/v1/me", truncated_unknown_first.into()),
        (
            Method::POST,
            "/api/v1/me/addresses",
            truncated_unknown_first.into(),
        ),
        (
            Method::POST,
            "/api/v1/auth/token/refresh",
            truncated_unknown_first.into(),
        ),
        // Invalid UTF-8 inside a field the route ignores.
        (
            Method::POST,
            "/api/v1/auth/login",
            b"{\"email\": \"a@example.com\", \"password\": \"x\", \"note\": \"\xff\xfe\"}".to_vec(),
        ),
        (
            Method::PATCH,
            "/api/v1/me",
            b"{\"name\": \"\xc3\x28\"}".to_vec(),
        ),
    ];
    for (method, path, body) in cases {
        let response = app
            .authed(method.clone(), path, &session.access)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let problem: Value = response.json().await.unwrap();
        assert_eq!(
            (status.as_u16(), problem["code"].as_str()),
            (400, Some("malformed_json")),
            "{method} {path}: {problem}"
        );
    }
}

// 8. Bidirectional override characters were kept in names and address lines.
#[tokio::test]
async fn bidi_controls_are_refused_in_text_other_people_read() {
    let app = TestApp::spawn().await;
    let register = app
        .post_json(
            "/api/v1/auth/register",
            &json!({"email": unique_email(), "password": PASSWORD, "name": "Ada\u{202E}gpj.exe"}),
        )
        .await;
    let body = assert_problem(register, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "name");
    let session = app.register(&unique_email()).await;
    let patch = app
        .authed(Method::PATCH, "/api/v1/me", &session.access)
        .json(&json!({"name": "\u{2067}Ada"}))
        .send()
        .await
        .unwrap();
    assert_problem(patch, 422, "validation_failed").await;
    let address = app
        .authed(Method::POST, "/api/v1/me/addresses", &session.access)
        .json(
            &json!({"name": "Ada", "line1": "1 High St\u{202D}", "city": "London",
                      "postcode": "N1 9GU", "country": "GB"}),
        )
        .send()
        .await
        .unwrap();
    let body = assert_problem(address, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "line1");
}

fn address_body(name: &str, is_default: bool) -> Value {
    json!({"name": name, "line1": "1 High St", "city": "London", "postcode": "N1 9GU",
           "country": "GB", "is_default": is_default})
}

async fn create_address(app: &TestApp, access: &str, name: &str, is_default: bool) -> Value {
    let response = app
        .authed(Method::POST, "/api/v1/me/addresses", access)
        .json(&address_body(name, is_default))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

/// The user's addresses and the ids among them marked default.
async fn address_book(app: &TestApp, access: &str) -> (Vec<Value>, Vec<String>) {
    let list = app.get_json("/api/v1/me/addresses", access).await;
    let items = list["items"].as_array().unwrap().clone();
    let defaults = items
        .iter()
        .filter(|a| a["is_default"] == true)
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect();
    (items, defaults)
}

// 9. Concurrent address writes left two claimed defaults, or none.
#[tokio::test]
async fn one_default_under_concurrent_address_writes_and_answers_that_match() {
    let app = TestApp::spawn().await;
    for round in 0..12 {
        let session = app.register(&unique_email()).await;
        let access = session.access.as_str();
        // Three first addresses at once, none asking to be the default: exactly one becomes it,
        // and exactly that one says so.
        let (a, b, c) = tokio::join!(
            create_address(&app, access, "A", false),
            create_address(&app, access, "B", false),
            create_address(&app, access, "C", false),
        );
        let (_, defaults) = address_book(&app, access).await;
        assert_eq!(defaults.len(), 1, "round {round}");
        let claimed: Vec<_> = [&a, &b, &c]
            .iter()
            .filter(|x| x["is_default"] == true)
            .map(|x| x["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            claimed, defaults,
            "round {round}: the answers and the store agree"
        );

        // Two at once asking to be the default: one is stored, and it said so.
        let (d, e) = tokio::join!(
            create_address(&app, access, "D", true),
            create_address(&app, access, "E", true),
        );
        let (_, defaults) = address_book(&app, access).await;
        assert_eq!(defaults.len(), 1, "round {round}");
        let winner = [&d, &e]
            .into_iter()
            .find(|x| x["id"] == defaults[0].as_str())
            .expect("the stored default is one of the two");
        assert_eq!(winner["is_default"], true, "round {round}");

        // Delete the default and the address that would succeed it, at once.
        let (items, defaults) = address_book(&app, access).await;
        let current = defaults[0].clone();
        let successor = items
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_owned())
            .filter(|id| *id != current)
            .min() // the oldest: ULIDs sort by time
            .unwrap();
        let delete = |id: String| {
            let app = &app;
            async move {
                app.authed(
                    Method::DELETE,
                    &format!("/api/v1/me/addresses/{id}"),
                    access,
                )
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
            }
        };
        let (x, y) = tokio::join!(delete(current), delete(successor));
        assert_eq!((x, y), (204, 204), "round {round}");
        let (items, defaults) = address_book(&app, access).await;
        assert_eq!(items.len(), 3, "round {round}");
        assert_eq!(
            defaults.len(),
            1,
            "round {round}: exactly one default is left"
        );

        // Delete everything at once: no default left pointing anywhere, and the next address
        // is the default again.
        let ids: Vec<String> = items
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_owned())
            .collect();
        let results = futures_util::future::join_all(ids.into_iter().map(delete)).await;
        assert!(
            results.iter().all(|s| *s == 204),
            "round {round}: {results:?}"
        );
        let me = app.get_json("/api/v1/me", access).await;
        assert_eq!(me["id"], session.user["id"]);
        let fresh = create_address(&app, access, "F", false).await;
        assert_eq!(fresh["is_default"], true, "round {round}");
        let (_, defaults) = address_book(&app, access).await;
        assert_eq!(defaults, vec![fresh["id"].as_str().unwrap().to_owned()]);
    }
}

// 11. Access tokens: nbf was not validated, and an iat in the future was accepted.
#[tokio::test]
async fn access_tokens_from_the_future_are_refused() {
    let app = TestApp::spawn().await;
    let session = app.register(&unique_email()).await;
    let user_id = session.user["id"].as_str().unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let sign = |claims: Value| {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(TEST_KID.to_owned());
        encode(
            &header,
            &claims,
            &EncodingKey::from_secret(TEST_JWT_SECRET.as_bytes()),
        )
        .unwrap()
    };
    let base = json!({"sub": user_id, "role": "customer", "iat": now, "exp": now + 600,
                      "jti": unique(), "ver": 0});
    assert_eq!(
        status_of_me(&app, &sign(base.clone())).await,
        200,
        "the control"
    );
    let mut not_yet = base.clone();
    not_yet["nbf"] = json!(now + 3600);
    assert_eq!(status_of_me(&app, &sign(not_yet)).await, 401);
    let mut future = base.clone();
    future["iat"] = json!(now + 3600);
    future["exp"] = json!(now + 4200);
    assert_eq!(status_of_me(&app, &sign(future)).await, 401);
}
