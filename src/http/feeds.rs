//! Feeds: RSS, Atom and JSON Feed for the site, each column (with its sub-columns) and
//! each outlet, and the RFC 5005 archives of column feeds.
//!
//! A column's or outlet's feeds share one route (`/columns/{slug}/{file}`), so that
//! requests are counted by route as one; each document it serves is one operation of
//! the OpenAPI description, with a handler of its own.

use super::cache::DependsOn;
use super::error::ErrorBody;
use super::params::{self, Number, Params};
use super::representation::described::{self, ColumnSlug, Conditional, Document, OutletSlug};
use super::representation::{Representation, ARCHIVE_MAX_AGE, FEED_MAX_AGE};
use super::{error::ApiError, AppState};
use crate::assemble::Audience;
use crate::publish::jsonfeed::JsonFeed;
use crate::publish::{FeedFormat, FeedKind};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use std::collections::BTreeMap;
use utoipa::openapi::path::{Parameter, ParameterIn};
use utoipa::openapi::{RefOr, Response as Answer};
use utoipa::{IntoParams, IntoResponses};

/// This area's operations, for the OpenAPI description (`http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        site_rss,
        site_atom,
        site_json_feed,
        column_rss,
        column_atom,
        column_json_feed,
        outlet_rss,
        outlet_atom,
        outlet_json_feed,
        column_archive_rss,
        column_archive_atom,
    ),
    components(schemas(JsonFeed))
)]
pub(super) struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/rss.xml", get(site_rss))
        .route("/atom.xml", get(site_atom))
        .route("/feed.json", get(site_json_feed))
        .route("/columns/{slug}/{file}", get(column_feed))
        .route("/columns/{slug}/archive/{page}/{file}", get(column_archive))
        .route("/outlets/{slug}/{file}", get(outlet_feed))
}

/// RSS 2.0 feed of the whole site
///
/// The newest articles by repost time (50 by default, `feed_items`), each with its
/// original link, original and repost times and attribution (syndic extension namespace
/// `urn:syndic:1`). Articles of outlets whose `feed_content` is `summary` carry only
/// their summary.
#[utoipa::path(
    get,
    path = "/rss.xml",
    tag = "feeds",
    params(Conditional),
    responses(
        RssAnswers,
        (status = 500, description = INTERNAL, body = ErrorBody),
    ),
)]
async fn site_rss(state: State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    respond(state, headers, FeedKind::Site, FeedFormat::Rss, None).await
}

/// Atom 1.0 feed of the whole site
///
/// The newest articles by repost time (50 by default, `feed_items`), each with its
/// original link, original and repost times and attribution (syndic extension namespace
/// `urn:syndic:1`). Articles of outlets whose `feed_content` is `summary` carry only
/// their summary.
#[utoipa::path(
    get,
    path = "/atom.xml",
    tag = "feeds",
    params(Conditional),
    responses(
        AtomAnswers,
        (status = 500, description = INTERNAL, body = ErrorBody),
    ),
)]
async fn site_atom(state: State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    respond(state, headers, FeedKind::Site, FeedFormat::Atom, None).await
}

/// JSON Feed 1.1 feed of the whole site
///
/// The newest articles by repost time (50 by default, `feed_items`), each with its
/// original link, original and repost times and attribution (the `_syndic` object).
/// Articles of outlets whose `feed_content` is `summary` carry only their summary.
#[utoipa::path(
    get,
    path = "/feed.json",
    tag = "feeds",
    params(Conditional),
    responses(
        JsonFeedAnswers,
        (status = 500, description = INTERNAL, body = ErrorBody),
    ),
)]
async fn site_json_feed(state: State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    respond(state, headers, FeedKind::Site, FeedFormat::Json, None).await
}

/// The feeds of a column: `/columns/{slug}/rss.xml`, `atom.xml` or `feed.json`.
async fn column_feed(
    state: State<AppState>,
    path: Result<Params<(String, String)>, ApiError>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (slug, file) = params::public(path, || ApiError::NotFound("feed"))?;
    match format_of(&file)? {
        FeedFormat::Rss => column_rss(state, headers, slug).await,
        FeedFormat::Atom => column_atom(state, headers, slug).await,
        FeedFormat::Json => column_json_feed(state, headers, slug).await,
    }
}

