//! Publishing: turning stored articles into the documents consumers read. One module
//! per output (RSS, Atom, JSON Feed, sitemaps, HTML pages); each is a pure function of
//! the data it is given and never touches the database or HTTP.

pub mod atom;
pub mod attribution;
pub mod html;
pub mod jsonfeed;
pub mod labels;
pub mod media;
pub mod opensearch;
pub mod rss;
pub mod search_page;
pub mod sitemap;

use crate::config::SiteConfig;
use crate::domain::{Article, Carriage, Grants};
use chrono::{DateTime, Utc};

/// The namespace of syndic's own feed extension elements (documented in the README).
pub const SYNDIC_NS: &str = "urn:syndic:1";
/// Media RSS, for images and enclosures beyond RSS's single `<enclosure>`.
pub const MEDIA_NS: &str = "http://search.yahoo.com/mrss/";
/// DCMI terms, for `dcterms:modified`.
pub const DCTERMS_NS: &str = "http://purl.org/dc/terms/";
/// RFC 5005 feed history, for `<fh:archive/>`.
pub const HISTORY_NS: &str = "http://purl.org/syndication/history/1.0";
/// Named in each feed's generator element.
pub const GENERATOR: &str = "syndic";

/// The site as publishers see it: its settings and the shape of every public URL.
#[derive(Debug, Clone)]
pub struct Site {
    pub base_url: String,
    pub config: SiteConfig,
    /// The WebSub hub every feed names: an external one when configured, else ours.
    pub hub_url: String,
    /// The template of the attribution block feed items and partner articles end with;
    /// `None`: no block.
    pub attribution: Option<attribution::Template>,
}

impl Site {
    pub fn new(
        base_url: &str,
        config: SiteConfig,
        external_hub: Option<&str>,
        attribution: Option<attribution::Template>,
    ) -> Site {
        let base_url = base_url.trim_end_matches('/').to_owned();
        let hub_url = external_hub.map_or_else(|| format!("{base_url}/websub"), str::to_owned);
        Site { base_url, config, hub_url, attribution }
    }

    /// The attribution block of `article`, when the site shows one.
    pub fn attribution_block(&self, article: &Article) -> Option<String> {
        attribution::block(self.attribution.as_ref()?, self, article)
    }

    /// `html` (an item's HTML body or summary) followed by the article's attribution block.
    pub fn attributed(&self, html: &str, article: &Article) -> String {
        attribution::appended(html, self.attribution_block(article).as_deref())
    }

