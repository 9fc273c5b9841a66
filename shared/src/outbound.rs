//! HTTP clients for calls out of the shop (Google's keys, Stripe, outbound webhooks).
//!
//! They use rustls with aws-lc-rs, the TLS stack and crypto provider the AWS SDK already links,
//! so a function carries one of each.

use std::time::Duration;

/// An HTTPS client with `timeout` per request.
pub fn client(timeout: Duration) -> reqwest::Client {
    builder(timeout)
        .build()
        .expect("an HTTP client with the aws-lc-rs provider builds")
}

/// A client for one request to `host` that connects to `address` only (the address that was
/// checked, whatever DNS says next) and follows no redirect: how webhooks are sent.
pub fn pinned(timeout: Duration, host: &str, address: std::net::SocketAddr) -> reqwest::Client {
    builder(timeout)
        .resolve(host, address)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client with the aws-lc-rs provider builds")
}

fn builder(timeout: Duration) -> reqwest::ClientBuilder {
    // reqwest is built without a provider of its own; use the one the SDK links. Installing
    // twice is harmless (the second call reports the first provider is in place).
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    reqwest::Client::builder().timeout(timeout)
}
