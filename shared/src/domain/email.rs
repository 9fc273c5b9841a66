//! An email address, checked once when it enters the system and kept in its canonical form.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

/// An email address in the one form the shop stores, sends to and compares (docs/architecture.md,
/// "Email addresses"): plain ASCII only, so that every stored address is deliverable through SES
/// (7-bit local parts, ASCII or punycode domains) and no look-alike spelling can stand for
/// another address.
///
/// - The local part is a dot-atom of RFC 5322 `atext` (letters, digits and
///   ``!#$%&'*+-/=?^_`{|}~``), 1 to 64 characters, no leading, trailing or double dot. Its case is
///   kept for display; [`Email::key`] lowercases it for uniqueness.
/// - The domain is at least two LDH labels (letters, digits, inner hyphens; an internationalised
///   domain in its `xn--` form), each 1 to 63 characters, lowercased.
/// - Anything else (a non-ASCII letter such as Cyrillic `а`, a fullwidth letter, the KELVIN SIGN,
///   an invisible or format character such as a zero-width space, a soft hyphen or a bidi
///   control) is refused with a message that says which part is wrong: nothing is silently
///   mapped onto another address.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Email(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct InvalidEmail(&'static str);

/// RFC 5322 `atext`: what a dot-atom local part is made of, besides dots.
fn is_atext(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b)
}

impl Email {
    pub fn parse(raw: &str) -> Result<Self, InvalidEmail> {
        // Counted as sent, spaces around included, as the OpenAPI document's maxLength counts.
        let sent = raw.chars().count();
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(InvalidEmail("must not be empty"));
        }
        if sent > 254 {
            return Err(InvalidEmail("must be at most 254 characters"));
        }
        if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(InvalidEmail("must not contain spaces"));
        }
        if !raw.is_ascii() {
            return Err(InvalidEmail(
                "must be written in plain ASCII: no accented, look-alike, fullwidth or invisible \
                 characters (write an international domain in its xn-- form)",
            ));
        }
        let (local, domain) = raw.rsplit_once('@').ok_or(InvalidEmail("must contain @"))?;
        if local.is_empty() || local.contains('@') || local.len() > 64 {
            return Err(InvalidEmail(
                "must have one @ after a name of 1 to 64 characters",
            ));
        }
        let local_ok = local.split('.').all(|atom| !atom.is_empty())
            && local.bytes().all(|b| b == b'.' || is_atext(b));
        if !local_ok {
            return Err(InvalidEmail(
                "the part before @ may use letters, digits, dots (not two in a row, nor first or \
                 last) and !#$%&'*+-/=?^_`{|}~",
            ));
        }
        let domain_ok = domain.contains('.')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
        if !domain_ok {
            return Err(InvalidEmail("must end in a domain such as example.com"));
        }
        Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The lowercased form used for uniqueness and look-ups.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }

    /// `j***@example.com`: enough to tell addresses apart in logs without writing them down.
    pub fn redacted(&self) -> String {
        let (local, domain) = self.0.split_once('@').unwrap_or((&self.0, ""));
        let first = local.chars().next().unwrap_or('*');
        format!("{first}***@{domain}")
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Email {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Email::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses_and_lowercases_the_domain() {
        let e = Email::parse("  Jane.Doe+shop@Example.CO.uk ").unwrap();
        assert_eq!(e.as_str(), "Jane.Doe+shop@example.co.uk");
        assert_eq!(e.key(), "jane.doe+shop@example.co.uk");
        assert_eq!(e.redacted(), "J***@example.co.uk");
    }

    #[test]
    fn refuses_what_cannot_be_an_address() {
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@localhost",
            "a b@example.com",
            "a@exa mple.com",
            "a@-x.com",
            "a@x..com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} was accepted");
        }
        assert!(Email::parse(&format!("{}@example.com", "a".repeat(65))).is_err());
    }

    #[test]
    fn look_alike_and_invisible_spellings_are_refused_not_mapped() {
        for bad in [
            "\u{FF41}da@example.com",    // fullwidth a
            "\u{0430}da@example.com",    // Cyrillic a
            "\u{212A}elvin@example.com", // KELVIN SIGN, which lowercases to k
            "a\u{200B}da@example.com",   // zero-width space
            "a\u{00AD}da@example.com",   // soft hyphen
            "ada\u{202E}@example.com",   // right-to-left override
            "ada@ex\u{0430}mple.com",    // Cyrillic a in the domain
            "ada@\u{FF45}xample.com",    // fullwidth e in the domain
            "ada@exa\u{200D}mple.com",   // zero-width joiner in the domain
            "jos\u{00E9}@example.com",   // a real accented name: SES cannot send to it
            "a..b@example.com",
            ".ab@example.com",
            "ab.@example.com",
            "a\"b@example.com",
            "a(b)@example.com",
            "ada@exa_mple.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} was accepted");
        }
        // What is refused says so plainly.
        assert!(
            Email::parse("\u{212A}elvin@example.com")
                .unwrap_err()
                .to_string()
                .contains("ASCII")
        );
        // International domains are accepted in their punycode form.
        assert_eq!(
            Email::parse("ada@XN--BCHER-KVA.example").unwrap().as_str(),
            "ada@xn--bcher-kva.example"
        );
        assert!(Email::parse("o'brien+tag@example.com").is_ok());
    }

    #[test]
    fn deserializing_checks_the_address() {
        assert!(serde_json::from_str::<Email>("\"x@example.com\"").is_ok());
        assert!(serde_json::from_str::<Email>("\"nope\"").is_err());
    }
}
