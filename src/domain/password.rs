//! Passwords: checked for length, hashed with argon2id at OWASP's parameters (19 MiB,
//! two passes, one lane) into a PHC string with its own salt, and verified against one.
//! Hashing is deliberately slow: callers run it off the async threads.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;
use std::sync::LazyLock;

/// Shortest password accepted (OWASP ASVS 2.1.1 without multi-factor login).
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted: long passphrases fit; nothing unbounded is hashed.
pub const MAX_PASSWORD_CHARS: usize = 256;
/// argon2id memory in KiB (OWASP: 19 MiB).
const MEMORY_KIB: u32 = 19 * 1024;
/// argon2id passes over memory (OWASP: 2).
const PASSES: u32 = 2;
/// argon2id lanes (OWASP: 1).
const LANES: u32 = 1;

/// A password that met the length rules; its text is never printed.
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(…)")
    }
}

impl Password {
    /// Takes a password as typed: only a trailing line break (from stdin) is removed.
    pub fn parse(input: &str) -> Result<Password, String> {
        let text = input.strip_suffix('\n').map(|t| t.strip_suffix('\r').unwrap_or(t)).unwrap_or(input);
        let chars = text.chars().count();
        if chars < MIN_PASSWORD_CHARS {
            return Err(format!("must be at least {MIN_PASSWORD_CHARS} characters"));
        }
        if chars > MAX_PASSWORD_CHARS {
            return Err(format!("must be at most {MAX_PASSWORD_CHARS} characters"));
        }
        Ok(Password(text.to_owned()))
    }

    /// The argon2id PHC string to store, with a fresh random salt.
    pub fn hash(&self) -> String {
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        let salt = SaltString::encode_b64(&salt).expect("16 bytes are a valid salt");
        hasher().hash_password(self.0.as_bytes(), &salt).expect("OWASP parameters are valid").to_string()
    }

    /// Whether this password is the one `stored` (a PHC string) was made from.
    pub fn matches(&self, stored: &str) -> bool {
        PasswordHash::new(stored).is_ok_and(|hash| hasher().verify_password(self.0.as_bytes(), &hash).is_ok())
    }
}

/// Whether a password typed at login matches the stored hash. For an account that does
/// not exist (`stored` is `None`) a hash of a random secret is verified instead, and the
/// answer is no: either way one argon2id verification is run, so how long a login takes
/// does not tell which usernames exist (OWASP, Authentication: "account enumeration").
pub fn verify_login(typed: &str, stored: Option<&str>) -> bool {
    static NOBODY: LazyLock<String> = LazyLock::new(|| Password(super::session::new_secret()).hash());
    let matches = PasswordHash::new(stored.unwrap_or(&NOBODY))
        .is_ok_and(|hash| hasher().verify_password(typed.as_bytes(), &hash).is_ok());
    matches && stored.is_some()
}

fn hasher() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None).expect("OWASP parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_hashes_to_an_owasp_argon2id_string_that_only_it_matches() {
        let password = Password::parse("correct horse battery\n").unwrap();
        let stored = password.hash();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
        assert!(!stored.contains("correct horse"));
        assert!(password.matches(&stored));
        assert!(!Password::parse("correct horse battery!").unwrap().matches(&stored));
        assert_ne!(stored, password.hash(), "each hash has its own salt");
        assert!(!password.matches("not a phc string"));
    }

    #[test]
    fn a_login_matches_only_the_stored_password_and_never_without_an_account() {
        let stored = Password::parse("correct horse battery").unwrap().hash();
        assert!(verify_login("correct horse battery", Some(&stored)));
        assert!(!verify_login("correct horse battery!", Some(&stored)));
        assert!(!verify_login("correct horse battery", None));
        assert!(!verify_login("", None));
    }

    #[test]
    fn passwords_outside_the_length_rules_are_refused_and_never_printed() {
        assert!(Password::parse("short").unwrap_err().contains("at least 12"));
        assert!(Password::parse(&"长".repeat(MAX_PASSWORD_CHARS + 1)).unwrap_err().contains("at most"));
        assert!(Password::parse(&"长".repeat(MIN_PASSWORD_CHARS)).is_ok());
        assert_eq!(format!("{:?}", Password::parse("a long secret value").unwrap()), "Password(…)");
    }
}
