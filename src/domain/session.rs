//! Console sessions and login throttling: when a session is still alive, when its
//! last-seen time is worth writing, and when failed logins lock an account or an
//! address. Decided here once; `operations` applies it, `store` keeps the times.
//!
//! Following OWASP's Session Management and Authentication cheat sheets: a session ends
//! after an idle timeout and, whatever its use, at an absolute lifetime; failed logins
//! are counted per account and per address in a sliding window, and while either count
//! is at its limit every login for it is refused, a correct password included.

use super::token;
use chrono::{DateTime, TimeDelta, Utc};
use std::time::Duration;

/// Idle time after which a session ends, unless configured otherwise (OWASP: 15–30 min).
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// Time after which a session ends however busy, unless configured otherwise.
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(12 * 60 * 60);
/// A session's last-seen time is written at most this often: one write a minute per
/// busy editor, not one per request.
pub const TOUCH_INTERVAL: Duration = Duration::from_secs(60);
/// Failed logins for one account name within `FAILURE_WINDOW` that lock it.
pub const ACCOUNT_FAILURES: usize = 5;
/// Failed logins from one address within `FAILURE_WINDOW`, over any accounts, that lock it.
pub const ADDRESS_FAILURES: usize = 20;
/// The sliding window failed logins are counted in.
pub const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Characters of an attempted account name kept for throttling: a name longer than any
/// username cannot exist, and cannot make rows of any size.
const MAX_ACCOUNT_KEY_CHARS: usize = 64;

/// How long sessions last (configured: `[console]` in syndic.toml).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLimits {
    pub idle_timeout: Duration,
    pub lifetime: Duration,
}

impl Default for SessionLimits {
    fn default() -> Self {
        SessionLimits { idle_timeout: DEFAULT_IDLE_TIMEOUT, lifetime: DEFAULT_LIFETIME }
    }
}

/// Where a session stands at a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// It has ended (idle too long, or past its lifetime): delete it, sign in again.
    Ended,
    /// Alive; `touch`: write the request's time as its last-seen time.
    Alive { touch: bool },
}

impl SessionLimits {
    /// When a session beginning at `created` ends, however busy.
    pub fn expires_at(&self, created: DateTime<Utc>) -> DateTime<Utc> {
        created + delta(self.lifetime)
    }

    /// A session last seen at `last_seen`, ending at `expires_at` at the latest, at `now`.
    /// The last-seen time is written once a minute, or more often under an idle timeout
    /// shorter than two minutes, so that it never lags by more than half the timeout.
    pub fn standing(&self, last_seen: DateTime<Utc>, expires_at: DateTime<Utc>, now: DateTime<Utc>) -> Standing {
        if now >= expires_at || now >= last_seen + delta(self.idle_timeout) {
            return Standing::Ended;
        }
        let every = delta(TOUCH_INTERVAL.min(self.idle_timeout / 2));
        Standing::Alive { touch: now >= last_seen + every }
    }
}

fn delta(duration: Duration) -> TimeDelta {
    TimeDelta::from_std(duration).unwrap_or(TimeDelta::MAX)
}

/// A new random secret (256 bits from the operating system's CSPRNG, hex): a session id
/// for the cookie, or a session's CSRF secret.
pub fn new_secret() -> String {
    token::generate("")
}

/// The key failed logins for an account name are counted under: as a username is
/// compared (trimmed, lower case), cut to a bounded length.
pub fn account_key(attempted: &str) -> String {
    attempted.trim().to_lowercase().chars().take(MAX_ACCOUNT_KEY_CHARS).collect()
}

/// Until when logins are refused for a key with these failures (newest first, within
/// the window, at most `limit` of them); `None`: not locked. Refused attempts are not
/// counted as failures, so the lock lifts once the `limit`-th newest failure leaves the
/// window.
pub fn locked_until(recent_failures: &[DateTime<Utc>], limit: usize) -> Option<DateTime<Utc>> {
    (recent_failures.len() >= limit).then(|| recent_failures[limit - 1] + delta(FAILURE_WINDOW))
}

/// The language a user reads the console in, when it overrides the site's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsoleLanguage {
    Zh,
    En,
}

impl ConsoleLanguage {
    pub fn parse(s: &str) -> Result<ConsoleLanguage, String> {
        match s.trim() {
            "zh" => Ok(ConsoleLanguage::Zh),
            "en" => Ok(ConsoleLanguage::En),
            other => Err(format!("'{other}' is not 'zh' or 'en'")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ConsoleLanguage::Zh => "zh",
            ConsoleLanguage::En => "en",
        }
    }

    /// The site's language as the console reads it: Chinese for `zh*`, else English.
    pub fn of_site(language_tag: &str) -> ConsoleLanguage {
        if language_tag.to_ascii_lowercase().starts_with("zh") {
            ConsoleLanguage::Zh
        } else {
            ConsoleLanguage::En
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn a_session_ends_when_idle_or_past_its_lifetime_and_is_touched_once_a_minute() {
        let limits = SessionLimits::default();
        let (created, expires) = (at(0), limits.expires_at(at(0)));
        assert_eq!(expires, at(12 * 3600));
        assert_eq!(limits.standing(created, expires, at(30)), Standing::Alive { touch: false });
        assert_eq!(limits.standing(created, expires, at(60)), Standing::Alive { touch: true });
        assert_eq!(limits.standing(created, expires, at(30 * 60)), Standing::Ended, "idle for 30 minutes");
        assert_eq!(limits.standing(at(12 * 3600 - 5), expires, at(12 * 3600)), Standing::Ended, "busy, but too old");
        let short = SessionLimits { idle_timeout: Duration::from_secs(4), lifetime: Duration::from_secs(60) };
        assert_eq!(short.standing(created, short.expires_at(created), at(2)), Standing::Alive { touch: true });
    }

    #[test]
    fn the_fifth_failure_in_the_window_locks_until_it_leaves_the_window() {
        let four: Vec<_> = (0..4).map(|i| at(100 - i)).collect();
        assert_eq!(locked_until(&four, ACCOUNT_FAILURES), None);
        let five: Vec<_> = (0..5).map(|i| at(100 - i)).collect();
        assert_eq!(locked_until(&five, ACCOUNT_FAILURES), Some(at(96 + 15 * 60)));
    }

    #[test]
    fn account_keys_are_compared_as_usernames_and_bounded() {
        assert_eq!(account_key(" WangFang "), "wangfang");
        assert_eq!(account_key(&"长".repeat(1000)).chars().count(), MAX_ACCOUNT_KEY_CHARS);
        let (a, b) = (new_secret(), new_secret());
        assert!(a != b && a.len() == 64, "256 random bits");
    }

    #[test]
    fn console_languages_are_zh_or_en() {
        assert_eq!(ConsoleLanguage::parse("zh"), Ok(ConsoleLanguage::Zh));
        assert!(ConsoleLanguage::parse("fr").is_err());
        assert_eq!(ConsoleLanguage::of_site("zh-CN"), ConsoleLanguage::Zh);
        assert_eq!(ConsoleLanguage::of_site("en-GB"), ConsoleLanguage::En);
    }
}
