//! Outlets: the originating publishers whose articles the portal reposts.

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
    /// The outlet's own feed, when syndic polls one; RSS `<source url>` points there.
    pub feed_url: Option<String>,
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
}
