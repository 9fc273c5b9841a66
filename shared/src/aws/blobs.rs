//! The bucket for product images and invoices: S3's REST API as SigV4-signed requests over the
//! shop's one HTTP client (`outbound`), with the SDK's own signer (`aws-sigv4`; `signed`).
//!
//! Why not `aws-sdk-s3`: the shop makes seven kinds of call (presign a PUT and a GET, PUT, HEAD,
//! a ranged GET, GET, DELETE), and the S3 client with its checksums, XML and endpoint rules
//! was the largest part of every function that stores or presigns (about 0.9 MB zipped,
//! docs/build.md, "S3 without the SDK client").

use std::time::Duration;

use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignatureLocation, SigningSettings,
    UriPathNormalizationMode,
};
use aws_types::SdkConfig;
use bytes::Bytes;

use super::signed::{Signer, answer_of, request};
use crate::config::Config;
use crate::outbound;

/// How long one S3 call may take, headers to end of body.
const TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Clone, Debug)]
pub struct Blobs {
    signer: Signer,
    /// Where requests for the bucket go: `https://<bucket>.s3.<region>.amazonaws.com` on AWS,
    /// `<emulator>/<bucket>` (path style, which moto answers) locally.
    base: std::sync::Arc<str>,
    /// Where the bucket's public objects are read from.
    pub public_base: std::sync::Arc<str>,
    pub bucket: std::sync::Arc<str>,
}

/// What a HEAD of an object says.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectHead {
    pub size: i64,
    pub content_type: Option<String>,
}

/// An S3 call that failed (the detail is for the logs).
#[derive(Debug, thiserror::Error)]
#[error("S3 {operation} failed: {message}")]
pub struct BlobError {
    pub operation: &'static str,
    pub message: String,
}

impl BlobError {
    fn new(operation: &'static str, message: impl ToString) -> Self {
        Self {
            operation,
            message: message.to_string(),
        }
    }

    fn answered(operation: &'static str, response: &outbound::Response) -> Self {
        Self::new(operation, answer_of(response))
    }
}

/// How a request is signed: in its headers, or in its URL for a given time (presigned).
enum Signature {
    Headers,
    Presigned(Duration),
}

impl Blobs {
    pub fn new(sdk: &SdkConfig, config: &Config) -> Self {
        let bucket = config
            .bucket_name
            .as_deref()
            .expect("a function with Need::Blobs has BUCKET_NAME");
        Self::at(sdk, bucket, config.endpoints.services.as_deref())
    }

    /// `bucket` on AWS, or at the emulators' `services` URL.
    fn at(sdk: &SdkConfig, bucket: &str, services: Option<&str>) -> Self {
        let signer = Signer::new(sdk, TIMEOUT);
        let base = match services {
            Some(url) => format!("{}/{bucket}", url.trim_end_matches('/')),
            None => format!("https://{bucket}.s3.{}.amazonaws.com", signer.region),
        };
        Self {
            signer,
            public_base: base.clone().into(),
            base: base.into(),
            bucket: bucket.into(),
        }
    }

    /// The public URL of `key`.
    pub fn public_url(&self, key: &str) -> String {
        format!("{}/{key}", self.public_base)
    }

    /// A URL that lets its holder PUT one object at `key`, of exactly this type and size,
    /// until `expires_in` has passed (both headers are signed).
    pub async fn presign_put(
        &self,
        key: &str,
        content_type: &str,
        size: i64,
        expires_in: Duration,
    ) -> Result<String, BlobError> {
        let size = size.to_string();
        let headers = [
            ("content-type", content_type),
            ("content-length", size.as_str()),
        ];
        self.presign("PUT", key, &headers, expires_in).await
    }

    /// A URL that lets its holder GET the object at `key` until `expires_in` has passed (a
    /// private object: an invoice).
    pub async fn presign_get(&self, key: &str, expires_in: Duration) -> Result<String, BlobError> {
        self.presign("GET", key, &[], expires_in).await
    }

    async fn presign(
        &self,
        method: &str,
        key: &str,
        headers: &[(&str, &str)],
        expires_in: Duration,
    ) -> Result<String, BlobError> {
        let mut request = request(method, &self.url(key), headers, Bytes::new())
            .map_err(|e| BlobError::new("presign", e))?;
        self.sign(&mut request, Signature::Presigned(expires_in))
            .await
            .map_err(|e| BlobError::new("presign", e))?;
        Ok(request.uri().to_string())
    }

