//! Who is calling, for per-client limits: the source address API Gateway reports (in Lambda,
//! from the request context; a client cannot set it with a header), or the peer's address on
//! the local server.

use std::convert::Infallible;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

/// The request's source address, as the Lambda entry found it in API Gateway's context.
#[derive(Clone, Debug)]
pub struct SourceIp(pub String);

/// The caller's address as a limit subject (`unknown` when none is known).
#[derive(Clone, Debug)]
pub struct ClientAddress(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        if let Some(SourceIp(ip)) = parts.extensions.get::<SourceIp>() {
            return Ok(Self(ip.clone()));
        }
        if let Some(ConnectInfo(addr)) = parts.extensions.get::<ConnectInfo<SocketAddr>>() {
            return Ok(Self(addr.ip().to_string()));
        }
        Ok(Self("unknown".to_owned()))
    }
}
