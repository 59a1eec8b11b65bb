//! Search: `GET /api/v1/search`, full-text search of public articles for partners and
//! the admin, a partner within its columns (a query that cannot be read is a 400 naming
//! `q`); the public search page `GET /search`, which says so in the site's language; and
//! `/opensearch.xml`, which every page links to.

use super::auth::Reader;
use super::error::ErrorBody;
use super::openapi::{cursor_schema, page_size_schema};
use super::representation::page_headers;
use super::{error::ApiError, AppState};
use crate::catalog::fields;
use crate::domain::FieldErrors;
use crate::operations::{Audience, PageQuery, SearchHit, SearchRequest};
use crate::publish::{opensearch, rfc3339, Site};
use crate::search::{Filters, Order, SearchQuery, MAX_RESULTS};
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Serialize;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

/// Results per page unless `limit` says otherwise, and the most it may say.
pub const DEFAULT_RESULTS: usize = 20;
pub const MAX_RESULTS_PER_PAGE: usize = 50;

#[derive(utoipa::OpenApi)]
#[openapi(paths(search, search_page, opensearch), components(schemas(SearchCursor, SearchPageSize, SearchSort)))]
pub(super) struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/search", get(search))
        .route("/search", get(search_page))
        .route("/opensearch.xml", get(opensearch))
}

const HTML: &str = "text/html; charset=utf-8";

/// Search page
///
/// The site's search: the articles matching `q` (as in `GET /api/v1/search`), 20 a
/// page, each with its outlet, repost time and a snippet with what matched marked; kept
/// out of search engines (`noindex`). Without `q`, the search box alone.
#[utoipa::path(
    get,
    path = "/search",
    tag = "pages",
    params(
        ("q" = Option<String>, Query, max_length = 200, description = "What to search for."),
        ("column" = Option<fields::Slug>, Query, description = "Only articles in this column or its sub-columns."),
        ("page" = Option<i64>, Query, minimum = 1, description = "A page of the results after the first."),
        ("sort" = Option<String>, Query, description = "`date` for newest first; anything else: best match first."),
    ),
    responses(
        (status = 200, description = "The search page.", body = String, content_type = HTML),
        (status = 400, description = "The search page, saying the query cannot be read and what to type instead.",
            body = String, content_type = HTML),
        (status = 404, description = "No column has the slug given, or no such page of the results: the site's \
            HTML 404 page.", body = String, content_type = HTML),
        (status = 503, description = "This instance's search index cannot be opened.", body = ErrorBody),
    ),
)]
async fn search_page(State(state): State<AppState>, RawQuery(query): RawQuery) -> Result<Response, ApiError> {
    let params: Vec<(String, String)> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()).into_owned().collect();
    let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned());
    let page = match param("page") {
        None => Some(1),
        Some(raw) => raw.parse::<i64>().ok().filter(|n| *n >= 1),
    };
    let asked = page.map(|page| PageQuery {
        text: param("q").unwrap_or_default(),
        column: param("column"),
        page,
        newest_first: param("sort").as_deref() == Some("date"),
    });
    let answer = match asked {
        Some(asked) => state.operations.search_page(&asked).await?,
        None => None,
    };
    let (status, page) = match answer {
        Some((page, false)) => (StatusCode::OK, page),
        Some((page, true)) => (StatusCode::BAD_REQUEST, page),
        None => (StatusCode::NOT_FOUND, state.operations.assembler().not_found_page().await),
    };
    let mut headers = page_headers(&page);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok((status, headers, Html(page.html)).into_response())
}

/// OpenSearch description
///
/// The OpenSearch 1.1 description of the site's search, linked from every page, from
/// which browsers offer it.
#[utoipa::path(
    get,
    path = "/opensearch.xml",
    tag = "pages",
    responses((status = 200, description = "The description.", body = String,
        content_type = "application/opensearchdescription+xml")),
)]
async fn opensearch(State(state): State<AppState>) -> Response {
    let headers = [(header::CONTENT_TYPE, opensearch::MEDIA_TYPE), (header::CACHE_CONTROL, "max-age=86400")];
    (headers, opensearch::description(&state.site)).into_response()
}

