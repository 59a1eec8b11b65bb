//! JSON Feed 1.1: `external_url` for the original link, `authors`, `attachments`, and a
//! `_syndic` extension object for attribution that has no standard key.

use super::{rfc3339, Feed, FeedFormat, Site};
use crate::domain::Article;
use serde_json::{json, Map, Value};

pub const VERSION: &str = "https://jsonfeed.org/version/1.1";

/// Renders a feed as a JSON Feed 1.1 document.
pub fn render(site: &Site, feed: &Feed) -> String {
    let mut document = json!({
        "version": VERSION,
        "title": feed.title,
        "home_page_url": feed.kind.page_url(site),
        "feed_url": feed.self_url(site, FeedFormat::Json),
        "description": feed.description,
        "language": site.config.language,
        "authors": [{"name": site.config.name, "url": site.home_url()}],
        "hubs": [{"type": "WebSub", "url": site.hub_url}],
        "items": feed.articles.iter().map(|a| item(site, a)).collect::<Vec<_>>(),
    });
    well_formed(&mut document);
    let mut out = serde_json::to_string_pretty(&document).expect("a JSON value always serialises");
    out.push('\n');
    out
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

fn item(site: &Site, article: &Article) -> Value {
    let page = site.article_url(article.id);
    let mut tags: Vec<&str> = article.columns.iter().map(|c| c.title.as_str()).collect();
    tags.extend(article.tags.iter().map(String::as_str));
    let mut item = Map::new();
    item.insert("id".into(), json!(page));
    item.insert("url".into(), json!(page));
    item.insert("external_url".into(), json!(article.original_url));
    item.insert("title".into(), json!(article.title));
    // JSON Feed requires content; the summary stands in when there is no body.
    let content = article.content_html.as_deref().or(article.summary.as_deref()).unwrap_or("");
    item.insert("content_html".into(), json!(content));
    item.insert("summary".into(), json!(super::summary_text(article, 500)));
    if let Some(image) = &article.image {
        item.insert("image".into(), json!(image.url));
    }
    item.insert("date_published".into(), json!(rfc3339(article.reposted_at)));
    item.insert("date_modified".into(), json!(rfc3339(article.updated_at)));
    item.insert("authors".into(), json!([{"name": super::byline(article)}]));
    item.insert("tags".into(), json!(tags));
    if let Some(language) = &article.language {
        item.insert("language".into(), json!(language));
    }
    if !article.enclosures.is_empty() {
        let attachments: Vec<Value> = article
            .enclosures
            .iter()
            .map(|e| {
                let mut a = json!({"url": e.url, "mime_type": e.mime_type});
                if let Some(length) = e.length {
                    a["size_in_bytes"] = json!(length);
                }
                a
            })
            .collect();
        item.insert("attachments".into(), json!(attachments));
    }
    item.insert("_syndic".into(), extension(site, article));
    Value::Object(item)
}

/// Attribution with no JSON Feed key of its own.
fn extension(site: &Site, article: &Article) -> Value {
    json!({
        "original_url": article.original_url,
        "original_published_at": rfc3339(article.original_published_at),
        "original_updated_at": article.original_updated_at.map(rfc3339),
        "reposted_at": rfc3339(article.reposted_at),
        "subtitle": article.subtitle,
        "rights": article.effective_rights(),
        "outlet": {
            "slug": article.outlet.slug.as_str(),
            "name": article.outlet.name,
            "homepage": article.outlet.homepage,
            "feed_url": site.outlet_source_feed(article),
        },
        "columns": article.columns.iter().map(|c| json!({
            "slug": c.slug.as_str(),
            "title": c.title,
            "url": site.column_url(c.slug.as_str()),
        })).collect::<Vec<_>>(),
        "image_caption": article.image.as_ref().and_then(|i| i.caption.clone()),
    })
}
