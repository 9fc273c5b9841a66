//! PDF invoices and credit notes, made by the worker and read back as a buyer would: through
//! the presigned link, then `pdftotext` and `pdftoppm` (Debian's poppler-utils, installed by
//! `make test`). The invoice of an order with a bundle, a coupon and delivery holds the
//! seller, the number, every line, the total and the VAT; 20 orders invoiced at once get 20
//! consecutive numbers; a refund makes a credit note.

use std::process::Command;
use std::time::Duration;

use futures_util::StreamExt;
use reqwest::Method;
use serde_json::{Value, json};

use crate::cart::{Who, add_ok, bundle, item};
use crate::catalog::{send, staff};
use crate::coupons::{apply, coupon};
use crate::helpers::{TestApp, assert_problem, eventually_within, unique, unique_email};
use crate::orders::{address, checkout_ok, paid_order, pay_and_sync};
use crate::settings::{admin, change_settings};

/// The order's invoice answer, once the worker has made it (`query`: a guest's `?token=`).
async fn invoice_of(app: &TestApp, who: &Who, id: &str, query: &str, credit_notes: usize) -> Value {
    eventually_within(Duration::from_secs(30), || async {
        let r = who
            .request(
                app,
                Method::GET,
                &format!("/api/v1/orders/{id}/invoice{query}"),
            )
            .send()
            .await
            .unwrap();
        let status = r.status();
        let body: Value = r.json().await.unwrap();
        if status == 200 && body["credit_notes"].as_array().unwrap().len() >= credit_notes {
            Ok(body)
        } else {
            Err(format!("{status}: {body}"))
        }
    })
    .await
}

