//! Stripe webhook signatures: `Stripe-Signature: t=<unix time>,v1=<hex HMAC>[,v1=...]`, the
//! HMAC-SHA256 of `"{t}.{raw body}"` with the endpoint's secret. Checked on the raw bytes,
//! before any JSON is parsed.
//!
//! Accepted when any `v1` matches any of the secrets (compared in constant time: several
//! `v1` appear while Stripe rolls a secret) and `t` is within the tolerance of now, in either
//! direction. Stripe's own libraries refuse only old timestamps; we refuse ones too far in the
//! future as well, since a signature dated ahead would stay replayable for longer than the
//! tolerance. A clock that runs a little behind Stripe's is covered by the same tolerance.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Stripe's default tolerance, in seconds.
pub const TOLERANCE_SECS: i64 = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("no Stripe-Signature header")]
    Missing,
    #[error("the Stripe-Signature header has no timestamp")]
    NoTimestamp,
    #[error("the Stripe-Signature header has no v1 signature")]
    NoSignature,
    #[error("the signature's timestamp is outside the tolerance")]
    OutsideTolerance,
    #[error("no v1 signature matches")]
    Mismatch,
}

/// Checks `header` over `body` against `secrets` at `now` (unix seconds).
pub fn verify(
    header: Option<&str>,
    body: &[u8],
    secrets: &[&str],
    now: i64,
    tolerance: i64,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", sig)) => signatures.extend(hex_decode(sig)),
            _ => {}
        }
    }
    let t = timestamp.ok_or(SignatureError::NoTimestamp)?;
    if signatures.is_empty() {
        return Err(SignatureError::NoSignature);
    }
    if (now - t).abs() > tolerance {
        return Err(SignatureError::OutsideTolerance);
    }
    let matches = secrets.iter().any(|secret| {
        signatures.iter().any(|sig| {
            let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
                .expect("HMAC takes any key length");
            mac.update(t.to_string().as_bytes());
            mac.update(b".");
            mac.update(body);
            mac.verify_slice(sig).is_ok()
        })
    });
    if matches {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// The header Stripe would send for `body` at `t` (tests and the local fixtures sign with it).
pub fn sign(body: &[u8], secret: &str, t: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={t},v1={hex}")
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) || s.is_empty() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";
    const BODY: &[u8] = br#"{"id":"evt_1","type":"payment_intent.succeeded"}"#;
    const NOW: i64 = 1_795_000_000;

    fn check(header: Option<&str>, body: &[u8]) -> Result<(), SignatureError> {
        verify(header, body, &[SECRET], NOW, TOLERANCE_SECS)
    }

    #[test]
    fn the_signature_matrix() {
        let good = sign(BODY, SECRET, NOW);
        assert_eq!(check(Some(&good), BODY), Ok(()));
        // Tampered body, wrong secret, no header, no v1, no t.
        assert_eq!(
            check(Some(&good), br#"{"id":"evt_2"}"#),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            check(Some(&sign(BODY, "whsec_other", NOW)), BODY),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(check(None, BODY), Err(SignatureError::Missing));
        assert_eq!(
            check(Some(&format!("t={NOW}")), BODY),
            Err(SignatureError::NoSignature)
        );
        let v1 = good.split_once(",v1=").unwrap().1;
        assert_eq!(
            check(Some(&format!("v1={v1}")), BODY),
            Err(SignatureError::NoTimestamp)
        );
        // Stale and future, each just inside and just outside the tolerance.
        let at = |t: i64| sign(BODY, SECRET, t);
        assert_eq!(check(Some(&at(NOW - 300)), BODY), Ok(()));
        assert_eq!(
            check(Some(&at(NOW - 301)), BODY),
            Err(SignatureError::OutsideTolerance)
        );
        assert_eq!(check(Some(&at(NOW + 300)), BODY), Ok(()));
        assert_eq!(
            check(Some(&at(NOW + 301)), BODY),
            Err(SignatureError::OutsideTolerance)
        );
        // One good v1 among several (a secret being rolled), in either order; a v0 is ignored.
        let bad = "0".repeat(64);
        assert_eq!(
            check(Some(&format!("t={NOW},v1={bad},v1={v1}")), BODY),
            Ok(())
        );
        assert_eq!(
            check(Some(&format!("t={NOW},v1={v1},v1={bad},v0={bad}")), BODY),
            Ok(())
        );
        assert_eq!(
            check(Some(&format!("t={NOW},v0={v1}")), BODY),
            Err(SignatureError::NoSignature)
        );
        // Garbage hex is no signature at all.
        assert_eq!(
            check(Some(&format!("t={NOW},v1=zz")), BODY),
            Err(SignatureError::NoSignature)
        );
    }

    #[test]
    fn any_of_several_secrets() {
        let header = sign(BODY, "whsec_new", NOW);
        assert_eq!(
            verify(
                Some(&header),
                BODY,
                &["whsec_old", "whsec_new"],
                NOW,
                TOLERANCE_SECS
            ),
            Ok(())
        );
    }
}
