//! Guest cart tokens: `<cart id>.<HMAC of the id>`, made with a key derived from the first
//! access-token signing key and checked against all of them (so they survive a rotation while
//! the old key is still listed). Only guest carts (ULID ids) get one.

use crate::auth::AuthKeys;
use crate::crypto::{hmac_b64, hmac_matches};
use crate::domain::id::is_ulid;

/// The token of guest cart `cart_id`.
pub fn issue(keys: &AuthKeys, cart_id: &str) -> String {
    format!(
        "{cart_id}.{}",
        hmac_b64(&keys.cart_keys[0], cart_id.as_bytes())
    )
}

/// The guest cart id a token names, if this shop issued it.
pub fn verify(keys: &AuthKeys, token: &str) -> Option<String> {
    let (id, tag) = token.trim().split_once('.')?;
    if !is_ulid(id) {
        return None;
    }
    keys.cart_keys
        .iter()
        .any(|key| hmac_matches(key, id.as_bytes(), tag))
        .then(|| id.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::TokenSettings;

    fn keys(list: &[(&str, &str)]) -> AuthKeys {
        AuthKeys::new(&TokenSettings {
            jwt_keys: list
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            access_token_ttl: std::time::Duration::from_secs(900),
            refresh_token_ttl: std::time::Duration::from_secs(3600),
        })
    }

    #[test]
    fn tokens_verify_and_forgeries_do_not() {
        let old = keys(&[("a", &"a".repeat(32))]);
        let id = ulid::Ulid::new().to_string();
        let token = issue(&old, &id);
        assert_eq!(verify(&old, &token), Some(id.clone()));
        let rotated = keys(&[("b", &"b".repeat(32)), ("a", &"a".repeat(32))]);
        assert_eq!(
            verify(&rotated, &token),
            Some(id.clone()),
            "old key still listed"
        );
        let other = ulid::Ulid::new().to_string();
        let (_, tag) = token.split_once('.').unwrap();
        assert_eq!(verify(&old, &format!("{other}.{tag}")), None);
        assert_eq!(verify(&old, &format!("{id}.AAAA")), None);
        assert_eq!(verify(&old, &id), None);
        assert_eq!(verify(&old, "user-01H.x"), None);
        assert_eq!(verify(&keys(&[("c", &"c".repeat(32))]), &token), None);
    }
}