/// RSS 2.0 feed of a column (sub-columns included)
///
/// Its newest articles, each with its original link, original and repost times and
/// attribution (syndic extension namespace `urn:syndic:1`). Articles of outlets whose
/// `feed_content` is `summary` carry only their summary.
///
/// This is the column's RFC 5005 subscription feed: once the column has complete
/// archive pages, it holds the articles after the last archived page and links to that
/// page with `rel="prev-archive"` (see `/columns/{slug}/archive/{page}/rss.xml`).
#[utoipa::path(
    get,
    path = "/columns/{slug}/rss.xml",
    tag = "feeds",
    params(ColumnSlug, Conditional),
    responses(
        RssAnswers,
        (status = 404, description = NO_COLUMN, content((ErrorBody = "application/json"), (String = HTML))),
        (status = 500, description = INTERNAL, body = ErrorBody),
    ),
)]
async fn column_rss(state: State<AppState>, headers: HeaderMap, slug: String) -> Result<Response, ApiError> {
    respond(state, headers, FeedKind::Column(slug), FeedFormat::Rss, None).await
}

/// Atom 1.0 feed of a column (sub-columns included)
///
/// Its newest articles, each with its original link, original and repost times and
/// attribution (syndic extension namespace `urn:syndic:1`). Articles of outlets whose
/// `feed_content` is `summary` carry only their summary.
///
/// This is the column's RFC 5005 subscription feed: once the column has complete
/// archive pages, it holds the articles after the last archived page and links to that
/// page with `rel="prev-archive"` (see `/columns/{slug}/archive/{page}/atom.xml`).
#[utoipa::path(
    get,
    path = "/columns/{slug}/atom.xml",
    tag = "feeds",
    params(ColumnSlug, Conditional),
    responses(
        AtomAnswers,
        (status = 404, description = NO_COLUMN, content((ErrorBody = "application/json"), (String = HTML))),
        (status = 500, description = INTERNAL, body = ErrorBody),
    ),
)]
async fn column_atom(state: State<AppState>, headers: HeaderMap, slug: String) -> Result<Response, ApiError> {
    respond(state, headers, FeedKind::Column(slug), FeedFormat::Atom, None).await
}

/// JSON Feed 1.1 feed of a column (sub-columns included)
///
/// Its newest articles, each with its original link, original and repost times and
/// attribution (the `_syndic` object). Articles of outlets whose `feed_content` is
/// `summary` carry only their summary. (Archives exist in RSS and Atom only.)
#[utoipa::path(
    get,
    path = "/columns/{slug}/feed.json",
    tag = "feeds",
    params(ColumnSlug, Conditional),
    responses(
        JsonFeedAnswers,
        (status = 404, description = NO_COLUMN, content((ErrorBody = "application/json"), (String = HTML))),
        (status = 500, description = INTERNAL, body = ErrorBody),
    ),
)]
async fn column_json_feed(state: State<AppState>, headers: HeaderMap, slug: String) -> Result<Response, ApiError> {
    respond(state, headers, FeedKind::Column(slug), FeedFormat::Json, None).await
}

/// The feeds of an outlet: `/outlets/{slug}/rss.xml`, `atom.xml` or `feed.json`.
async fn outlet_feed(
    state: State<AppState>,
    path: Result<Params<(String, String)>, ApiError>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (slug, file) = params::public(path, || ApiError::NotFound("feed"))?;
    match format_of(&file)? {
        FeedFormat::Rss => outlet_rss(state, headers, slug).await,
        FeedFormat::Atom => outlet_atom(state, headers, slug).await,
        FeedFormat::Json => outlet_json_feed(state, headers, slug).await,
    }
}

/// RSS 2.0 feed of an outlet
///
/// The outlet's newest articles by repost time (50 by default, `feed_items`), each with
/// its original link, original and repost times and attribution (syndic extension
/// namespace `urn:syndic:1`). If the outlet's `feed_content` is `summary`, they carry
/// only their summary.
#[utoipa::path(
    get,
    path = "/outlets/{slug}/rss.xml",
    tag = "feeds",
    params(OutletSlug, Conditional),
    responses(
        RssAnswers,
        (status = 404, description = NO_OUTLET, content((ErrorBody = "application/json"), (String = HTML))),
        (status = 500, description = INTERNAL, body = ErrorBody),
    ),
)]
async fn outlet_rss(state: State<AppState>, headers: HeaderMap, slug: String) -> Result<Response, ApiError> {
    respond(state, headers, FeedKind::Outlet(slug), FeedFormat::Rss, None).await
}

