//! An email address, checked once when it enters the system and kept in its canonical form.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

/// A syntactically plausible email address: one `@`, a non-empty local part, a dotted domain,
/// no spaces or control characters, at most 254 characters. The domain is lowercased; the
/// local part keeps its case for display, and [`Email::key`] gives the lowercased form that
/// uniqueness is decided on.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Email(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct InvalidEmail(&'static str);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, InvalidEmail> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(InvalidEmail("must not be empty"));
        }
        if raw.len() > 254 {
            return Err(InvalidEmail("must be at most 254 characters"));
        }
        if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(InvalidEmail("must not contain spaces"));
        }
        let (local, domain) = raw.rsplit_once('@').ok_or(InvalidEmail("must contain @"))?;
        if local.is_empty() || local.contains('@') || local.len() > 64 {
            return Err(InvalidEmail(
                "must have one @ after a name of 1 to 64 characters",
            ));
        }
        let domain_ok = domain.contains('.')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
            })
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        if !domain_ok {
            return Err(InvalidEmail("must end in a domain such as example.com"));
        }
        Ok(Self(format!("{local}@{}", domain.to_lowercase())))
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
    fn deserializing_checks_the_address() {
        assert!(serde_json::from_str::<Email>("\"x@example.com\"").is_ok());
        assert!(serde_json::from_str::<Email>("\"nope\"").is_err());
    }
}
