//! robots.txt and sitemaps: an index, a urlset of the home, column and outlet pages, and
//! article shards by id range. Only pages whose outlet lets our copy be indexed appear.

use super::cache::DependsOn;
use super::error::ErrorBody;
use super::params::{self, Number, Params};
use super::representation::described::{self, Conditional, Dated, Document};
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
use std::collections::BTreeMap;
use utoipa::openapi::path::{Parameter, ParameterIn};
use utoipa::openapi::{RefOr, Response as Answer};
use utoipa::{IntoParams, IntoResponses};

const XML: &str = "application/xml; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

/// This area's operations, for the OpenAPI description (`http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(robots_txt, sitemap_index, news_sitemap, sitemap_pages, sitemap_shard, news_sitemap_page))]
pub(super) struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/robots.txt", get(robots_txt))
        .route("/sitemap.xml", get(sitemap_index))
        .route("/sitemap-news.xml", get(news_sitemap))
        .route("/sitemaps/{file}", get(sitemap_file))
}

/// robots.txt
///
/// Disallows `/api/` and names the sitemap index and the News sitemap.
#[utoipa::path(get, path = "/robots.txt", tag = "crawling", params(Conditional), responses(RobotsAnswers))]
async fn robots_txt(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let body = format!(
        "User-agent: *\nDisallow: /api/\n\nSitemap: {}\nSitemap: {}\n",
        state.site.sitemap_index_url(),
        state.site.news_sitemap_url()
    );
    Representation::new(TEXT, body, PAGE_MAX_AGE).respond_cached(&headers, DependsOn::nothing())
}

/// Sitemap index
///
/// A sitemap index of `/sitemaps/pages.xml` and the article shards
/// `/sitemaps/articles-{n}.xml`. Only articles whose outlet's indexing policy is `self`
/// are listed.
#[utoipa::path(
    get,
    path = "/sitemap.xml",
    tag = "crawling",
    params(Conditional),
    responses(
        SitemapAnswers,
        (status = 500, description = INTERNAL, body = ErrorBody),
    ),
)]
async fn sitemap_index(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let entries = assembler(&state).sitemap_index().await?;
    let lastmod = entries.iter().filter_map(|e| e.lastmod).max();
    Ok(xml(sitemap::index(&entries), lastmod, &headers, DependsOn::any_article()))
}

/// The documents under `/sitemaps/`: `pages.xml`, `articles-N.xml` and `news-N.xml`.
async fn sitemap_file(
    State(state): State<AppState>,
    file: Result<Params<String>, ApiError>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let file = params::public(file, || ApiError::NotFound("sitemap"))?;
    // `news-N.xml` and `articles-N.xml`, N as the index writes it.
    let numbered = |prefix: &str| file.strip_prefix(prefix)?.strip_suffix(".xml").and_then(Number::parse);
    if let Some(n) = numbered("news-") {
        return news_sitemap_page(&state, n, &headers).await;
    }
    if file == "pages.xml" {
        return sitemap_pages(&state, &headers).await;
    }
    let n = numbered("articles-").ok_or(ApiError::NotFound("sitemap"))?;
    sitemap_shard(&state, n, &headers).await
}

/// Sitemap of the home, column and outlet pages
///
/// A urlset of the home page, every column page and the page of every outlet with public
/// articles (but those whose agreement says `noindex`), each dated by the latest change
/// it shows.
#[utoipa::path(
    get,
    path = "/sitemaps/pages.xml",
    tag = "crawling",
    params(Conditional),
    responses(
        SitemapAnswers,
        (status = 500, description = INTERNAL, body = ErrorBody),
    ),
)]
async fn sitemap_pages(state: &AppState, headers: &HeaderMap) -> Result<Response, ApiError> {
    let pages = assembler(state).sitemap_pages().await?;
    let lastmod = pages.iter().filter_map(|p| p.lastmod).max();
    Ok(xml(sitemap::urlset(&pages), lastmod, headers, DependsOn::any_article()))
}

