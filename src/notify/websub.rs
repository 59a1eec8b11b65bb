//! A WebSub hub (W3C Recommendation, 2018) for our own feeds: subscription requests are
//! checked and queued, intent is verified with a GET challenge to the callback, and
//! each change to a topic sends the topic's feed to its subscribers, signed with
//! `X-Hub-Signature: sha256=…` when they gave a secret.
//!
//! Anyone may ask, so what a request can cost is bounded: a callback the SSRF guard
//! would refuse is refused when it is given, pending verifications are capped per
//! callback host and in all, and every request to a callback has a short timeout and
//! few attempts.

use super::Notifier;
use crate::assemble::{Assembler, Audience};
use crate::domain::token;
use crate::ingest::fetch::Fetcher;
use crate::ingest::guard::Inadmissible;
use crate::publish::{FeedKind, Site};
use crate::store::outbound::{Delivery, NewWebsubRequest, PendingCaps, Queued, WebsubRequest};
use crate::store::{Store, StoreError};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::time::Duration;
use url::{Host, Url};

/// Subscription length when the subscriber asks for none, and the bounds of what it may ask.
pub const DEFAULT_LEASE_SECS: i64 = 10 * 24 * 3600;
pub const MIN_LEASE_SECS: i64 = 60;
pub const MAX_LEASE_SECS: i64 = 30 * 24 * 3600;
/// WebSub limits secrets to 200 bytes.
pub const MAX_SECRET_BYTES: usize = 199;

/// Requests waiting for (or in) verification, in all instances together. Anyone may
/// ask, and each costs requests to an address of their choosing; the notifier runs this
/// many at once (`notify::CONCURRENT_VERIFICATIONS`), so none waits behind slow ones.
pub const MAX_PENDING_VERIFICATIONS: i64 = 256;
/// Requests waiting for verification with one callback host (see `callback_host`), so
/// that one subscriber cannot fill the queue.
pub const MAX_PENDING_VERIFICATIONS_PER_HOST: i64 = 16;
/// What a client turned away for a full queue is told to wait, in seconds: about how
/// long a verification that keeps failing takes to be given up.
pub const BUSY_RETRY_AFTER_SECS: u64 = 60;
/// How long a verification request may take, connecting included: a subscriber answers
/// a challenge at once, and one that does not must not hold its place for long.
pub const VERIFY_TIMEOUT: Duration = Duration::from_secs(5);
/// Attempts to verify a request before it is dropped (fewer if `notify.max_attempts`
/// says so): with the default backoff, a callback that never answers is given up
/// within two minutes and leaves its place in the queue.
pub const MAX_VERIFY_ATTEMPTS: i64 = 3;
/// How long a delivery (a feed POSTed to a subscriber) may take.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// Why the hub does not queue a request.
#[derive(Debug, thiserror::Error)]
pub enum HubRefusal {
    /// It cannot be honoured as sent.
    #[error("{0}")]
    Invalid(String),
    /// Its callback host has the most pending verifications it may have.
    #[error("{0} has too many subscription requests waiting for verification; try again later")]
    HostBusy(String),
    /// The verification queue is full.
    #[error("too many subscription requests are waiting for verification; try again later")]
    QueueFull,
    /// The callback's host could not be looked up in time.
    #[error("the callback's host could not be looked up in time; try again later")]
    LookupTimedOut,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Checks a request's `hub.*` parameters and queues it for verification.
pub async fn accept_request(
    store: &Store,
    site: &Site,
    fetcher: &Fetcher,
    params: &[(String, String)],
) -> Result<NewWebsubRequest, HubRefusal> {
    let request = check_request(store, site, fetcher, params).await?;
    let caps = PendingCaps { per_host: MAX_PENDING_VERIFICATIONS_PER_HOST, total: MAX_PENDING_VERIFICATIONS };
    match store.add_websub_request(&request, caps).await? {
        Queued::Accepted => Ok(request),
        Queued::HostFull => Err(HubRefusal::HostBusy(request.callback_host)),
        Queued::QueueFull => Err(HubRefusal::QueueFull),
    }
}

/// Checks a request's `hub.*` parameters; a callback the SSRF guard would refuse is
/// refused here rather than queued.
async fn check_request(
    store: &Store,
    site: &Site,
    fetcher: &Fetcher,
    params: &[(String, String)],
) -> Result<NewWebsubRequest, HubRefusal> {
    let invalid = |reason: String| HubRefusal::Invalid(reason);
    let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim());
    let subscribe = match param("hub.mode") {
        Some("subscribe") => true,
        Some("unsubscribe") => false,
        Some(other) => return Err(invalid(format!("hub.mode '{other}' is not 'subscribe' or 'unsubscribe'"))),
        None => return Err(invalid("hub.mode is required".into())),
    };
    let topic = param("hub.topic").ok_or_else(|| invalid("hub.topic is required".into()))?;
    let not_ours = || invalid(format!("hub.topic '{topic}' is not a feed of this site"));
    let (kind, _) = site.feed_at(topic).ok_or_else(not_ours)?;
    let exists = match &kind {
        FeedKind::Site => true,
        FeedKind::Column(slug) => store.column_tree().await?.by_slug(slug).is_some(),
        FeedKind::Outlet(slug) => store.outlet_by_slug(slug).await.is_ok(),
    };
    if !exists {
        return Err(not_ours());
    }
    let callback = param("hub.callback").ok_or_else(|| invalid("hub.callback is required".into()))?;
    let callback = crate::domain::text::http_url(callback).map_err(|e| invalid(format!("hub.callback {e}")))?;
    let callback_url = Url::parse(&callback).map_err(|e| invalid(format!("hub.callback is not a valid URL: {e}")))?;
    match fetcher.check_destination(&callback_url).await {
        Ok(()) => {}
        Err(Inadmissible::LookupTimedOut(_)) => return Err(HubRefusal::LookupTimedOut),
        Err(refused) => return Err(invalid(format!("hub.callback is not reachable: {refused}"))),
    }
    let lease_seconds = match param("hub.lease_seconds") {
        None | Some("") => DEFAULT_LEASE_SECS,
        Some(raw) => raw.parse::<i64>().map_err(|_| invalid(format!("hub.lease_seconds '{raw}' is not a number")))?,
    }
    .clamp(MIN_LEASE_SECS, MAX_LEASE_SECS);
    let secret = param("hub.secret").filter(|s| !s.is_empty()).map(str::to_owned);
    if secret.as_ref().is_some_and(|s| s.len() > MAX_SECRET_BYTES) {
        return Err(invalid("hub.secret must be shorter than 200 bytes".into()));
    }
    Ok(NewWebsubRequest {
        subscribe,
        topic: topic.to_owned(),
        callback_host: callback_host(&callback_url),
        callback,
        lease_seconds,
        secret,
    })
}

