//! What a page says about itself in its head: canonical URL, base, Open Graph and
//! article meta tags, the `<meta name="publishdate">` family Chinese CMSs write, and
//! JSON-LD (`datePublished`, `author`, `headline`). Metadata wins over the text of the
//! page when both are there: it is written for machines.

use scraper::{Html, Selector};
use std::sync::LazyLock;

/// JSON-LD blocks read, and the bytes read of each.
const MAX_JSON_LD: usize = 8;
const MAX_JSON_LD_BYTES: usize = 256 * 1024;

/// Meta names (lower-case, `name`/`property`/`itemprop`/`http-equiv`) of the
/// publication time, most specific first.
const PUBLISHED_NAMES: &[&str] = &[
    "article:published_time",
    "og:published_time",
    "datepublished",
    "publishdate",
    "publish_date",
    "published_date",
    "pubdate",
    "dc.date.issued",
    "dc.date",
    "dcterms.issued",
    "date",
];

const AUTHOR_NAMES: &[&str] = &["author", "article:author", "dc.creator", "byl"];
const SOURCE_NAMES: &[&str] = &["source", "contentsource", "dc.publisher"];

/// A page's self-description; every value as the page states it, trimmed.
#[derive(Debug, Default)]
pub struct Meta {
    pub title: Option<String>,
    pub og_title: Option<String>,
    pub site_name: Option<String>,
    pub description: Option<String>,
    pub image: Option<String>,
    pub canonical: Option<String>,
    pub base: Option<String>,
    pub published: Option<String>,
    pub author: Option<String>,
    pub source: Option<String>,
}

