//! Short free text typed by people (names, address lines): trimmed, bounded, no control characters.

/// Trims `raw` and checks it is 1..=`max` characters with no control characters.
pub fn clean(raw: &str, max: usize) -> Result<String, String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err("must not be empty".to_owned());
    }
    if trimmed.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    if trimmed.chars().any(char::is_control) {
        return Err("must not contain control characters".to_owned());
    }
    Ok(trimmed.to_owned())
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
