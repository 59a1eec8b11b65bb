//! JSON Feed 1.1: `external_url` for the original link, `authors`, `attachments`, and a
//! `_syndic` extension object for attribution that has no standard key.
//!
//! The document is written from the types below (small conversions from the site, the
//! feed and its articles), and the OpenAPI description of the feed routes is derived
//! from the same types, so what the description promises is what is written.

use super::{rfc3339, Feed, FeedFormat, Site};
use crate::domain::Article;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

pub const VERSION: &str = "https://jsonfeed.org/version/1.1";

/// A JSON Feed 1.1 document (<https://www.jsonfeed.org/version/1.1/>): the newest
/// articles of the site, a column or an outlet.
#[derive(Debug, Serialize, ToSchema)]
pub struct JsonFeed {
    /// The version of the format.
    #[schema(pattern = r"^https://jsonfeed\.org/version/1\.1$")]
    version: String,
    /// The site's name, or the column's or outlet's.
    title: String,
    /// The HTML page of the same articles.
    home_page_url: String,
    /// This document's own URL.
    feed_url: String,
    description: String,
    /// The site's language (BCP 47).
    language: String,
    /// The portal.
    authors: Vec<JsonFeedAuthor>,
    /// The WebSub hub that announces changes to this feed.
    hubs: Vec<JsonFeedHub>,
    /// Newest first.
    items: Vec<JsonFeedItem>,
}

/// Who a feed or an item is by.
#[derive(Debug, Serialize, ToSchema)]
pub struct JsonFeedAuthor {
    name: String,
    /// The author's page; the portal's home page for the feed's author, absent on items.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    url: Option<String>,
}

/// A hub that announces changes to the feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct JsonFeedHub {
    /// `WebSub`.
    #[serde(rename = "type")]
    kind: String,
    url: String,
}

/// One article.
#[derive(Debug, Serialize, ToSchema)]
pub struct JsonFeedItem {
    /// The article's page on this site, which is also its identity.
    id: String,
    /// The article's page on this site.
    url: String,
    /// The original article on the outlet's site.
    external_url: String,
    title: String,
    /// The article's HTML, sanitised; its summary where the outlet grants only summaries
    /// or the article has no body; then the attribution block, unless the site turned it off.
    content_html: String,
    /// Plain text, at most 500 characters and an ellipsis.
    summary: String,
    /// The article's image.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    image: Option<String>,
    /// When the article was reposted here (RFC 3339, UTC).
    #[schema(format = DateTime)]
    date_published: String,
    /// When the article last changed (RFC 3339, UTC).
    #[schema(format = DateTime)]
    date_modified: String,
    /// Its author, else its outlet.
    authors: Vec<JsonFeedAuthor>,
    /// The titles of its columns, then its own tags.
    tags: Vec<String>,
    /// The article's language (BCP 47), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    language: Option<String>,
    /// Audio, video and other files; absent when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attachments: Vec<JsonFeedAttachment>,
    #[serde(rename = "_syndic")]
    syndic: JsonFeedAttribution,
}

/// A file that goes with an article.
#[derive(Debug, Serialize, ToSchema)]
pub struct JsonFeedAttachment {
    url: String,
    mime_type: String,
    /// Its size, when the outlet gave it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    size_in_bytes: Option<u64>,
}

/// syndic's extension: the attribution JSON Feed has no key of its own for.
#[derive(Debug, Serialize, ToSchema)]
pub struct JsonFeedAttribution {
    /// The original article's URL.
    original_url: String,
    /// When the outlet published it (RFC 3339, UTC).
    #[schema(format = DateTime)]
    original_published_at: String,
    /// When the outlet last updated it, if it said.
    #[schema(format = DateTime, required = true)]
    original_updated_at: Option<String>,
    /// When it was reposted here (RFC 3339, UTC).
    #[schema(format = DateTime)]
    reposted_at: String,
    #[schema(required = true)]
    subtitle: Option<String>,
    /// The outlet's own title (原标题) when an editor changed the one shown as `title`;
    /// null otherwise.
    #[schema(required = true)]
    original_title: Option<String>,
    /// The article's rights line, else its outlet's.
    #[schema(required = true)]
    rights: Option<String>,
    /// The real name of its responsible editor (责任编辑), when one is recorded.
    #[schema(required = true)]
    editor: Option<String>,
    outlet: JsonFeedOutlet,
    /// Every column it is reposted under, the primary one first.
    columns: Vec<JsonFeedColumn>,
    /// The caption of `image`.
    #[schema(required = true)]
    image_caption: Option<String>,
}

