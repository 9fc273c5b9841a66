//! One SQS queue the shop sends to: `SendMessage` in SQS's JSON protocol, signed (`signed`).
//! Receiving is Lambda's event source's work on AWS; the local server, shopctl and the tests,
//! which receive, inspect and redrive, use the SDK's client (`shop_local::provision::sqs_client`).

use std::sync::Arc;
use std::time::Duration;

use aws_types::SdkConfig;
use serde_json::json;

use super::signed::Signer;
use crate::config::Config;

/// How long one SQS call may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The work queue drained by the worker, the image queue drained by the images worker, or the
/// work queue's dead letters.
#[derive(Clone, Debug)]
pub struct Queue {
    signer: Signer,
    /// Where SQS's API is: `https://sqs.<region>.amazonaws.com/`, or the emulators'.
    endpoint: Arc<str>,
    pub url: Arc<str>,
}

impl Queue {
    /// The work queue (`Need::Queue`).
    pub fn new(sdk: &SdkConfig, config: &Config) -> Self {
        let url = config
            .queue_url
            .as_deref()
            .expect("a function with Need::Queue has QUEUE_URL");
        Self::at(sdk, config, url)
    }

    /// The image queue (`Need::ImageQueue`).
    pub fn images(sdk: &SdkConfig, config: &Config) -> Self {
        let url = config
            .image_queue_url
            .as_deref()
            .expect("a function with Need::ImageQueue has IMAGE_QUEUE_URL");
        Self::at(sdk, config, url)
    }

    /// The work queue's dead-letter queue (`Need::DeadLetters`).
    pub fn dead_letters(sdk: &SdkConfig, config: &Config) -> Self {
        let url = config
            .dead_letter_queue_url
            .as_deref()
            .expect("a function with Need::DeadLetters has DEAD_LETTER_QUEUE_URL");
        Self::at(sdk, config, url)
    }

    /// The queue at `url`.
    pub fn at(sdk: &SdkConfig, config: &Config, url: &str) -> Self {
        let signer = Signer::new(sdk, TIMEOUT);
        let endpoint = format!(
            "{}/",
            signer.base_url(config.endpoints.services.as_deref(), "sqs")
        );
        Self {
            signer,
            endpoint: endpoint.into(),
            url: url.into(),
        }
    }

    /// Sends one message body.
    pub async fn send(&self, body: String) -> Result<(), String> {
        self.send_after(body, 0).await
    }

    /// Sends `body`, visible to receivers after `delay_seconds` (SQS allows 0..=900).
    pub async fn send_after(&self, body: String, delay_seconds: i32) -> Result<(), String> {
        let request = json!({
            "QueueUrl": &*self.url,
            "MessageBody": body,
            "DelaySeconds": delay_seconds.clamp(0, 900),
        });
        let headers = [
            ("content-type", "application/x-amz-json-1.0"),
            ("x-amz-target", "AmazonSQS.SendMessage"),
        ];
        self.signer
            .post_json("sqs", &self.endpoint, &headers, &request)
            .await
            .map(|_| ())
            .map_err(|e| format!("SQS SendMessage failed: {e}"))
    }
}
