//! JSON Feed 1.0 and 1.1 (and the 1.0 `author` object) into the normalised model.

use super::dates;
use super::model::{Category, Enclosure, Entry, Format, ParsedFeed, Person, Text};
use super::Context;
use serde_json::Value;
use url::Url;

/// Reads a JSON Feed document, or says why it is not one.
pub fn read(text: &str, context: &Context) -> Result<ParsedFeed, String> {
    let document: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    // Some publishers write the version as "1.0" rather than the jsonfeed.org URL.
    let version = document["version"].as_str().unwrap_or("");
    let looks_like_json_feed =
        version.contains("jsonfeed.org/version/") || (version.starts_with('1') && document["items"].is_array());
    if !looks_like_json_feed {
        return Err("not a JSON Feed: no jsonfeed.org version".into());
    }
    let document_url = context.document_url.as_ref();
    let link = string(&document["home_page_url"]).map(|u| absolute(document_url, &u));
    let base = link.as_deref().and_then(|l| Url::parse(l).ok()).or_else(|| context.document_url.clone());
    let entries = document["items"]
        .as_array()
        .map(|items| items.iter().filter(|i| i.is_object()).map(|i| item(i, base.as_ref(), context)).collect())
        .unwrap_or_default();
    Ok(ParsedFeed {
        format: Format::Json,
        title: string(&document["title"]).map(Text::plain),
        link,
        subtitle: string(&document["description"]).map(Text::plain),
        language: string(&document["language"]),
        updated: None,
        entries,
        hubs: document["hubs"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|hub| string(&hub["url"]))
            .map(|url| absolute(document_url, &url))
            .collect(),
        self_url: string(&document["feed_url"]).map(|url| absolute(document_url, &url)),
        encoding: String::new(),
        problems: Vec::new(),
    })
}

fn string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn absolute(base: Option<&Url>, href: &str) -> String {
    match base {
        Some(base) => base.join(href).map(String::from).unwrap_or_else(|_| href.to_owned()),
        None => href.to_owned(),
    }
}

fn item(item: &Value, base: Option<&Url>, context: &Context) -> Entry {
    let authors: Vec<Person> = item["authors"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(item.get("author"))
        .filter(|a| a.is_object())
        .map(|a| Person { name: string(&a["name"]), email: None, uri: string(&a["url"]) })
        .collect();
    let content =
        string(&item["content_html"]).map(Text::html).or_else(|| string(&item["content_text"]).map(Text::plain));
    Entry {
        id: string(&item["id"]),
        title: string(&item["title"]).map(Text::plain),
        link: string(&item["url"]).or_else(|| string(&item["external_url"])).map(|u| absolute(base, &u)),
        published: string(&item["date_published"]).and_then(|d| dates::parse(&d, context.zone)),
        updated: string(&item["date_modified"]).and_then(|d| dates::parse(&d, context.zone)),
        authors,
        summary: string(&item["summary"]).map(Text::plain),
        content,
        categories: item["tags"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(string)
            .map(|term| Category { term, scheme: None, label: None })
            .collect(),
        enclosures: item["attachments"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| {
                Some(Enclosure {
                    url: absolute(base, &string(&a["url"])?),
                    mime_type: string(&a["mime_type"]),
                    length: a["size_in_bytes"].as_u64(),
                })
            })
            .collect(),
        image: string(&item["image"]).or_else(|| string(&item["banner_image"])).map(|u| absolute(base, &u)),
        base: base.map(|b| b.to_string()),
    }
}
