//! Assembling documents: reads what a feed, page or sitemap shows from the store and
//! hands it to a publisher; every public document is read through here. The HTTP feeds and WebSub deliveries both come through here, so
//! a subscriber receives exactly the document a reader would fetch; the HTTP sitemaps
//! and the static export (`syndic sitemap`) share the sitemap assembly.

mod pages;
mod sitemaps;

pub use pages::{ArticleAnswer, Listed, PageDocument};
pub use sitemaps::{ExportError, ExportReport, SitemapExport};

use crate::config::Config;
use crate::domain::Grants;
use crate::publish::{self, labels, Feed, FeedFormat, FeedKind, History, Site};
use crate::store::{FeedScope, Store, StoreError};
use chrono::{DateTime, Utc};

/// A rendered feed.
#[derive(Debug, Clone)]
pub struct FeedDocument {
    pub content_type: &'static str,
    pub body: String,
    /// The latest change to anything it shows.
    pub updated: DateTime<Utc>,
    /// Which articles it covers, and of those the ones it shows (what makes it stale).
    pub scope: FeedScope,
    pub article_ids: Vec<i64>,
}

/// Who a feed is rendered for: which grant of each outlet's agreement applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Anyone fetching a public feed: `feed_content`.
    Public,
    /// A WebSub subscriber, typically a partner reposting it: the narrower of
    /// `feed_content` and `partner_content`.
    Subscriber,
}

impl Audience {
    fn grant(self, grants: &Grants) -> crate::domain::Carriage {
        match self {
            Audience::Public => grants.feeds,
            Audience::Subscriber => grants.feeds.narrowest(grants.partners),
        }
    }
}

/// What the feeds read: the store, the site and the configured feed size.
#[derive(Clone, Copy)]
pub struct Assembler<'a> {
    pub store: &'a Store,
    pub site: &'a Site,
    pub config: &'a Config,
}

/// A feed's scope with its title and the time to report when it has no articles.
struct Described {
    scope: FeedScope,
    title: String,
    description: String,
    quiet_since: DateTime<Utc>,
}

impl Assembler<'_> {
    /// The feed of `kind` in `format`; for a column, `archive_page` picks one of its
    /// RFC 5005 archive documents instead of the subscription feed. `None` when the
    /// scope or the archive page does not exist.
    pub async fn feed(
        &self,
        kind: &FeedKind,
        format: FeedFormat,
        archive_page: Option<i64>,
        audience: Audience,
    ) -> Result<Option<FeedDocument>, StoreError> {
        let Some(described) = self.describe(kind).await? else { return Ok(None) };
        let (articles, history) = match &described.scope {
            &FeedScope::Column(id) => {
                let page_size = self.config.archive_page_size();
                let layout = self.store.archive_layout(id, page_size).await?;
                let history = History { page: archive_page, archived_pages: layout.pages };
                let articles = match archive_page {
                    None => self.store.articles_after_archives(id, layout, 2 * page_size).await?,
                    Some(page) if (0..layout.pages).contains(&page) => {
                        self.store.archive_page(id, page, page_size).await?
                    }
                    Some(_) => return Ok(None),
                };
                (articles, Some(history))
            }
            _ if archive_page.is_some() => return Ok(None),
            scope => (self.store.newest_articles(scope, self.config.feed_items as i64, 0).await?, None),
        };
        let article_ids = articles.iter().map(|a| a.id).collect();
        let articles = publish::as_granted(articles, |grants| audience.grant(grants));
        let articles = publish::media::all_with_kept_images(self.site, articles);
        let feed = Feed {
            kind: kind.clone(),
            title: described.title,
            description: described.description,
            updated: publish::last_change(&articles, described.quiet_since),
            articles: &articles,
            history,
        };
        let body = match format {
            FeedFormat::Rss => publish::rss::render(self.site, &feed),
            FeedFormat::Atom => publish::atom::render(self.site, &feed),
            FeedFormat::Json => publish::jsonfeed::render(self.site, &feed),
        };
        let content_type = format.content_type();
        Ok(Some(FeedDocument { content_type, body, updated: feed.updated, scope: described.scope, article_ids }))
    }

    async fn describe(&self, kind: &FeedKind) -> Result<Option<Described>, StoreError> {
        let site = &self.site.config;
        Ok(Some(match kind {
            FeedKind::Site => Described {
                scope: FeedScope::Site,
                title: site.name.clone(),
                description: site.description.clone(),
                quiet_since: self
                    .store
                    .column_tree()
                    .await?
                    .all()
                    .iter()
                    .map(|c| c.updated_at)
                    .max()
                    .unwrap_or_default(),
            },
            FeedKind::Column(slug) => {
                let tree = self.store.column_tree().await?;
                let Some(column) = tree.by_slug(slug) else { return Ok(None) };
                let path: Vec<&str> = tree.path_to(column.id).iter().map(|c| c.title.as_str()).collect();
                Described {
                    scope: FeedScope::Column(column.id),
                    title: format!("{} › {}", site.name, path.join(" › ")),
                    description: column.description.clone().unwrap_or_else(|| column.title.clone()),
                    quiet_since: column.updated_at,
                }
            }
            FeedKind::Outlet(slug) => {
                let outlet = match self.store.outlet_by_slug(slug).await {
                    Ok(outlet) => outlet,
                    Err(StoreError::NotFound(_)) => return Ok(None),
                    Err(e) => return Err(e),
                };
                let label = labels::for_language(&site.language).outlet_articles;
                Described {
                    scope: FeedScope::Outlet(outlet.id),
                    title: format!("{} › {}", site.name, outlet.name),
                    description: format!("{label}: {}", outlet.name),
                    quiet_since: outlet.updated_at,
                }
            }
        }))
    }
}
