//! The bounded map of prepared documents, each with the version of the data it shows.
//!
//! The cache's epoch advances at every batch of changes it follows. A render notes the
//! epoch it began at; a change touching a document does not drop it but marks it
//! superseded (since when, and the epoch of the latest change that touched it), so that it
//! can be served within the freshness contract while its successor renders, and so that
//! the cache still knows the path names a document: readers missing it then wait for one
//! render (`flight`) rather than each rendering their own.

use super::freshness::Freshness;
use super::history::{History, Superseded};
use super::{ArticleChanges, DependsOn};
use crate::http::representation::{Cacheable, Prepared};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

struct Entry {
    prepared: Arc<Prepared>,
    /// The route that rendered it, under which its hits are counted.
    route: Arc<str>,
    depends_on: DependsOn,
    expires: Option<Instant>,
    last_used: u64,
    /// The epoch its render began at.
    rendered: u64,
    superseded: Option<Superseded>,
}

#[derive(Default)]
struct Entries {
    map: HashMap<Box<str>, Entry>,
    bytes: usize,
    /// Advances on every lookup; entries remember when they were last used.
    uses: u64,
    history: History,
    /// The epoch of the last catalogue change: renders begun before it are not kept.
    cleared: u64,
}

/// Counters the metrics endpoint reports.
#[derive(Debug, Default)]
pub struct CacheCounters {
    /// Answered with the current document.
    pub hits: AtomicU64,
    /// Answered with a superseded document, within the freshness contract.
    pub stale: AtomicU64,
    /// Not answerable from the cache: waited for a render, or rendered.
    pub misses: AtomicU64,
    /// Renders the cache led (one per document version, however many readers waited).
    pub renders: AtomicU64,
    /// Documents superseded by a change, or dropped over budget.
    pub evictions: AtomicU64,
}

/// What the cache holds for a request.
pub enum Lookup {
    /// The current document.
    Current(Arc<Prepared>, Arc<str>),
    /// A superseded document the request may be answered with; `renew` is the version its
    /// successor must be rendered from, once it is time to start that render.
    Stale { prepared: Arc<Prepared>, route: Arc<str>, renew: Option<u64> },
    /// A document that cannot be answered with: wait for a render begun at this epoch or later.
    Due(u64),
    /// Nothing known under this key.
    Unknown,
}

/// The bounded map of prepared documents.
pub struct RenderCache {
    entries: Mutex<Entries>,
    /// Advances whenever documents may have gone stale.
    epoch: AtomicU64,
    max_bytes: usize,
    freshness: Freshness,
    pub counters: CacheCounters,
}

impl RenderCache {
    pub fn new(max_bytes: usize, freshness: Freshness) -> Self {
        RenderCache {
            entries: Mutex::new(Entries::default()),
            epoch: AtomicU64::new(0),
            max_bytes,
            freshness,
            counters: CacheCounters::default(),
        }
    }

