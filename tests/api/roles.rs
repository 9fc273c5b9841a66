//! Roles are enforced by extractors: a handler that takes `Staff` or `Admin` cannot run for a
//! lesser role. Checked over HTTP on routes of the test's own, with the test shop's state.

use axum::Router;
use axum::routing::get;
use reqwest::Method;
use shop::http::{Admin, AuthUser, Staff};

use crate::helpers::{ADMIN_PASSWORD, TestApp, assert_problem, unique_email};

async fn guarded(app: &TestApp) -> String {
    let router = Router::new()
        .route("/any", get(|u: AuthUser| async move { u.role().as_str() }))
        .route(
            "/staff",
            get(|Staff(u): Staff| async move { u.role().as_str() }),
        )
        .route(
            "/admin",
            get(|Admin(u): Admin| async move { u.role().as_str() }),
        )
        .with_state(app.shop.state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, shop::http::wrap(router))
            .await
            .unwrap()
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn each_role_reaches_only_what_it_may() {
    let app = TestApp::spawn().await;
    let base = guarded(&app).await;
    let customer = app.register(&unique_email()).await;
    let admin = app.login_ok(&app.admin_email, ADMIN_PASSWORD).await;
    assert_eq!(admin.user["role"], "admin");
    let call = |path: &str, token: &str| {
        app.http
            .request(Method::GET, format!("{base}{path}"))
            .bearer_auth(token)
            .send()
    };

    assert_eq!(
        call("/any", &customer.access)
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "customer"
    );
    assert_problem(
        call("/staff", &customer.access).await.unwrap(),
        403,
        "forbidden",
    )
    .await;
    assert_problem(
        call("/admin", &customer.access).await.unwrap(),
        403,
        "forbidden",
    )
    .await;
    assert_eq!(
        call("/staff", &admin.access)
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "admin"
    );
    assert_eq!(
        call("/admin", &admin.access)
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "admin"
    );
    let anonymous = app.http.get(format!("{base}/staff")).send().await.unwrap();
    assert_problem(anonymous, 401, "unauthenticated").await;
}
