//! Publishing: turning stored articles into the documents consumers read. One module
//! per output (RSS, Atom, JSON Feed, sitemaps, HTML pages); each is a pure function of
//! the data it is given and never touches the database or HTTP.

pub mod atom;
pub mod html;
pub mod jsonfeed;
pub mod labels;
pub mod rss;
pub mod sitemap;

use crate::config::SiteConfig;
use crate::domain::Article;
use chrono::{DateTime, Utc};

/// The namespace of syndic's own feed extension elements (documented in the README).
pub const SYNDIC_NS: &str = "urn:syndic:1";
/// Media RSS, for images and enclosures beyond RSS's single `<enclosure>`.
pub const MEDIA_NS: &str = "http://search.yahoo.com/mrss/";
/// DCMI terms, for `dcterms:modified`.
pub const DCTERMS_NS: &str = "http://purl.org/dc/terms/";
/// Named in each feed's generator element.
pub const GENERATOR: &str = "syndic";

/// The site as publishers see it: its settings and the shape of every public URL.
#[derive(Debug, Clone)]
pub struct Site {
    pub base_url: String,
    pub config: SiteConfig,
}

impl Site {
    pub fn new(base_url: &str, config: SiteConfig) -> Site {
        Site { base_url: base_url.trim_end_matches('/').to_owned(), config }
    }

    pub fn home_url(&self) -> String {
        format!("{}/", self.base_url)
    }

    pub fn article_url(&self, id: i64) -> String {
        format!("{}/articles/{id}", self.base_url)
    }

    pub fn column_url(&self, slug: &str) -> String {
        format!("{}/columns/{slug}", self.base_url)
    }

    pub fn outlet_url(&self, slug: &str) -> String {
        format!("{}/outlets/{slug}", self.base_url)
    }

    pub fn sitemap_index_url(&self) -> String {
        format!("{}/sitemap.xml", self.base_url)
    }

    pub fn sitemap_pages_url(&self) -> String {
        format!("{}/sitemaps/pages.xml", self.base_url)
    }

    pub fn news_sitemap_url(&self) -> String {
        format!("{}/sitemap-news.xml", self.base_url)
    }

    pub fn news_sitemap_page_url(&self, page: usize) -> String {
        format!("{}/sitemaps/news-{page}.xml", self.base_url)
    }

    pub fn sitemap_shard_url(&self, index: i64) -> String {
        format!("{}/sitemaps/articles-{index}.xml", self.base_url)
    }

    /// The feed an article's outlet is known by: its own polled feed, else ours of it.
    pub fn outlet_source_feed(&self, article: &Article) -> String {
        article
            .outlet
            .feed_url
            .clone()
            .unwrap_or_else(|| FeedKind::Outlet(article.outlet.slug.to_string()).feed_url(self, FeedFormat::Rss))
    }
}

/// The three feed formats every scope is published in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedFormat {
    Rss,
    Atom,
    Json,
}

impl FeedFormat {
    pub const ALL: [FeedFormat; 3] = [FeedFormat::Rss, FeedFormat::Atom, FeedFormat::Json];

    pub fn file_name(self) -> &'static str {
        match self {
            FeedFormat::Rss => "rss.xml",
            FeedFormat::Atom => "atom.xml",
            FeedFormat::Json => "feed.json",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            FeedFormat::Rss => "application/rss+xml",
            FeedFormat::Atom => "application/atom+xml",
            FeedFormat::Json => "application/feed+json",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FeedFormat::Rss => "RSS",
            FeedFormat::Atom => "Atom",
            FeedFormat::Json => "JSON Feed",
        }
    }
}

/// What a feed or listing page covers; decides its URLs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedKind {
    Site,
    Column(String),
    Outlet(String),
}

impl FeedKind {
    /// The HTML page of this scope.
    pub fn page_url(&self, site: &Site) -> String {
        match self {
            FeedKind::Site => site.home_url(),
            FeedKind::Column(slug) => site.column_url(slug),
            FeedKind::Outlet(slug) => site.outlet_url(slug),
        }
    }

    pub fn feed_url(&self, site: &Site, format: FeedFormat) -> String {
        match self {
            FeedKind::Site => format!("{}/{}", site.base_url, format.file_name()),
            FeedKind::Column(slug) => format!("{}/{}", site.column_url(slug), format.file_name()),
            FeedKind::Outlet(slug) => format!("{}/{}", site.outlet_url(slug), format.file_name()),
        }
    }
}

/// Everything a feed renderer needs: the scope's description and its newest articles.
#[derive(Debug, Clone)]
pub struct Feed<'a> {
    pub kind: FeedKind,
    pub title: String,
    pub description: String,
    /// Time of the latest change to anything the feed shows.
    pub updated: DateTime<Utc>,
    pub articles: &'a [Article],
}

/// The latest `updated_at` of `articles`, or `fallback` when there are none.
pub fn last_change(articles: &[Article], fallback: DateTime<Utc>) -> DateTime<Utc> {
    articles.iter().map(|a| a.updated_at).max().unwrap_or(fallback).max(fallback)
}

/// RFC 3339 in UTC with a `Z`, the form every format here accepts.
pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Who an item is by: its author, else its outlet, so that no item silently inherits the
/// portal as its author (Atom and JSON Feed fall back to the feed-level author).
pub fn byline(article: &Article) -> &str {
    article.author.as_deref().unwrap_or(&article.outlet.name)
}

/// Plain text for contexts that take no markup (meta descriptions, JSON summaries).
pub fn summary_text(article: &Article, max_chars: usize) -> String {
    let source = article.summary.as_deref().or(article.content_html.as_deref()).unwrap_or("");
    let text = crate::ingest::sanitize::plain_text(source);
    if text.chars().count() <= max_chars {
        text
    } else {
        let mut cut: String = text.chars().take(max_chars).collect();
        cut.push('…');
        cut
    }
}
