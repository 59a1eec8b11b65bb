//! Bearer tokens: 256 random bits shown once, stored only as a SHA-256 digest.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// Prefix of outlet ingest tokens, so that leaked tokens are recognisable by scanners.
pub const OUTLET_TOKEN_PREFIX: &str = "syo_";

/// Prefix of partner read tokens.
pub const PARTNER_TOKEN_PREFIX: &str = "syp_";

/// Prefix of users' personal API tokens.
pub const USER_TOKEN_PREFIX: &str = "syu_";

/// Generates a new random token with the given prefix.
pub fn generate(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

/// The digest under which a token is stored and looked up.
pub fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares two secrets without an early exit, by comparing their fixed-size digests.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (da, db) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    da.iter().zip(db.iter()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_prefixed_and_digest_stably() {
        let (a, b) = (generate(OUTLET_TOKEN_PREFIX), generate(OUTLET_TOKEN_PREFIX));
        assert_ne!(a, b);
        assert!(a.starts_with(OUTLET_TOKEN_PREFIX) && a.len() == OUTLET_TOKEN_PREFIX.len() + 64);
        assert_eq!(digest(&a), digest(&a));
        assert_ne!(digest(&a), digest(&b));
    }

    #[test]
    fn constant_time_eq_compares_values() {
        assert!(constant_time_eq("secret", "secret"));
        assert!(!constant_time_eq("secret", "secreT"));
        assert!(!constant_time_eq("secret", ""));
    }
}