/// What a callback's pending verifications are counted under: its host name (without
/// a trailing dot) or address, an IPv6 address by its /64, which one subscriber usually
/// holds whole. Ports do not count: anyone can choose any.
pub fn callback_host(callback: &Url) -> String {
    match callback.host() {
        Some(Host::Domain(name)) => name.trim_end_matches('.').to_owned(),
        Some(Host::Ipv4(v4)) => v4.to_string(),
        Some(Host::Ipv6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let [a, b, c, d, ..] = v6.segments();
                format!("{a:x}:{b:x}:{c:x}:{d:x}::/64")
            }
        },
        None => String::new(),
    }
}

/// Verifies a request's intent with the subscriber and applies it if confirmed.
pub async fn verify(notifier: &Notifier, request: &WebsubRequest) -> Result<(), StoreError> {
    let challenge = token::generate("");
    let mut url = match Url::parse(&request.callback) {
        Ok(url) => url,
        Err(_) => return notifier.store.drop_websub_request(request.id).await,
    };
    url.query_pairs_mut()
        .append_pair("hub.mode", if request.subscribe { "subscribe" } else { "unsubscribe" })
        .append_pair("hub.topic", &request.topic)
        .append_pair("hub.challenge", &challenge);
    if request.subscribe {
        url.query_pairs_mut().append_pair("hub.lease_seconds", &request.lease_seconds.to_string());
    }
    let outcome = notifier.fetcher.send(reqwest::Method::GET, url.as_str(), &[], None, VERIFY_TIMEOUT).await;
    let (failure, hopeless) = match outcome {
        Ok(reply) if (200..300).contains(&reply.status) => {
            if String::from_utf8_lossy(&reply.body).trim() == challenge {
                notifier.store.apply_websub_request(request).await?;
                tracing::info!(topic = %request.topic, callback = %request.callback, subscribe = request.subscribe, "WebSub intent verified");
            } else {
                tracing::info!(callback = %request.callback, "WebSub verification: challenge not echoed; request dropped");
                notifier.store.drop_websub_request(request.id).await?;
            }
            return Ok(());
        }
        // The subscriber answered and said no: the request ends here.
        Ok(reply) if (400..500).contains(&reply.status) && reply.status != 429 => {
            tracing::info!(callback = %request.callback, status = reply.status, "WebSub intent refused");
            return notifier.store.drop_websub_request(request.id).await;
        }
        Ok(reply) => (format!("HTTP {}", reply.status), false),
        Err(error) => (error.message, error.refused),
    };
    let attempts = request.attempts + 1;
    if hopeless || attempts >= MAX_VERIFY_ATTEMPTS || notifier.gives_up(attempts) {
        tracing::warn!(callback = %request.callback, %failure, attempts, "WebSub verification failed; request dropped");
        notifier.store.drop_websub_request(request.id).await
    } else {
        notifier.store.retry_websub_request(request.id, notifier.backoff_micros(attempts)).await
    }
}