    /// What the cache holds under `key` for a request that accepts a stale answer or not.
    pub fn lookup(&self, key: &str, accepts_stale: bool) -> Lookup {
        let now = Instant::now();
        let mut entries = self.lock();
        entries.uses += 1;
        let uses = entries.uses;
        let found = match entries.map.get_mut(key) {
            None => Lookup::Unknown,
            Some(entry) if entry.expires.is_some_and(|at| at <= now) => Lookup::Due(self.epoch()),
            Some(entry) => {
                entry.last_used = uses;
                match entry.superseded {
                    None => Lookup::Current(entry.prepared.clone(), entry.route.clone()),
                    Some(stale) if accepts_stale && now.duration_since(stale.since) < self.freshness.stale => {
                        let due = now.duration_since(stale.since) >= self.freshness.coalesce;
                        Lookup::Stale {
                            prepared: entry.prepared.clone(),
                            route: entry.route.clone(),
                            renew: due.then_some(stale.epoch),
                        }
                    }
                    Some(stale) => Lookup::Due(stale.epoch),
                }
            }
        };
        let counter = match found {
            Lookup::Current(..) => &self.counters.hits,
            Lookup::Stale { .. } => &self.counters.stale,
            Lookup::Due(_) | Lookup::Unknown => &self.counters.misses,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// Whether superseded documents may be served at all (a stale window above zero).
    pub fn serves_stale(&self) -> bool {
        !self.freshness.stale.is_zero()
    }

    /// The epoch a render starting now passes to `insert`.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// Keeps what `route` rendered from `epoch` on under `key`, unless a newer render is
    /// held, the catalogue changed since, or it would take more than an eighth of the
    /// budget; a change since `epoch` that touches it keeps it as superseded. Returns the
    /// document as kept (both encodings made), or `None`.
    pub fn insert(&self, key: &str, route: Arc<str>, cacheable: Cacheable, epoch: u64) -> Option<Arc<Prepared>> {
        if cacheable.prepared.size() + key.len() > self.max_bytes / 8 {
            return None;
        }
        let prepared = Arc::new(cacheable.prepared.to_keep());
        let size = prepared.size() + key.len();
        let mut entries = self.lock();
        if epoch < entries.cleared || entries.map.get(key).is_some_and(|held| held.rendered > epoch) {
            return None;
        }
        let superseded = entries.history.superseding(epoch, self.epoch(), &cacheable.depends_on);
        let expires = cacheable.depends_on.at_most.map(|d| Instant::now() + d);
        let last_used = entries.uses;
        let depends_on = cacheable.depends_on;
        let entry =
            Entry { prepared: prepared.clone(), route, depends_on, expires, last_used, rendered: epoch, superseded };
        if let Some(old) = entries.map.insert(key.into(), entry) {
            entries.bytes -= old.prepared.size() + key.len();
        }
        entries.bytes += size;
        if entries.bytes > self.max_bytes {
            self.shrink(&mut entries);
        }
        Some(prepared)
    }

    /// Marks every document the changes touch superseded; returns how many were current.
    pub fn evict(&self, changes: ArticleChanges) -> usize {
        if changes.is_empty() {
            return 0;
        }
        let mut entries = self.lock();
        let epoch = self.epoch.fetch_add(1, Ordering::AcqRel) + 1;
        let now = Instant::now();
        let mut superseded = 0;
        for entry in entries.map.values_mut().filter(|entry| entry.depends_on.is_touched_by(&changes)) {
            entry.superseded = Some(match entry.superseded {
                Some(stale) => stale.again(epoch),
                None => {
                    superseded += 1;
                    Superseded { since: now, epoch }
                }
            });
        }
        entries.history.record(epoch, changes);
        self.counters.evictions.fetch_add(superseded as u64, Ordering::Relaxed);
        superseded
    }

    /// Drops everything (the catalogue changed): nothing held may be served again.
    pub fn clear(&self) {
        let mut entries = self.lock();
        entries.cleared = self.epoch.fetch_add(1, Ordering::AcqRel) + 1;
        entries.history.forget();
        self.counters.evictions.fetch_add(entries.map.len() as u64, Ordering::Relaxed);
        entries.map.clear();
        entries.bytes = 0;
    }

    /// Documents held and the bytes they take.
    pub fn size(&self) -> (usize, usize) {
        let entries = self.lock();
        (entries.map.len(), entries.bytes)
    }

    /// Drops the least recently used documents until a tenth of the budget is free.
    fn shrink(&self, entries: &mut Entries) {
        let target = self.max_bytes - self.max_bytes / 10;
        let mut by_use: Vec<(u64, Box<str>)> = entries.map.iter().map(|(k, e)| (e.last_used, k.clone())).collect();
        by_use.sort_unstable_by_key(|(used, _)| *used);
        for (_, key) in by_use {
            if entries.bytes <= target {
                break;
            }
            if let Some(entry) = entries.map.remove(&key) {
                entries.bytes -= entry.prepared.size() + key.len();
                self.counters.evictions.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // A panic while holding the lock leaves the map consistent (every update is a
        // single insert or remove), so a poisoned lock is still usable.
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::representation::Representation;
    use std::time::Duration;

    fn cacheable(body: &str, depends_on: DependsOn) -> Cacheable {
        Cacheable {
            prepared: Arc::new(Representation::new("text/plain", body, 60).prepare()),
            depends_on,
            listing_page: None,
        }
    }

    fn changes(articles: &[i64], columns: &[i64], outlets: &[i64]) -> ArticleChanges {
        ArticleChanges {
            articles: articles.iter().copied().collect(),
            columns: columns.iter().copied().collect(),
            outlets: outlets.iter().copied().collect(),
        }
    }

    fn is_current(cache: &RenderCache, key: &str) -> bool {
        matches!(cache.lookup(key, false), Lookup::Current(..))
    }

    #[test]
    fn a_change_supersedes_exactly_the_documents_that_show_it() {
        let cache = RenderCache::new(1 << 20, Freshness::CURRENT);
        let column = DependsOn { columns: vec![1, 2], articles: vec![10, 11], ..DependsOn::default() };
        let outlet = DependsOn { outlets: vec![7], articles: vec![10], ..DependsOn::default() };
        let shard = DependsOn { article_range: Some((100, 200)), ..DependsOn::default() };
        cache.insert("/site", "/test".into(), cacheable("s", DependsOn::any_article()), 0);
        cache.insert("/column", "/test".into(), cacheable("c", column), 0);
        cache.insert("/outlet", "/test".into(), cacheable("o", outlet), 0);
        cache.insert("/shard", "/test".into(), cacheable("h", shard), 0);
        cache.insert("/robots", "/test".into(), cacheable("r", DependsOn::nothing()), 0);
        // An article moved out of column 1 into column 3, of outlet 8: shown by /column.
        assert_eq!(cache.evict(changes(&[11], &[3], &[8])), 2);
        assert!(matches!(cache.lookup("/site", true), Lookup::Due(1)), "never stale with a zero window");
        assert!(!is_current(&cache, "/column"));
        assert!(is_current(&cache, "/outlet") && is_current(&cache, "/shard"));
        assert_eq!(cache.evict(changes(&[150], &[], &[7])), 2, "the site feed was superseded already");
        assert!(is_current(&cache, "/robots"));
        assert!(matches!(cache.lookup("/nothing", true), Lookup::Unknown));
    }

    #[test]
    fn a_superseded_document_is_served_within_the_window_and_renewed_after_the_coalescing() {
        let freshness = Freshness { stale: Duration::from_secs(3600), coalesce: Duration::from_millis(30) };
        let cache = RenderCache::new(1 << 20, freshness);
        cache.insert("/feed", "/test".into(), cacheable("old", DependsOn::any_article()), 0);
        cache.evict(changes(&[1], &[], &[]));
        cache.evict(changes(&[2], &[], &[]));
        assert!(matches!(cache.lookup("/feed", false), Lookup::Due(2)), "a reader asking for the current one waits");
        let Lookup::Stale { renew: None, .. } = cache.lookup("/feed", true) else {
            panic!("served stale, no render yet: changes are still gathering")
        };
        std::thread::sleep(freshness.coalesce);
        let Lookup::Stale { renew: Some(2), .. } = cache.lookup("/feed", true) else {
            panic!("served stale, and its successor is due from the latest change")
        };
        cache.insert("/feed", "/test".into(), cacheable("new", DependsOn::any_article()), 2);
        assert!(is_current(&cache, "/feed"));
    }

    #[test]
    fn the_window_closes() {
        let freshness = Freshness { stale: Duration::from_millis(20), coalesce: Duration::ZERO };
        let cache = RenderCache::new(1 << 20, freshness);
        cache.insert("/feed", "/test".into(), cacheable("old", DependsOn::any_article()), 0);
        cache.evict(changes(&[1], &[], &[]));
        assert!(matches!(cache.lookup("/feed", true), Lookup::Stale { renew: Some(1), .. }));
        std::thread::sleep(freshness.stale);
        assert!(matches!(cache.lookup("/feed", true), Lookup::Due(1)), "too old to serve");
    }

    #[test]
    fn a_render_that_straddles_a_change_is_kept_as_superseded_and_never_replaces_a_newer_one() {
        let cache = RenderCache::new(1 << 20, Freshness::CURRENT);
        cache.evict(changes(&[1], &[], &[]));
        cache.insert("/feed", "/test".into(), cacheable("old", DependsOn::any_article()), 0);
        assert!(matches!(cache.lookup("/feed", false), Lookup::Due(1)));
        cache.insert(
            "/column",
            "/test".into(),
            cacheable("c", DependsOn { columns: vec![5], ..Default::default() }),
            0,
        );
        assert!(is_current(&cache, "/column"), "the change did not touch it");
        cache.insert("/feed", "/test".into(), cacheable("new", DependsOn::any_article()), 1);
        assert!(is_current(&cache, "/feed"));
        assert!(cache.insert("/feed", "/test".into(), cacheable("old", DependsOn::any_article()), 0).is_none());
        assert!(is_current(&cache, "/feed"), "the older render did not replace it");
    }

    #[test]
    fn a_catalogue_change_drops_everything_and_every_render_begun_before_it() {
        let cache = RenderCache::new(1 << 20, Freshness::CURRENT);
        let epoch = cache.epoch();
        cache.insert("/feed", "/test".into(), cacheable("a", DependsOn::nothing()), epoch);
        cache.clear();
        assert!(matches!(cache.lookup("/feed", true), Lookup::Unknown));
        assert!(cache.insert("/feed", "/test".into(), cacheable("a", DependsOn::nothing()), epoch).is_none());
        assert!(cache.insert("/feed", "/test".into(), cacheable("b", DependsOn::nothing()), cache.epoch()).is_some());
    }

    #[test]
    fn the_budget_drops_the_least_recently_used() {
        let body = "x".repeat(500);
        let cache = RenderCache::new(8 * 1024, Freshness::CURRENT);
        for n in 0..20 {
            cache.insert(&format!("/{n}"), "/test".into(), cacheable(&body, DependsOn::nothing()), 0);
            cache.lookup("/0", false);
        }
        let (count, bytes) = cache.size();
        assert!(bytes <= 8 * 1024 && count < 20, "{count} documents, {bytes} bytes");
        assert!(is_current(&cache, "/0"), "the document in use stays");
        assert!(matches!(cache.lookup("/1", false), Lookup::Unknown), "the oldest unused one went");
    }
}
