//! Slugs name columns and outlets in URLs (`/columns/{slug}/rss.xml`), so they are
//! restricted to what needs no escaping in a path segment.

use std::fmt;

/// Longest slug accepted; long enough for readable names, short enough for URLs.
pub const MAX_SLUG_LEN: usize = 64;

/// A lower-case ASCII identifier: letters, digits and inner hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slug(String);

impl Slug {
    pub fn parse(input: &str) -> Result<Slug, String> {
        let s = input.trim();
        if s.is_empty() {
            return Err("must not be empty".into());
        }
        if s.len() > MAX_SLUG_LEN {
            return Err(format!("must be at most {MAX_SLUG_LEN} characters"));
        }
        if !s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
            return Err("may contain only lower-case ASCII letters, digits and '-'".into());
        }
        if s.starts_with('-') || s.ends_with('-') || s.contains("--") {
            return Err("must not start or end with '-' or contain '--'".into());
        }
        Ok(Slug(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_lowercase_words_joined_by_hyphens() {
        assert_eq!(Slug::parse(" party-96 ").unwrap().as_str(), "party-96");
    }

    #[test]
    fn rejects_what_would_need_escaping_in_a_path() {
        for bad in ["", "Party", "a/b", "a b", "-a", "a-", "a--b", "专题", "a.b", "a%20"] {
            assert!(Slug::parse(bad).is_err(), "{bad:?} should be rejected");
        }
        assert!(Slug::parse(&"a".repeat(MAX_SLUG_LEN + 1)).is_err());
    }
}
