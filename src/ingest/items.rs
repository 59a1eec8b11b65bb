//! From a parsed feed entry to an article draft: the stored form of each field
//! (plain-text titles, sanitised HTML with relative URLs resolved), the link as
//! identity, dates read in the outlet's zone. Polling, import and the conformance
//! test all use these functions, so what the test checks is what gets stored.

use super::feed::{Entry, Text};
use super::sanitize;
use crate::domain::{ArticleDraft, Enclosure, Image, OriginalUrl, Outlet};
use chrono::{DateTime, Utc};

/// Longest title made up from a summary when an item has none, in characters.
const DERIVED_TITLE_CHARS: usize = 80;

/// Why an entry could not become an article.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("no usable link (nor a URL guid): {0}")]
    NoLink(String),
    #[error("no title and no text to make one from")]
    NoTitle,
    /// The same words as a push gets (`Outlet::not_yours`).
    #[error("original_url {0}")]
    NotYours(String),
}

/// Longest credit (the origin a page names, 来源) kept, in characters.
const MAX_CREDIT_CHARS: usize = 100;

/// A credit as stored: one line of plain text, XML-safe, at most `MAX_CREDIT_CHARS`;
/// `None` when nothing is left.
pub fn stored_credit(credit: &str) -> Option<String> {
    // One line of plain text: no bidi override may reorder the attribution line.
    let line = stored_title(&Text::plain(crate::domain::text::without_line_breakers(credit)));
    Some(line.chars().take(MAX_CREDIT_CHARS).collect::<String>()).filter(|c| !c.is_empty())
}

/// A title as stored: plain text, markup stripped.
pub fn stored_title(title: &Text) -> String {
    if title.html {
        sanitize::plain_text(&title.value)
    } else {
        sanitize::xml_safe(title.value.trim()).split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// HTML as stored: sanitised, relative URLs resolved against `base`; plain text escaped.
pub fn stored_html(text: &Text, base: &url::Url) -> String {
    stored_html_counting_hidden(text, base).0
}

/// `stored_html`, also saying how many hidden elements were removed.
pub fn stored_html_counting_hidden(text: &Text, base: &url::Url) -> (String, u32) {
    if text.html {
        sanitize::html_counting_hidden(&text.value, base)
    } else {
        let escaped = sanitize::xml_safe(&text.value).replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        (escaped.trim().to_owned(), 0)
    }
}

/// The base URL for an entry's relative URLs, falling back to its own link.
pub fn entry_base(entry: &Entry) -> Option<url::Url> {
    entry.base.as_deref().or(entry.link.as_deref()).and_then(|b| url::Url::parse(b).ok())
}

/// Turns an entry into a draft for `outlet`'s columns; `first_seen` stands in for a
/// missing publication date.
pub fn draft_from_entry(
    entry: &Entry,
    outlet: &Outlet,
    column_ids: &[i64],
    first_seen: DateTime<Utc>,
) -> Result<ArticleDraft, Refusal> {
    let link = entry.link.as_deref().unwrap_or("");
    let original_url = OriginalUrl::parse(link).map_err(|reason| Refusal::NoLink(format!("'{link}' {reason}")))?;
    if !outlet.may_publish(&original_url) {
        return Err(Refusal::NotYours(outlet.not_yours()));
    }
    let base =
        entry_base(entry).unwrap_or_else(|| url::Url::parse(original_url.as_str()).expect("normalised URLs parse"));
    let mut hidden_removed = 0;
    let mut store_html = |text: &Option<Text>| {
        let (html, hidden) = stored_html_counting_hidden(text.as_ref()?, &base);
        hidden_removed += hidden;
        Some(html).filter(|h| !h.is_empty())
    };
    let summary = store_html(&entry.summary);
    let content_html = store_html(&entry.content);
    let title = entry
        .title
        .as_ref()
        .map(stored_title)
        .filter(|t| !t.is_empty())
        .or_else(|| derived_title(summary.as_deref().or(content_html.as_deref())))
        .ok_or(Refusal::NoTitle)?;
    let image = entry
        .image
        .as_ref()
        .and_then(|url| crate::domain::text::http_url(url).ok())
        .map(|url| Image { url, caption: None });
    let enclosures = entry
        .enclosures
        .iter()
        .filter_map(|e| {
            let url = crate::domain::text::http_url(&e.url).ok()?;
            Some(Enclosure {
                url,
                // A type the feed got wrong does not cost the enclosure: readers sniff it.
                mime_type: e
                    .mime_type
                    .as_deref()
                    .and_then(|t| crate::domain::text::media_type(t).ok())
                    .unwrap_or_else(|| "application/octet-stream".into()),
                length: e.length,
            })
        })
        .collect();
    Ok(ArticleDraft {
        original_url,
        title,
        subtitle: None,
        author: entry.authors.iter().find_map(|a| a.name.clone().or_else(|| a.email.clone())),
        credit: None,
        summary,
        content_html,
        language: outlet.language.clone(),
        tags: entry.categories.iter().map(|c| c.label.clone().unwrap_or_else(|| c.term.clone())).take(32).collect(),
        rights: None,
        image,
        enclosures,
        original_published_at: entry.published.or(entry.updated).unwrap_or(first_seen),
        original_updated_at: entry.updated.filter(|u| Some(*u) != entry.published),
        column_ids: column_ids.to_vec(),
        hidden_removed,
        schedule: Default::default(),
    }
    .into_xml_safe())
}

fn derived_title(html: Option<&str>) -> Option<String> {
    let text = sanitize::plain_text(html?);
    if text.is_empty() {
        return None;
    }
    let mut title: String = text.chars().take(DERIVED_TITLE_CHARS).collect();
    if text.chars().count() > DERIVED_TITLE_CHARS {
        title.push('…');
    }
    Some(title)
}
