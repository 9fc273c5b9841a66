//! Pure domain types and rules: parsed once at the edge, trusted inside. No I/O here.

pub mod catalog;
pub mod country;
pub mod coupon;
pub mod currency;
mod email;
pub mod event;
pub mod id;
pub mod order;
mod password;
pub mod patch;
pub mod pricing;
mod refresh_token;
pub mod return_url;
pub mod returns;
mod role;
pub mod schema;
pub mod settings;
pub mod text;

pub use email::Email;
pub use password::Password;
pub use refresh_token::RefreshToken;
pub use role::Role;

/// The variant of a snake_case-named enum (`Role`, `SortOrder`, ...) that `name` names, if any:
/// how query strings and other plain text choose one.
pub fn variant_named<T: serde::de::DeserializeOwned>(name: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(name.to_owned())).ok()
}
