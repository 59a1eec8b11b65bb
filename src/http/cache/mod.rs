//! The render cache: every public document (feeds, pages, sitemaps) is kept, prepared
//! (compressed, with its ETag), under its request path until a change it depends on.
//! A hit, or a 304 from it, touches no database: it is a map lookup and a clone of
//! reference-counted bytes. Readers poll far more often than outlets write, so most
//! requests end here, in front of routing (`CacheFront`); what the cache cannot answer
//! is routed, and the document a handler renders is kept on its way out (`keep_rendered`).
//!
//! A document is kept under its path and the one query parameter documents read
//! (`cache_key`): a share button's `?utm_source=…` or a cache-buster is answered from
//! the entry already held and never makes one of its own, so no query string can fill
//! the cache or evict real documents. Other spellings of a path (`/articles/01`) are
//! refused by the routes (`params`), so they never render a document to keep.
//!
//! Each document says what it depends on (`DependsOn`): the site as a whole, columns,
//! outlets, the articles it shows, a range of article ids (a sitemap shard). The
//! follower (`follow`) reads every committed change from the change clock and evicts
//! exactly the documents it touches; a change to the catalogue (columns, outlets)
//! empties the cache. The cache is bounded in bytes and drops the least recently used
//! documents first.

pub mod follow;

use super::metrics::Arrived;
use super::params::{raw_query_value, PAGE_PARAMETER};
use super::representation::{Cacheable, Prepared};
use super::AppState;
use crate::store::FeedScope;
use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use futures_util::future::{BoxFuture, Either};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::convert::Infallible;
use std::future::Ready;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// What a cached document shows, and so which changes make it stale.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DependsOn {
    /// Every article change (site-wide feeds, the home page, sitemap indexes).
    pub any_article: bool,
    /// Columns whose new articles it would show (changes name a column's ancestors too).
    pub columns: Vec<i64>,
    /// Outlets whose new articles it would show.
    pub outlets: Vec<i64>,
    /// The articles it shows now.
    pub articles: Vec<i64>,
    /// Article ids `[start, end)` (a sitemap shard).
    pub article_range: Option<(i64, i64)>,
    /// Stale after this long whatever happens (documents with a time window).
    pub at_most: Option<Duration>,
}

impl DependsOn {
    /// Nothing: only a catalogue change replaces it.
    pub fn nothing() -> Self {
        DependsOn::default()
    }

    pub fn any_article() -> Self {
        DependsOn { any_article: true, ..DependsOn::default() }
    }

    /// A listing of `scope` showing `articles`.
    pub fn listing(scope: &FeedScope, articles: Vec<i64>) -> Self {
        match scope {
            FeedScope::Site => DependsOn::any_article(),
            FeedScope::Column(id) => DependsOn { columns: vec![*id], articles, ..DependsOn::default() },
            FeedScope::Outlet(id) => DependsOn { outlets: vec![*id], articles, ..DependsOn::default() },
        }
    }

    fn is_touched_by(&self, changes: &ArticleChanges) -> bool {
        self.any_article
            || self.columns.iter().any(|id| changes.columns.contains(id))
            || self.outlets.iter().any(|id| changes.outlets.contains(id))
            || self.articles.iter().any(|id| changes.articles.contains(id))
            || self
                .article_range
                .is_some_and(|(start, end)| changes.articles.iter().any(|id| (start..end).contains(id)))
    }
}

/// The articles, columns and outlets a batch of committed changes touched.
#[derive(Debug, Default)]
pub struct ArticleChanges {
    pub articles: HashSet<i64>,
    pub columns: HashSet<i64>,
    pub outlets: HashSet<i64>,
}

impl ArticleChanges {
    pub fn is_empty(&self) -> bool {
        self.articles.is_empty()
    }
}

struct Entry {
    prepared: Arc<Prepared>,
    /// The route that rendered it, under which its hits are counted.
    route: Arc<str>,
    depends_on: DependsOn,
    expires: Option<Instant>,
    last_used: u64,
}

#[derive(Default)]
struct Entries {
    map: HashMap<Box<str>, Entry>,
    bytes: usize,
    /// Advances on every lookup; entries remember when they were last used.
    uses: u64,
}

/// Counters the metrics endpoint reports.
#[derive(Debug, Default)]
pub struct CacheCounters {
    pub hits: AtomicU64,
    pub misses: AtomicU64,
    pub evictions: AtomicU64,
}

/// The bounded map of prepared documents.
pub struct RenderCache {
    entries: Mutex<Entries>,
    /// Advances whenever documents may have gone stale; a render that began before an
    /// advance is not kept (it may have read what the change replaced).
    epoch: AtomicU64,
    max_bytes: usize,
    pub counters: CacheCounters,
}