/// The outlet an article comes from.
#[derive(Debug, Serialize, ToSchema)]
pub struct JsonFeedOutlet {
    slug: String,
    name: String,
    homepage: String,
    /// The outlet's own feed that syndic polls, else syndic's RSS feed of the outlet.
    feed_url: String,
}

/// A column an article is reposted under.
#[derive(Debug, Serialize, ToSchema)]
pub struct JsonFeedColumn {
    slug: String,
    title: String,
    /// The column's page.
    url: String,
}

/// Renders a feed as a JSON Feed 1.1 document.
pub fn render(site: &Site, feed: &Feed) -> String {
    // Written through a `Value`: its keys come out in alphabetical order (as this
    // document's always have), and every string is reached by `well_formed`.
    let mut document = serde_json::to_value(document(site, feed)).expect("a JSON Feed always serialises");
    well_formed(&mut document);
    let mut out = serde_json::to_string_pretty(&document).expect("a JSON value always serialises");
    out.push('\n');
    out
}

/// The document of `feed`.
fn document(site: &Site, feed: &Feed) -> JsonFeed {
    JsonFeed {
        version: VERSION.to_owned(),
        title: feed.title.clone(),
        home_page_url: feed.kind.page_url(site),
        feed_url: feed.self_url(site, FeedFormat::Json),
        description: feed.description.clone(),
        language: site.config.language.clone(),
        authors: vec![JsonFeedAuthor { name: site.config.name.clone(), url: Some(site.home_url()) }],
        hubs: vec![JsonFeedHub { kind: "WebSub".to_owned(), url: site.hub_url.clone() }],
        items: feed.articles.iter().map(|a| item(site, a)).collect(),
    }
}

/// `super::well_formed` for a JSON document: JSON could escape a control character, but
/// the readers that turn JSON Feed items into HTML or XML could not carry it.
fn well_formed(value: &mut Value) {
    match value {
        Value::String(text) => {
            debug_assert!(
                crate::domain::text::is_xml_safe(text),
                "a character XML forbids reached a JSON Feed: {text:?}"
            );
            crate::domain::text::make_xml_safe(text);
        }
        Value::Array(values) => values.iter_mut().for_each(well_formed),
        Value::Object(members) => members.values_mut().for_each(well_formed),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

fn item(site: &Site, article: &Article) -> JsonFeedItem {
    let page = site.article_url(article.id);
    let mut tags: Vec<String> = article.columns.iter().map(|c| c.title.clone()).collect();
    tags.extend(article.tags.iter().cloned());
    // JSON Feed requires content; the summary stands in when there is no body, the
    // attribution block alone when there is neither.
    let content = article.content_html.as_deref().or(article.summary.as_deref()).unwrap_or("");
    let content = site.attributed(content, article);
    JsonFeedItem {
        id: page.clone(),
        url: page,
        external_url: article.original_url.clone(),
        title: article.title.clone(),
        content_html: content,
        summary: super::summary_text(article, 500),
        image: article.image.as_ref().map(|image| image.url.clone()),
        date_published: rfc3339(article.reposted_at),
        date_modified: rfc3339(article.updated_at),
        authors: vec![JsonFeedAuthor { name: super::byline(article).to_owned(), url: None }],
        tags,
        language: article.language.clone(),
        attachments: article
            .enclosures
            .iter()
            .map(|e| JsonFeedAttachment { url: e.url.clone(), mime_type: e.mime_type.clone(), size_in_bytes: e.length })
            .collect(),
        syndic: attribution(site, article),
    }
}

/// Attribution with no JSON Feed key of its own.
fn attribution(site: &Site, article: &Article) -> JsonFeedAttribution {
    JsonFeedAttribution {
        original_url: article.original_url.clone(),
        original_published_at: rfc3339(article.original_published_at),
        original_updated_at: article.original_updated_at.map(rfc3339),
        reposted_at: rfc3339(article.reposted_at),
        subtitle: article.subtitle.clone(),
        original_title: article.original_title.clone(),
        rights: article.effective_rights().map(str::to_owned),
        editor: article.responsible_editor.clone(),
        outlet: JsonFeedOutlet {
            slug: article.outlet.slug.to_string(),
            name: article.outlet.name.clone(),
            homepage: article.outlet.homepage.clone(),
            feed_url: site.outlet_source_feed(article),
        },
        columns: article
            .columns
            .iter()
            .map(|c| JsonFeedColumn {
                slug: c.slug.to_string(),
                title: c.title.clone(),
                url: site.column_url(c.slug.as_str()),
            })
            .collect(),
        image_caption: article.image.as_ref().and_then(|i| i.caption.clone()),
    }
}