/// Atom 1.0 feed of an outlet
///
/// The outlet's newest articles by repost time (50 by default, `feed_items`), each with
/// its original link, original and repost times and attribution (syndic extension
/// namespace `urn:syndic:1`). If the outlet's `feed_content` is `summary`, they carry
/// only their summary.
#[utoipa::path(
    get,
    path = "/outlets/{slug}/atom.xml",
    tag = "feeds",
    params(OutletSlug, Conditional),
    responses(
        AtomAnswers,
        (status = 404, description = NO_OUTLET, content((ErrorBody = "application/json"), (String = HTML))),
        (status = 500, description = INTERNAL, body = ErrorBody),
    ),
)]
async fn outlet_atom(state: State<AppState>, headers: HeaderMap, slug: String) -> Result<Response, ApiError> {
    respond(state, headers, FeedKind::Outlet(slug), FeedFormat::Atom, None).await
}

/// JSON Feed 1.1 feed of an outlet
///
/// The outlet's newest articles by repost time (50 by default, `feed_items`), each with
/// its original link, original and repost times and attribution (the `_syndic` object).
/// If the outlet's `feed_content` is `summary`, they carry only their summary.
#[utoipa::path(
    get,
    path = "/outlets/{slug}/feed.json",
    tag = "feeds",
    params(OutletSlug, Conditional),
    responses(
        JsonFeedAnswers,
        (status = 404, description = NO_OUTLET, content((ErrorBody = "application/json"), (String = HTML))),
        (status = 500, description = INTERNAL, body = ErrorBody),
    ),
)]
async fn outlet_json_feed(state: State<AppState>, headers: HeaderMap, slug: String) -> Result<Response, ApiError> {
    respond(state, headers, FeedKind::Outlet(slug), FeedFormat::Json, None).await
}

/// A column's archive documents: `/columns/{slug}/archive/{page}/rss.xml` or `atom.xml`.
async fn column_archive(
    state: State<AppState>,
    path: Result<Params<(String, Number, String)>, ApiError>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (slug, page, file) = params::public(path, || ApiError::NotFound("archive"))?;
    match format_of(&file) {
        Ok(FeedFormat::Rss) => column_archive_rss(state, headers, slug, page).await,
        Ok(FeedFormat::Atom) => column_archive_atom(state, headers, slug, page).await,
        Ok(FeedFormat::Json) | Err(_) => Err(ApiError::NotFound("archive")),
    }
}

/// RFC 5005 archive page of a column, as RSS 2.0
///
/// A complete page of the column's older articles (sub-columns included), in the order
/// they became public; page 0 is the oldest. Only complete pages exist, and a page keeps
/// its members: it changes only when one of them is corrected or withdrawn (withdrawn
/// ones are left out). Linked from the subscription feed and from each other with
/// `prev-archive`, `next-archive` and `current`.
#[utoipa::path(
    get,
    path = "/columns/{slug}/archive/{page}/rss.xml",
    tag = "feeds",
    params(ColumnSlug, ArchivePage, Conditional),
    responses(
        RssArchiveAnswers,
        (status = 404, description = NO_ARCHIVE, content((ErrorBody = "application/json"), (String = HTML))),
        (status = 500, description = INTERNAL, body = ErrorBody),
    ),
)]
async fn column_archive_rss(
    state: State<AppState>,
    headers: HeaderMap,
    slug: String,
    page: Number,
) -> Result<Response, ApiError> {
    respond(state, headers, FeedKind::Column(slug), FeedFormat::Rss, Some(page.get())).await
}

/// RFC 5005 archive page of a column, as Atom 1.0
///
/// A complete page of the column's older articles (sub-columns included), in the order
/// they became public; page 0 is the oldest. Only complete pages exist, and a page keeps
/// its members: it changes only when one of them is corrected or withdrawn (withdrawn
/// ones are left out). Linked from the subscription feed and from each other with
/// `prev-archive`, `next-archive` and `current`.
#[utoipa::path(
    get,
    path = "/columns/{slug}/archive/{page}/atom.xml",
    tag = "feeds",
    params(ColumnSlug, ArchivePage, Conditional),
    responses(
        AtomArchiveAnswers,
        (status = 404, description = NO_ARCHIVE, content((ErrorBody = "application/json"), (String = HTML))),
        (status = 500, description = INTERNAL, body = ErrorBody),
    ),
)]
async fn column_archive_atom(
    state: State<AppState>,
    headers: HeaderMap,
    slug: String,
    page: Number,
) -> Result<Response, ApiError> {
    respond(state, headers, FeedKind::Column(slug), FeedFormat::Atom, Some(page.get())).await
}