/// Sends a topic's current feed to one subscriber.
pub async fn deliver(notifier: &Notifier, delivery: &Delivery) -> Result<(), StoreError> {
    let assembler = Assembler { store: &notifier.store, site: &notifier.site, config: &notifier.config };
    let document = match notifier.site.feed_at(&delivery.topic) {
        Some((kind, format)) => assembler.feed(&kind, format, None, Audience::Subscriber).await?,
        None => None,
    };
    let Some(document) = document else {
        tracing::info!(topic = %delivery.topic, "WebSub topic no longer exists; subscription ended");
        return notifier.store.drop_subscription(delivery.subscription_id).await;
    };
    let body = document.body.into_bytes();
    let mut headers = vec![
        ("content-type", document.content_type.to_owned()),
        ("link", format!("<{}>; rel=\"hub\", <{}>; rel=\"self\"", notifier.site.hub_url, delivery.topic)),
    ];
    if let Some(secret) = &delivery.secret {
        headers.push(("x-hub-signature", format!("sha256={}", signature(secret, &body))));
    }
    let sent = notifier.fetcher.send(reqwest::Method::POST, &delivery.callback, &headers, Some(body), DELIVERY_TIMEOUT);
    let (failure, hopeless) = match sent.await {
        Ok(reply) if (200..300).contains(&reply.status) => {
            tracing::debug!(callback = %delivery.callback, "WebSub delivery sent");
            return notifier.store.finish_delivery(delivery).await;
        }
        Ok(reply) if reply.status == 410 => {
            tracing::info!(callback = %delivery.callback, "WebSub subscriber is gone (410); subscription ended");
            return notifier.store.drop_subscription(delivery.subscription_id).await;
        }
        Ok(reply) => (format!("HTTP {}", reply.status), false),
        Err(error) => (error.message, error.refused),
    };
    let attempts = delivery.attempts + 1;
    if hopeless || notifier.gives_up(attempts) {
        tracing::warn!(callback = %delivery.callback, %failure, attempts, "WebSub subscriber keeps failing; subscription ended");
        notifier.store.drop_subscription(delivery.subscription_id).await
    } else {
        tracing::info!(callback = %delivery.callback, %failure, attempts, "WebSub delivery failed; will retry");
        notifier.store.retry_delivery(delivery.subscription_id, notifier.backoff_micros(attempts), &failure).await
    }
}

/// Hex HMAC-SHA256 of `body` under `secret`, as `X-Hub-Signature` carries it.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callbacks_are_counted_by_host_whatever_the_port_or_spelling() {
        let host = |s: &str| callback_host(&Url::parse(s).unwrap());
        assert_eq!(host("https://Sub.Example.ORG./cb"), "sub.example.org");
        assert_eq!(host("http://example.org:8080/a"), host("http://example.org:9090/b"));
        assert_eq!(host("http://2130706433/"), "127.0.0.1");
        assert_eq!(host("http://[::ffff:7f00:1]/"), "127.0.0.1");
        assert_eq!(host("http://[2001:db8:1:2:3::4]/"), host("http://[2001:db8:1:2:ffff::1]/"));
        assert_ne!(host("http://[2001:db8:1:2::1]/"), host("http://[2001:db8:1:3::1]/"));
    }

    #[test]
    fn signatures_match_the_rfc_4231_test_vector() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
