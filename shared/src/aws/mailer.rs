//! SES v2's `SendEmail` with a raw MIME message, signed (`signed`).

use std::sync::Arc;
use std::time::Duration;

use aws_types::SdkConfig;
use base64::Engine as _;
use serde_json::json;

use super::signed::Signer;
use crate::config::Config;

/// How long one SES call may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// SES, with the verified sender and the name emails sign with.
#[derive(Clone, Debug)]
pub struct Mailer {
    signer: Signer,
    /// SES v2's send route: on `email.<region>.amazonaws.com`, or the emulators'.
    send_url: Arc<str>,
    pub from: Arc<str>,
    pub shop_name: Arc<str>,
}

impl Mailer {
    pub fn new(sdk: &SdkConfig, config: &Config) -> Self {
        let signer = Signer::new(sdk, TIMEOUT);
        let base = signer.base_url(config.endpoints.services.as_deref(), "email");
        let mail = config
            .mail
            .as_ref()
            .expect("a function with Need::Mailer has EMAIL_FROM");
        Self {
            signer,
            send_url: format!("{base}/v2/email/outbound-emails").into(),
            from: mail.from.as_str().into(),
            shop_name: mail.shop_name.as_str().into(),
        }
    }

    /// Sends `mime` (a whole message, headers and parts) from the shop's sender to `to`;
    /// SES's message id.
    pub async fn send_raw(&self, to: &str, mime: &[u8]) -> Result<String, String> {
        let request = json!({
            "FromEmailAddress": &*self.from,
            "Destination": {"ToAddresses": [to]},
            "Content": {"Raw": {
                "Data": base64::engine::general_purpose::STANDARD.encode(mime)
            }},
        });
        let headers = [("content-type", "application/json")];
        let answer = self
            .signer
            .post_json("ses", &self.send_url, &headers, &request)
            .await?;
        Ok(answer["MessageId"].as_str().unwrap_or_default().to_owned())
    }
}