    /// An item's HTML summary followed by the attribution block; the block alone when the
    /// item carries neither a summary nor a body, so that a reader still sees where it
    /// comes from.
    pub fn attributed_summary(&self, summary: Option<&str>, has_body: bool, article: &Article) -> Option<String> {
        match summary {
            Some(summary) => Some(self.attributed(summary, article)),
            None if has_body => None,
            None => self.attribution_block(article),
        }
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

    /// A file syndic keeps (`media`), by its served name (`domain::media::MediaName`).
    pub fn media_url(&self, file_name: &str) -> String {
        format!("{}/media/{file_name}", self.base_url)
    }

    /// The public search page (`search_page`).
    pub fn search_url(&self) -> String {
        format!("{}/search", self.base_url)
    }

    /// The OpenSearch description browsers offer the site's search from (`opensearch`).
    pub fn opensearch_url(&self) -> String {
        format!("{}/opensearch.xml", self.base_url)
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

    /// Page `page` (0 = oldest) of a column feed's RFC 5005 archives.
    pub fn column_archive_url(&self, slug: &str, page: i64, format: FeedFormat) -> String {
        format!("{}/archive/{page}/{}", self.column_url(slug), format.file_name())
    }

    pub fn sitemap_shard_url(&self, index: i64) -> String {
        format!("{}/sitemaps/articles-{index}.xml", self.base_url)
    }

    /// The feed a URL of ours names, if it names one: how WebSub topics are understood.
    pub fn feed_at(&self, url: &str) -> Option<(FeedKind, FeedFormat)> {
        let path = url.strip_prefix(&self.base_url)?;
        let format_of = |file: &str| FeedFormat::ALL.into_iter().find(|f| f.file_name() == file);
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        match parts.as_slice() {
            [file] => Some((FeedKind::Site, format_of(file)?)),
            ["columns", slug, file] if !slug.is_empty() => {
                Some((FeedKind::Column((*slug).to_owned()), format_of(file)?))
            }
            ["outlets", slug, file] if !slug.is_empty() => {
                Some((FeedKind::Outlet((*slug).to_owned()), format_of(file)?))
            }
            _ => None,
        }
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

    /// The `Content-Type` the documents are served with: the media type, in UTF-8.
    pub fn content_type(self) -> &'static str {
        match self {
            FeedFormat::Rss => "application/rss+xml; charset=utf-8",
            FeedFormat::Atom => "application/atom+xml; charset=utf-8",
            FeedFormat::Json => "application/feed+json; charset=utf-8",
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
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
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
    /// Where this document sits in its column's archives, when it has any.
    pub history: Option<History>,
}

/// A column feed's place in its RFC 5005 archives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct History {
    /// `Some(k)`: this is archive page `k`; `None`: the subscription feed.
    pub page: Option<i64>,
    /// Archive pages that exist, `0..archived_pages`.
    pub archived_pages: i64,
}

impl Feed<'_> {
    /// The URL of this very document.
    pub fn self_url(&self, site: &Site, format: FeedFormat) -> String {
        match (&self.kind, self.history.and_then(|h| h.page)) {
            (FeedKind::Column(slug), Some(page)) => site.column_archive_url(slug, page, format),
            _ => self.kind.feed_url(site, format),
        }
    }

    /// Whether this is an archive document (`fh:archive`).
    pub fn is_archive(&self) -> bool {
        self.history.is_some_and(|h| h.page.is_some())
    }

    /// The RFC 5005 links of this document: `(rel, href)`.
    pub fn history_links(&self, site: &Site, format: FeedFormat) -> Vec<(&'static str, String)> {
        let (FeedKind::Column(slug), Some(history)) = (&self.kind, self.history) else {
            return Vec::new();
        };
        let archive = |page: i64| site.column_archive_url(slug, page, format);
        match history.page {
            None if history.archived_pages > 0 => vec![("prev-archive", archive(history.archived_pages - 1))],
            None => Vec::new(),
            Some(page) => {
                let mut links = vec![("current", self.kind.feed_url(site, format))];
                if page > 0 {
                    links.push(("prev-archive", archive(page - 1)));
                }
                if page + 1 < history.archived_pages {
                    links.push(("next-archive", archive(page + 1)));
                }
                links
            }
        }
    }
}

/// The articles as a channel may carry them, by the grant `grant` picks from each
/// outlet's agreement: without their content where only a summary is granted, left out
/// where nothing is.
pub fn as_granted(articles: Vec<Article>, grant: impl Fn(&Grants) -> Carriage) -> Vec<Article> {
    articles
        .into_iter()
        .filter_map(|mut article| match grant(&article.outlet.grants) {
            Carriage::Full => Some(article),
            Carriage::Summary => {
                if article.summary.is_none() {
                    let text = summary_text(&article, 500);
                    article.summary = Some(quick_xml::escape::escape(text.as_str()).into_owned());
                }
                article.content_html = None;
                Some(article)
            }
            Carriage::Nothing => None,
        })
        .collect()
}

/// The latest `updated_at` of `articles`, or `fallback` when there are none.
pub fn last_change(articles: &[Article], fallback: DateTime<Utc>) -> DateTime<Utc> {
    articles.iter().map(|a| a.updated_at).max().unwrap_or(fallback).max(fallback)
}

/// Every document leaves `publish` through here. Ingest drops the characters XML
/// forbids from everything it stores, so one arriving here is a bug: debug builds stop
/// on it; a release build drops it (a row stored before that rule, say) rather than
/// publish a document no parser accepts.
pub fn well_formed(mut document: String) -> String {
    debug_assert!(
        crate::domain::text::is_xml_safe(&document),
        "a character XML forbids reached a document: {:?}",
        document.chars().find(|&c| !crate::domain::text::is_xml_safe_char(c))
    );
    crate::domain::text::make_xml_safe(&mut document);
    document
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
