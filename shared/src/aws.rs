//! The AWS SDK configuration and the four clients, each built on its own so a function links
//! and constructs only the clients it uses (binary size is cold start).

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_runtime_api::client::behavior_version::BehaviorVersion;
use aws_types::SdkConfig;
use aws_types::region::Region;

use crate::config::{Config, Endpoints};

mod blobs;
mod lazy_http;
mod mailer;
mod queue;
mod signed;
pub use blobs::{BlobError, Blobs, ObjectHead};
pub use mailer::Mailer;
pub use queue::Queue;

/// The region used against the emulators when none is set in the environment.
const LOCAL_REGION: &str = "us-east-1";

/// The shared SDK configuration, as far as a Lambda function needs it: the region from
/// `AWS_REGION` and the execution role's credentials from `AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`, which Lambda sets for every function;
/// against the emulators, fixed dummy credentials. The SDK's own HTTPS client, made on the first
/// request (`lazy_http`); the SDK clients' own defaults supply the rest (standard retries,
/// timeouts, sleep, identity cache).
///
/// Why not `aws-config`: its provider chains (profile files, SSO, web identity, the ECS and
/// IMDS clients) are linked into every function that builds a client and never used on
/// Lambda (docs/build.md has the measured difference). `shopctl`, run from an operator's
/// terminal, keeps the full chain.
pub async fn sdk_config(endpoints: &Endpoints) -> SdkConfig {
    sdk_config_from(endpoints, |name| {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    })
}

fn sdk_config_from(endpoints: &Endpoints, var: impl Fn(&str) -> Option<String>) -> SdkConfig {
    let region = var("AWS_REGION")
        .or_else(|| var("AWS_DEFAULT_REGION"))
        .unwrap_or_else(|| LOCAL_REGION.to_owned());
    let credentials = if endpoints.is_local() {
        Some(Credentials::new("local", "local", None, None, "emulators"))
    } else {
        match (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY")) {
            (Some(id), Some(secret)) => Some(Credentials::new(
                id,
                secret,
                var("AWS_SESSION_TOKEN"),
                None,
                "environment",
            )),
            _ => {
                tracing::error!(
                    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set: AWS calls will fail"
                );
                None
            }
        }
    };
    let mut builder = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .http_client(lazy_http::client())
        .region(Region::new(region));
    if let Some(credentials) = credentials {
        builder = builder.credentials_provider(SharedCredentialsProvider::new(credentials));
    }
    builder.build()
}

#[cfg(test)]
mod sdk_config_tests {
    use aws_credential_types::provider::ProvideCredentials;

    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    async fn credentials(config: &SdkConfig) -> Credentials {
        config
            .credentials_provider()
            .expect("a credentials provider")
            .provide_credentials()
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn on_lambda_the_region_and_the_role_come_from_the_environment() {
        let config = sdk_config_from(
            &Endpoints::default(),
            env(&[
                ("AWS_REGION", "eu-west-2"),
                ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
                ("AWS_SECRET_ACCESS_KEY", "secret"),
                ("AWS_SESSION_TOKEN", "session"),
            ]),
        );
        assert_eq!(config.region().map(|r| r.as_ref()), Some("eu-west-2"));
        let creds = credentials(&config).await;
        assert_eq!(creds.access_key_id(), "AKIDEXAMPLE");
        assert_eq!(creds.secret_access_key(), "secret");
        assert_eq!(creds.session_token(), Some("session"));
        assert!(config.behavior_version().is_some());
    }

    #[tokio::test]
    async fn against_the_emulators_the_credentials_are_dummies() {
        let local = Endpoints {
            dynamodb: Some("http://127.0.0.1:8000".to_owned()),
            ..Endpoints::default()
        };
        let config = sdk_config_from(&local, env(&[("AWS_ACCESS_KEY_ID", "real")]));
        assert_eq!(config.region().map(|r| r.as_ref()), Some(LOCAL_REGION));
        let creds = credentials(&config).await;
        assert_eq!(creds.access_key_id(), "local");
    }

    #[test]
    fn without_credentials_there_is_no_provider_rather_than_a_wrong_one() {
        let config = sdk_config_from(&Endpoints::default(), env(&[]));
        assert!(config.credentials_provider().is_none());
    }
}

/// The single table, read-only: what a `Need::TableRead` route gets. It offers reads and
/// nothing else, so a route that declared only reads cannot write (IAM would refuse it on AWS;
/// the emulators would not, so the compiler does). Every request it starts names the table.
#[derive(Clone, Debug)]
pub struct TableReader {
    client: aws_sdk_dynamodb::Client,
    name: std::sync::Arc<str>,
    /// Whether the store's key reads (`store::get_item`, `store::products::get`) are strongly
    /// consistent: true but on the handle [`Self::eventually_consistent`] gives.
    consistent: bool,
}

impl TableReader {
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The same table, its key reads eventually consistent: half the read units, for public
    /// catalog pages that are cached for a minute anyway and never read their own writes.
    pub fn eventually_consistent(&self) -> TableReader {
        TableReader {
            consistent: false,
            ..self.clone()
        }
    }

