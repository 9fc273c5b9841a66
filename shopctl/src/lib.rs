//! `shopctl`: what an operator does to a shop's table from a terminal. Import a catalog from
//! JSON or CSV, validated row by row with the same rules as `POST /admin/products` (each
//! product is one transaction, so a bad row writes nothing of itself), and generate fake
//! products. It runs against the local stack or a real table (`--table`, `--endpoint-url`,
//! and the standard AWS environment for credentials and region).

pub mod dlq;
pub mod generate;
pub mod import;

use shop::aws::Table;
use shop::config::Config;
use shop::need::Need;

/// The SDK configuration: the emulators' as the shop makes it; for AWS itself the full
/// provider chain of an operator's terminal (profiles, SSO, environment), which the functions
/// leave out.
pub async fn sdk_config(endpoints: &shop::config::Endpoints) -> aws_types::SdkConfig {
    if endpoints.is_local() {
        shop::aws::sdk_config(endpoints).await
    } else {
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .load()
            .await
    }
}

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
    let sdk = sdk_config(&config.endpoints).await;
    Ok(Table::new(&sdk, &config))
}

/// The work queue and its dead-letter queue (`QUEUE_URL`, `DEAD_LETTER_QUEUE_URL`);
/// `endpoint` for the emulators (moto), none for AWS itself.
pub async fn connect_queues(
    work_url: &str,
    dlq_url: &str,
    endpoint: Option<&str>,
) -> Result<(dlq::SqsQueue, dlq::SqsQueue), String> {
    let config = Config::for_needs(&[Need::Queue, Need::DeadLetters], |name| match name {
        "QUEUE_URL" => Some(work_url.to_owned()),
        "DEAD_LETTER_QUEUE_URL" => Some(dlq_url.to_owned()),
        "AWS_SERVICES_ENDPOINT_URL" => endpoint.map(str::to_owned),
        _ => None,
    })
    .map_err(|e| e.to_string())?;
    let sdk = sdk_config(&config.endpoints).await;
    let client = shop_local::provision::sqs_client(&sdk, &config);
    let at = |url: &str| dlq::SqsQueue {
        client: client.clone(),
        url: url.to_owned(),
    };
    Ok((at(work_url), at(dlq_url)))
}

/// The work queue as the shop sends to it (`QUEUE_URL`; `endpoint` for the emulators).
pub async fn work_queue(
    work_url: &str,
    endpoint: Option<&str>,
) -> Result<shop::aws::Queue, String> {
    let config = Config::for_needs(&[Need::Queue], |name| match name {
        "QUEUE_URL" => Some(work_url.to_owned()),
        "AWS_SERVICES_ENDPOINT_URL" => endpoint.map(str::to_owned),
        _ => None,
    })
    .map_err(|e| e.to_string())?;
    let sdk = sdk_config(&config.endpoints).await;
    Ok(shop::aws::Queue::new(&sdk, &config))
}

/// The work queue's and the dead-letter queue's URLs: as given, else the local stack's
/// queues for the shop named `prefix` (its table name), looked up by name.
pub async fn queue_urls(
    prefix: &str,
    work: Option<String>,
    dlq: Option<String>,
    endpoint: Option<&str>,
) -> Result<(String, String), String> {
    if let (Some(work), Some(dlq)) = (&work, &dlq) {
        return Ok((work.clone(), dlq.clone()));
    }
    let config = Config::for_needs(&[], |name| match name {
        "AWS_SERVICES_ENDPOINT_URL" => endpoint.map(str::to_owned),
        _ => None,
    })
    .map_err(|e| e.to_string())?;
    let sdk = sdk_config(&config.endpoints).await;
    let client = shop_local::provision::sqs_client(&sdk, &config);
    let url_of = |name: String| {
        let client = client.clone();
        async move {
            client
                .get_queue_url()
                .queue_name(&name)
                .send()
                .await
                .map_err(|e| {
                    format!(
                        "no queue {name}: {}",
                        aws_sdk_sqs::error::DisplayErrorContext(e)
                    )
                })?
                .queue_url
                .ok_or_else(|| format!("no URL for {name}"))
        }
    };
    let work = match work {
        Some(url) => url,
        None => url_of(format!("{prefix}-work-queue")).await?,
    };
    let dlq = match dlq {
        Some(url) => url,
        None => url_of(format!("{prefix}-work-dead-letter-queue")).await?,
    };
    Ok((work, dlq))
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
