//! Pure domain types and rules: parsed once at the edge, trusted inside. No I/O here.

mod email;

pub use email::Email;
