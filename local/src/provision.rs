//! Creates the table, the queues and the bucket on the emulators exactly as template.yaml
//! declares them, and verifies the email sender in the local SES. Safe to run again.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};
use aws_sdk_s3::types::{CorsConfiguration, CorsRule, PublicAccessBlockConfiguration};
use std::collections::BTreeMap;

use aws_sdk_sqs::types::QueueAttributeName;
use shop::aws::Table;

use crate::template::{QueueSpec, TableSpec, Template};

/// The local names of the template's resources, all derived from one prefix.
#[derive(Clone, Debug)]
pub struct Names {
    pub table: String,
    /// Each queue's name by its logical id.
    pub queues: BTreeMap<String, String>,
    pub bucket: String,
}

impl Names {
    /// `shop` → table `shop`, queues `shop-work-queue`, `shop-image-queue`, ..., bucket
    /// `shop-images-bucket`, from the template's logical ids.
    pub fn new(prefix: &str, template: &Template) -> Self {
        let name = |logical: &str| format!("{prefix}-{}", kebab(logical));
        Self {
            table: prefix.to_owned(),
            queues: template
                .queues
                .iter()
                .map(|q| (q.logical_id.clone(), name(&q.logical_id)))
                .collect(),
            bucket: name(&template.bucket.logical_id).to_lowercase(),
        }
    }
}

fn kebab(id: &str) -> String {
    let mut out = String::new();
    for (i, c) in id.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

#[derive(Debug, thiserror::Error)]
#[error("provisioning {what} failed: {detail}")]
pub struct ProvisionError {
    what: &'static str,
    detail: String,
}

fn fail(what: &'static str) -> impl FnOnce(String) -> ProvisionError {
    move |detail| ProvisionError { what, detail }
}

/// A created queue.
#[derive(Clone, Debug)]
pub struct MadeQueue {
    pub url: String,
    pub arn: String,
}

/// What was created: each queue by its logical id (the configuration needs their URLs).
pub struct Provisioned {
    pub queues: BTreeMap<String, MadeQueue>,
}

pub async fn provision(
    template: &Template,
    names: &Names,
    table: &Table,
    sqs: &aws_sdk_sqs::Client,
    s3: &aws_sdk_s3::Client,
    ses: &aws_sdk_sesv2::Client,
    sender: &str,
) -> Result<Provisioned, ProvisionError> {
    create_table(&template.table, &names.table, table).await?;
    // Dead-letter queues come first in the template's list, so each target exists in time.
    let mut queues: BTreeMap<String, MadeQueue> = BTreeMap::new();
    for spec in &template.queues {
        let dlq_arn = spec
            .redrive
            .as_ref()
            .and_then(|(dlq, _)| queues.get(dlq))
            .map(|d| d.arn.clone());
        let url = create_queue(
            spec,
            &names.queues[&spec.logical_id],
            dlq_arn.as_deref(),
            sqs,
        )
        .await?;
        let arn = queue_arn(sqs, &url).await?;
        queues.insert(spec.logical_id.clone(), MadeQueue { url, arn });
    }
    create_bucket(template, &names.bucket, s3).await?;
    ses.create_email_identity()
        .email_identity(sender)
        .send()
        .await
        .map_err(|e| {
            fail("email identity")(aws_sdk_sesv2::error::DisplayErrorContext(e).to_string())
        })?;
    Ok(Provisioned { queues })
}

async fn queue_arn(sqs: &aws_sdk_sqs::Client, url: &str) -> Result<String, ProvisionError> {
    sqs.get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .map_err(|e| fail("queue ARN")(aws_sdk_sqs::error::DisplayErrorContext(e).to_string()))?
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
        .ok_or_else(|| fail("queue ARN")("no QueueArn".into()))
}

fn key(name: &str, key_type: KeyType) -> KeySchemaElement {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(key_type)
        .build()
        .expect("name and type are set")
}

fn keys(hash: &str, range: Option<&str>) -> Vec<KeySchemaElement> {
    let mut out = vec![key(hash, KeyType::Hash)];
    out.extend(range.map(|r| key(r, KeyType::Range)));
    out
}

async fn create_table(spec: &TableSpec, name: &str, table: &Table) -> Result<(), ProvisionError> {
    let mut req = table
        .client()
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::from(spec.billing_mode.as_str()))
        .set_key_schema(Some(keys(&spec.hash_key, spec.range_key.as_deref())));
    for (attr, ty) in &spec.attributes {
        req = req.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(attr)
                .attribute_type(ScalarAttributeType::from(ty.as_str()))
                .build()
                .expect("name and type are set"),
        );
    }
    for index in &spec.indexes {
        req = req.global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(&index.name)
                .set_key_schema(Some(keys(&index.hash_key, index.range_key.as_deref())))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::from(index.projection.as_str()))
                        .build(),
                )
                .build()
                .expect("index name and keys are set"),
        );
    }
    match req.send().await {
        Ok(_) => {}
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_in_use_exception()) =>
        {
            return Ok(());
        }
        Err(e) => {
            return Err(fail("table")(
                aws_sdk_dynamodb::error::DisplayErrorContext(e).to_string(),
            ));
        }
    }
    if let Some(ttl) = &spec.ttl_attribute {
        table
            .client()
            .update_time_to_live()
            .table_name(name)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .attribute_name(ttl)
                    .enabled(true)
                    .build()
                    .expect("name and flag are set"),
            )
            .send()
            .await
            .map_err(|e| {
                fail("table TTL")(aws_sdk_dynamodb::error::DisplayErrorContext(e).to_string())
            })?;
    }
    Ok(())
}

