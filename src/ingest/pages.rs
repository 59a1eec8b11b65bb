//! Outlets' web pages as feed entries: an html source's list page names its article
//! pages; each article page, fetched through the one guarded `Fetcher` with the page size
//! and time limits, is read by extraction (`page`) into an entry with the origin it names
//! (来源), which then takes a feed entry's road into the store. A full-text feed's new
//! items take their content from their pages the same way. Polling and the preview both
//! read pages through these functions, so what the preview shows is what a poll stores.

use super::feed::Entry;
use super::fetch::{self, Fetcher, Validators};
use super::page::{self, Page, PageRules};
use crate::domain::source::Source;
use crate::domain::OriginalUrl;
use chrono_tz::Tz;

/// Article pages one poll fetches at most; those past it wait for the next poll.
pub const MAX_PAGES_PER_POLL: usize = 20;

/// The warning of a list page on which no article link was found.
pub const NO_LINKS: &str = "no article links found on the list page (set rules.links to the selector of its links)";

/// A page a list (or a feed) links to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// The address as linked: what is fetched (a server may need all of it).
    pub url: String,
    /// The address normalised as original URLs are: what it is known by once stored.
    pub key: String,
}

impl Listed {
    /// A linked address, or `None` when it is no usable original URL.
    pub fn of(url: &str) -> Option<Listed> {
        let key = OriginalUrl::parse(url).ok()?;
        Some(Listed { url: url.to_owned(), key: key.as_str().to_owned() })
    }
}

/// An article read from its page.
#[derive(Debug, Clone)]
pub struct PageArticle {
    /// The address the list (or the feed) links it under, normalised (`Listed::key`).
    pub link: String,
    /// Its entry: the page's canonical URL (on the same site) as its link.
    pub entry: Entry,
    /// The origin its page names (来源), as the page gives it.
    pub credit: Option<String>,
    /// What was doubtful in reading it, though it was read.
    pub problems: Vec<String>,
}

/// The rules a source's pages are read by (none: automatic extraction).
pub fn rules_of(source: &Source) -> PageRules {
    source.rules.as_deref().map_or_else(PageRules::default, |json| {
        serde_json::from_str(json).unwrap_or_else(|error| {
            tracing::error!(source = source.id, %error, "stored page rules cannot be read; extracting automatically");
            PageRules::default()
        })
    })
}

/// A fetched page decoded (its charset found as for feeds); `None` for a 304, which has no body.
pub fn decoded(fetched: &fetch::Fetched) -> Option<Page> {
    let body = fetched.body.as_deref()?;
    let content_type = fetched.headers.get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    Some(page::decode_page(body, content_type, fetched.url.clone()))
}

/// The article links of a list page, each once (by its normalised address, so that it
/// compares with stored articles'), in the page's order.
pub fn listed_links(list: &Page, rules: &PageRules) -> Vec<Listed> {
    let mut links: Vec<Listed> = Vec::new();
    for url in page::article_links(list, rules) {
        if let Some(listed) = Listed::of(url.as_str()) {
            if !links.iter().any(|l| l.key == listed.key) {
                links.push(listed);
            }
        }
    }
    links
}

/// Fetches the article page `listed` and reads it; why not, in words for the source's
/// status, when it cannot be fetched or read.
pub async fn read_article(
    fetcher: &Fetcher,
    listed: &Listed,
    rules: &PageRules,
    zone: Tz,
) -> Result<PageArticle, String> {
    let link = listed.url.as_str();
    let fetched = fetch::fetch_page(fetcher, link, &Validators::default()).await.map_err(|e| format!("{link}: {e}"))?;
    // A redirect (a parked domain, an open redirect) must not have another site's page
    // stored as this one's.
    let site = |url: &url::Url| crate::domain::domains::registrable_domain(url);
    if url::Url::parse(link).is_ok_and(|asked| site(&asked) != site(&fetched.url)) {
        return Err(format!("{link}: redirected to another site, {}", fetched.url));
    }
    let page = decoded(&fetched).ok_or_else(|| format!("{link}: HTTP 304 to an unconditional request"))?;
    let extracted = page::extract_article(&page, rules, zone).map_err(|e| format!("{link}: {e}"))?;
    Ok(PageArticle {
        link: listed.key.clone(),
        entry: extracted.entry,
        credit: extracted.credit,
        problems: extracted.problems.into_iter().map(|p| format!("{link}: {p}")).collect(),
    })
}

/// A feed entry with the content of its page: the page's content replaces the feed's,
/// the feed's own text becomes the summary where it had none, and what the feed left out
/// (author, image) is taken from the page. Its link stays the feed's: its identity. The
/// page's address becomes the base its HTML's relative URLs resolve against.
pub fn with_full_text(mut entry: Entry, page: PageArticle) -> Entry {
    let from_page = page.entry;
    if from_page.content.is_none() {
        return entry;
    }
    if entry.summary.is_none() {
        entry.summary = entry.content.take();
    }
    entry.content = from_page.content;
    if entry.authors.is_empty() {
        entry.authors = from_page.authors;
    }
    if entry.image.is_none() {
        entry.image = from_page.image;
    }
    entry.base = from_page.base.or(from_page.link).or(entry.base);
    entry
}