/// The PDF at a presigned link, and its text (`pdftotext -layout`).
async fn pdf_text(app: &TestApp, url: &str) -> (std::path::PathBuf, String) {
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let bytes = app
        .http
        .get(url)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let path = std::env::temp_dir().join(format!("invoice-{}.pdf", unique()));
    std::fs::write(&path, &bytes).unwrap();
    let out = Command::new("pdftotext")
        .args(["-layout", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext runs (make test installs poppler-utils)");
    assert!(out.status.success());
    (path, String::from_utf8(out.stdout).unwrap())
}

fn money(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    format!("{sign}{}.{:02} GBP", minor.abs() / 100, minor.abs() % 100)
}

fn vat(gross: i64, rate: i64) -> i64 {
    (gross * rate * 2 + (100 + rate)) / (2 * (100 + rate))
}

#[tokio::test]
async fn an_invoice_shows_the_seller_lines_total_and_vat_and_a_refund_makes_a_credit_note() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let admin = admin(&app).await;
    change_settings(
        &app,
        &admin,
        json!({"seller": {"name": "Acme Trading Ltd", "address": "1 High Street; London N1 1AA",
                          "vat_number": "GB123456789", "vat_rate_percent": 20},
               "free_delivery_threshold": 1000000, "delivery_fee": 499,
               "first_time_discount_percent": 0}),
    )
    .await;
    let parts = [
        item(&app, &staff, 1000, 5).await,
        item(&app, &staff, 1000, 5).await,
        item(&app, &staff, 1000, 5).await,
    ];
    let slug = bundle(&app, &staff, &[&parts[0], &parts[1], &parts[2]]).await;
    let single = item(&app, &staff, 555, 5).await;
    // A guest: no first-order discount, so delivery is charged.
    let mut who = Who::Guest(None);
    add_ok(&app, &mut who, &slug, 1).await;
    add_ok(&app, &mut who, &single, 1).await;
    let code = format!("INV{}", unique()).to_uppercase();
    coupon(&app, &admin, json!({"code": code, "percent_off": 10})).await;
    assert_eq!(apply(&app, &who, &code).await.status(), 200);
    let body = json!({"shipping_address": address(), "email": unique_email()});
    let answer = checkout_ok(&app, &who, &body).await;
    let order = answer["order"].clone();
    let id = order["id"].as_str().unwrap();
    let q = format!("?token={}", answer["order_token"].as_str().unwrap());
    assert!(order["bundle_discount"].as_i64().unwrap() > 0);
    assert!(order["coupon_discount"].as_i64().unwrap() > 0);
    assert_eq!(order["delivery_fee"], 499);
    // Not paid yet: no invoice.
    let early = who
        .request(
            &app,
            Method::GET,
            &format!("/api/v1/orders/{id}/invoice{q}"),
        )
        .send()
        .await
        .unwrap();
    assert_problem(early, 409, "invoice_not_ready").await;
    pay_and_sync(&app, &who, &answer, &q).await;

    let invoice = invoice_of(&app, &who, id, &q, 0).await;
    assert_eq!(invoice["number"], "INV-000001");
    assert_eq!(invoice["amount"], order["total"]);
    let (path, text) = pdf_text(&app, invoice["url"].as_str().unwrap()).await;
    let total = order["total"].as_i64().unwrap();
    for want in [
        "Acme Trading Ltd".to_owned(),
        "GB123456789".to_owned(),
        "INV-000001".to_owned(),
        order["number"].as_str().unwrap().to_owned(),
        "Ada Lovelace".to_owned(),
        money(total),
        money(vat(total, 20)),
        "VAT included at 20%".to_owned(),
        money(499),
        money(-order["coupon_discount"].as_i64().unwrap()),
        money(-order["bundle_discount"].as_i64().unwrap()),
    ] {
        assert!(
            text.contains(&want),
            "{want} is not on the invoice:\n{text}"
        );
    }
    for line in order["lines"].as_array().unwrap() {
        let sku = line["sku"].as_str().unwrap();
        let row = text
            .lines()
            .find(|l| l.trim_start().starts_with(sku))
            .unwrap_or_else(|| panic!("{sku}:\n{text}"));
        let paid = line["line_total"].as_i64().unwrap() - line["discount"].as_i64().unwrap();
        assert!(row.contains(&money(paid)), "{row}");
        assert!(
            row.contains(&money(line["unit_price"].as_i64().unwrap())),
            "{row}"
        );
    }
    // The first page, rendered, is not blank.
    let png = path.with_extension("page");
    let out = Command::new("pdftoppm")
        .args([
            "-png",
            "-r",
            "50",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            path.to_str().unwrap(),
            png.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let page = image::open(png.with_extension("page.png"))
        .unwrap()
        .to_luma8();
    let dark = page.pixels().filter(|p| p.0[0] < 128).count();
    assert!(dark > 1000, "{dark} dark pixels of {}", page.len());
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(png.with_extension("page.png"));

    // A refund: a credit note for it, against the invoice.
    let refunded = send(
        &app,
        Method::POST,
        &format!("/api/v1/admin/orders/{id}/refund"),
        &admin,
        &json!({"amount": 1000}),
    )
    .await;
    assert_eq!(refunded.status(), 201);
    let with_note = invoice_of(&app, &who, id, &q, 1).await;
    let note = &with_note["credit_notes"][0];
    assert_eq!(
        (note["number"].as_str(), note["amount"].as_i64()),
        (Some("CN-000001"), Some(1000))
    );
    let (path, text) = pdf_text(&app, note["url"].as_str().unwrap()).await;
    for want in [
        "CREDIT NOTE",
        "CN-000001",
        "INV-000001",
        &money(1000),
        &money(vat(1000, 20)),
    ] {
        assert!(text.contains(want), "{want}:\n{text}");
    }
    let _ = std::fs::remove_file(path);
    // Someone else's order: 404.
    let other = Who::User(app.register(&unique_email()).await.access);
    let r = other
        .request(&app, Method::GET, &format!("/api/v1/orders/{id}/invoice"))
        .send()
        .await
        .unwrap();
    assert_problem(r, 404, "not_found").await;
}

#[tokio::test]
async fn twenty_orders_invoiced_at_once_get_twenty_consecutive_numbers() {
    let app = TestApp::spawn().await;
    let staff = staff(&app).await;
    let paid: Vec<(Who, String)> = futures_util::stream::iter(0..20)
        .map(|_| {
            let app = &app;
            let staff = staff.clone();
            async move {
                let (who, id, _, _) = paid_order(app, &staff, 1).await;
                (who, id)
            }
        })
        .buffer_unordered(5)
        .collect()
        .await;
    // The worker invoices them as their events arrive; the test asks for all twenty at once
    // as well, so the counter is contended for real.
    let state = &app.shop.state;
    let issued =
        futures_util::future::join_all(paid.iter().map(|(_, id)| shop::invoices::issue(state, id)))
            .await;
    assert!(issued.iter().all(Result::is_ok));
    let mut numbers = Vec::new();
    for (who, id) in &paid {
        let invoice = invoice_of(&app, who, id, "", 0).await;
        numbers.push(invoice["number"].as_str().unwrap().to_owned());
    }
    numbers.sort();
    let want: Vec<String> = (1..=20).map(|n| format!("INV-{n:06}")).collect();
    assert_eq!(numbers, want);
}