async fn create_queue(
    spec: &QueueSpec,
    name: &str,
    dlq_arn: Option<&str>,
    sqs: &aws_sdk_sqs::Client,
) -> Result<String, ProvisionError> {
    let mut req = sqs.create_queue().queue_name(name);
    if let Some(v) = spec.visibility_timeout {
        req = req.attributes(QueueAttributeName::VisibilityTimeout, v.to_string());
    }
    if let Some(v) = spec.retention_seconds {
        req = req.attributes(QueueAttributeName::MessageRetentionPeriod, v.to_string());
    }
    if let (Some((_, max_receives)), Some(arn)) = (&spec.redrive, dlq_arn) {
        let policy =
            serde_json::json!({ "deadLetterTargetArn": arn, "maxReceiveCount": max_receives });
        req = req.attributes(QueueAttributeName::RedrivePolicy, policy.to_string());
    }
    let out = req
        .send()
        .await
        .map_err(|e| fail("queue")(aws_sdk_sqs::error::DisplayErrorContext(e).to_string()))?;
    out.queue_url()
        .map(str::to_owned)
        .ok_or_else(|| fail("queue")("no QueueUrl".into()))
}

async fn create_bucket(
    template: &Template,
    name: &str,
    s3: &aws_sdk_s3::Client,
) -> Result<(), ProvisionError> {
    let spec = &template.bucket;
    match s3.create_bucket().bucket(name).send().await {
        Ok(_) => {}
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_bucket_already_owned_by_you()) => {}
        Err(e) => {
            return Err(fail("bucket")(
                aws_sdk_s3::error::DisplayErrorContext(e).to_string(),
            ));
        }
    }
    s3.put_public_access_block()
        .bucket(name)
        .public_access_block_configuration(
            PublicAccessBlockConfiguration::builder()
                .block_public_acls(spec.block_public_acls)
                .ignore_public_acls(spec.block_public_acls)
                .block_public_policy(spec.block_public_policy)
                .restrict_public_buckets(spec.block_public_policy)
                .build(),
        )
        .send()
        .await
        .map_err(|e| {
            fail("bucket access block")(aws_sdk_s3::error::DisplayErrorContext(e).to_string())
        })?;
    if let Some(prefix) = &spec.public_read {
        // As template.yaml's bucket policy: anyone may read this prefix (product images), so
        // a browser shows them straight from the local S3.
        let policy = serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": format!("arn:aws:s3:::{name}/{prefix}"),
            }]
        });
        s3.put_bucket_policy()
            .bucket(name)
            .policy(policy.to_string())
            .send()
            .await
            .map_err(|e| {
                fail("bucket policy")(aws_sdk_s3::error::DisplayErrorContext(e).to_string())
            })?;
    }
    if !spec.cors.is_empty() {
        let rules = spec
            .cors
            .iter()
            .map(|r| {
                CorsRule::builder()
                    .set_allowed_methods(Some(r.methods.clone()))
                    .set_allowed_origins(Some(r.origins.clone()))
                    .set_allowed_headers(Some(r.headers.clone()))
                    .set_max_age_seconds(r.max_age)
                    .build()
                    .expect("methods and origins are set")
            })
            .collect();
        s3.put_bucket_cors()
            .bucket(name)
            .cors_configuration(
                CorsConfiguration::builder()
                    .set_cors_rules(Some(rules))
                    .build()
                    .expect("rules are set"),
            )
            .send()
            .await
            .map_err(|e| {
                fail("bucket CORS")(aws_sdk_s3::error::DisplayErrorContext(e).to_string())
            })?;
    }
    Ok(())
}