/// Article sitemap shard
///
/// A urlset of the indexable articles in a fixed range of ids (at most 50,000 URLs and
/// 10 MB), `lastmod` each article's last change; its URL and content stay stable.
#[utoipa::path(
    get,
    path = "/sitemaps/articles-{n}.xml",
    tag = "crawling",
    params(ShardNumber, Conditional),
    responses(
        ShardAnswers,
        (
            status = 404,
            description = "No such shard, or no indexable article in it (`sitemap not found`).",
            body = ErrorBody
        ),
        (status = 500, description = INTERNAL, body = ErrorBody),
    ),
)]
async fn sitemap_shard(state: &AppState, n: Number, headers: &HeaderMap) -> Result<Response, ApiError> {
    let index = n.get();
    let span = sitemap::shard_span(&state.site.base_url);
    let ids = sitemap::shard_ids(index, span).ok_or(ApiError::NotFound("sitemap"))?;
    let (body, lastmod) = assembler(state).sitemap_shard(index).await?.ok_or(ApiError::NotFound("sitemap"))?;
    let depends_on = DependsOn { article_range: Some((ids.start, ids.end)), ..DependsOn::default() };
    Ok(xml(body, Some(lastmod), headers, depends_on))
}

/// Google News sitemap page
///
/// One page of 1,000 News sitemap entries; pages exist only when `/sitemap-news.xml` is
/// an index (more than 1,000 entries).
#[utoipa::path(
    get,
    path = "/sitemaps/news-{n}.xml",
    tag = "crawling",
    params(NewsPageNumber, Conditional),
    responses(
        SitemapAnswers,
        (
            status = 404,
            description = "No such page, or the News sitemap has a single page (`sitemap not found`).",
            body = ErrorBody
        ),
        (status = 500, description = INTERNAL, body = ErrorBody),
    ),
)]
async fn news_sitemap_page(state: &AppState, n: Number, headers: &HeaderMap) -> Result<Response, ApiError> {
    let pages = assembler(state).news_pages().await?;
    let entries = usize::try_from(n.get())
        .ok()
        .and_then(|page| pages.get(page))
        .filter(|_| pages.len() > 1)
        .ok_or(ApiError::NotFound("sitemap"))?;
    Ok(news_document(state, entries, headers))
}

fn assembler(state: &AppState) -> Assembler<'_> {
    state.operations.assembler()
}

/// Google News sitemap
///
/// The indexable articles reposted in the last 48 hours (`news:publication_date` the
/// repost time); beyond 1,000 it becomes a sitemap index of `/sitemaps/news-{n}.xml`
/// pages of 1,000.
#[utoipa::path(
    get,
    path = "/sitemap-news.xml",
    tag = "crawling",
    params(Conditional),
    responses(
        SitemapAnswers,
        (status = 500, description = INTERNAL, body = ErrorBody),
    ),
)]
async fn news_sitemap(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let pages = assembler(&state).news_pages().await?;
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

// What the OpenAPI description says of these routes.

const INTERNAL: &str = "An internal error (logged, never described to the client).";

/// 200 with a sitemap or sitemap index, or 304.
struct SitemapAnswers;

impl IntoResponses for SitemapAnswers {
    fn responses() -> BTreeMap<String, RefOr<Answer>> {
        Document::text(XML, "The XML document.", PAGE_MAX_AGE).dated(Dated::WhenItListsADate).answers()
    }
}

/// 200 with an article shard, or 304.
struct ShardAnswers;

impl IntoResponses for ShardAnswers {
    fn responses() -> BTreeMap<String, RefOr<Answer>> {
        Document::text(XML, "The XML document.", PAGE_MAX_AGE).answers()
    }
}

/// 200 with robots.txt, or 304.
struct RobotsAnswers;

impl IntoResponses for RobotsAnswers {
    fn responses() -> BTreeMap<String, RefOr<Answer>> {
        Document::text(TEXT, "robots.txt.", PAGE_MAX_AGE).dated(Dated::Never).answers()
    }
}

/// `{n}` of an article shard.
struct ShardNumber;

impl IntoParams for ShardNumber {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![described::number("n", "Shard index: a fixed range of article ids.", 0)]
    }
}

/// `{n}` of a News sitemap page.
struct NewsPageNumber;

impl IntoParams for NewsPageNumber {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![described::number("n", "Page of the News sitemap, 0 being the newest.", 0)]
    }
}
