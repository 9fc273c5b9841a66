//! Random tokens and their digests: what is handed out is random, what is stored is its hash.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// `bytes` random bytes from the OS, base64url without padding (URL-safe as it stands).
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the OS random source works");
    URL_SAFE_NO_PAD.encode(buf)
}

/// Hex SHA-256: the stored form of a one-time or refresh token.
pub fn sha256_hex(data: &str) -> String {
    sha256_hex_bytes(data.as_bytes())
}

/// Hex SHA-256 of bytes (request fingerprints).
pub fn sha256_hex_bytes(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// HMAC-SHA256 of `data` under `key`, base64url.
pub fn hmac_b64(key: &[u8], data: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// Checks an HMAC in constant time.
pub fn hmac_matches(key: &[u8], data: &[u8], tag_b64: &str) -> bool {
    let Ok(tag) = URL_SAFE_NO_PAD.decode(tag_b64) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.verify_slice(&tag).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_url_safe() {
        let a = random_token(32);
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_token(32));
        assert!(
            a.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
    }

    #[test]
    fn digests_and_macs() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let tag = hmac_b64(b"key", b"data");
        assert!(hmac_matches(b"key", b"data", &tag));
        assert!(!hmac_matches(b"key", b"datb", &tag));
        assert!(!hmac_matches(b"other", b"data", &tag));
        assert!(!hmac_matches(b"key", b"data", "not base64!"));
    }
}