/// Removes what [`provision`] made: the table, both queues, and the bucket's objects.
/// Best effort: what is already gone is skipped, and a failure is logged, not raised.
///
/// The bucket itself is emptied but kept: moto 5.2.5 keeps deleted objects in its model
/// registry, and its `/moto-api/data.json` (which `/_local/emails` reads) then fails for every
/// caller once an object's bucket is gone. An empty bucket costs it next to nothing.
/// An S3 client for the emulator (moto answers path-style requests only). The shop's own
/// functions sign their few S3 calls themselves (`shop::aws::Blobs`); making and emptying the
/// bucket is the local server's job alone.
/// The SDK's SQS client, for what only the local server, shopctl and the tests do with queues
/// (create, receive, delete, redrive); the shop itself only sends (`shop::aws::Queue`).
pub fn sqs_client(
    sdk: &aws_types::SdkConfig,
    config: &shop::config::Config,
) -> aws_sdk_sqs::Client {
    let mut builder = aws_sdk_sqs::config::Builder::from(sdk);
    if let Some(endpoint) = &config.endpoints.services {
        builder = builder.endpoint_url(endpoint);
    }
    aws_sdk_sqs::Client::from_conf(builder.build())
}

/// The SDK's SES client, to verify the sender on the emulator.
pub fn ses_client(
    sdk: &aws_types::SdkConfig,
    config: &shop::config::Config,
) -> aws_sdk_sesv2::Client {
    let mut builder = aws_sdk_sesv2::config::Builder::from(sdk);
    if let Some(url) = &config.endpoints.services {
        builder = builder.endpoint_url(url);
    }
    aws_sdk_sesv2::Client::from_conf(builder.build())
}

pub fn s3_client(sdk: &aws_types::SdkConfig, config: &shop::config::Config) -> aws_sdk_s3::Client {
    let mut builder = aws_sdk_s3::config::Builder::from(sdk);
    if let Some(url) = &config.endpoints.services {
        builder = builder.endpoint_url(url).force_path_style(true);
    }
    aws_sdk_s3::Client::from_conf(builder.build())
}

pub async fn remove(
    names: &Names,
    table: &Table,
    sqs: &aws_sdk_sqs::Client,
    queue_urls: &[String],
    s3: &aws_sdk_s3::Client,
) {
    if let Err(e) = table
        .client()
        .delete_table()
        .table_name(&names.table)
        .send()
        .await
    {
        tracing::debug!(error = %aws_sdk_dynamodb::error::DisplayErrorContext(e), "table not removed");
    }
    for url in queue_urls {
        if let Err(e) = sqs.delete_queue().queue_url(url).send().await {
            tracing::debug!(error = %aws_sdk_sqs::error::DisplayErrorContext(e), "queue not removed");
        }
    }
    let mut next: Option<String> = None;
    loop {
        let Ok(page) = s3
            .list_objects_v2()
            .bucket(&names.bucket)
            .set_continuation_token(next.take())
            .send()
            .await
        else {
            break;
        };
        for object in page.contents() {
            if let Some(key) = object.key() {
                let _ = s3
                    .delete_object()
                    .bucket(&names.bucket)
                    .key(key)
                    .send()
                    .await;
            }
        }
        match page.next_continuation_token() {
            Some(token) => next = Some(token.to_owned()),
            None => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::kebab;

    #[test]
    fn logical_ids_become_kebab_case() {
        assert_eq!(kebab("WorkDeadLetterQueue"), "work-dead-letter-queue");
        assert_eq!(kebab("ImagesBucket"), "images-bucket");
    }
}
