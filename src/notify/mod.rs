//! Notify: telling the world about changes as they happen, the push side of publishing.
//! WebSub subscribers get the changed feeds, search engines the changed pages
//! (IndexNow, Baidu link push), an external hub a publish ping.
//!
//! Nothing here hooks into the write paths. The change clock (migration 0006) orders
//! every article change by commit, so one watermark says how far changes have been
//! turned into notifications; moving it and queueing what it covers happen in one
//! transaction. Queued work lives in the database and is claimed with leases, so a
//! restart loses nothing and many instances share the work without doing it twice.

pub mod pings;
pub mod websub;

use crate::config::Config;
use crate::domain::column::ColumnTree;
use crate::ingest::fetch::Fetcher;
use crate::publish::{FeedFormat, FeedKind, Site};
use crate::store::{ChangeRecord, Store, StoreError};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

/// How often each instance looks for new changes and due work.
pub const TICK: Duration = Duration::from_millis(200);
/// Changes turned into notifications per step.
const CHANGES_PER_STEP: i64 = 500;
/// How long claimed work stays claimed if the instance working on it dies.
pub const LEASE_SECS: i64 = 120;
/// Verifications and deliveries in flight at once, per instance.
const CONCURRENT_SENDS: usize = 8;
/// Scheduled changes (embargoes, expiries) are looked for this often.
const SCHEDULE_EVERY: Duration = Duration::from_secs(1);

/// Everything the notifier needs; cheap to clone.
#[derive(Clone)]
pub struct Notifier {
    pub store: Store,
    pub site: Arc<Site>,
    pub config: Arc<Config>,
    /// Outbound requests go through the SSRF guard like every fetch.
    pub fetcher: Fetcher,
    sends: Arc<tokio::sync::Semaphore>,
}

impl Notifier {
    pub fn new(store: Store, site: Arc<Site>, config: Arc<Config>, fetcher: Fetcher) -> Notifier {
        Notifier { store, site, config, fetcher, sends: Arc::new(tokio::sync::Semaphore::new(CONCURRENT_SENDS)) }
    }

    /// Runs until `shutdown` completes, then lets the sends in flight finish.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        let mut last_schedule = tokio::time::Instant::now() - SCHEDULE_EVERY;
        tokio::pin!(shutdown);
        loop {
            if last_schedule.elapsed() >= SCHEDULE_EVERY {
                last_schedule = tokio::time::Instant::now();
                self.apply_schedule().await;
            }
            if let Err(error) = self.step().await {
                tracing::error!(%error, "notifier step failed");
            }
            tokio::select! {
                () = tokio::time::sleep(TICK) => {}
                () = &mut shutdown => break,
            }
        }
        let _ = self.sends.acquire_many(CONCURRENT_SENDS as u32).await;
    }

    /// Lifts due embargoes and withdraws expired articles: changes like any other.
    async fn apply_schedule(&self) {
        match self.store.lift_due_embargoes().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(articles = n, "embargoes ended; articles published"),
            Err(error) => tracing::error!(%error, "cannot lift embargoes"),
        }
        match self.store.expire_due_articles().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(articles = n, "repost rights expired; articles withdrawn"),
            Err(error) => tracing::error!(%error, "cannot expire articles"),
        }
        if let Err(error) = self.store.purge_expired_subscriptions().await {
            tracing::error!(%error, "cannot purge expired subscriptions");
        }
    }

    /// One round: queue notifications for new changes, then start due sends.
    pub async fn step(&self) -> Result<(), StoreError> {
        while self.queue_new_changes().await? {}
        for request in self.store.claim_websub_requests(CONCURRENT_SENDS as i64, LEASE_SECS).await? {
            let (this, permit) = (self.clone(), self.sends.clone().acquire_owned().await);
            tokio::spawn(async move {
                if let Err(error) = websub::verify(&this, &request).await {
                    tracing::error!(%error, "cannot record a WebSub verification");
                }
                drop(permit);
            });
        }
        for delivery in self.store.claim_deliveries(CONCURRENT_SENDS as i64, LEASE_SECS).await? {
            let (this, permit) = (self.clone(), self.sends.clone().acquire_owned().await);
            tokio::spawn(async move {
                if let Err(error) = websub::deliver(&this, &delivery).await {
                    tracing::error!(%error, "cannot record a WebSub delivery");
                }
                drop(permit);
            });
        }
        pings::send_due(self).await
    }

    /// Turns the next changes after the watermark into queued notifications; true if
    /// there may be more.
    async fn queue_new_changes(&self) -> Result<bool, StoreError> {
        let from = self.store.notify_watermark().await?;
        let (changes, last) = self.store.changes_after(from, CHANGES_PER_STEP).await?;
        let Some(to) = last else { return Ok(false) };
        let tree = self.store.column_tree().await?;
        let topics = affected_topics(&self.site, &tree, &changes);
        let pings = pings::for_changes(self, &changes, &topics);
        if self.store.queue_notifications(from, to, &topics, &pings).await? {
            tracing::debug!(changes = changes.len(), topics = topics.len(), pings = pings.len(), "changes queued");
        }
        Ok(changes.len() as i64 >= CHANGES_PER_STEP)
    }

    /// Whether work that has now failed `attempts` times is given up.
    pub fn gives_up(&self, attempts: i64) -> bool {
        attempts >= i64::from(self.config.notify.max_attempts)
    }

    /// The delay before retry `attempt` (1-based): the configured base, doubled each time.
    pub fn backoff_micros(&self, attempt: i64) -> i64 {
        let base = self.config.notify.retry_base.as_micros() as i64;
        base.saturating_mul(1_i64 << (attempt - 1).clamp(0, 20))
    }
}

/// Every feed URL whose content the changes alter: the site feeds, the feeds of each
/// article's columns and their ancestors, and its outlet's feeds.
pub fn affected_topics(site: &Site, tree: &ColumnTree, changes: &[ChangeRecord]) -> Vec<String> {
    let mut kinds = BTreeSet::new();
    if !changes.is_empty() {
        kinds.insert(FeedKind::Site);
    }
    for change in changes {
        kinds.insert(FeedKind::Outlet(change.outlet_slug.clone()));
        for column_id in &change.column_ids {
            for column in tree.path_to(*column_id) {
                kinds.insert(FeedKind::Column(column.slug.to_string()));
            }
        }
    }
    kinds.iter().flat_map(|kind| FeedFormat::ALL.map(|format| kind.feed_url(site, format))).collect()
}
