//! robots.txt and sitemaps: an index, a urlset of the home and column pages, and
//! article shards by id range. Only pages whose outlet lets our copy be indexed appear.

use super::cache::DependsOn;
use super::params::{self, Number, Params};
use super::representation::{Representation, PAGE_MAX_AGE};
use super::{error::ApiError, AppState};
use crate::assemble::Assembler;
use crate::publish::sitemap::{self, Location};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};

const XML: &str = "application/xml; charset=utf-8";

/// This area's operations, for the OpenAPI description (`http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths())]
pub(super) struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/robots.txt", get(robots))
        .route("/sitemap.xml", get(index))
        .route("/sitemap-news.xml", get(news))
        .route("/sitemaps/{file}", get(sitemap_file))
}

async fn robots(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let body = format!(
        "User-agent: *\nDisallow: /api/\n\nSitemap: {}\nSitemap: {}\n",
        state.site.sitemap_index_url(),
        state.site.news_sitemap_url()
    );
    Representation::new("text/plain; charset=utf-8", body, PAGE_MAX_AGE).respond_cached(&headers, DependsOn::nothing())
}

async fn index(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let entries = assembler(&state).sitemap_index().await?;
    let lastmod = entries.iter().filter_map(|e| e.lastmod).max();
    Ok(xml(sitemap::index(&entries), lastmod, &headers, DependsOn::any_article()))
}

async fn sitemap_file(
    State(state): State<AppState>,
    file: Result<Params<String>, ApiError>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let file = params::public(file, || ApiError::NotFound("sitemap"))?;
    // `news-N.xml` and `articles-N.xml`, N as the index writes it.
    let numbered = |prefix: &str| file.strip_prefix(prefix)?.strip_suffix(".xml").and_then(Number::parse);
    if let Some(page) = numbered("news-") {
        let pages = news_pages(&state).await?;
        let entries = usize::try_from(page.get())
            .ok()
            .and_then(|page| pages.get(page))
            .filter(|_| pages.len() > 1)
            .ok_or(ApiError::NotFound("sitemap"))?;
        return Ok(news_document(&state, entries, &headers));
    }
    if file == "pages.xml" {
        let pages = assembler(&state).sitemap_pages().await?;
        let lastmod = pages.iter().filter_map(|p| p.lastmod).max();
        return Ok(xml(sitemap::urlset(&pages), lastmod, &headers, DependsOn::any_article()));
    }
    let index = numbered("articles-").ok_or(ApiError::NotFound("sitemap"))?.get();
    let span = sitemap::shard_span(&state.site.base_url);
    let ids = sitemap::shard_ids(index, span).ok_or(ApiError::NotFound("sitemap"))?;
    let (body, lastmod) = assembler(&state).sitemap_shard(index).await?.ok_or(ApiError::NotFound("sitemap"))?;
    let depends_on = DependsOn { article_range: Some((ids.start, ids.end)), ..DependsOn::default() };
    Ok(xml(body, Some(lastmod), &headers, depends_on))
}

fn assembler(state: &AppState) -> Assembler<'_> {
    Assembler { store: &state.store, site: &state.site, config: &state.config }
}

/// The Google News sitemap: a urlset of the last two days' articles, or an index of
/// 1,000-article pages when there are more.
async fn news(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let pages = news_pages(&state).await?;
    if pages.len() <= 1 {
        return Ok(news_document(&state, pages.first().map_or(&[][..], |p| p.as_slice()), &headers));
    }
    let entries: Vec<Location> = pages
        .iter()
        .enumerate()
        .map(|(n, page)| Location {
            loc: state.site.news_sitemap_page_url(n),
            lastmod: page.iter().map(|e| e.published).max(),
        })
        .collect();
    let lastmod = entries.iter().filter_map(|e| e.lastmod).max();
    Ok(xml(sitemap::index(&entries), lastmod, &headers, news_dependencies()))
}

/// The news sitemap shows a moving window: besides every change, time ages it.
fn news_dependencies() -> DependsOn {
    DependsOn { at_most: Some(std::time::Duration::from_secs(60)), ..DependsOn::any_article() }
}

/// The last two days' indexable articles, newest first, in pages of 1,000.
async fn news_pages(state: &AppState) -> Result<Vec<Vec<sitemap::NewsLocation>>, ApiError> {
    /// More than this in two days is beyond any portal; the rest would wait for the next days.
    const MAX_NEWS_URLS: i64 = 50_000;
    let since = chrono::Utc::now() - chrono::Duration::hours(sitemap::NEWS_WINDOW_HOURS);
    let site_language = &state.site.config.language;
    let entries: Vec<sitemap::NewsLocation> = state
        .store
        .news_entries(since, MAX_NEWS_URLS)
        .await?
        .into_iter()
        .map(|e| sitemap::NewsLocation {
            loc: state.site.article_url(e.article_id),
            language: sitemap::news_language(e.language.as_deref().unwrap_or(site_language)),
            title: e.title,
            published: e.reposted_at,
        })
        .collect();
    Ok(entries.chunks(sitemap::MAX_NEWS_URLS_PER_FILE).map(<[_]>::to_vec).collect())
}

fn news_document(state: &AppState, entries: &[sitemap::NewsLocation], headers: &HeaderMap) -> Response {
    let lastmod = entries.iter().map(|e| e.published).max();
    xml(sitemap::news_urlset(&state.site.config.name, entries), lastmod, headers, news_dependencies())
}

fn xml(
    body: impl Into<Vec<u8>>,
    lastmod: Option<DateTime<Utc>>,
    headers: &HeaderMap,
    depends_on: DependsOn,
) -> Response {
    let representation = Representation::new(XML, body, PAGE_MAX_AGE);
    match lastmod {
        Some(at) => representation.modified(at),
        None => representation,
    }
    .respond_cached(headers, depends_on)
}
