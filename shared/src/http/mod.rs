//! HTTP plumbing shared by every route: the JSON extractor, the extractors that say who may
//! call a route, and the layers that wrap every router the same way in Lambda and in the local
//! server.

pub mod cache;
mod client;
mod extract;
pub mod idempotency;
mod json;
mod layers;
pub mod query;

pub use client::{ClientAddress, SourceIp};
pub use extract::{Admin, AuthUser, Staff};
pub use json::{BODY_LIMIT, Json, parse as parse_json};
pub use layers::{REQUEST_ID, wrap};
