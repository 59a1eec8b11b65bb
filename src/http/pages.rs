//! HTML pages: home, column, outlet and article pages, and the HTML 404.

use super::cache::DependsOn;
use super::error::ErrorBody;
use super::params::{self, Number, Params, PAGE_PARAMETER};
use super::representation::described::{self, ColumnSlug, Conditional, Document, OutletSlug};
use super::representation::{page_headers, Representation, PAGE_MAX_AGE};
use super::{error::ApiError, AppState};
use crate::assemble::{ArticleAnswer, Listed, PageDocument};
use crate::domain::Withdrawer;
use crate::publish::html::{self, ARTICLES_PER_PAGE};
use crate::store::StoreError;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::collections::BTreeMap;
use utoipa::openapi::path::{Parameter, ParameterIn};
use utoipa::openapi::{RefOr, Response as Answer};
use utoipa::{IntoParams, IntoResponses};

/// This area's operations, for the OpenAPI description (`http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(home_page, column_page, outlet_page, article_page))]
pub(super) struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home_page))
        .route("/columns/{slug}", get(column_page))
        .route("/outlets/{slug}", get(outlet_page))
        .route("/articles/{id}", get(article_page))
        .fallback(not_found)
}

/// What a page handler can fail with: a missing page gets the HTML 404, anything
/// else the API error.
enum PageError {
    NotFound,
    /// A withdrawn article: 410, so that crawlers drop it, saying who withdrew it.
    Gone(Option<Withdrawer>),
    Api(ApiError),
}

impl From<ApiError> for PageError {
    fn from(error: ApiError) -> Self {
        PageError::Api(error)
    }
}

impl From<StoreError> for PageError {
    fn from(error: StoreError) -> Self {
        match ApiError::from(error) {
            ApiError::NotFound(_) => PageError::NotFound,
            other => PageError::Api(other),
        }
    }
}

/// Home page
///
/// The column tree and the latest articles, 20 a page, with links to the site's feeds.
#[utoipa::path(
    get,
    path = "/",
    tag = "pages",
    params(ListingPage, Conditional),
    responses(
        PageAnswers,
        (status = 404, description = NO_LISTING, body = String, content_type = HTML),
        (status = 500, description = INTERNAL, body = ErrorBody),
    ),
)]
async fn home_page(State(state): State<AppState>, RawQuery(query): RawQuery, headers: HeaderMap) -> Response {
    let result = listing_page(&state, Listed::Site, query.as_deref(), &headers).await;
    finish(&state, result).await
}

/// Column page
///
/// A column's articles (sub-columns included), newest first, 20 a page, with links to
/// its feeds.
#[utoipa::path(
    get,
    path = "/columns/{slug}",
    tag = "pages",
    params(ColumnSlug, ListingPage, Conditional),
    responses(
        PageAnswers,
        (status = 404, description = NO_LISTING, body = String, content_type = HTML),
        (status = 500, description = INTERNAL, body = ErrorBody),
    ),
)]
async fn column_page(
    State(state): State<AppState>,
    slug: Result<Params<String>, ApiError>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let result: Result<Response, PageError> = async {
        let slug = params::public(slug, || PageError::NotFound)?;
        listing_page(&state, Listed::Column(&slug), query.as_deref(), &headers).await
    }
    .await;
    finish(&state, result).await
}

/// Outlet page
///
/// An outlet's articles, newest first, 20 a page, with links to its feeds.
#[utoipa::path(
    get,
    path = "/outlets/{slug}",
    tag = "pages",
    params(OutletSlug, ListingPage, Conditional),
    responses(
        PageAnswers,
        (status = 404, description = NO_LISTING, body = String, content_type = HTML),
        (status = 500, description = INTERNAL, body = ErrorBody),
    ),
)]
async fn outlet_page(
    State(state): State<AppState>,
    slug: Result<Params<String>, ApiError>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let result: Result<Response, PageError> = async {
        let slug = params::public(slug, || PageError::NotFound)?;
        listing_page(&state, Listed::Outlet(&slug), query.as_deref(), &headers).await
    }
    .await;
    finish(&state, result).await
}

