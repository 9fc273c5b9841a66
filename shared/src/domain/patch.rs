//! Partial updates (`PATCH` bodies): a field may be absent (leave it), `null` (clear it) or a
//! value (set it).

use serde::{Deserialize, Deserializer};

/// Tells an absent field (`None`, with `#[serde(default)]`) from an explicit `null`
/// (`Some(None)`): use as `#[serde(default, deserialize_with = "present")]`.
pub fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}
