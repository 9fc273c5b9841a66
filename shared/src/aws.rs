//! The AWS SDK configuration and the four clients, each built on its own so a function links
//! and constructs only the clients it uses (binary size is cold start).

use aws_config::{BehaviorVersion, Region, SdkConfig};

use crate::config::{Config, Endpoints};

/// The region used against the emulators when none is set in the environment.
const LOCAL_REGION: &str = "us-east-1";

/// Loads the shared SDK configuration. On Lambda, region and credentials come from the
/// environment; against the emulators, fixed dummy credentials are used.
pub async fn sdk_config(endpoints: &Endpoints) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if endpoints.is_local() {
        let region = std::env::var("AWS_REGION").unwrap_or_else(|_| LOCAL_REGION.to_owned());
        loader = loader.region(Region::new(region)).credentials_provider(
            aws_credential_types::Credentials::new("local", "local", None, None, "emulators"),
        );
    }
    loader.load().await
}

/// The single table and its client.
#[derive(Clone, Debug)]
pub struct Table {
    pub client: aws_sdk_dynamodb::Client,
    pub name: std::sync::Arc<str>,
}

impl Table {
    pub fn new(sdk: &SdkConfig, config: &Config) -> Self {
        let mut builder = aws_sdk_dynamodb::config::Builder::from(sdk);
        if let Some(url) = &config.endpoints.dynamodb {
            builder = builder.endpoint_url(url);
        }
        Self {
            client: aws_sdk_dynamodb::Client::from_conf(builder.build()),
            name: config.table_name.as_str().into(),
        }
    }
}

/// The work queue drained by the worker.
#[derive(Clone, Debug)]
pub struct Queue {
    pub client: aws_sdk_sqs::Client,
    pub url: std::sync::Arc<str>,
}

impl Queue {
    pub fn new(sdk: &SdkConfig, config: &Config) -> Self {
        let mut builder = aws_sdk_sqs::config::Builder::from(sdk);
        if let Some(url) = &config.endpoints.services {
            builder = builder.endpoint_url(url);
        }
        Self {
            client: aws_sdk_sqs::Client::from_conf(builder.build()),
            url: config.queue_url.as_str().into(),
        }
    }
}

/// SES (v2), with the verified sender.
#[derive(Clone, Debug)]
pub struct Mailer {
    pub client: aws_sdk_sesv2::Client,
    pub from: std::sync::Arc<str>,
}

impl Mailer {
    pub fn new(sdk: &SdkConfig, config: &Config) -> Self {
        let mut builder = aws_sdk_sesv2::config::Builder::from(sdk);
        if let Some(url) = &config.endpoints.services {
            builder = builder.endpoint_url(url);
        }
        Self {
            client: aws_sdk_sesv2::Client::from_conf(builder.build()),
            from: config.email_from.as_str().into(),
        }
    }
}

/// The private bucket for product images and invoices.
#[derive(Clone, Debug)]
pub struct Blobs {
    pub client: aws_sdk_s3::Client,
    pub bucket: std::sync::Arc<str>,
}

impl Blobs {
    pub fn new(sdk: &SdkConfig, config: &Config) -> Self {
        let mut builder = aws_sdk_s3::config::Builder::from(sdk);
        if let Some(url) = &config.endpoints.services {
            // moto answers path-style requests only.
            builder = builder.endpoint_url(url).force_path_style(true);
        }
        Self {
            client: aws_sdk_s3::Client::from_conf(builder.build()),
            bucket: config.bucket_name.as_str().into(),
        }
    }
}
