//! Feeds: RSS, Atom and JSON Feed for the site, each column (with its sub-columns) and
//! each outlet.

use super::representation::{Representation, FEED_MAX_AGE};
use super::{error::ApiError, AppState};
use crate::publish::{self, labels, Feed, FeedFormat, FeedKind};
use crate::store::FeedScope;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/rss.xml", get(|s: State<AppState>, h: HeaderMap| site_feed(s, h, FeedFormat::Rss)))
        .route("/atom.xml", get(|s: State<AppState>, h: HeaderMap| site_feed(s, h, FeedFormat::Atom)))
        .route("/feed.json", get(|s: State<AppState>, h: HeaderMap| site_feed(s, h, FeedFormat::Json)))
        .route("/columns/{slug}/{file}", get(column_feed))
        .route("/outlets/{slug}/{file}", get(outlet_feed))
}

/// A feed's scope with its title and the time to report when it has no articles.
struct Described {
    kind: FeedKind,
    scope: FeedScope,
    title: String,
    description: String,
    quiet_since: DateTime<Utc>,
}

async fn site_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    format: FeedFormat,
) -> Result<Response, ApiError> {
    let tree = state.store.column_tree().await?;
    let site = &state.site.config;
    let described = Described {
        kind: FeedKind::Site,
        scope: FeedScope::Site,
        title: site.name.clone(),
        description: site.description.clone(),
        quiet_since: tree.all().iter().map(|c| c.updated_at).max().unwrap_or_default(),
    };
    render(&state, &headers, described, format).await
}

async fn column_feed(
    State(state): State<AppState>,
    Path((slug, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let format = format_of(&file)?;
    let tree = state.store.column_tree().await?;
    let column = tree.by_slug(&slug).ok_or(ApiError::NotFound("column"))?;
    let path: Vec<&str> = tree.path_to(column.id).iter().map(|c| c.title.as_str()).collect();
    let described = Described {
        kind: FeedKind::Column(slug.clone()),
        scope: FeedScope::Columns(tree.subtree_ids(column.id)),
        title: format!("{} › {}", state.site.config.name, path.join(" › ")),
        description: column.description.clone().unwrap_or_else(|| column.title.clone()),
        quiet_since: column.updated_at,
    };
    render(&state, &headers, described, format).await
}

async fn outlet_feed(
    State(state): State<AppState>,
    Path((slug, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let format = format_of(&file)?;
    let outlet = state.store.outlet_by_slug(&slug).await?;
    let label = labels::for_language(&state.site.config.language).outlet_articles;
    let described = Described {
        kind: FeedKind::Outlet(slug.clone()),
        scope: FeedScope::Outlet(outlet.id),
        title: format!("{} › {}", state.site.config.name, outlet.name),
        description: format!("{label}: {}", outlet.name),
        quiet_since: outlet.updated_at,
    };
    render(&state, &headers, described, format).await
}

fn format_of(file: &str) -> Result<FeedFormat, ApiError> {
    FeedFormat::ALL.into_iter().find(|f| f.file_name() == file).ok_or(ApiError::NotFound("feed"))
}

async fn render(
    state: &AppState,
    headers: &HeaderMap,
    described: Described,
    format: FeedFormat,
) -> Result<Response, ApiError> {
    let limit = state.config.feed_items as i64;
    let articles = state.store.newest_articles(&described.scope, limit, 0).await?;
    let feed = Feed {
        kind: described.kind,
        title: described.title,
        description: described.description,
        updated: publish::last_change(&articles, described.quiet_since),
        articles: &articles,
    };
    let (content_type, body) = match format {
        FeedFormat::Rss => ("application/rss+xml; charset=utf-8", publish::rss::render(&state.site, &feed)),
        FeedFormat::Atom => ("application/atom+xml; charset=utf-8", publish::atom::render(&state.site, &feed)),
        FeedFormat::Json => ("application/feed+json; charset=utf-8", publish::jsonfeed::render(&state.site, &feed)),
    };
    Ok(Representation::new(content_type, body, FEED_MAX_AGE).modified(feed.updated).cross_origin().respond(headers))
}
