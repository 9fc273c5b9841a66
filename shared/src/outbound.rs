//! The one HTTP client for calls out of the shop: Google's keys, Stripe, outbound webhooks and
//! S3 (signed requests, `aws::Blobs`).
//!
//! It is hyper's client with hyper-rustls, aws-lc-rs and the system's root certificates: the
//! same crates, in the same configuration, as the HTTPS client inside the AWS SDK, so a function
//! that calls out links no second HTTP or TLS stack (reqwest was one, about 0.3 MB of code:
//! docs/build.md, "One HTTP client").

use std::net::SocketAddr;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::dns::Name;
use hyper_util::rt::TokioExecutor;

/// The largest response body read (an S3 object is the largest thing the shop downloads).
const MAX_BODY: usize = 64 * 1024 * 1024;

/// An HTTPS (and, for the emulators, HTTP) client with one timeout per request, headers to end of
/// body. Cheap to clone.
#[derive(Clone)]
pub struct Client {
    inner: HyperClient<hyper_rustls::HttpsConnector<HttpConnector<Resolve>>, Full<Bytes>>,
    timeout: Duration,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
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

impl Client {
    /// A client that resolves names with the system's resolver and follows no redirect.
    pub fn new(timeout: Duration) -> Self {
        Self::with_resolver(timeout, Resolve::System)
    }

    /// A client that connects to `address` whatever the name is (the address that was checked,
    /// whatever DNS says next): how webhooks are sent.
    pub fn pinned(timeout: Duration, address: SocketAddr) -> Self {
        Self::with_resolver(timeout, Resolve::Pinned(address))
    }

    fn with_resolver(timeout: Duration, resolve: Resolve) -> Self {
        let mut http = HttpConnector::new_with_resolver(resolve);
        http.enforce_http(false);
        http.set_connect_timeout(Some(timeout));
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls_config())
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        Self {
            inner: HyperClient::builder(TokioExecutor::new()).build(https),
            timeout,
        }
    }

    /// Sends `request` and reads the whole response, all within the client's timeout.
    pub async fn send(&self, request: http::Request<Bytes>) -> Result<Response, OutboundError> {
        let exchange = async {
            let response = self
                .inner
                .request(request.map(Full::new))
                .await
                .map_err(|e| OutboundError::Transport(error_chain(&e)))?;
            let (parts, body) = response.into_parts();
            let body = Limited::new(body, MAX_BODY)
                .collect()
                .await
                .map_err(|e| OutboundError::Transport(e.to_string()))?
                .to_bytes();
            Ok(Response {
                status: parts.status.as_u16(),
                headers: parts.headers,
                body,
            })
        };
        tokio::time::timeout(self.timeout, exchange)
            .await
            .unwrap_or(Err(OutboundError::Timeout(self.timeout)))
    }
}

/// rustls with aws-lc-rs and the system's roots, as the AWS SDK's client has them.
fn tls_config() -> rustls::ClientConfig {
    let mut roots = rustls::RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    for error in &native.errors {
        tracing::warn!(%error, "a system root certificate could not be read");
    }
    let (added, ignored) = roots.add_parsable_certificates(native.certs);
    if added == 0 {
        tracing::error!(ignored, "no usable root certificate: HTTPS calls will fail");
    }
    rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("aws-lc-rs supports the default TLS versions")
    .with_root_certificates(roots)
    .with_no_client_auth()
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

/// How the connector finds an address: the system's resolver, or one fixed address.
#[derive(Clone, Debug)]
pub enum Resolve {
    System,
    Pinned(SocketAddr),
}

impl tower::Service<Name> for Resolve {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = std::io::Error;
    type Future = std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<Self::Response, Self::Error>> + Send>,
    >;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        match self {
            Self::Pinned(address) => {
                let address = *address;
                Box::pin(async move { Ok(vec![address].into_iter()) })
            }
            Self::System => Box::pin(async move {
                // The port is replaced by the URL's own; 0 is a placeholder.
                let found: Vec<SocketAddr> =
                    tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
                Ok(found.into_iter())
            }),
        }
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
        let client = Client::pinned(Duration::from_secs(5), address);
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
