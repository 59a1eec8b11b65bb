//! Receiving pushes from outlets' WebSub hubs (issue 17; W3C WebSub, the subscriber's
//! side — `notify::websub` is syndic's own hub, the other side). A poll that finds a hub
//! named by the feed (`discovery`) records it on the source; the subscriber of each
//! instance then asks the hub (`hub.mode=subscribe`, a callback of its own under the
//! site's base URL with an unguessable token, a random secret, the lease wanted), renews
//! the lease when four fifths of it have passed, asks again with backoff when the hub
//! refuses or never verifies, and unsubscribes what a source no longer wants (deleted,
//! or its feed names another hub or topic). The hub's verification and deliveries come
//! to `callback`, on whichever instance; the state lives in the database
//! (`store::subscriptions`), claimed with leases as due sources are.
//!
//! Every request to a hub goes through the `Fetcher` (the SSRF guard) with a short timeout.

pub mod callback;
pub mod discovery;
pub mod signature;

use super::fetch::Fetcher;
use crate::config::SubscriberConfig;
use crate::domain::subscription::{
    retry_after, HubCredentials, SubscriptionState as State, REQUESTED_LEASE_SECS, VERIFY_WAIT_SECS,
};
use crate::store::subscriptions::{Expected, StateChange, SubscriptionJob};
use crate::store::{Store, StoreError};
use chrono::{DateTime, Duration, Utc};
use discovery::Discovery;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// How long a request to a hub may take.
pub const HUB_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
/// How long a claimed subscription stays claimed if its instance dies mid-request.
const LEASE_SECS: i64 = 60;
/// Requests to hubs at once, per instance.
const CONCURRENT_REQUESTS: usize = 4;
/// Attempts at unsubscribing before a subscription is forgotten anyway.
const UNSUBSCRIBE_ATTEMPTS: i64 = 3;
/// The most of a hub's refusal quoted in the subscription's error.
const QUOTED_REPLY_CHARS: usize = 200;

/// Records what a poll found: the hub and topic the source's feed names now, or none.
/// A failure is logged; the next poll finds them again.
pub async fn discovered(store: &Store, source_id: i64, found: Option<&Discovery>) {
    let pair = found.map(|d| (d.hub.as_str(), d.topic.as_str()));
    match store.subscription_discovered(source_id, pair, &HubCredentials::generate()).await {
        Ok(true) => tracing::info!(source = source_id, hub = ?pair.map(|p| p.0), "source's WebSub hub changed"),
        Ok(false) => {}
        Err(error) => tracing::error!(source = source_id, %error, "cannot record a source's WebSub hub"),
    }
}

/// The subscriber of one instance; cheap to clone.
#[derive(Clone)]
pub struct Subscriber {
    store: Store,
    fetcher: Fetcher,
    /// The site's base URL, without a trailing slash: callbacks live under it.
    base_url: Arc<str>,
    config: SubscriberConfig,
    requests: Arc<Semaphore>,
}

impl Subscriber {
    pub fn new(store: Store, fetcher: Fetcher, base_url: &str, config: SubscriberConfig) -> Subscriber {
        let base_url = base_url.trim_end_matches('/').into();
        Subscriber { store, fetcher, base_url, config, requests: Arc::new(Semaphore::new(CONCURRENT_REQUESTS)) }
    }

