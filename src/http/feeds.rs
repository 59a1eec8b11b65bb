//! Feeds: RSS, Atom and JSON Feed for the site, each column (with its sub-columns) and
//! each outlet, and the RFC 5005 archives of column feeds.

use super::cache::DependsOn;
use super::params::{self, Number, Params};
use super::representation::{Representation, ARCHIVE_MAX_AGE, FEED_MAX_AGE};
use super::{error::ApiError, AppState};
use crate::assemble::{Assembler, Audience};
use crate::publish::{FeedFormat, FeedKind};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

/// This area's operations, for the OpenAPI description (`http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths())]
pub(super) struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/rss.xml", get(|s: State<AppState>, h: HeaderMap| respond(s, h, FeedKind::Site, FeedFormat::Rss, None)))
        .route(
            "/atom.xml",
            get(|s: State<AppState>, h: HeaderMap| respond(s, h, FeedKind::Site, FeedFormat::Atom, None)),
        )
        .route(
            "/feed.json",
            get(|s: State<AppState>, h: HeaderMap| respond(s, h, FeedKind::Site, FeedFormat::Json, None)),
        )
        .route("/columns/{slug}/{file}", get(column_feed))
        .route("/columns/{slug}/archive/{page}/{file}", get(column_archive))
        .route("/outlets/{slug}/{file}", get(outlet_feed))
}

async fn column_feed(
    state: State<AppState>,
    path: Result<Params<(String, String)>, ApiError>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (slug, file) = params::public(path, || ApiError::NotFound("feed"))?;
    respond(state, headers, FeedKind::Column(slug), format_of(&file)?, None).await
}

async fn column_archive(
    state: State<AppState>,
    path: Result<Params<(String, Number, String)>, ApiError>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (slug, page, file) = params::public(path, || ApiError::NotFound("archive"))?;
    let format = format_of(&file).ok().filter(|f| *f != FeedFormat::Json).ok_or(ApiError::NotFound("archive"))?;
    respond(state, headers, FeedKind::Column(slug), format, Some(page.get())).await
}

async fn outlet_feed(
    state: State<AppState>,
    path: Result<Params<(String, String)>, ApiError>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (slug, file) = params::public(path, || ApiError::NotFound("feed"))?;
    respond(state, headers, FeedKind::Outlet(slug), format_of(&file)?, None).await
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
    let assembler = Assembler { store: &state.store, site: &state.site, config: &state.config };
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
