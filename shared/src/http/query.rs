//! Query-string filters that name one of a closed set (`?role=staff`, `?type=pro`).

use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// `raw` read as the snake_case name of a `T` variant; empty or absent is `None`, anything
/// else is 422 naming `field` and what it `expects`.
pub fn choice<T: DeserializeOwned>(
    raw: Option<&str>,
    field: &str,
    expects: &str,
) -> Result<Option<T>, ApiError> {
    match raw.filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(r) => crate::domain::variant_named(r)
            .map(Some)
            .ok_or_else(|| ApiError::field(field, expects)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Role;

    #[test]
    fn reads_a_name_or_nothing() {
        assert_eq!(
            choice::<Role>(Some("staff"), "role", "x").unwrap(),
            Some(Role::Staff)
        );
        assert_eq!(choice::<Role>(Some(""), "role", "x").unwrap(), None);
        assert_eq!(choice::<Role>(None, "role", "x").unwrap(), None);
        assert!(matches!(
            choice::<Role>(Some("Staff"), "role", "x"),
            Err(ApiError::Validation(_))
        ));
    }
}
