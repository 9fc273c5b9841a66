//! The one HTTP client for calls out of the shop: Google's keys, Stripe, outbound webhooks and
//! S3 (signed requests, `aws::Blobs`).
//!
//! It is the AWS SDK's own connector (`aws-smithy-http-client`: hyper 1, hyper-rustls, rustls
//! with aws-lc-rs and the system's roots), so a function that calls out links no second HTTP or
//! TLS stack, and not even a second copy of hyper's client for other types: reqwest beside the
//! SDK was about 0.5 MB zipped (docs/build.md, "One HTTP client").

use std::net::IpAddr;
use std::time::Duration;

use aws_smithy_http_client::{Connector, tls};
use aws_smithy_runtime_api::client::dns::{DnsFuture, ResolveDns};
use aws_smithy_runtime_api::client::http::HttpConnector;
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_types::body::SdkBody;
use bytes::Bytes;
use http_body_util::{BodyExt, Limited};

/// The largest response body read (an S3 object is the largest thing the shop downloads).
const MAX_BODY: usize = 64 * 1024 * 1024;

/// An HTTPS (and, for the emulators, HTTP) client with one timeout per request, headers to end of
/// body; it follows no redirect. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Client {
    connector: std::sync::Arc<Connector>,
    timeout: Duration,
}

/// A response read whole.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

impl Response {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OutboundError {
    #[error("timed out after {} s", .0.as_secs())]
    Timeout(Duration),
    #[error("could not be sent: {0}")]
    Transport(String),
}

/// The TLS the SDK's default client has.
const TLS: tls::Provider = tls::Provider::Rustls(tls::rustls_provider::CryptoMode::AwsLc);

impl Client {
    /// A client that resolves names with the system's resolver (what the SDK's clients use).
    pub fn new(timeout: Duration) -> Self {
        Self::of(Connector::builder().tls_provider(TLS).build(), timeout)
    }

    /// A client that connects to `address` whatever the name is (the address that was checked,
    /// whatever DNS says next): how webhooks are sent. TLS still checks the URL's host name.
    pub fn pinned(timeout: Duration, address: IpAddr) -> Self {
        let connector = Connector::builder()
            .tls_provider(TLS)
            .build_with_resolver(Pinned(address));
        Self::of(connector, timeout)
    }

    fn of(connector: Connector, timeout: Duration) -> Self {
        Self {
            connector: std::sync::Arc::new(connector),
            timeout,
        }
    }

    /// Sends `request` and reads the whole response, all within the client's timeout.
    pub async fn send(&self, request: http::Request<Bytes>) -> Result<Response, OutboundError> {
        let request = HttpRequest::try_from(request.map(SdkBody::from))
            .map_err(|e| OutboundError::Transport(error_chain(&e)))?;
        let exchange = async {
            let response = self
                .connector
                .call(request)
                .await
                .map_err(|e| OutboundError::Transport(error_chain(&e)))?;
            let status = response.status().as_u16();
            let mut headers = http::HeaderMap::new();
            for (name, value) in response.headers().iter() {
                if let (Ok(name), Ok(value)) = (
                    http::HeaderName::from_bytes(name.as_bytes()),
                    http::HeaderValue::from_str(value),
                ) {
                    headers.append(name, value);
                }
            }
            let body = Limited::new(response.into_body(), MAX_BODY)
                .collect()
                .await
                .map_err(|e| OutboundError::Transport(e.to_string()))?
                .to_bytes();
            Ok(Response {
                status,
                headers,
                body,
            })
        };
        tokio::time::timeout(self.timeout, exchange)
            .await
            .unwrap_or(Err(OutboundError::Timeout(self.timeout)))
    }
}

/// hyper's messages lose their cause in `Display`; the log wants it.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Resolves every name to one address.
#[derive(Clone, Debug)]
struct Pinned(IpAddr);

impl ResolveDns for Pinned {
    fn resolve_dns<'a>(&'a self, _name: &'a str) -> DnsFuture<'a> {
        DnsFuture::ready(Ok(vec![self.0]))
    }
}

/// `application/x-www-form-urlencoded` of `pairs`.
pub fn form(pairs: &[(impl AsRef<str>, impl AsRef<str>)]) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        out.append_pair(name.as_ref(), value.as_ref());
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_are_encoded_as_browsers_do() {
        assert_eq!(
            form(&[("a b", "c&d=e"), ("metadata[order_id]", "é")]),
            "a+b=c%26d%3De&metadata%5Border_id%5D=%C3%A9"
        );
    }

    #[tokio::test]
    async fn a_pinned_client_connects_to_its_address_whatever_the_name() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut buf = vec![0u8; 4096];
            let n = tokio::io::AsyncReadExt::read(&mut socket, &mut buf)
                .await
                .unwrap();
            let head = String::from_utf8_lossy(&buf[..n]).to_string();
            let body = if head.contains("host: receiver.example") {
                "pinned"
            } else {
                "?"
            };
            let reply = format!(
                "HTTP/1.1 201 Created\r\ncontent-length: {}\r\nx-seen: yes\r\n\r\n{body}",
                body.len()
            );
            tokio::io::AsyncWriteExt::write_all(&mut socket, reply.as_bytes())
                .await
                .unwrap();
        });
        let client = Client::pinned(Duration::from_secs(5), address.ip());
        let request =
            http::Request::post(format!("http://receiver.example:{}/hook", address.port()))
                .body(Bytes::from_static(b"{}"))
                .unwrap();
        let response = client.send(request).await.unwrap();
        assert_eq!(response.status, 201);
        assert_eq!(response.header("x-seen"), Some("yes"));
        assert_eq!(&response.body[..], b"pinned");
    }

    #[tokio::test]
    async fn a_silent_server_is_a_timeout() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let held = tokio::spawn(async move {
            let (socket, _) = listener.accept().await.unwrap();
            tokio::time::sleep(Duration::from_secs(5)).await;
            drop(socket);
        });
        let client = Client::new(Duration::from_millis(300));
        let request = http::Request::get(format!("http://{address}/"))
            .body(Bytes::new())
            .unwrap();
        let error = client.send(request).await.unwrap_err();
        assert!(matches!(error, OutboundError::Timeout(_)), "{error}");
        held.abort();
    }
}
