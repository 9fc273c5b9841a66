//! The shop's library: every route's handler, the worker and the cleanup, and what they share.
//! Lambda binaries in `functions/` and the local server in `local/` are thin mains over it.

pub mod accounts;
pub mod analytics;
pub mod api;
pub mod auth;
pub mod aws;
pub mod cart;
pub mod catalog;
pub mod cleanup;
pub mod config;
pub mod crypto;
pub mod domain;
pub mod error;
pub mod http;
pub mod images_worker;
pub mod invoices;
pub mod lambda;
pub mod layering;
pub mod need;
pub mod notify;
pub mod orders;
pub mod outbound;
pub mod paging;
pub mod state;
pub mod stock_alerts;
pub mod store;
pub mod stripe;
pub mod telemetry;
pub mod webhooks;
pub mod worker;

pub use config::Config;
pub use error::ApiError;
pub use state::AppState;