/// Search articles
///
/// Public articles matching `q`, best match first (the newer first among equals), or
/// newest first with `sort=date`. In `q`, several words must all match, `"a quoted
/// phrase"` matches as written, `-word` excludes, and `OR` between two words accepts
/// either. Chinese is matched by characters, so names no dictionary knows are found;
/// English words match their other forms (`villages` finds `village`). Withdrawn,
/// embargoed, held and pending articles are never found. A partner token searches the
/// partner's columns, and gets snippets from what the outlet lets partners carry; the
/// admin token searches every column.
#[utoipa::path(
    get,
    path = "/api/v1/search",
    tag = "partner-api",
    security(("partner" = []), ("admin" = [])),
    params(
        ("q" = String, Query, min_length = 1, max_length = 200, description = "What to search for (see above)."),
        ("column" = Option<fields::Slug>, Query, description = "Only articles in this column or its sub-columns."),
        ("outlet" = Option<fields::Slug>, Query, description = "Only this outlet's articles."),
        ("since" = Option<String>, Query, format = DateTime, description = "RFC 3339: reposted at or after."),
        ("until" = Option<String>, Query, format = DateTime, description = "RFC 3339: reposted before."),
        ("sort" = Option<SearchSort>, Query, description = "`relevance` (the default) or `date`, newest first."),
        ("cursor" = Option<SearchCursor>, Query, description = "A `next_cursor` of an earlier answer: the next page."),
        ("limit" = Option<SearchPageSize>, Query, description = "Most items in the answer."),
    ),
    responses(
        (status = 200, description = "A page of results.", body = SearchResults),
        (status = 400, description = "A `q` that cannot be read (empty, too long, an unclosed quote, a lone `OR`), \
            or a `cursor`, `limit`, `sort`, `since` or `until` that is not one (each named in `fields`).",
            body = ErrorBody),
        (status = 403, description = "`column` is not among the partner's columns.", body = ErrorBody),
        (status = 404, description = "No column or outlet has the slug given.", body = ErrorBody),
        (status = 503, description = "This instance's search index cannot be opened.", body = ErrorBody),
    ),
)]
async fn search(
    reader: Reader,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<SearchResults>, ApiError> {
    let params: Vec<(String, String)> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()).into_owned().collect();
    let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned());
    let mut errors = FieldErrors::new();
    let text = errors.check("q", param("q").ok_or_else(|| "is required: what to search for".to_owned()));
    let parsed = text.and_then(|q| errors.check("q", SearchQuery::parse(&q).map_err(|e| e.to_string())));
    let time = |name: &'static str, errors: &mut FieldErrors| {
        param(name).and_then(|t| {
            errors.check(name, chrono::DateTime::parse_from_rfc3339(&t).map_err(|e| format!("'{t}': {e}")))
        })
    };
    let since = time("since", &mut errors);
    let until = time("until", &mut errors);
    let order = match param("sort") {
        None => Some(Order::Relevance),
        Some(sort) => errors.check(
            "sort",
            SearchSort::parse(&sort).map(Order::from).ok_or_else(|| "must be relevance or date".to_owned()),
        ),
    };
    let limit = match param("limit") {
        None => Some(DEFAULT_RESULTS),
        Some(raw) => errors.check(
            "limit",
            raw.parse()
                .ok()
                .filter(|n| (1..=MAX_RESULTS_PER_PAGE).contains(n))
                .ok_or(format!("must be a whole number from 1 to {MAX_RESULTS_PER_PAGE}")),
        ),
    };
    let offset = match param("cursor") {
        None => Some(0),
        Some(cursor) => errors.check("cursor", decode_cursor(&cursor)),
    };
    let (Some(query), Some(order), Some(limit), Some(offset), true) = (parsed, order, limit, offset, errors.is_empty())
    else {
        return Err(ApiError::BadRequest { message: "invalid query parameters".into(), fields: errors });
    };
    let tree = state.operations.column_tree().await?;
    let allowed: Option<Vec<i64>> = match &reader {
        Reader::Partner(p) if !p.column_ids.is_empty() => {
            Some(p.column_ids.iter().flat_map(|id| tree.subtree_ids(*id)).collect())
        }
        _ => None,
    };
    let column_ids = match param("column") {
        Some(slug) => {
            let column = tree.by_slug(&slug).ok_or(ApiError::NotFound("column"))?;
            if allowed.as_ref().is_some_and(|ids| !ids.contains(&column.id)) {
                return Err(ApiError::Forbidden(format!("column '{slug}' is not among this partner's columns")));
            }
            Some(tree.subtree_ids(column.id))
        }
        None => allowed,
    };
    let outlet_id = match param("outlet") {
        Some(slug) => Some(state.operations.outlet(&slug).await?.id),
        None => None,
    };
    let offset = offset.min(MAX_RESULTS);
    let request = SearchRequest {
        query,
        filters: Filters {
            column_ids,
            outlet_id,
            since: since.map(|t| t.timestamp_micros()),
            until: until.map(|t| t.timestamp_micros()),
            ..Filters::default()
        },
        order,
        offset,
        limit: limit.min(MAX_RESULTS - offset),
        audience: match reader {
            Reader::Admin => Audience::Public,
            Reader::Partner(_) => Audience::Partner,
        },
    };
    let mut page = state.operations.search(&request).await?;
    page.hits.truncate(request.limit);
    let next = offset + request.limit;
    Ok(Json(SearchResults {
        items: page.hits.iter().map(|hit| item(&state.site, hit)).collect(),
        total: page.total,
        next_cursor: (next < page.total.min(MAX_RESULTS)).then(|| encode_cursor(next)),
    }))
}