    /// Writes a private object (outside the public `images/` prefix).
    pub async fn put_private(
        &self,
        key: &str,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> Result<(), BlobError> {
        self.put(key, bytes, content_type, "private, no-store")
            .await
    }

    /// Writes an object that never changes under its key (cached by browsers for a year).
    pub async fn put_immutable(
        &self,
        key: &str,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> Result<(), BlobError> {
        let forever = "public, max-age=31536000, immutable";
        self.put(key, bytes, content_type, forever).await
    }

    async fn put(
        &self,
        key: &str,
        bytes: Vec<u8>,
        content_type: &str,
        cache_control: &str,
    ) -> Result<(), BlobError> {
        let headers = [
            ("content-type", content_type),
            ("cache-control", cache_control),
        ];
        let response = self
            .call("PutObject", "PUT", key, &headers, bytes.into())
            .await?;
        if response.is_success() {
            Ok(())
        } else {
            Err(BlobError::answered("PutObject", &response))
        }
    }

    /// The object's size and type, `None` when there is no such object.
    pub async fn head(&self, key: &str) -> Result<Option<ObjectHead>, BlobError> {
        let response = self
            .call("HeadObject", "HEAD", key, &[], Bytes::new())
            .await?;
        match response.status {
            404 => Ok(None),
            _ if response.is_success() => Ok(Some(ObjectHead {
                size: response
                    .header("content-length")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_default(),
                content_type: response.header("content-type").map(str::to_owned),
            })),
            _ => Err(BlobError::answered("HeadObject", &response)),
        }
    }

    /// The object's first `n` bytes.
    pub async fn first_bytes(&self, key: &str, n: usize) -> Result<Vec<u8>, BlobError> {
        let range = format!("bytes=0-{}", n.saturating_sub(1));
        let response = self
            .call("GetObject", "GET", key, &[("range", &range)], Bytes::new())
            .await?;
        if !response.is_success() {
            return Err(BlobError::answered("GetObject", &response));
        }
        let mut bytes = response.body.to_vec();
        bytes.truncate(n);
        Ok(bytes)
    }

    /// The whole object, `None` when there is no such object.
    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, BlobError> {
        let response = self
            .call("GetObject", "GET", key, &[], Bytes::new())
            .await?;
        match response.status {
            404 => Ok(None),
            _ if response.is_success() => Ok(Some(response.body.to_vec())),
            _ => Err(BlobError::answered("GetObject", &response)),
        }
    }

    /// Deletes an object; one already gone is fine (S3 answers 204 either way).
    pub async fn delete(&self, key: &str) -> Result<(), BlobError> {
        let response = self
            .call("DeleteObject", "DELETE", key, &[], Bytes::new())
            .await?;
        if response.is_success() || response.status == 404 {
            Ok(())
        } else {
            Err(BlobError::answered("DeleteObject", &response))
        }
    }

    fn url(&self, key: &str) -> String {
        format!("{}/{}", self.base, encode_key(key))
    }

    async fn call(
        &self,
        operation: &'static str,
        method: &str,
        key: &str,
        headers: &[(&str, &str)],
        body: Bytes,
    ) -> Result<outbound::Response, BlobError> {
        let mut request = request(method, &self.url(key), headers, body)
            .map_err(|e| BlobError::new(operation, e))?;
        self.sign(&mut request, Signature::Headers)
            .await
            .map_err(|e| BlobError::new(operation, e))?;
        self.signer
            .http()
            .send(request)
            .await
            .map_err(|e| BlobError::new(operation, e))
    }

    /// Signs `request` as S3 expects: single percent-encoding, the path as it is, and the
    /// payload's SHA-256 in `x-amz-content-sha256` (or `UNSIGNED-PAYLOAD` when presigned).
    async fn sign(&self, request: &mut http::Request<Bytes>, how: Signature) -> Result<(), String> {
        let mut settings = SigningSettings::default();
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        let body = match how {
            Signature::Headers => None,
            Signature::Presigned(expires_in) => {
                settings.signature_location = SignatureLocation::QueryParams;
                settings.expires_in = Some(expires_in);
                settings.payload_checksum_kind = PayloadChecksumKind::NoHeader;
                Some(SignableBody::UnsignedPayload)
            }
        };
        self.signer.sign(request, "s3", settings, body).await
    }
}

/// A key as a URL path: each segment percent-encoded, `/` kept (S3's own rule).
fn encode_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for byte in key.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_credential_types::Credentials;
    use aws_credential_types::provider::SharedCredentialsProvider;

    fn blobs(services: Option<&str>) -> Blobs {
        let sdk = SdkConfig::builder()
            .region(aws_types::region::Region::new("eu-west-1"))
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                "AKIDEXAMPLE",
                "secret",
                Some("token".into()),
                None,
                "test",
            )))
            .build();
        Blobs::at(&sdk, "shop-images", services)
    }

    #[test]
    fn keys_are_encoded_segment_by_segment() {
        assert_eq!(
            encode_key("images/01H/a b+c.jpg"),
            "images/01H/a%20b%2Bc.jpg"
        );
        assert_eq!(encode_key("invoices/x_y-z.~pdf"), "invoices/x_y-z.~pdf");
    }

    #[test]
    fn on_aws_the_bucket_is_a_virtual_host_locally_a_path() {
        assert_eq!(
            blobs(None).public_url("images/a.jpg"),
            "https://shop-images.s3.eu-west-1.amazonaws.com/images/a.jpg"
        );
        assert_eq!(
            blobs(Some("http://127.0.0.1:5000/")).public_url("images/a.jpg"),
            "http://127.0.0.1:5000/shop-images/images/a.jpg"
        );
    }

    #[tokio::test]
    async fn a_presigned_put_signs_its_type_and_size_and_expires() {
        let url = blobs(None)
            .presign_put("images/a.jpg", "image/jpeg", 1234, Duration::from_secs(900))
            .await
            .unwrap();
        let parsed = url::Url::parse(&url).unwrap();
        assert_eq!(
            parsed.host_str(),
            Some("shop-images.s3.eu-west-1.amazonaws.com")
        );
        assert_eq!(parsed.path(), "/images/a.jpg");
        let query: std::collections::HashMap<_, _> = parsed.query_pairs().into_owned().collect();
        assert_eq!(query["X-Amz-Algorithm"], "AWS4-HMAC-SHA256");
        assert_eq!(query["X-Amz-Expires"], "900");
        assert_eq!(
            query["X-Amz-SignedHeaders"],
            "content-length;content-type;host"
        );
        assert_eq!(query["X-Amz-Security-Token"], "token");
        assert!(query["X-Amz-Credential"].starts_with("AKIDEXAMPLE/"));
        assert!(query["X-Amz-Credential"].ends_with("/eu-west-1/s3/aws4_request"));
        assert_eq!(query["X-Amz-Signature"].len(), 64);
    }
}
