//! `shopctl import FILE`: a catalog from JSON or CSV.
//!
//! - JSON: an array of products, each in the shape `POST /admin/products` takes. Row N is the
//!   N-th product.
//! - CSV: a header, then one row per variant, with the columns `name, slug, description,
//!   category, tags (separated by ;), featured, tier, status, sku, variant_name, price, stock,
//!   unique`. Rows with the same `slug` are one product (its fields come from its first row);
//!   a row with no slug is a product of its own. Row N is line N of the file (the header is 1).
//!
//! Every product is checked with the API's own rules and parser, so an error names the row and
//! the field as the API would; a product is written in one transaction (its slug and skus
//! claimed with it), so a bad row writes nothing of itself, and the good rows are written.

use std::path::Path;

use serde_json::{Map, Value, json};
use shop::aws::Table;
use shop::catalog::product::ProductInput;
use shop::error::ApiError;
use shop::store::products::CreateProductError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

impl Format {
    /// From the file's extension (`.json`, `.csv`).
    pub fn of(path: &Path) -> Option<Self> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "json" => Some(Self::Json),
            "csv" => Some(Self::Csv),
            _ => None,
        }
    }
}

/// What an import did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub written: usize,
    /// `row N: field: what is wrong`, in row order.
    pub refused: Vec<String>,
}

/// One product to import: its body in the API's shape, and the rows it came from (the first
/// names the product; for CSV, the i-th is its i-th variant).
#[derive(Debug)]
struct Candidate {
    rows: Vec<usize>,
    body: Value,
}

pub async fn import(
    table: &Table,
    path: &Path,
    format: Format,
    quiet: bool,
) -> Result<Report, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let candidates = match format {
        Format::Json => from_json(&text)?,
        Format::Csv => from_csv(&text)?,
    };
    let mut report = Report::default();
    let mut valid = Vec::new();
    let now = shop::accounts::rfc3339(shop::accounts::now());
    for c in candidates {
        let checked = serde_json::to_vec(&c.body)
            .map_err(ApiError::internal)
            .and_then(|bytes| shop::http::parse_json::<ProductInput>(&bytes))
            .and_then(|input| input.into_product(ulid::Ulid::new().to_string(), now.clone()));
        match checked {
            Ok((product, variants)) => valid.push((c.rows, product, variants)),
            Err(err) => report.refused.extend(messages(&c.rows, &err)),
        }
    }
    let bar = crate::progress(valid.len(), quiet);
    for (rows, result) in crate::write_all(table, valid, &bar).await {
        let row = rows[0];
        match result {
            Ok(()) => report.written += 1,
            Err(CreateProductError::SlugTaken) => report
                .refused
                .push(format!("row {row}: slug: another product has it")),
            Err(CreateProductError::SkusTaken(skus)) => report.refused.push(format!(
                "row {row}: sku: another product has {}",
                skus.join(", ")
            )),
            Err(CreateProductError::CategoryMissing) => report
                .refused
                .push(format!("row {row}: category: no such category")),
            Err(CreateProductError::Store(e)) => {
                report.refused.push(format!("row {row}: not written: {e}"))
            }
        }
    }
    bar.finish_and_clear();
    report.refused.sort_by_key(|m| row_of(m));
    Ok(report)
}

fn row_of(message: &str) -> usize {
    message
        .strip_prefix("row ")
        .and_then(|m| m.split(':').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(usize::MAX)
}

/// Each error of a product, with the row it is on: a variant's field on that variant's row.
fn messages(rows: &[usize], err: &ApiError) -> Vec<String> {
    let row_for = |field: &str| {
        field
            .strip_prefix("variants[")
            .and_then(|rest| rest.split(']').next())
            .and_then(|i| i.parse::<usize>().ok())
            .and_then(|i| rows.get(i))
            .copied()
            .unwrap_or(rows[0])
    };
    match err {
        ApiError::Validation(errors) => errors
            .iter()
            .map(|e| format!("row {}: {}: {}", row_for(&e.field), e.field, e.message))
            .collect(),
        other => vec![format!("row {}: {other}", rows[0])],
    }
}

fn from_json(text: &str) -> Result<Vec<Candidate>, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let Value::Array(items) = value else {
        return Err("a JSON import is an array of products".to_owned());
    };
    Ok(items
        .into_iter()
        .enumerate()
        .map(|(i, body)| Candidate {
            rows: vec![i + 1],
            body,
        })
        .collect())
}

