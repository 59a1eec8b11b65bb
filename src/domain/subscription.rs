//! A feed source's WebSub subscription to the hub its outlet's feed names (issue 17):
//! where it stands, when it is renewed, and how it slows polling. The subscriber
//! (`ingest::websub`) moves it through these states; the source's status shows it.

use chrono::{DateTime, Duration, Utc};
use std::fmt;

/// The lease asked of a hub (ten days; the hub decides what it grants).
pub const REQUESTED_LEASE_SECS: i64 = 10 * 24 * 3600;
/// The shortest and longest lease taken from a hub's verification: a hub granting a
/// second or a century is held to these.
pub const MIN_LEASE_SECS: i64 = 1;
pub const MAX_LEASE_SECS: i64 = 365 * 24 * 3600;
/// A verified subscription is renewed once this share of its lease (in per cent) has
/// passed, so a slow or failing renewal still has a fifth of the lease to succeed in.
pub const RENEW_AT_PERCENT: i64 = 80;
/// While pushes come, a source is still polled, at its interval or this (six hours),
/// whichever is longer: a hub that stops delivering without a word costs at most this
/// much delay.
pub const PUSHED_POLL_INTERVAL_SECS: i64 = 6 * 3600;
/// How long a hub may take to verify a request before it counts as failed.
pub const VERIFY_WAIT_SECS: i64 = 15 * 60;
/// After a denial, the hub is asked again only this much later (a day).
pub const DENIED_RETRY_SECS: i64 = 24 * 3600;
/// The longest wait between attempts at a failing hub.
pub const MAX_RETRY_SECS: i64 = 24 * 3600;
/// WebSub secrets are shorter than 200 bytes; ours are 64 hex digits.
pub const SECRET_BYTES: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionState {
    /// Asked; waiting for the hub to verify intent.
    Subscribing,
    /// The hub verified it: pushes come until the lease ends.
    Verified,
    /// The hub said no (its reason in `last_error`).
    Denied,
    /// The hub refused the request, could not be reached, or never verified it.
    Failed,
    /// The lease ran out before a renewal was verified.
    Expired,
    /// Being ended: the source is gone or its document names another hub or topic.
    Unsubscribing,
}

impl SubscriptionState {
    pub fn as_str(self) -> &'static str {
        match self {
            SubscriptionState::Subscribing => "subscribing",
            SubscriptionState::Verified => "verified",
            SubscriptionState::Denied => "denied",
            SubscriptionState::Failed => "failed",
            SubscriptionState::Expired => "expired",
            SubscriptionState::Unsubscribing => "unsubscribing",
        }
    }

    pub fn parse(s: &str) -> Result<SubscriptionState, String> {
        Ok(match s {
            "subscribing" => SubscriptionState::Subscribing,
            "verified" => SubscriptionState::Verified,
            "denied" => SubscriptionState::Denied,
            "failed" => SubscriptionState::Failed,
            "expired" => SubscriptionState::Expired,
            "unsubscribing" => SubscriptionState::Unsubscribing,
            other => return Err(format!("'{other}' is not a subscription state")),
        })
    }
}

impl fmt::Display for SubscriptionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A subscription as operators see it (its secret and callback token are not part of it).
#[derive(Debug, Clone, PartialEq)]
pub struct Subscription {
    pub id: i64,
    pub source_id: i64,
    pub hub: String,
    pub topic: String,
    pub state: SubscriptionState,
    /// Whether the source still wants it; `false` while it is being ended.
    pub wanted: bool,
    /// Requests to the hub that failed in a row.
    pub attempts: i64,
    /// When the last (un)subscription request was accepted by the hub.
    pub requested_at: Option<DateTime<Utc>>,
    pub verified_at: Option<DateTime<Utc>>,
    pub lease_expires_at: Option<DateTime<Utc>>,
    pub last_delivery_at: Option<DateTime<Utc>>,
    pub deliveries: i64,
    /// Deliveries ignored for a missing or wrong signature.
    pub ignored_deliveries: i64,
    pub last_error: Option<String>,
    pub next_action_at: DateTime<Utc>,
}

impl Subscription {
    /// Whether pushes can be counted on at `now`: verified, its lease running.
    pub fn pushes(&self, now: DateTime<Utc>) -> bool {
        self.state == SubscriptionState::Verified && self.lease_expires_at.is_some_and(|end| end > now)
    }
}