/// Article page
///
/// An article's page, with attribution, original link, Open Graph tags and schema.org
/// `NewsArticle` JSON-LD; `rel=canonical` or robots `noindex` according to the outlet's
/// indexing policy. Quarantined and embargoed articles are not found.
#[utoipa::path(
    get,
    path = "/articles/{id}",
    tag = "pages",
    params(ArticleId, Conditional),
    responses(
        PageAnswers,
        (status = 404, description = "No such article: the site's HTML 404 page.", body = String, content_type = HTML),
        (
            status = 410,
            description = "The article was withdrawn (or has expired): an HTML page saying so, and by whom (its outlet or this site), so that crawlers drop it.",
            body = String,
            content_type = HTML
        ),
        (status = 500, description = INTERNAL, body = ErrorBody),
    ),
)]
async fn article_page(
    State(state): State<AppState>,
    id: Result<Params<Number>, ApiError>,
    headers: HeaderMap,
) -> Response {
    let result: Result<Response, PageError> = async {
        let id = params::public(id, || PageError::NotFound)?.get();
        match state.operations.assembler().article_page(id).await? {
            ArticleAnswer::Page(document) => {
                let depends_on = DependsOn { articles: document.article_ids, ..DependsOn::default() };
                Ok(respond(document.page, 1, document.modified, &headers, depends_on))
            }
            ArticleAnswer::Withdrawn(by) => Err(PageError::Gone(by)),
            ArticleAnswer::Missing => Err(PageError::NotFound),
        }
    }
    .await;
    finish(&state, result).await
}

/// Unknown paths: JSON under `/api/`, where clients expect it, the HTML 404 elsewhere.
async fn not_found(State(state): State<AppState>, uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return ApiError::NotFound("endpoint").into_response();
    }
    finish(&state, Err(PageError::NotFound)).await
}

/// A listing's page `?page=N` (the home page's, a column's or an outlet's); pages past
/// the last one do not exist.
async fn listing_page(
    state: &AppState,
    listed: Listed<'_>,
    query: Option<&str>,
    headers: &HeaderMap,
) -> Result<Response, PageError> {
    let page_number = page_number(query)?;
    let (document, scope) =
        state.operations.assembler().listing_page(listed, page_number).await?.ok_or(PageError::NotFound)?;
    let PageDocument { page, modified, article_ids } = document;
    Ok(respond(page, page_number, modified, headers, DependsOn::listing(&scope, article_ids)))
}

/// `?page=N` for the pages after the first, N written as the pager writes it; anything
/// else in the query is ignored. Page 1 is the listing's own address, without `?page=1`;
/// any other value is a 404.
fn page_number(query: Option<&str>) -> Result<i64, PageError> {
    match query.and_then(|query| params::raw_query_value(query, PAGE_PARAMETER)) {
        None => Ok(1),
        Some(raw) => Number::parse(raw).map(Number::get).filter(|n| *n >= 2).ok_or(PageError::NotFound),
    }
}

/// The answer with `page`, page `listing_page` of its listing (1 for any other page).
fn respond(
    page: html::Page,
    listing_page: i64,
    modified: chrono::DateTime<chrono::Utc>,
    headers: &HeaderMap,
    depends_on: DependsOn,
) -> Response {
    Representation::page(page, PAGE_MAX_AGE)
        .listing_page(listing_page)
        .modified(modified)
        .respond_cached(headers, depends_on)
}

/// A page that is not kept (a 404 or 410), with the headers of every page.
fn notice(status: StatusCode, page: html::Page) -> Response {
    (status, page_headers(&page), Html(page.html)).into_response()
}

/// Turns a page failure into the HTML 404 or the error response.
async fn finish(state: &AppState, result: Result<Response, PageError>) -> Response {
    match result {
        Ok(response) => response,
        Err(PageError::Api(error)) => error.into_response(),
        Err(PageError::NotFound) => notice(StatusCode::NOT_FOUND, state.operations.assembler().not_found_page().await),
        Err(PageError::Gone(by)) => notice(StatusCode::GONE, state.operations.assembler().withdrawn_page(by).await),
    }
}

// What the OpenAPI description says of these routes.

const HTML: &str = "text/html; charset=utf-8";
const INTERNAL: &str = "An internal error (logged, never described to the client).";
const NO_LISTING: &str = "No such listing, or no such page of it: the site's HTML 404 page.";

/// 200 with a page, or 304.
struct PageAnswers;

impl IntoResponses for PageAnswers {
    fn responses() -> BTreeMap<String, RefOr<Answer>> {
        Document::page("The HTML page.", PAGE_MAX_AGE).answers()
    }
}

/// `{id}` of an article page.
struct ArticleId;

impl IntoParams for ArticleId {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![described::number("id", "An article's id.", 1)]
    }
}

/// `?page=N` of a listing.
struct ListingPage;

impl IntoParams for ListingPage {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![described::listing_page(
            PAGE_PARAMETER,
            &format!(
                "A page of the listing after the first ({ARTICLES_PER_PAGE} articles a page), as the pager writes \
                 it; the first page is the listing's own address, without `{PAGE_PARAMETER}`. Any other value, \
                 or a page past the last, is the HTML 404. Other query parameters are ignored."
            ),
        )]
    }
}