/// The CSV columns, in any order.
const COLUMNS: &[&str] = &[
    "name",
    "slug",
    "description",
    "category",
    "tags",
    "featured",
    "tier",
    "status",
    "sku",
    "variant_name",
    "price",
    "stock",
    "unique",
];

fn from_csv(text: &str) -> Result<Vec<Candidate>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| format!("row 1: {e}"))?.clone();
    for header in &headers {
        if !COLUMNS.contains(&header) {
            return Err(format!(
                "row 1: unknown column {header:?} (the columns are {})",
                COLUMNS.join(", ")
            ));
        }
    }
    let mut candidates: Vec<Candidate> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| format!("{e}"))?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        let row = Row {
            headers: &headers,
            record: &record,
        };
        let variant = variant_of(&row);
        let slug = row.cell("slug");
        let existing = slug.and_then(|s| {
            candidates
                .iter_mut()
                .find(|c| c.body.get("slug").and_then(Value::as_str) == Some(s))
        });
        match existing {
            Some(product) => {
                product.rows.push(line);
                product.body["variants"]
                    .as_array_mut()
                    .expect("built with variants")
                    .push(variant);
            }
            None => candidates.push(Candidate {
                rows: vec![line],
                body: product_of(&row, variant),
            }),
        }
    }
    Ok(candidates)
}

/// A cell as JSON: a number or boolean when it reads as one, else the text, so that the API's
/// parser says what is wrong with it.
fn typed(raw: &str) -> Value {
    if let Ok(n) = raw.parse::<i64>() {
        return json!(n);
    }
    match raw.to_ascii_lowercase().as_str() {
        "true" | "yes" => json!(true),
        "false" | "no" => json!(false),
        _ => json!(raw),
    }
}

/// One CSV row, read by column name.
struct Row<'a> {
    headers: &'a csv::StringRecord,
    record: &'a csv::StringRecord,
}

impl<'a> Row<'a> {
    /// The cell under `column`, if the file has that column and the cell is not empty.
    fn cell(&self, column: &str) -> Option<&'a str> {
        let i = self.headers.iter().position(|h| h == column)?;
        self.record.get(i).filter(|v| !v.is_empty())
    }
}

fn product_of(row: &Row, variant: Value) -> Value {
    let cell = |c: &str| row.cell(c);
    let mut body = Map::new();
    for field in ["name", "slug", "description", "category", "tier", "status"] {
        if let Some(v) = cell(field) {
            body.insert(field.to_owned(), json!(v));
        }
    }
    if let Some(v) = cell("featured") {
        body.insert("featured".to_owned(), typed(v));
    }
    if let Some(tags) = cell("tags") {
        let tags: Vec<&str> = tags
            .split(';')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .collect();
        body.insert("tags".to_owned(), json!(tags));
    }
    body.insert("variants".to_owned(), json!([variant]));
    Value::Object(body)
}

fn variant_of(row: &Row) -> Value {
    let cell = |c: &str| row.cell(c);
    let mut v = Map::new();
    if let Some(sku) = cell("sku") {
        v.insert("sku".to_owned(), json!(sku));
    }
    if let Some(name) = cell("variant_name").or_else(|| cell("name")) {
        v.insert("name".to_owned(), json!(name));
    }
    for field in ["price", "stock", "unique"] {
        if let Some(raw) = cell(field) {
            v.insert(field.to_owned(), typed(raw));
        }
    }
    Value::Object(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_with_one_slug_are_one_product_and_keep_their_rows() {
        let csv = "name,slug,tags,sku,variant_name,price,stock\n\
                   Blue Mug,blue-mug,kitchen;mugs,MUG-S,Small,900,3\n\
                   ,blue-mug,,MUG-L,Large,1200,1\n\
                   Lamp,,,LAMP,Lamp,ten,2\n";
        let c = from_csv(csv).unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].rows, [2, 3]);
        assert_eq!(c[0].body["variants"][1]["price"], 1200);
        assert_eq!(c[0].body["tags"], json!(["kitchen", "mugs"]));
        assert_eq!(c[1].body["variants"][0]["price"], "ten");
        let err = ApiError::Validation(vec![shop::error::FieldError::new(
            "variants[1].price",
            "bad",
        )]);
        assert_eq!(
            messages(&c[0].rows, &err),
            ["row 3: variants[1].price: bad"]
        );
        assert!(
            from_csv("name,colour\nA,red\n")
                .unwrap_err()
                .contains("colour")
        );
    }
}