/// What only the subscriber and the callback read: the callback path's token and the
/// secret deliveries are signed with. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct HubCredentials {
    pub callback_token: String,
    pub secret: String,
}

impl HubCredentials {
    /// New random ones, for a new subscription.
    pub fn generate() -> HubCredentials {
        HubCredentials { callback_token: super::token::generate(""), secret: super::token::generate("") }
    }
}

impl fmt::Debug for HubCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HubCredentials(…)")
    }
}

/// The lease taken from a hub's verification (`hub.lease_seconds`), within bounds; the
/// one asked for when the hub names none or something unreadable.
pub fn granted_lease(given: Option<&str>) -> i64 {
    given
        .and_then(|raw| raw.trim().parse::<i64>().ok())
        .unwrap_or(REQUESTED_LEASE_SECS)
        .clamp(MIN_LEASE_SECS, MAX_LEASE_SECS)
}

/// When a lease of `lease_secs` verified at `verified_at` is renewed.
pub fn renewal_due(verified_at: DateTime<Utc>, lease_secs: i64) -> DateTime<Utc> {
    verified_at + Duration::milliseconds(lease_secs.saturating_mul(10 * RENEW_AT_PERCENT))
}

/// The interval a source is polled at: its own, or while pushes come the longer of it
/// and `PUSHED_POLL_INTERVAL_SECS`.
pub fn poll_interval(interval_secs: i64, pushed: bool) -> i64 {
    if pushed {
        interval_secs.max(PUSHED_POLL_INTERVAL_SECS)
    } else {
        interval_secs
    }
}

/// The wait before attempt `attempts + 1` at a failing hub: `base_secs` doubled with
/// each failure, at most `MAX_RETRY_SECS`.
pub fn retry_after(base_secs: i64, attempts: i64) -> Duration {
    Duration::seconds(base_secs.max(1).saturating_mul(1_i64 << attempts.clamp(0, 20)).min(MAX_RETRY_SECS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leases_are_renewed_at_four_fifths_and_bounded() {
        let at = Utc::now();
        assert_eq!(renewal_due(at, 10), at + Duration::seconds(8));
        assert_eq!(renewal_due(at, 864_000), at + Duration::seconds(691_200));
        assert_eq!(granted_lease(Some("600")), 600);
        assert_eq!(granted_lease(Some("0")), MIN_LEASE_SECS);
        assert_eq!(granted_lease(Some("99999999999")), MAX_LEASE_SECS);
        assert_eq!(granted_lease(None), REQUESTED_LEASE_SECS);
        assert_eq!(granted_lease(Some("soon")), REQUESTED_LEASE_SECS);
    }

    #[test]
    fn pushed_sources_poll_slowly_and_retries_back_off() {
        assert_eq!(poll_interval(900, true), PUSHED_POLL_INTERVAL_SECS);
        assert_eq!(poll_interval(900, false), 900);
        assert_eq!(poll_interval(2 * 24 * 3600, true), 2 * 24 * 3600);
        assert_eq!(retry_after(60, 0), Duration::seconds(60));
        assert_eq!(retry_after(60, 3), Duration::seconds(480));
        assert_eq!(retry_after(60, 60), Duration::seconds(MAX_RETRY_SECS));
    }

    #[test]
    fn only_a_verified_running_lease_pushes() {
        let now = Utc::now();
        let mut subscription = Subscription {
            id: 1,
            source_id: 1,
            hub: "https://hub.example/".into(),
            topic: "https://outlet.example/feed".into(),
            state: SubscriptionState::Verified,
            wanted: true,
            attempts: 0,
            requested_at: None,
            verified_at: Some(now),
            lease_expires_at: Some(now + Duration::seconds(60)),
            last_delivery_at: None,
            deliveries: 0,
            ignored_deliveries: 0,
            last_error: None,
            next_action_at: now,
        };
        assert!(subscription.pushes(now));
        assert!(!subscription.pushes(now + Duration::seconds(61)));
        subscription.state = SubscriptionState::Denied;
        assert!(!subscription.pushes(now));
        for state in ["subscribing", "verified", "denied", "failed", "expired", "unsubscribing"] {
            assert_eq!(SubscriptionState::parse(state).unwrap().as_str(), state);
        }
    }
}
