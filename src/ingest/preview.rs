//! What a source would bring, read and never stored, so that an operator can tune its
//! rules before adding it: the feed or list page fetched through the guarded `Fetcher`,
//! up to `MAX_PREVIEW_ITEMS` items read as a poll reads them (article pages and full text
//! through `pages`), and each field in the form the pipeline would store it (titles and
//! credits as plain text, HTML sanitised with hidden elements removed).

use super::feed::{self, Context, Entry};
use super::fetch::{self, Fetcher, Validators};
use super::items::{self, stored_html_counting_hidden, stored_title};
use super::page::PageRules;
use super::pages::{self, Listed, PageArticle};
use crate::domain::source::SourceKind;
use crate::domain::Outlet;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// Items a preview shows at most.
pub const MAX_PREVIEW_ITEMS: usize = 10;

/// What to preview: a source as it would be added.
#[derive(Debug, Clone)]
pub struct PreviewRequest {
    pub kind: SourceKind,
    pub url: String,
    pub rules: PageRules,
    pub full_text: bool,
    /// The zone naive times are read in: the outlet's, else the site's.
    pub zone: Tz,
    /// The outlet it would be added for, whose domains decide which items it may take.
    pub outlet: Option<Outlet>,
}

/// What a source would bring.
#[derive(Debug, Clone)]
pub struct Preview {
    /// Where the document was finally found.
    pub url: String,
    /// Links found on the list page (an html source) or items in the feed.
    pub found: usize,
    pub items: Vec<PreviewItem>,
    /// What was wrong with the document or a page, though items could be read.
    pub warnings: Vec<String>,
}

/// One item as it would be stored.
#[derive(Debug, Clone, Default)]
pub struct PreviewItem {
    /// The address the list or feed links it under.
    pub link: String,
    /// Its original URL: the page's canonical URL on the same site, else `link`.
    pub original_url: Option<String>,
    pub title: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub author: Option<String>,
    pub credit: Option<String>,
    pub summary: Option<String>,
    pub content: Option<String>,
    pub image: Option<String>,
    /// Hidden elements (likely injected spam) that sanitising removed.
    pub hidden_removed: u32,
    /// What was doubtful or wrong in reading it; why it would be refused.
    pub problems: Vec<String>,
}

/// The source could not be fetched or read at all.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Unreadable(pub String);

/// Fetches and reads what the source would bring, storing nothing.
pub async fn preview(fetcher: &Fetcher, request: &PreviewRequest) -> Result<Preview, Unreadable> {
    let fetched = match request.kind {
        SourceKind::Feed => fetch::fetch(fetcher, &request.url, &Validators::default()).await,
        SourceKind::Html => fetch::fetch_page(fetcher, &request.url, &Validators::default()).await,
    }
    .map_err(|e| Unreadable(format!("{} could not be fetched: {e}", request.url)))?;
    let url = fetched.url.to_string();
    let mut preview = Preview { url, found: 0, items: Vec::new(), warnings: Vec::new() };
    match request.kind {
        SourceKind::Html => {
            let list =
                pages::decoded(&fetched).ok_or_else(|| Unreadable("HTTP 304 to an unconditional request".into()))?;
            let links = pages::listed_links(&list, &request.rules);
            preview.found = links.len();
            for listed in links.iter().take(MAX_PREVIEW_ITEMS) {
                let link = &listed.url;
                preview.items.push(match pages::read_article(fetcher, listed, &request.rules, request.zone).await {
                    Ok(article) => item(request, link, &article.entry.clone(), Some(article)),
                    Err(problem) => {
                        PreviewItem { link: link.clone(), problems: vec![problem], ..PreviewItem::default() }
                    }
                });
            }
        }
        SourceKind::Feed => {
            let content_type =
                fetched.headers.get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
            let context = Context { document_url: Some(fetched.url.clone()), content_type, zone: request.zone };
            let body = fetched.body.as_deref().unwrap_or_default();
            let parsed = feed::parse_document(body, &context).map_err(|e| Unreadable(e.to_string()))?;
            preview.found = parsed.entries.len();
            preview.warnings = parsed.problems;
            for entry in parsed.entries.into_iter().take(MAX_PREVIEW_ITEMS) {
                let link = entry.link.clone().unwrap_or_default();
                let mut problems = Vec::new();
                let (entry, page) = match Listed::of(&link).filter(|_| request.full_text) {
                    None => (entry, None),
                    Some(listed) => match pages::read_article(fetcher, &listed, &request.rules, request.zone).await {
                        Ok(page) => (pages::with_full_text(entry, page.clone()), Some(page)),
                        Err(problem) => {
                            problems.push(format!("full text not read, the feed's own text kept: {problem}"));
                            (entry, None)
                        }
                    },
                };
                let mut read = item(request, &link, &entry, page);
                read.problems.splice(0..0, problems);
                preview.items.push(read);
            }
        }
    }
    if preview.found == 0 && request.kind == SourceKind::Html {
        preview.warnings.push(pages::NO_LINKS.to_owned());
    }
    Ok(preview)
}

/// An entry's fields as the pipeline would store them; `page`: what its page gave.
fn item(request: &PreviewRequest, link: &str, entry: &Entry, page: Option<PageArticle>) -> PreviewItem {
    let base = items::entry_base(entry).or_else(|| url::Url::parse(link).ok());
    let mut hidden_removed = 0;
    let mut html = |text: &Option<feed::Text>| {
        let (stored, hidden) = stored_html_counting_hidden(text.as_ref()?, base.as_ref()?);
        hidden_removed += hidden;
        Some(stored).filter(|h| !h.is_empty())
    };
    let (summary, content) = (html(&entry.summary), html(&entry.content));
    let (credit, mut problems) = page.map(|p| (p.credit, p.problems)).unwrap_or_default();
    if let Some(outlet) = &request.outlet {
        if let Err(refusal) = items::draft_from_entry(entry, outlet, &[], Utc::now()) {
            problems.push(format!("would be refused: {refusal}"));
        }
    }
    PreviewItem {
        link: link.to_owned(),
        original_url: entry.link.clone(),
        title: entry.title.as_ref().map(stored_title).filter(|t| !t.is_empty()),
        published: entry.published.or(entry.updated),
        author: entry.authors.iter().find_map(|a| a.name.clone().or_else(|| a.email.clone())),
        credit: credit.as_deref().and_then(items::stored_credit),
        summary,
        content,
        image: entry.image.clone(),
        hidden_removed,
        problems,
    }
}
