//! `shopctl`: what an operator does to a shop's table from a terminal. Import a catalog from
//! JSON or CSV, validated row by row with the same rules as `POST /admin/products` (each
//! product is one transaction, so a bad row writes nothing of itself), and generate fake
//! products. It runs against the local stack or a real table (`--table`, `--endpoint-url`,
//! and the standard AWS environment for credentials and region).

pub mod generate;
pub mod import;

use shop::aws::Table;
use shop::config::Config;
use shop::need::Need;

/// How many products are written at once.
pub const PARALLEL: usize = 8;

/// The table to work on: `endpoint` for the emulators, none for AWS itself.
pub async fn connect(table: &str, endpoint: Option<&str>) -> Result<Table, String> {
    let config = Config::for_needs(&[Need::TableWrite], |name| match name {
        "TABLE_NAME" => Some(table.to_owned()),
        "DYNAMODB_ENDPOINT_URL" => endpoint.map(str::to_owned),
        _ => None,
    })
    .map_err(|e| e.to_string())?;
    let sdk = shop::aws::sdk_config(&config.endpoints).await;
    Ok(Table::new(&sdk, &config))
}

/// A progress bar on the terminal, or nothing (`quiet`, or tests).
pub fn progress(total: usize, quiet: bool) -> indicatif::ProgressBar {
    if quiet {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} products  {elapsed}  {msg}")
            .expect("a valid template"),
    );
    bar
}

/// Writes products `PARALLEL` at a time; each result comes back with its tag (a row number).
pub async fn write_all<T: Send + 'static>(
    table: &Table,
    products: Vec<(
        T,
        shop::store::products::Product,
        Vec<shop::store::products::Variant>,
    )>,
    bar: &indicatif::ProgressBar,
) -> Vec<(T, Result<(), shop::store::products::CreateProductError>)> {
    let mut out = Vec::with_capacity(products.len());
    let mut pending = products.into_iter();
    loop {
        let mut batch = tokio::task::JoinSet::new();
        for (tag, product, variants) in pending.by_ref().take(PARALLEL) {
            let table = table.clone();
            batch.spawn(async move {
                let result = shop::store::products::create(&table, &product, &variants).await;
                (tag, result)
            });
        }
        if batch.is_empty() {
            return out;
        }
        while let Some(done) = batch.join_next().await {
            let (tag, result) = done.expect("a write task does not panic");
            bar.inc(1);
            out.push((tag, result));
        }
    }
}
