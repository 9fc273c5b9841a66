//! The AWS SDK's own HTTPS client (hyper 1, rustls with aws-lc-rs), made on the first request
//! instead of when a client is built.
//!
//! Why: making it loads and parses the system's root certificates. In a function that runs
//! `main` on every cold start, that was most of init above a hello-world binary (me_get: 24 ms
//! against 12 ms without the roots, under load; docs/build.md, "Init: the roots on first use").
//! A function's first request opens its first TLS connection anyway, so the roots are read then,
//! once per container, and a cold start that answers from the token alone (a 401) never reads
//! them.

use std::sync::{Arc, OnceLock};

use aws_smithy_http_client::tls;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;

/// The SDK's default HTTPS client (the one `default-https-client` selects), deferred.
pub fn client() -> SharedHttpClient {
    SharedHttpClient::new(Deferred {
        inner: Arc::new(OnceLock::new()),
    })
}

#[derive(Debug, Clone)]
struct Deferred {
    inner: Arc<OnceLock<SharedHttpClient>>,
}

impl Deferred {
    fn inner(&self) -> &SharedHttpClient {
        self.inner.get_or_init(|| {
            aws_smithy_http_client::Builder::new()
                .tls_provider(tls::Provider::Rustls(
                    tls::rustls_provider::CryptoMode::AwsLc,
                ))
                .build_https()
        })
    }
}

impl HttpClient for Deferred {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(DeferredConnector {
            client: self.clone(),
            settings: settings.clone(),
            components: components.clone(),
            connector: OnceLock::new(),
        })
    }
}

/// A connector that asks the real client for its connector on its first call.
#[derive(Debug)]
struct DeferredConnector {
    client: Deferred,
    settings: HttpConnectorSettings,
    components: RuntimeComponents,
    connector: OnceLock<SharedHttpConnector>,
}

impl HttpConnector for DeferredConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        self.connector
            .get_or_init(|| {
                self.client
                    .inner()
                    .http_connector(&self.settings, &self.components)
            })
            .call(request)
    }
}
