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
//! follower (`follow`) reads every committed change from the change clock and marks
//! exactly the documents it touches superseded (`documents`); a change to the catalogue
//! (columns, outlets) empties the cache. The cache is bounded in bytes and drops the
//! least recently used documents first.
//!
//! Reads under writes: a superseded document is still served for a short while, under
//! its own validators, while its successor renders once for the changes of a burst
//! (`freshness`, the contract); readers that must wait for a document wait for one
//! render of it, never one each (`flight`). So serving does not notice ingest, and
//! ingest does not wait behind renders.

mod documents;
mod flight;
pub mod follow;
pub mod freshness;
mod front;
mod history;

pub use documents::{CacheCounters, RenderCache};
pub use front::{BackgroundRender, CacheFront};

use super::params::{raw_query_value, PAGE_PARAMETER};
use super::representation::{Cacheable, Prepared};
use super::AppState;
use crate::store::FeedScope;
use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

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

/// The middleware on every route: a document the handler marked cacheable is kept
/// under the request's path and the page of a listing it is, unless a change came
/// while it was being rendered.
/// The document goes back to the readers waiting for it (`front`) on the response, as `Kept`.
pub async fn keep_rendered(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !is_read(&request) {
        return next.run(request).await;
    }
    let path = request.uri().path().to_owned();
    let route = request.extensions().get::<MatchedPath>().cloned();
    let epoch = state.cache.epoch();
    let mut response = next.run(request).await;
    if let Some(cacheable) = response.extensions_mut().remove::<Cacheable>() {
        state.cache.counters.renders.fetch_add(1, Ordering::Relaxed);
        let route: Arc<str> = route.as_ref().map_or("unmatched", |p| p.as_str()).into();
        // What the document is, not what was asked: `/rss.xml?page=2` renders the feed,
        // kept as `/rss.xml`; `/columns/a?x=1&page=2` renders page 2, kept as `?page=2`.
        let key = cache_key(&path, cacheable.listing_page.map(|page| page.to_string()).as_deref()).into_owned();
        let rendered = cacheable.prepared.clone();
        // Keeping compresses the whole document: off the threads that answer readers.
        let (cache, kept_route) = (state.cache.clone(), route.clone());
        let kept = tokio::task::spawn_blocking(move || cache.insert(&key, kept_route, cacheable, epoch))
            .await
            .ok()
            .flatten()
            .unwrap_or(rendered);
        response.extensions_mut().insert(Kept(kept, route));
    }
    response
}

/// A document a handler rendered, as the cache kept it, and the route that rendered it.
#[derive(Clone)]
struct Kept(Arc<Prepared>, Arc<str>);

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
