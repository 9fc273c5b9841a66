//! HTTP plumbing shared by every route: the JSON extractor, the state, and the layers that
//! wrap every router the same way in Lambda and in the local server.

mod json;
mod layers;
pub mod pagination;
mod state;

pub use json::{BODY_LIMIT, Json, parse as parse_json};
pub use layers::{REQUEST_ID, wrap};
pub use pagination::{List, Page};
pub use state::{AppState, Client, MissingClient};