/// A page of search results.
#[derive(Serialize, ToSchema)]
pub struct SearchResults {
    pub items: Vec<SearchItem>,
    /// Public articles matching, in all (results are paged no deeper than the first 1,000).
    pub total: usize,
    /// Ask again with this `cursor` for the next page; null on the last one.
    #[schema(value_type = Option<SearchCursor>)]
    pub next_cursor: Option<String>,
}

/// One article found.
#[derive(Serialize, ToSchema)]
pub struct SearchItem {
    pub id: i64,
    /// Its page on the portal.
    #[schema(format = "uri")]
    pub url: String,
    pub original_url: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub author: Option<String>,
    /// Plain text around what matched (from the content the reader may have, else the
    /// summary, else the title).
    pub snippet: String,
    /// What matched in `snippet`, as character ranges (Unicode code points).
    pub highlights: Vec<Highlight>,
    /// How well it matched: comparable within one answer only.
    pub score: f32,
    pub outlet: SearchOutlet,
    /// Its columns' slugs, primary first.
    #[schema(value_type = Vec<fields::Slug>)]
    pub columns: Vec<String>,
    #[schema(format = DateTime)]
    pub reposted_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct SearchOutlet {
    #[schema(value_type = fields::Slug)]
    pub slug: String,
    pub name: String,
}

/// A range of characters of a snippet: `start` included, `end` not.
#[derive(Serialize, ToSchema)]
pub struct Highlight {
    pub start: usize,
    pub end: usize,
}

fn item(site: &Site, hit: &SearchHit) -> SearchItem {
    let article = &hit.article;
    let text = &hit.snippet.text;
    let chars_before = |at: usize| text.get(..at).map_or(0, |t| t.chars().count());
    SearchItem {
        id: article.id,
        url: site.article_url(article.id),
        original_url: article.original_url.clone(),
        title: article.title.clone(),
        subtitle: article.subtitle.clone(),
        author: article.author.clone(),
        snippet: text.clone(),
        highlights: hit
            .snippet
            .highlights
            .iter()
            .map(|range| Highlight { start: chars_before(range.start), end: chars_before(range.end) })
            .collect(),
        score: hit.score,
        outlet: SearchOutlet { slug: article.outlet.slug.to_string(), name: article.outlet.name.clone() },
        columns: article.columns.iter().map(|c| c.slug.to_string()).collect(),
        reposted_at: rfc3339(article.reposted_at),
    }
}

/// The position of a page in the results: how many come before it, 8 bytes big-endian
/// in unpadded base64url (11 characters).
pub struct SearchCursor;

/// 10 characters of base64url, then one whose low 2 bits are zero (the 66 bits of 11
/// characters carry the 64 of 8 bytes).
const CURSOR_PATTERN: &str = "^[A-Za-z0-9_-]{10}[AEIMQUYcgkosw048]$";

impl PartialSchema for SearchCursor {
    fn schema() -> RefOr<Schema> {
        cursor_schema(CURSOR_PATTERN, "Opaque: the next page of a search, as `next_cursor` gives it.")
    }
}

impl ToSchema for SearchCursor {}

/// The `limit` of a page of search results.
pub struct SearchPageSize;

impl PartialSchema for SearchPageSize {
    fn schema() -> RefOr<Schema> {
        page_size_schema(MAX_RESULTS_PER_PAGE as i64, DEFAULT_RESULTS as i64)
    }
}

impl ToSchema for SearchPageSize {}

/// The order of search results.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum SearchSort {
    /// Best match first, the newer first among equals.
    Relevance,
    /// Newest repost first.
    Date,
}

impl SearchSort {
    fn parse(value: &str) -> Option<SearchSort> {
        match value {
            "relevance" => Some(SearchSort::Relevance),
            "date" => Some(SearchSort::Date),
            _ => None,
        }
    }
}

impl From<SearchSort> for Order {
    fn from(sort: SearchSort) -> Order {
        match sort {
            SearchSort::Relevance => Order::Relevance,
            SearchSort::Date => Order::Newest,
        }
    }
}

fn encode_cursor(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode((offset as u64).to_be_bytes())
}

/// How many results come before the page a cursor names (any beyond `MAX_RESULTS`
/// are read as `MAX_RESULTS`: an empty page).
fn decode_cursor(cursor: &str) -> Result<usize, String> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| "is not a cursor this API returned".to_owned())?;
    let bytes: [u8; 8] = bytes.try_into().map_err(|_| "is not a cursor this API returned".to_owned())?;
    Ok(usize::try_from(u64::from_be_bytes(bytes)).unwrap_or(usize::MAX).min(MAX_RESULTS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_names_the_offset_it_was_made_from_and_matches_its_pattern() {
        for offset in [0, 20, 980, MAX_RESULTS] {
            let cursor = encode_cursor(offset);
            assert_eq!(decode_cursor(&cursor), Ok(offset));
            assert_eq!(cursor.len(), 11);
            assert!("AEIMQUYcgkosw048".contains(cursor.chars().last().unwrap()), "{cursor}");
        }
        assert_eq!(decode_cursor("__________w"), Ok(MAX_RESULTS));
        assert!(decode_cursor("nope").is_err());
    }
}