fn format_of(file: &str) -> Result<FeedFormat, ApiError> {
    FeedFormat::ALL.into_iter().find(|f| f.file_name() == file).ok_or(ApiError::NotFound("feed"))
}

async fn respond(
    State(state): State<AppState>,
    headers: HeaderMap,
    kind: FeedKind,
    format: FeedFormat,
    archive_page: Option<i64>,
) -> Result<Response, ApiError> {
    let assembler = state.operations.assembler();
    let document = assembler
        .feed(&kind, format, archive_page, Audience::Public)
        .await?
        .ok_or(ApiError::NotFound(if archive_page.is_some() { "archive" } else { "feed" }))?;
    // Archive documents change only when one of their articles is corrected or withdrawn.
    let max_age = if archive_page.is_some() { ARCHIVE_MAX_AGE } else { FEED_MAX_AGE };
    Ok(Representation::new(document.content_type, document.body, max_age)
        .modified(document.updated)
        .cross_origin()
        .respond_cached(&headers, DependsOn::listing(&document.scope, document.article_ids)))
}

// What the OpenAPI description says of these routes.

const HTML: &str = "text/html; charset=utf-8";
const INTERNAL: &str = "An internal error (logged, never described to the client).";
const NO_COLUMN: &str = "No such column (`feed not found`). An address that no route has (an empty segment) \
                         gets the site's HTML 404 page.";
const NO_OUTLET: &str = "No such outlet (`feed not found`). An address that no route has (an empty segment) \
                         gets the site's HTML 404 page.";
const NO_ARCHIVE: &str = "No such column, or no complete archive page of that number (`archive not found`). An \
                          address that no route has (an empty segment) gets the site's HTML 404 page.";

/// `{page}` of an archive document.
struct ArchivePage;

impl IntoParams for ArchivePage {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![described::number("page", "Archive page number, 0 being the oldest.", 0)]
    }
}

/// 200 with a feed document, or 304.
fn feed_answers(format: FeedFormat, what: &'static str, max_age: u32) -> BTreeMap<String, RefOr<Answer>> {
    let document = match format {
        FeedFormat::Json => Document::json::<JsonFeed>(format.content_type(), what, max_age),
        FeedFormat::Rss | FeedFormat::Atom => Document::text(format.content_type(), what, max_age),
    };
    document.cross_origin().answers()
}

struct RssAnswers;

impl IntoResponses for RssAnswers {
    fn responses() -> BTreeMap<String, RefOr<Answer>> {
        feed_answers(FeedFormat::Rss, "The RSS 2.0 document.", FEED_MAX_AGE)
    }
}

struct AtomAnswers;

impl IntoResponses for AtomAnswers {
    fn responses() -> BTreeMap<String, RefOr<Answer>> {
        feed_answers(FeedFormat::Atom, "The Atom 1.0 document.", FEED_MAX_AGE)
    }
}

struct JsonFeedAnswers;

impl IntoResponses for JsonFeedAnswers {
    fn responses() -> BTreeMap<String, RefOr<Answer>> {
        feed_answers(FeedFormat::Json, "The JSON Feed 1.1 document.", FEED_MAX_AGE)
    }
}

struct RssArchiveAnswers;

impl IntoResponses for RssArchiveAnswers {
    fn responses() -> BTreeMap<String, RefOr<Answer>> {
        feed_answers(FeedFormat::Rss, "The RSS 2.0 archive document (`<fh:archive/>`).", ARCHIVE_MAX_AGE)
    }
}

struct AtomArchiveAnswers;

impl IntoResponses for AtomArchiveAnswers {
    fn responses() -> BTreeMap<String, RefOr<Answer>> {
        feed_answers(FeedFormat::Atom, "The Atom 1.0 archive document (`<fh:archive/>`).", ARCHIVE_MAX_AGE)
    }
}