static META: LazyLock<Selector> = LazyLock::new(|| Selector::parse("meta").expect("valid"));
static LINK: LazyLock<Selector> = LazyLock::new(|| Selector::parse("link[rel][href]").expect("valid"));
static BASE: LazyLock<Selector> = LazyLock::new(|| Selector::parse("base[href]").expect("valid"));
static TITLE: LazyLock<Selector> = LazyLock::new(|| Selector::parse("title").expect("valid"));
static TIME: LazyLock<Selector> = LazyLock::new(|| Selector::parse("time[datetime]").expect("valid"));
static PUBLISHED_TIME: LazyLock<Selector> = LazyLock::new(|| {
    Selector::parse("time[pubdate][datetime], [itemprop=datePublished][datetime], [itemprop=datePublished][content]")
        .expect("valid")
});
static LD: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse(r#"script[type="application/ld+json" i]"#).expect("valid"));

pub fn read(document: &Html) -> Meta {
    let mut meta = Meta::default();
    let mut published: Option<(usize, String)> = None;
    let mut author: Option<(usize, String)> = None;
    let mut source: Option<(usize, String)> = None;
    let keep = |slot: &mut Option<(usize, String)>, rank: usize, value: &str| {
        if slot.as_ref().is_none_or(|(best, _)| rank < *best) {
            *slot = Some((rank, value.to_owned()));
        }
    };
    for element in document.select(&META) {
        let e = element.value();
        let Some(value) = e.attr("content").map(str::trim).filter(|v| !v.is_empty()) else { continue };
        for key in ["name", "property", "itemprop", "http-equiv"].iter().filter_map(|k| e.attr(k)) {
            let key = key.trim().to_ascii_lowercase();
            let first = |slot: &mut Option<String>| {
                slot.get_or_insert_with(|| value.to_owned());
            };
            match key.as_str() {
                "og:title" | "twitter:title" => first(&mut meta.og_title),
                "og:site_name" | "application-name" => first(&mut meta.site_name),
                "description" | "og:description" | "twitter:description" => first(&mut meta.description),
                "og:image" | "og:image:url" | "twitter:image" => first(&mut meta.image),
                "og:url" => first(&mut meta.canonical),
                _ => {}
            }
            if let Some(rank) = PUBLISHED_NAMES.iter().position(|n| *n == key) {
                keep(&mut published, rank, value);
            }
            if let Some(rank) = AUTHOR_NAMES.iter().position(|n| *n == key) {
                // `article:author` is often a profile URL, not a name.
                if !value.starts_with("http") {
                    keep(&mut author, rank, value);
                }
            }
            if let Some(rank) = SOURCE_NAMES.iter().position(|n| *n == key) {
                keep(&mut source, rank, value);
            }
        }
    }
    for link in document.select(&LINK) {
        let rels = link.value().attr("rel").unwrap_or_default().to_ascii_lowercase();
        if rels.split_whitespace().any(|r| r == "canonical") {
            // The link element is the page's own word; og:url only stands in for it.
            meta.canonical = link.value().attr("href").map(|h| h.trim().to_owned());
            break;
        }
    }
    meta.base = document.select(&BASE).next().and_then(|b| b.value().attr("href")).map(|h| h.trim().to_owned());
    meta.title = document.select(&TITLE).next().map(super::dom::line).filter(|t| !t.is_empty());
    for script in document.select(&LD).take(MAX_JSON_LD) {
        let text: String = script.text().collect();
        if text.len() > MAX_JSON_LD_BYTES {
            continue;
        }
        let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else { continue };
        let ld = json_ld(&value);
        if published.is_none() {
            published = ld.published.map(|p| (0, p));
        }
        if author.is_none() {
            author = ld.author.map(|a| (0, a));
        }
        if meta.og_title.is_none() {
            meta.og_title = ld.headline;
        }
    }
    if published.is_none() {
        published = machine_time(document).map(|t| (0, t));
    }
    meta.published = published.map(|(_, v)| v);
    meta.author = author.map(|(_, v)| v);
    meta.source = source.map(|(_, v)| v);
    meta
}

/// A `<time datetime>` marked as the publication time, or the page's only one.
fn machine_time(document: &Html) -> Option<String> {
    let value =
        |e: scraper::ElementRef<'_>| e.value().attr("datetime").or(e.value().attr("content")).map(str::to_owned);
    if let Some(marked) = document.select(&PUBLISHED_TIME).next() {
        return value(marked);
    }
    let mut times = document.select(&TIME).take(2);
    match (times.next(), times.next()) {
        (Some(only), None) => value(only),
        _ => None,
    }
}

#[derive(Default)]
struct JsonLd {
    published: Option<String>,
    author: Option<String>,
    headline: Option<String>,
}

/// The article object of a JSON-LD block (itself, an element of an array, or in `@graph`).
fn json_ld(value: &serde_json::Value) -> JsonLd {
    let objects: Vec<&serde_json::Value> = match value {
        serde_json::Value::Array(items) => items.iter().take(32).collect(),
        object => match object.get("@graph").and_then(|g| g.as_array()) {
            Some(graph) => graph.iter().take(32).collect(),
            None => vec![object],
        },
    };
    let mut found = JsonLd::default();
    for object in objects {
        let string = |key: &str| object.get(key).and_then(|v| v.as_str()).map(str::trim).map(str::to_owned);
        if found.published.is_none() {
            found.published = string("datePublished");
        }
        if found.headline.is_none() {
            found.headline = string("headline");
        }
        if found.author.is_none() {
            found.author = object.get("author").and_then(person_names);
        }
    }
    found
}

/// `"author": "X"`, `{"name": "X"}` or a list of either, names joined by `、`.
fn person_names(value: &serde_json::Value) -> Option<String> {
    let name = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => Some(s.trim().to_owned()),
        other => other.get("name").and_then(|n| n.as_str()).map(|s| s.trim().to_owned()),
    };
    let names: Vec<String> = match value {
        serde_json::Value::Array(items) => items.iter().take(16).filter_map(name).collect(),
        one => name(one).into_iter().collect(),
    };
    let names: Vec<String> = names.into_iter().filter(|n| !n.is_empty()).collect();
    (!names.is_empty()).then(|| names.join("、"))
}
