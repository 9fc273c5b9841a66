//! `shopctl`: import a catalog, generate fake products. See README.md ("The operator's tool").

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use shopctl::import::Format;

#[derive(Parser)]
#[command(
    name = "shopctl",
    about = "Operate a shop's table: import a catalog, generate fake products"
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
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let table = cli
        .table
        .or_else(|| std::env::var("TABLE_NAME").ok())
        .unwrap_or_else(|| "shop".to_owned());
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
