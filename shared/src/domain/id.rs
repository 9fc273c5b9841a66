//! Ids the shop hands out are ULIDs: 26 characters of Crockford base32. Anything else in a path
//! or token cannot name one of our items, and is answered as "not found" before it reaches
//! DynamoDB (whose keys have length limits a long string would break).

pub fn is_ulid(s: &str) -> bool {
    s.len() == 26 && ulid::Ulid::from_string(s).is_ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_ulids_pass() {
        assert!(super::is_ulid(&ulid::Ulid::new().to_string()));
        assert!(!super::is_ulid("short"));
        assert!(!super::is_ulid(&"A".repeat(5000)));
        assert!(
            !super::is_ulid("UUUUUUUUUUUUUUUUUUUUUUUUUU"),
            "U is not Crockford base32"
        );
    }
}
