//! Short free text typed by people (names, address lines): trimmed, bounded, no control
//! characters and no bidirectional controls.

use crate::error::FieldError;

/// The Unicode bidirectional controls (marks, embeddings, overrides, isolates). In text that
/// other people read (a name on an order, an address line in the admin console) they can make
/// it display as something else, so they are refused.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Trims `raw` and checks it is 1..=`max` characters (counted as sent, so that what the
/// OpenAPI document's `maxLength` allows is exactly what passes) with no control characters
/// and no bidirectional controls.
pub fn clean(raw: &str, max: usize) -> Result<String, String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err("must not be empty".to_owned());
    }
    if raw.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    if trimmed.chars().any(char::is_control) {
        return Err("must not contain control characters".to_owned());
    }
    if trimmed.chars().any(is_bidi_control) {
        return Err("must not contain text-direction control characters".to_owned());
    }
    Ok(trimmed.to_owned())
}

/// An optional field: absent or blank is `None`; anything else must pass [`clean`], or its
/// error is added to `errors` under `field`.
pub fn optional(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Option<String> {
    let value = value.filter(|v| !v.trim().is_empty())?;
    clean(value, max)
        .map_err(|e| errors.push(FieldError::new(field, e)))
        .ok()
}

/// A phone number: digits with an optional leading `+` and spaces, dashes, dots or brackets.
pub fn phone(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim();
    let digits = trimmed.chars().filter(char::is_ascii_digit).count();
    let allowed = trimmed
        .char_indices()
        .all(|(i, c)| c.is_ascii_digit() || " -.()".contains(c) || (c == '+' && i == 0));
    if !allowed || !(6..=15).contains(&digits) {
        return Err(
            "must be a phone number of 6 to 15 digits, optionally starting with +".to_owned(),
        );
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_text() {
        assert_eq!(clean("  Ada  ", 10).unwrap(), "Ada");
        assert!(clean("   ", 10).is_err());
        assert!(clean("abcdefghijk", 10).is_err());
        assert!(clean("a\u{0}b", 10).is_err());
        // Right-to-left override, isolates and marks: refused anywhere in the text.
        for bidi in [
            '\u{202E}', '\u{202A}', '\u{2066}', '\u{2069}', '\u{200F}', '\u{061C}',
        ] {
            assert!(clean(&format!("Ada{bidi}gpj.exe"), 50).is_err(), "{bidi:?}");
        }
        // Right-to-left scripts themselves are fine.
        assert_eq!(
            clean("\u{05D3}\u{05E0}\u{05D4}", 10).unwrap(),
            "\u{05D3}\u{05E0}\u{05D4}"
        );
    }

    #[test]
    fn checks_phone_numbers() {
        assert!(phone("+44 20 7946 0958").is_ok());
        assert!(phone("(020) 7946-0958").is_ok());
        assert!(phone("12").is_err());
        assert!(phone("call me").is_err());
        assert!(phone("44+1234567").is_err());
    }
}
