//! `shopctl`, the operator's tool, through its library against a test shop's table.

use serde_json::json;
use shopctl::import::{Format, import};

use crate::helpers::{TestApp, unique};

fn file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("shopctl-{}", unique()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[tokio::test]
async fn a_json_import_writes_the_good_rows_and_names_the_bad_one() {
    let app = TestApp::spawn().await;
    let tag = unique();
    let product = |n: usize, price: serde_json::Value| {
        json!({"name": format!("Imported {n} {tag}"), "variants": [
            {"sku": format!("IMP-{n}-{tag}"), "name": "One", "price": price, "stock": 4}
        ]})
    };
    let rows = json!([
        product(1, json!(1000)),
        product(2, json!(-5)),
        product(3, json!(1500))
    ]);
    let path = file("catalog.json", &rows.to_string());
    let report = import(app.shop.state.table(), &path, Format::Json, true)
        .await
        .unwrap();
    assert_eq!(report.written, 2);
    assert_eq!(report.refused.len(), 1, "{:?}", report.refused);
    assert!(
        report.refused[0].starts_with("row 2: variants[0].price"),
        "{:?}",
        report.refused
    );
    let slug = |n: usize| format!("imported-{n}-{}", tag.to_lowercase());
    assert_eq!(
        app.get(&format!("/api/v1/products/{}", slug(1)))
            .await
            .status(),
        200
    );
    assert_eq!(
        app.get(&format!("/api/v1/products/{}", slug(3)))
            .await
            .status(),
        200
    );
    assert_eq!(
        app.get(&format!("/api/v1/products/{}", slug(2)))
            .await
            .status(),
        404
    );
    // Imported twice: every row is refused by name, nothing is duplicated.
    let again = import(app.shop.state.table(), &path, Format::Json, true)
        .await
        .unwrap();
    assert_eq!(again.written, 0);
    assert!(
        again.refused.iter().any(|r| r.starts_with("row 1: slug")),
        "{:?}",
        again.refused
    );
}

#[tokio::test]
async fn a_csv_product_with_one_bad_row_is_not_half_written() {
    let app = TestApp::spawn().await;
    let t = unique().to_lowercase();
    let csv = format!(
        "name,slug,tags,sku,variant_name,price,stock\n\
         Blue Mug,blue-mug-{t},kitchen;mugs,MUG-S-{t},Small,900,3\n\
         ,blue-mug-{t},,MUG-L-{t},Large,1200,1\n\
         Lamp,lamp-{t},,LAMP-{t},Lamp,ten,2\n\
         Lamp 2,lamp-two-{t},,LAMP2-{t},Lamp,1900,2\n\
         ,lamp-two-{t},,LAMP2-XL-{t},Big,-1,2\n"
    );
    let path = file("catalog.csv", &csv);
    let report = import(app.shop.state.table(), &path, Format::Csv, true)
        .await
        .unwrap();
    assert_eq!(report.written, 1, "{:?}", report.refused);
    assert_eq!(report.refused.len(), 2, "{:?}", report.refused);
    assert!(
        report.refused[0].starts_with("row 4: variants[0].price"),
        "{:?}",
        report.refused
    );
    assert!(
        report.refused[1].starts_with("row 6: variants[1].price"),
        "{:?}",
        report.refused
    );
    let mug: serde_json::Value = app
        .get(&format!("/api/v1/products/blue-mug-{t}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mug["variants"].as_array().unwrap().len(), 2);
    assert_eq!(mug["price_from"], 900);
    // Nothing of the bad product: not its good first row, not its sku.
    assert_eq!(
        app.get(&format!("/api/v1/products/lamp-two-{t}"))
            .await
            .status(),
        404
    );
    let reuse = json!([{"name": "Reuse", "variants": [{"sku": format!("LAMP2-{t}"), "name": "A", "price": 1}]}]);
    let reused = import(
        app.shop.state.table(),
        &file("r.json", &reuse.to_string()),
        Format::Json,
        true,
    )
    .await
    .unwrap();
    assert_eq!(
        reused.written, 1,
        "the bad row's sku was never claimed: {:?}",
        reused.refused
    );
}

#[tokio::test]
async fn generate_10000_fills_a_table() {
    let app = TestApp::spawn().await;
    let table = app.shop.state.table();
    let done = shopctl::generate::generate(table, 10_000, true)
        .await
        .unwrap();
    assert_eq!(
        done.written,
        10_000,
        "{:?}",
        &done.failed[..done.failed.len().min(3)]
    );
    // Count the active products on their index (the generator makes 1 in 25 a draft).
    let mut active = 0;
    let mut start = None;
    loop {
        let out = table
            .query()
            .index_name("GSI1")
            .key_condition_expression("GSI1PK = :pk")
            .expression_attribute_values(
                ":pk",
                aws_sdk_dynamodb::types::AttributeValue::S("PRODUCTS#active".into()),
            )
            .select(aws_sdk_dynamodb::types::Select::Count)
            .set_exclusive_start_key(start)
            .send()
            .await
            .unwrap();
        active += out.count;
        start = out.last_evaluated_key;
        if start.is_none() {
            break;
        }
    }
    assert_eq!(active, 9_600);
}