impl RenderCache {
    pub fn new(max_bytes: usize) -> Self {
        RenderCache {
            entries: Mutex::new(Entries::default()),
            epoch: AtomicU64::new(0),
            max_bytes,
            counters: CacheCounters::default(),
        }
    }

    /// The document kept under `key`, and the route that rendered it.
    pub fn get(&self, key: &str) -> Option<(Arc<Prepared>, Arc<str>)> {
        let mut entries = self.lock();
        entries.uses += 1;
        let uses = entries.uses;
        let found = match entries.map.get_mut(key) {
            Some(entry) if entry.expires.is_none_or(|at| at > Instant::now()) => {
                entry.last_used = uses;
                Some((entry.prepared.clone(), entry.route.clone()))
            }
            _ => None,
        };
        let counter = if found.is_some() { &self.counters.hits } else { &self.counters.misses };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// The epoch to pass to `insert` for a render starting now.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// Keeps what `route` rendered under `key` unless something may have changed since
    /// `epoch`, or it would take more than an eighth of the budget.
    pub fn insert(&self, key: &str, route: Arc<str>, cacheable: Cacheable, epoch: u64) {
        if cacheable.prepared.size() + key.len() > self.max_bytes / 8 {
            return;
        }
        let prepared = Arc::new(cacheable.prepared.to_keep());
        let size = prepared.size() + key.len();
        let mut entries = self.lock();
        if self.epoch() != epoch {
            return;
        }
        let expires = cacheable.depends_on.at_most.map(|d| Instant::now() + d);
        let last_used = entries.uses;
        let entry = Entry { prepared, route, depends_on: cacheable.depends_on, expires, last_used };
        if let Some(old) = entries.map.insert(key.into(), entry) {
            entries.bytes -= old.prepared.size() + key.len();
        }
        entries.bytes += size;
        if entries.bytes > self.max_bytes {
            self.shrink(&mut entries);
        }
    }

    /// Drops every document the changes touch; returns how many.
    pub fn evict(&self, changes: &ArticleChanges) -> usize {
        if changes.is_empty() {
            return 0;
        }
        let mut entries = self.lock();
        self.epoch.fetch_add(1, Ordering::AcqRel);
        let before = entries.map.len();
        let mut freed = 0;
        entries.map.retain(|key, entry| {
            let stale = entry.depends_on.is_touched_by(changes);
            if stale {
                freed += entry.prepared.size() + key.len();
            }
            !stale
        });
        entries.bytes -= freed;
        let evicted = before - entries.map.len();
        self.counters.evictions.fetch_add(evicted as u64, Ordering::Relaxed);
        evicted
    }

    /// Drops everything (the catalogue changed).
    pub fn clear(&self) {
        let mut entries = self.lock();
        self.epoch.fetch_add(1, Ordering::AcqRel);
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

/// The application behind its render cache: a GET or HEAD the cache holds is answered
/// here, before routing, with no more work than choosing the stored response; anything
/// else goes to the router. When this process wrote something the cache has not yet
/// seen, it catches up first, so that a client always reads its own writes.
#[derive(Clone)]
pub struct CacheFront {
    state: AppState,
    router: Router,
}

impl CacheFront {
    pub fn new(state: AppState, router: Router) -> Self {
        CacheFront { state, router }
    }

    /// The stored answer to `request`, counted under the route that rendered it.
    fn answer(state: &AppState, request: &Request, started: Instant) -> Option<Response> {
        let (prepared, route) = state.cache.get(&cache_key(request.uri().path(), requested_page(request)))?;
        let response = prepared.respond(request.headers());
        state.operations.metrics().count_request(
            &route,
            request.method().as_str(),
            response.status().as_str(),
            started,
        );
        Some(response)
    }
}

impl tower::Service<Request> for CacheFront {
    type Response = Response;
    type Error = Infallible;
    type Future = Either<Ready<Result<Response, Infallible>>, BoxFuture<'static, Result<Response, Infallible>>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // The router is always ready.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        let started = Instant::now();
        let readable = is_read(&request);
        if readable && !self.state.cache_follower.is_behind() {
            if let Some(response) = Self::answer(&self.state, &request, started) {
                return Either::Left(std::future::ready(Ok(response)));
            }
        }
        let (state, mut router) = (self.state.clone(), self.router.clone());
        Either::Right(Box::pin(async move {
            if readable && state.cache_follower.is_behind() {
                if let Err(error) = state.cache_follower.catch_up_if_behind().await {
                    tracing::error!(%error, "render cache cannot read the change clock");
                }
                if let Some(response) = Self::answer(&state, &request, started) {
                    return Ok(response);
                }
            }
            request.extensions_mut().insert(Arrived(started));
            tower::Service::call(&mut router, request).await
        }))
    }
}

/// The middleware on every route: a document the handler marked cacheable is kept
/// under the request's path and the page of a listing it is, unless a change came
/// while it was being rendered.
pub async fn keep_rendered(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !is_read(&request) {
        return next.run(request).await;
    }
    let path = request.uri().path().to_owned();
    let route = request.extensions().get::<MatchedPath>().cloned();
    let epoch = state.cache.epoch();
    let mut response = next.run(request).await;
    if let Some(cacheable) = response.extensions_mut().remove::<Cacheable>() {
        let route = route.as_ref().map_or("unmatched", |p| p.as_str());
        // What the document is, not what was asked: `/rss.xml?page=2` renders the feed,
        // kept as `/rss.xml`; `/columns/a?x=1&page=2` renders page 2, kept as `?page=2`.
        let key = cache_key(&path, cacheable.listing_page.map(|page| page.to_string()).as_deref());
        state.cache.insert(&key, route.into(), cacheable, epoch);
    }
    response
}

/// Whether the request reads (GET or HEAD): only reads are answered from, or kept in, the cache.
fn is_read(request: &Request) -> bool {
    request.method() == Method::GET || request.method() == Method::HEAD
}

/// The raw `page` value of the request's query, if it has one.
fn requested_page(request: &Request) -> Option<&str> {
    raw_query_value(request.uri().query()?, PAGE_PARAMETER)
}

/// Documents are kept under their path and their `page` (`params::PAGE_PARAMETER`),
/// the only query parameter a document reads. A request whose page is spelled otherwise
/// (`page=02`) misses, and its route answers 404.
fn cache_key<'a>(path: &'a str, page: Option<&str>) -> Cow<'a, str> {
    match page {
        None => Cow::Borrowed(path),
        Some(page) => Cow::Owned(format!("{path}?{PAGE_PARAMETER}={page}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::representation::Representation;

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

    #[test]
    fn a_change_evicts_exactly_the_documents_that_show_it() {
        let cache = RenderCache::new(1 << 20);
        let column = DependsOn { columns: vec![1, 2], articles: vec![10, 11], ..DependsOn::default() };
        let outlet = DependsOn { outlets: vec![7], articles: vec![10], ..DependsOn::default() };
        let shard = DependsOn { article_range: Some((100, 200)), ..DependsOn::default() };
        cache.insert("/site", "/test".into(), cacheable("s", DependsOn::any_article()), 0);
        cache.insert("/column", "/test".into(), cacheable("c", column), 0);
        cache.insert("/outlet", "/test".into(), cacheable("o", outlet), 0);
        cache.insert("/shard", "/test".into(), cacheable("h", shard), 0);
        cache.insert("/robots", "/test".into(), cacheable("r", DependsOn::nothing()), 0);
        // An article moved out of column 1 into column 3, of outlet 8: shown by /column.
        assert_eq!(cache.evict(&changes(&[11], &[3], &[8])), 2);
        assert!(cache.get("/site").is_none() && cache.get("/column").is_none());
        assert!(cache.get("/outlet").is_some() && cache.get("/shard").is_some());
        assert_eq!(cache.evict(&changes(&[150], &[], &[7])), 2);
        assert_eq!(cache.size().0, 1, "only robots is left");
    }

    #[test]
    fn a_render_that_straddles_a_change_is_not_kept() {
        let cache = RenderCache::new(1 << 20);
        let epoch = cache.epoch();
        cache.evict(&changes(&[1], &[], &[]));
        cache.insert("/feed", "/test".into(), cacheable("old", DependsOn::any_article()), epoch);
        assert!(cache.get("/feed").is_none());
        cache.insert("/feed", "/test".into(), cacheable("new", DependsOn::any_article()), cache.epoch());
        assert!(cache.get("/feed").is_some());
    }

    #[test]
    fn the_budget_drops_the_least_recently_used() {
        let body = "x".repeat(500);
        let cache = RenderCache::new(8 * 1024);
        for n in 0..20 {
            cache.insert(&format!("/{n}"), "/test".into(), cacheable(&body, DependsOn::nothing()), 0);
            cache.get("/0");
        }
        let (count, bytes) = cache.size();
        assert!(bytes <= 8 * 1024 && count < 20, "{count} documents, {bytes} bytes");
        assert!(cache.get("/0").is_some(), "the document in use stays");
        assert!(cache.get("/1").is_none(), "the oldest unused one went");
    }
}
