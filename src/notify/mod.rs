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
use crate::store::watermarks::Follower;
use crate::store::{ChangeRecord, Store, StoreError};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// How often each instance looks for new changes and due work.
pub const TICK: Duration = Duration::from_millis(200);
/// Changes turned into notifications per step.
const CHANGES_PER_STEP: i64 = 500;
/// How long claimed work stays claimed if the instance working on it dies.
pub const LEASE_SECS: i64 = 120;
/// Verifications in flight at once, per instance: as many as may be pending in all, so
/// that a request is never kept waiting by slow callbacks ahead of it.
const CONCURRENT_VERIFICATIONS: usize = websub::MAX_PENDING_VERIFICATIONS as usize;
/// Deliveries in flight at once, per instance. Each ends within
/// `websub::DELIVERY_TIMEOUT`, and a subscriber that failed is served after those that
/// have not (see `Store::claim`), so slow subscribers hold up the others only until
/// their first failure, by one timeout for each this many of them.
const CONCURRENT_DELIVERIES: usize = 64;
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
    /// A place for each verification and delivery in flight. Each kind has its own, so
    /// that neither can hold up the other.
    verifications: Arc<Semaphore>,
    deliveries: Arc<Semaphore>,
}

impl Notifier {
    pub fn new(store: Store, site: Arc<Site>, config: Arc<Config>, fetcher: Fetcher) -> Notifier {
        Notifier {
            store,
            site,
            config,
            fetcher,
            verifications: Arc::new(Semaphore::new(CONCURRENT_VERIFICATIONS)),
            deliveries: Arc::new(Semaphore::new(CONCURRENT_DELIVERIES)),
        }
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
        let _ = self.verifications.acquire_many(CONCURRENT_VERIFICATIONS as u32).await;
        let _ = self.deliveries.acquire_many(CONCURRENT_DELIVERIES as u32).await;
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

    /// One round: queue notifications for new changes, then start due sends. It never
    /// waits for a send: it claims only as much work as there are free places.
    pub async fn step(&self) -> Result<(), StoreError> {
        while self.queue_new_changes().await? {}
        let free = self.verifications.available_permits() as i64;
        for request in self.store.claim_websub_requests(free, LEASE_SECS).await? {
            let this = self.clone();
            in_background(&self.verifications, "verification", async move { websub::verify(&this, &request).await });
        }
        let free = self.deliveries.available_permits() as i64;
        for delivery in self.store.claim_deliveries(free, LEASE_SECS).await? {
            let this = self.clone();
            in_background(&self.deliveries, "delivery", async move { websub::deliver(&this, &delivery).await });
        }
        pings::send_due(self).await
    }

    /// Turns the next changes after the watermark into queued notifications; true if
    /// there may be more.
    async fn queue_new_changes(&self) -> Result<bool, StoreError> {
        let from = self.store.watermark(Follower::Notifier).await?;
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

/// Runs a WebSub `send` in the background in one of `places`, which has a free one: the
/// step claims no more work than that.
fn in_background(
    places: &Arc<Semaphore>,
    what: &'static str,
    send: impl std::future::Future<Output = Result<(), StoreError>> + Send + 'static,
) {
    let place = places.clone().try_acquire_owned().expect("no more work is claimed than there are free places");
    tokio::spawn(async move {
        if let Err(error) = send.await {
            tracing::error!(%error, what, "cannot record the outcome of a WebSub request");
        }
        drop(place);
    });
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
