//! AWS requests signed with the SDK's own SigV4 signer (`aws-sigv4`) and sent over the shop's
//! one HTTP client (`outbound`): how the functions call S3, SQS and SES without those
//! services' SDK clients (each client, with its serializers, endpoint rules and orchestrator,
//! weighed 40–450 KB zipped in every function that built it; docs/build.md).

use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_smithy_runtime_api::client::identity::Identity;
use aws_types::SdkConfig;
use bytes::Bytes;

use crate::outbound;

/// The execution role's credentials and the region, and the HTTP client, made on the first
/// call (it loads the TLS roots, which a cold start that never calls AWS should not pay for).
#[derive(Clone, Debug)]
pub(crate) struct Signer {
    credentials: Option<SharedCredentialsProvider>,
    pub region: Arc<str>,
    http: Arc<OnceLock<outbound::Client>>,
    timeout: Duration,
}

impl Signer {
    pub fn new(sdk: &SdkConfig, timeout: Duration) -> Self {
        Self {
            credentials: sdk.credentials_provider(),
            region: sdk.region().map_or("us-east-1", |r| r.as_ref()).into(),
            http: Arc::default(),
            timeout,
        }
    }

    /// Where a service's API is, without a trailing slash: the emulators' `services` URL when
    /// there is one, else AWS's regional endpoint `https://<host>.<region>.amazonaws.com`.
    pub fn base_url(&self, services: Option<&str>, host: &str) -> String {
        match services {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("https://{host}.{}.amazonaws.com", self.region),
        }
    }

    pub fn http(&self) -> &outbound::Client {
        self.http
            .get_or_init(|| outbound::Client::new(self.timeout))
    }

    /// Signs `request` for `service` with `settings`; `body` is what the signature covers
    /// (the request's own bytes, or unsigned for a presigned URL).
    pub async fn sign(
        &self,
        request: &mut http::Request<Bytes>,
        service: &str,
        settings: SigningSettings,
        body: Option<SignableBody<'_>>,
    ) -> Result<(), String> {
        let provider = self
            .credentials
            .as_ref()
            .ok_or("no AWS credentials in the environment")?;
        let credentials = provider
            .provide_credentials()
            .await
            .map_err(|e| format!("credentials: {e}"))?;
        let identity = Identity::from(credentials);
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name(service)
            .time(SystemTime::now())
            .settings(settings)
            .build()
            .map_err(|e| e.to_string())?
            .into();
        let uri = request.uri().to_string();
        let headers = request
            .headers()
            .iter()
            .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?)));
        let body = body.unwrap_or(SignableBody::Bytes(request.body()));
        let signable = SignableRequest::new(request.method().as_str(), uri.as_str(), headers, body)
            .map_err(|e| e.to_string())?;
        let (instructions, _) = sign(signable, &params)
            .map_err(|e| e.to_string())?
            .into_parts();
        instructions.apply_to_request_http1x(request);
        Ok(())
    }

    /// A JSON API call (SQS's `awsJson1_0`, SES v2's REST JSON): `body` POSTed to `url`,
    /// signed for `service`, with `headers`; the answer's JSON body on a 2xx. Tried up to three
    /// times, as the SDK's standard retry does, when the call could not be made, AWS answered
    /// 5xx or asked to slow down; every other answer is the caller's error.
    pub async fn post_json(
        &self,
        service: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: &serde_json::Value,
    ) -> Result<serde_json::Value, String> {
        let body = Bytes::from(serde_json::to_vec(body).map_err(|e| e.to_string())?);
        let mut last = String::new();
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(BACKOFF * 2u32.pow(attempt - 1)).await;
            }
            let mut request =
                request("POST", url, headers, body.clone()).map_err(|e| e.to_string())?;
            self.sign(&mut request, service, SigningSettings::default(), None)
                .await?;
            match self.http().send(request).await {
                Ok(response) if response.is_success() => {
                    return serde_json::from_slice(&response.body)
                        .map_err(|e| format!("{service} answered what is not JSON: {e}"));
                }
                Ok(response) => {
                    last = answer_of(&response);
                    if !retryable(&response) {
                        return Err(last);
                    }
                }
                Err(e) => last = e.to_string(),
            }
        }
        Err(last)
    }
}

/// A request to sign and send: `method` to `url`, with `headers` and `body`.
pub(crate) fn request(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Bytes,
) -> Result<http::Request<Bytes>, http::Error> {
    let mut builder = http::Request::builder().method(method).uri(url);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(body)
}

const ATTEMPTS: u32 = 3;
const BACKOFF: Duration = Duration::from_millis(100);

/// A server error or a throttle (AWS's JSON protocols name it in `__type` or the
/// `x-amzn-errortype` header): worth another try.
fn retryable(response: &outbound::Response) -> bool {
    if response.status >= 500 || response.status == 429 {
        return true;
    }
    let kind = response.header("x-amzn-errortype").unwrap_or_default();
    let body = String::from_utf8_lossy(&response.body);
    ["Throttl", "RequestThrottled", "TooManyRequests"]
        .iter()
        .any(|t| kind.contains(t) || body.contains(t))
}

/// An error answer for the logs: its status and the start of its body.
pub(crate) fn answer_of(response: &outbound::Response) -> String {
    let body = String::from_utf8_lossy(&response.body);
    format!(
        "{}: {}",
        response.status,
        body.chars().take(300).collect::<String>()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> outbound::Response {
        outbound::Response {
            status,
            headers: http::HeaderMap::new(),
            body: Bytes::from(body.to_owned()),
        }
    }

    #[test]
    fn a_service_is_at_its_regional_endpoint_or_at_the_emulators() {
        let sdk = SdkConfig::builder()
            .region(aws_types::region::Region::new("eu-west-2"))
            .build();
        let signer = Signer::new(&sdk, Duration::from_secs(1));
        assert_eq!(
            signer.base_url(None, "sqs"),
            "https://sqs.eu-west-2.amazonaws.com"
        );
        assert_eq!(
            signer.base_url(Some("http://127.0.0.1:5050/"), "email"),
            "http://127.0.0.1:5050"
        );
    }

    #[test]
    fn server_errors_and_throttles_are_tried_again_other_refusals_are_not() {
        assert!(retryable(&answer(500, "")));
        assert!(retryable(&answer(503, "")));
        assert!(retryable(&answer(
            400,
            r#"{"__type":"com.amazonaws.sqs#RequestThrottled"}"#
        )));
        assert!(retryable(&answer(
            400,
            r#"{"__type":"ThrottlingException"}"#
        )));
        assert!(!retryable(&answer(
            400,
            r#"{"__type":"com.amazonaws.sqs#QueueDoesNotExist"}"#
        )));
        assert!(!retryable(&answer(403, "MessageRejected")));
    }
}