    /// What store functions pass to `consistent_read` on the table's own keys (an index is
    /// never read consistently).
    pub fn consistent_reads(&self) -> bool {
        self.consistent
    }

    pub fn get_item(
        &self,
    ) -> aws_sdk_dynamodb::operation::get_item::builders::GetItemFluentBuilder {
        self.client.get_item().table_name(self.name())
    }

    pub fn query(&self) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
        self.client.query().table_name(self.name())
    }

    /// A BatchGetItem (its request map names the table).
    pub fn batch_get_item(
        &self,
    ) -> aws_sdk_dynamodb::operation::batch_get_item::builders::BatchGetItemFluentBuilder {
        self.client.batch_get_item()
    }
}

/// The single table, read-write (`Need::TableWrite`). It reads through [`TableReader`]
/// (`Deref`), so a store function that only reads takes `&TableReader` and serves both.
#[derive(Clone, Debug)]
pub struct Table {
    reader: TableReader,
}

impl std::ops::Deref for Table {
    type Target = TableReader;

    fn deref(&self) -> &TableReader {
        &self.reader
    }
}

impl Table {
    pub fn new(sdk: &SdkConfig, config: &Config) -> Self {
        Self::tuned(sdk, config, |builder| builder)
    }

    /// The same, with the client's configuration changed by `tune` first (the local server
    /// adds an interceptor that meters every request).
    pub fn tuned(
        sdk: &SdkConfig,
        config: &Config,
        tune: impl FnOnce(aws_sdk_dynamodb::config::Builder) -> aws_sdk_dynamodb::config::Builder,
    ) -> Self {
        let mut builder = tune(aws_sdk_dynamodb::config::Builder::from(sdk));
        if let Some(url) = &config.endpoints.dynamodb {
            builder = builder.endpoint_url(url);
        }
        let name = config
            .table_name
            .as_deref()
            .expect("a function with a table need has TABLE_NAME");
        Self {
            reader: TableReader {
                client: aws_sdk_dynamodb::Client::from_conf(builder.build()),
                name: name.into(),
                consistent: true,
            },
        }
    }

    /// The read-only handle to the same table.
    pub fn reader(&self) -> TableReader {
        self.reader.clone()
    }

    /// The client itself, for what the handles do not cover (creating tables locally).
    pub fn client(&self) -> &aws_sdk_dynamodb::Client {
        &self.reader.client
    }

    pub fn put_item(
        &self,
    ) -> aws_sdk_dynamodb::operation::put_item::builders::PutItemFluentBuilder {
        self.client().put_item().table_name(self.name())
    }

    pub fn update_item(
        &self,
    ) -> aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder {
        self.client().update_item().table_name(self.name())
    }

    pub fn delete_item(
        &self,
    ) -> aws_sdk_dynamodb::operation::delete_item::builders::DeleteItemFluentBuilder {
        self.client().delete_item().table_name(self.name())
    }

    pub fn batch_write_item(
        &self,
    ) -> aws_sdk_dynamodb::operation::batch_write_item::builders::BatchWriteItemFluentBuilder {
        self.client().batch_write_item()
    }
}

/// Lambda's SQS event source contract, for every queue-triggered function: runs `process` on
/// each message (its id and body) in turn and reports only the ones that failed
/// (`ReportBatchItemFailures`), so only those are redelivered.
pub async fn each_sqs_message<E, F, Fut>(
    event: aws_lambda_events::event::sqs::SqsEvent,
    mut process: F,
) -> aws_lambda_events::event::sqs::SqsBatchResponse
where
    E: std::fmt::Display,
    F: FnMut(String, String) -> Fut,
    Fut: Future<Output = Result<(), E>>,
{
    let mut response = aws_lambda_events::event::sqs::SqsBatchResponse::default();
    for record in event.records {
        let message_id = record.message_id.unwrap_or_default();
        let body = record.body.unwrap_or_default();
        // Boxed: nesting each handler's future inside this one overflows the compiler's
        // layout depth in the Lambda binaries.
        if let Err(err) = Box::pin(process(message_id.clone(), body)).await {
            tracing::warn!(message_id, error = %err, "message failed; it will be redelivered");
            let mut failure = aws_lambda_events::event::sqs::BatchItemFailure::default();
            failure.item_identifier = message_id;
            response.batch_item_failures.push(failure);
        }
    }
    response
}
