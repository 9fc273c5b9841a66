//! `shopctl`: import a catalog, generate fake products, list and re-drive dead letters. See README.md ("The operator's tool").

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use shopctl::import::Format;

#[derive(Parser)]
#[command(
    name = "shopctl",
    about = "Operate a shop: import a catalog, generate fake products, re-drive dead letters"
)]
struct Cli {
    /// The DynamoDB table (default: $TABLE_NAME, else `shop`, the local server's).
    #[arg(long, global = true)]
    table: Option<String>,
    /// DynamoDB's endpoint, for the emulator (default: $DYNAMODB_ENDPOINT_URL; unset means AWS
    /// itself, with the standard AWS environment for credentials and region).
    #[arg(long, global = true)]
    endpoint_url: Option<String>,
    /// No progress bar.
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Import products from a JSON or CSV file, validated row by row.
    Import {
        file: PathBuf,
        /// `json` or `csv` (default: from the file's extension).
        #[arg(long)]
        format: Option<String>,
    },
    /// Generate N fake products in the demo category tree.
    Generate { count: usize },
    /// The work queue's dead letters: list them, or send them back to be done again.
    Dlq {
        #[command(subcommand)]
        action: DlqAction,
        /// The work queue's URL (default: $QUEUE_URL, else the local stack's `<table>-work-queue`).
        #[arg(long, global = true)]
        queue_url: Option<String>,
        /// The dead-letter queue's URL (default: $DEAD_LETTER_QUEUE_URL, else the local
        /// stack's `<table>-work-dead-letter-queue`).
        #[arg(long, global = true)]
        dlq_url: Option<String>,
        /// SQS's endpoint, for the emulator (default: $AWS_SERVICES_ENDPOINT_URL; unset means AWS).
        #[arg(long, global = true)]
        services_endpoint_url: Option<String>,
    },
    /// Outbound webhook deliveries: send one again.
    Webhooks {
        #[command(subcommand)]
        action: WebhooksAction,
        /// The work queue's URL (default: $QUEUE_URL, else the local stack's `<table>-work-queue`).
        #[arg(long, global = true)]
        queue_url: Option<String>,
        /// SQS's endpoint, for the emulator (default: $AWS_SERVICES_ENDPOINT_URL; unset means AWS).
        #[arg(long, global = true)]
        services_endpoint_url: Option<String>,
    },
}

#[derive(Subcommand)]
enum WebhooksAction {
    /// Send one delivery again from its first attempt (one that failed after 24 hours of
    /// retries, or a receiver that lost it), with its original body and event id.
    Resend {
        /// The subscription id (`GET /api/v1/admin/webhooks`).
        subscription: String,
        /// The event id as the deliveries list shows it (without `evt_`).
        event: String,
    },
}