    /// Runs until `shutdown` completes, then lets the requests in flight finish.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            if let Err(error) = self.step().await {
                tracing::error!(%error, "WebSub subscriber step failed");
            }
            tokio::select! {
                () = tokio::time::sleep(self.config.tick) => {}
                () = &mut shutdown => break,
            }
        }
        let _ = self.requests.acquire_many(CONCURRENT_REQUESTS as u32).await;
    }

    /// Claims due subscriptions, as many as there are free places, and acts on each in
    /// the background.
    async fn step(&self) -> Result<(), StoreError> {
        let free = self.requests.available_permits() as i64;
        for job in self.store.claim_due_subscriptions(free, LEASE_SECS).await? {
            let place = self.requests.clone().try_acquire_owned().expect("no more is claimed than there are places");
            let this = self.clone();
            tokio::spawn(async move {
                if let Err(error) = this.act(&job).await {
                    tracing::error!(%error, subscription = job.subscription.id, "cannot record a WebSub subscription's state");
                }
                drop(place);
            });
        }
        Ok(())
    }

    /// The callback a subscription's hub is given.
    fn callback(&self, job: &SubscriptionJob) -> String {
        format!("{}/websub/callback/{}/{}", self.base_url, job.subscription.id, job.credentials.callback_token)
    }

    /// Does what a due subscription needs: ask, renew, retry, give up waiting, or end it.
    async fn act(&self, job: &SubscriptionJob) -> Result<(), StoreError> {
        let subscription = &job.subscription;
        let now = Utc::now();
        let id = subscription.id;
        if !subscription.wanted || job.source_interval.is_none() {
            return self.end(job).await;
        }
        let expected = Some(Expected::of(subscription));
        let change = |state, error: Option<String>, request, next| StateChange {
            state,
            error,
            request,
            next_action_at: next,
            expected,
        };
        let verified = subscription.state == State::Verified;
        let lease_end = subscription.lease_expires_at.unwrap_or(now);
        if subscription.state == State::Subscribing && subscription.requested_at.is_some() {
            let error = format!("the hub did not verify the subscription within {} minutes", VERIFY_WAIT_SECS / 60);
            let next = now + self.retry(subscription.attempts);
            return self.store.change_subscription(id, &change(State::Failed, Some(error), Some(true), next)).await;
        }
        if verified && lease_end <= now {
            let error = "the lease ended before a renewal was verified".to_owned();
            return self.store.change_subscription(id, &change(State::Expired, Some(error), None, now)).await;
        }
        // A verified subscription stays verified until its lease ends, whatever its renewal.
        let (kept, within_lease) = match verified {
            true => (State::Verified, lease_end),
            false => (State::Subscribing, DateTime::<Utc>::MAX_UTC),
        };
        match self.ask(job, "subscribe").await {
            Ok(()) => {
                tracing::info!(subscription = id, hub = %subscription.hub, topic = %subscription.topic, "WebSub subscription requested");
                let next = (now + Duration::seconds(VERIFY_WAIT_SECS)).min(within_lease);
                self.store.change_subscription(id, &change(kept, None, Some(false), next)).await
            }
            Err(error) => {
                tracing::info!(subscription = id, hub = %subscription.hub, %error, "WebSub subscription request failed");
                let state = if verified { State::Verified } else { State::Failed };
                let next = (now + self.retry(subscription.attempts)).min(within_lease);
                self.store.change_subscription(id, &change(state, Some(error), Some(true), next)).await
            }
        }
    }

    /// Ends a subscription the source no longer wants: asks the hub to unsubscribe one it
    /// may be pushing, then forgets it once the hub verifies (`callback`) or after a wait.
    async fn end(&self, job: &SubscriptionJob) -> Result<(), StoreError> {
        let subscription = &job.subscription;
        let id = subscription.id;
        let may_push = matches!(subscription.state, State::Verified | State::Subscribing);
        if !may_push {
            return self.store.forget_subscription(id).await;
        }
        let now = Utc::now();
        match self.ask(job, "unsubscribe").await {
            Ok(()) => {
                tracing::info!(subscription = id, hub = %subscription.hub, "WebSub unsubscription requested");
                let next = now + Duration::seconds(VERIFY_WAIT_SECS);
                let change = StateChange {
                    state: State::Unsubscribing,
                    error: None,
                    request: Some(false),
                    next_action_at: next,
                    expected: Some(Expected::of(subscription)),
                };
                self.store.change_subscription(id, &change).await
            }
            Err(_) if subscription.attempts + 1 >= UNSUBSCRIBE_ATTEMPTS => self.store.forget_subscription(id).await,
            Err(error) => {
                let next = now + self.retry(subscription.attempts);
                let change = StateChange {
                    state: subscription.state,
                    error: Some(error),
                    request: Some(true),
                    next_action_at: next,
                    expected: Some(Expected::of(subscription)),
                };
                self.store.change_subscription(id, &change).await
            }
        }
    }

    /// Sends a (un)subscription request to the hub; why it failed, as the status shows it.
    async fn ask(&self, job: &SubscriptionJob, mode: &str) -> Result<(), String> {
        let subscription = &job.subscription;
        let body = {
            let mut form = url::form_urlencoded::Serializer::new(String::new());
            form.append_pair("hub.mode", mode)
                .append_pair("hub.topic", &subscription.topic)
                .append_pair("hub.callback", &self.callback(job));
            if mode == "subscribe" {
                form.append_pair("hub.secret", &job.credentials.secret)
                    .append_pair("hub.lease_seconds", &REQUESTED_LEASE_SECS.to_string());
            }
            form.finish().into_bytes()
        };
        let headers = [("content-type", "application/x-www-form-urlencoded".to_owned())];
        let sent = self.fetcher.send(reqwest::Method::POST, &subscription.hub, &headers, Some(body), HUB_TIMEOUT).await;
        match sent {
            Ok(reply) if (200..300).contains(&reply.status) => Ok(()),
            Ok(reply) => {
                // Shown to staff: a hub echoing the request must not show them the secret
                // or the callback's token.
                let said = String::from_utf8_lossy(&reply.body)
                    .replace(&job.credentials.secret, "…")
                    .replace(&job.credentials.callback_token, "…");
                let said: String = said.chars().take(QUOTED_REPLY_CHARS).collect();
                let said = crate::ingest::sanitize::xml_safe(said.trim());
                Err(format!(
                    "the hub answered HTTP {}{}",
                    reply.status,
                    if said.is_empty() { String::new() } else { format!(": {said}") }
                ))
            }
            Err(error) => Err(format!("the hub could not be reached: {}", error.message)),
        }
    }

    fn retry(&self, attempts: i64) -> Duration {
        retry_after(self.config.retry_base.as_secs() as i64, attempts)
    }
}
