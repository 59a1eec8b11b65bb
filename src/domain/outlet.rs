//! Outlets: the originating publishers whose articles the portal reposts.

use super::domains::OutletDomains;
use super::reposting::Reposting;
use super::review::Review;
use super::Slug;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// How search engines should treat our copies of an outlet's articles, as its
/// syndication agreement decides (see PRODUCT.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Indexing {
    /// Our page is canonical and listed in sitemaps (the default).
    #[default]
    SelfCanonical,
    /// Our page names the original link as rel=canonical and stays out of sitemaps.
    Original,
    /// Our page asks robots not to index it and stays out of sitemaps.
    Noindex,
}

impl Indexing {
    pub const NAMES: &'static str = "'self', 'original' or 'noindex'";

    pub fn parse(s: &str) -> Result<Indexing, String> {
        match s.trim() {
            "self" => Ok(Indexing::SelfCanonical),
            "original" => Ok(Indexing::Original),
            "noindex" => Ok(Indexing::Noindex),
            other => Err(format!("'{other}' is not one of {}", Self::NAMES)),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Indexing::SelfCanonical => "self",
            Indexing::Original => "original",
            Indexing::Noindex => "noindex",
        }
    }

    /// A sitemap lists only canonical, indexable URLs.
    pub fn listed_in_sitemaps(self) -> bool {
        self == Indexing::SelfCanonical
    }

    /// Whether the outlet's own page (the listing of our copies of its articles) may be
    /// indexed and listed in sitemaps. The page is ours in any case (no original stands
    /// for it, so `original` does not move its canonical), but with `noindex` the outlet
    /// asked that our copies stay out of search engines, and the page is made of them.
    pub fn outlet_page_indexed(self) -> bool {
        self != Indexing::Noindex
    }
}

/// How much of an article a channel may carry, as the outlet's agreement says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Carriage {
    /// Everything, content included (the default).
    #[default]
    Full,
    /// Title, summary and attribution; the reader follows the link for the rest.
    Summary,
    /// Nothing at all.
    Nothing,
}

impl Carriage {
    pub fn parse(s: &str) -> Result<Carriage, String> {
        match s.trim() {
            "full" => Ok(Carriage::Full),
            "summary" => Ok(Carriage::Summary),
            "none" => Ok(Carriage::Nothing),
            other => Err(format!("'{other}' is not one of 'full', 'summary' or 'none'")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Carriage::Full => "full",
            Carriage::Summary => "summary",
            Carriage::Nothing => "none",
        }
    }

    /// The narrower of two grants.
    pub fn narrowest(self, other: Carriage) -> Carriage {
        match (self, other) {
            (Carriage::Nothing, _) | (_, Carriage::Nothing) => Carriage::Nothing,
            (Carriage::Summary, _) | (_, Carriage::Summary) => Carriage::Summary,
            _ => Carriage::Full,
        }
    }
}

/// What the syndication agreement lets each channel carry of an outlet's articles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Grants {
    /// Public feeds (never `Nothing`: an article we publish is in our feeds).
    pub feeds: Carriage,
    /// The partner API and WebSub deliveries.
    pub partners: Carriage,
}

impl Carriage {
    /// A grant for public feeds, which carry at least a summary of what we publish.
    pub fn parse_for_feeds(s: &str) -> Result<Carriage, String> {
        match Carriage::parse(s)? {
            Carriage::Nothing => Err("must be 'full' or 'summary': our feeds list every article we publish".into()),
            grant => Ok(grant),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Outlet {
    pub id: i64,
    pub slug: Slug,
    pub name: String,
    pub homepage: String,
    pub language: Option<String>,
    pub timezone: Tz,
    pub rights: Option<String>,
    pub indexing: Indexing,
    pub grants: Grants,
    /// Where its original URLs may be.
    pub domains: OutletDomains,
    /// The outlet's own feed, when syndic polls one; RSS `<source url>` points there.
    pub feed_url: Option<String>,
    /// Licence and permission to repost (`reposting`).
    pub reposting: Reposting,
    /// Whether its articles are held for review (`manual`) or published at once.
    pub review: Review,
    /// The username of its default responsible editor (责任编辑), recorded on each of
    /// its articles published without review when it is first stored.
    pub default_editor: Option<Slug>,
    /// Whether syndic keeps copies of its articles' images and points readers at them
    /// (`domain::media`); off unless the outlet grants it.
    pub keep_images: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A validated outlet, ready to be stored.
#[derive(Debug, Clone)]
pub struct NewOutlet {
    pub slug: Slug,
    pub name: String,
    pub homepage: String,
    pub language: Option<String>,
    pub timezone: Tz,
    pub rights: Option<String>,
    pub indexing: Indexing,
    pub grants: Grants,
    pub domains: OutletDomains,
    pub reposting: Reposting,
    pub review: Review,
    /// The user id of its default responsible editor.
    pub default_editor_id: Option<i64>,
    pub keep_images: bool,
}

impl Outlet {
    /// Whether `url` may be one of this outlet's articles (see `OutletDomains`).
    pub fn may_publish(&self, url: &super::OriginalUrl) -> bool {
        self.domains.allow(&self.homepage, url)
    }

    /// Why `original_url` is refused: the same words whether it lies outside the
    /// outlet's domains or is another outlet's unpublished article, so that the answer
    /// reveals neither.
    pub fn not_yours(&self) -> String {
        match self.domains.effective(&self.homepage) {
            Some(domains) => format!("is not this outlet's to publish (its domains are {})", domains.join(", ")),
            None => "is not this outlet's to publish".to_owned(),
        }
    }
}