#[derive(Subcommand)]
enum DlqAction {
    /// Show every dead letter (id, receives, body); they stay where they are.
    List,
    /// Send the dead letters (or only `--id`) back to the work queue.
    Redrive {
        #[arg(long)]
        id: Option<String>,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let table = cli
        .table
        .or_else(|| std::env::var("TABLE_NAME").ok())
        .unwrap_or_else(|| "shop".to_owned());
    if let Command::Dlq {
        action,
        queue_url,
        dlq_url,
        services_endpoint_url,
    } = cli.command
    {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let endpoint = services_endpoint_url.or_else(|| env("AWS_SERVICES_ENDPOINT_URL"));
        let urls = shopctl::queue_urls(
            &table,
            queue_url.or_else(|| env("QUEUE_URL")),
            dlq_url.or_else(|| env("DEAD_LETTER_QUEUE_URL")),
            endpoint.as_deref(),
        )
        .await;
        let queues = match urls {
            Ok((work, dlq)) => shopctl::connect_queues(&work, &dlq, endpoint.as_deref()).await,
            Err(e) => Err(e),
        };
        let (work, dlq) = match queues {
            Ok(q) => q,
            Err(e) => {
                eprintln!("shopctl: {e}");
                return ExitCode::from(2);
            }
        };
        let done = match &action {
            DlqAction::List => shopctl::dlq::list(&dlq).await,
            DlqAction::Redrive { id } => shopctl::dlq::redrive(&dlq, &work, id.as_deref()).await,
        };
        return match done {
            Ok(letters) => {
                for l in &letters {
                    println!("{}\t{} receives\t{}", l.id, l.receives, l.body);
                }
                let what = match action {
                    DlqAction::List => "dead letters",
                    DlqAction::Redrive { .. } => "re-driven to the work queue",
                };
                println!("{} {what}", letters.len());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("shopctl: {e}");
                ExitCode::from(2)
            }
        };
    }
    let endpoint = cli
        .endpoint_url
        .or_else(|| std::env::var("DYNAMODB_ENDPOINT_URL").ok());
    let table = match shopctl::connect(&table, endpoint.as_deref()).await {
        Ok(table) => table,
        Err(e) => {
            eprintln!("shopctl: {e}");
            return ExitCode::from(2);
        }
    };
    match cli.command {
        Command::Import { file, format } => {
            let format = match format.as_deref() {
                Some("json") => Format::Json,
                Some("csv") => Format::Csv,
                Some(other) => {
                    eprintln!("shopctl: --format is json or csv, not {other:?}");
                    return ExitCode::from(2);
                }
                None => match Format::of(&file) {
                    Some(f) => f,
                    None => {
                        eprintln!("shopctl: name the file .json or .csv, or give --format");
                        return ExitCode::from(2);
                    }
                },
            };
            match shopctl::import::import(&table, &file, format, cli.quiet).await {
                Ok(report) => {
                    for refused in &report.refused {
                        eprintln!("{refused}");
                    }
                    println!(
                        "imported {} products; {} errors",
                        report.written,
                        report.refused.len()
                    );
                    if report.refused.is_empty() {
                        ExitCode::SUCCESS
                    } else {
                        ExitCode::FAILURE
                    }
                }
                Err(e) => {
                    eprintln!("shopctl: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Dlq { .. } => unreachable!("handled above"),
        Command::Webhooks {
            action:
                WebhooksAction::Resend {
                    subscription,
                    event,
                },
            queue_url,
            services_endpoint_url,
        } => {
            let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
            let endpoint = services_endpoint_url.or_else(|| env("AWS_SERVICES_ENDPOINT_URL"));
            let urls = shopctl::queue_urls(
                table.name(),
                queue_url.or_else(|| env("QUEUE_URL")),
                env("DEAD_LETTER_QUEUE_URL"),
                endpoint.as_deref(),
            )
            .await;
            let queue = match urls {
                Ok((work, _)) => shopctl::work_queue(&work, endpoint.as_deref()).await,
                Err(e) => Err(e),
            };
            let event = event.trim_start_matches("evt_");
            let sent = match queue {
                Ok(work) => shop::webhooks::resend(&table, &work, &subscription, event)
                    .await
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e),
            };
            match sent {
                Ok(true) => {
                    println!("queued {event} for {subscription} again");
                    ExitCode::SUCCESS
                }
                Ok(false) => {
                    eprintln!("shopctl: no settled delivery of {event} to {subscription}");
                    ExitCode::FAILURE
                }
                Err(e) => {
                    eprintln!("shopctl: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Generate { count } => {
            match shopctl::generate::generate(&table, count, cli.quiet).await {
                Ok(done) => {
                    for failed in &done.failed {
                        eprintln!("{failed}");
                    }
                    println!("generated {} products", done.written);
                    if done.failed.is_empty() {
                        ExitCode::SUCCESS
                    } else {
                        ExitCode::FAILURE
                    }
                }
                Err(e) => {
                    eprintln!("shopctl: {e}");
                    ExitCode::from(2)
                }
            }
        }
    }
}
