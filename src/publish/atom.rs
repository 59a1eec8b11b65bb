//! Atom 1.0 (RFC 4287): `link rel="via"` to the original, `atom:source` for the outlet,
//! `rights`, and `syndic:` elements for the original times (see the README). `summary`
//! and `content` end with the attribution block.

use super::{Feed, FeedFormat, Site, GENERATOR, HISTORY_NS, MEDIA_NS, SYNDIC_NS};
use crate::domain::Article;
use atom_syndication::extension::{Extension, ExtensionMap};
use atom_syndication::{
    Category, Content, Entry, Feed as AtomFeed, FixedDateTime, Generator, Link, Person, Source, Text,
};
use chrono::{DateTime, Timelike, Utc};
use std::collections::BTreeMap;

/// Renders a feed as an Atom 1.0 document.
pub fn render(site: &Site, feed: &Feed) -> String {
    let self_url = feed.self_url(site, FeedFormat::Atom);
    let mut links = vec![
        link(&feed.kind.page_url(site), "alternate", Some("text/html")),
        link(&self_url, "self", Some(FeedFormat::Atom.media_type())),
        link(&site.hub_url, "hub", None),
    ];
    links.extend(
        feed.history_links(site, FeedFormat::Atom)
            .iter()
            .map(|(rel, href)| link(href, rel, Some(FeedFormat::Atom.media_type()))),
    );
    let document = AtomFeed {
        title: Text::plain(feed.title.clone()),
        id: self_url.clone(),
        updated: feed.updated.fixed_offset(),
        authors: vec![Person { name: site.config.name.clone(), uri: Some(site.home_url()), ..Person::default() }],
        generator: Some(Generator { value: GENERATOR.to_owned(), ..Generator::default() }),
        links,
        rights: site.config.copyright.clone().map(Text::plain),
        subtitle: Some(Text::plain(feed.description.clone())),
        entries: feed.articles.iter().map(|a| entry(site, a)).collect(),
        namespaces: BTreeMap::from([
            ("syndic".to_owned(), SYNDIC_NS.to_owned()),
            ("media".to_owned(), MEDIA_NS.to_owned()),
            ("fh".to_owned(), HISTORY_NS.to_owned()),
        ]),
        lang: Some(site.config.language.clone()),
        ..AtomFeed::default()
    };
    // The writer emits the XML declaration itself.
    let mut out = document.to_string();
    if feed.is_archive() {
        mark_archive(&mut out);
    }
    out.push('\n');
    super::well_formed(out)
}

/// Adds `<fh:archive/>` first in the feed element: RFC 4287 wants feed-level extension
/// elements before the entries, and the writer puts its extensions after them.
fn mark_archive(document: &mut String) {
    let feed_start = document.find("<feed").expect("the writer emits a feed element");
    let end_of_tag = feed_start + document[feed_start..].find('>').expect("the feed start tag ends");
    document.insert_str(end_of_tag + 1, "<fh:archive/>");
}

fn entry(site: &Site, article: &Article) -> Entry {
    let page = site.article_url(article.id);
    let mut links = vec![link(&page, "alternate", Some("text/html")), link(&article.original_url, "via", None)];
    links.extend(
        article
            .enclosures
            .iter()
            .map(|e| Link { length: e.length.map(|l| l.to_string()), ..link(&e.url, "enclosure", Some(&e.mime_type)) }),
    );
    let mut categories: Vec<Category> = article
        .columns
        .iter()
        .map(|c| Category {
            term: c.slug.to_string(),
            scheme: Some(format!("{}/columns/", site.base_url)),
            label: Some(c.title.clone()),
        })
        .collect();
    categories.extend(article.tags.iter().map(|t| Category { term: t.clone(), ..Category::default() }));
    Entry {
        title: Text::plain(article.title.clone()),
        id: page,
        // Every write takes its own microsecond from the change clock: written whole, no two
        // entries share an `updated` (the W3C validator flags entries that do).
        updated: article.updated_at.fixed_offset(),
        published: Some(fixed(article.reposted_at)),
        authors: vec![Person { name: super::byline(article).to_owned(), ..Person::default() }],
        categories,
        links,
        rights: article.effective_rights().map(|r| Text::plain(r.to_owned())),
        source: Some(source(site, article)),
        summary: site
            .attributed_summary(article.summary.as_deref(), article.content_html.is_some(), article)
            .map(Text::html),
        content: article.content_html.as_deref().map(|html| Content {
            value: Some(site.attributed(html, article)),
            content_type: Some("html".to_owned()),
            ..Content::default()
        }),
        extensions: extensions(article),
        ..Entry::default()
    }
}

/// The outlet as the entry's source feed (RFC 4287 §4.2.11).
fn source(site: &Site, article: &Article) -> Source {
    let outlet = &article.outlet;
    let feed_url = site.outlet_source_feed(article);
    Source {
        title: Text::plain(outlet.name.clone()),
        id: feed_url.clone(),
        updated: fixed(article.original_updated_at.unwrap_or(article.original_published_at)),
        links: vec![link(&outlet.homepage, "alternate", Some("text/html")), link(&feed_url, "self", None)],
        rights: outlet.rights.clone().map(Text::plain),
        ..Source::default()
    }
}

fn extensions(article: &Article) -> ExtensionMap {
    let mut syndic: BTreeMap<String, Vec<Extension>> = BTreeMap::new();
    let mut add = |local: &str, value: String| {
        syndic.entry(local.to_owned()).or_default().push(Extension {
            name: format!("syndic:{local}"),
            value: Some(value),
            ..Extension::default()
        });
    };
    add("originalPublished", super::rfc3339(article.original_published_at));
    if let Some(updated) = article.original_updated_at {
        add("originalUpdated", super::rfc3339(updated));
    }
    if let Some(subtitle) = &article.subtitle {
        add("subtitle", subtitle.clone());
    }
    if let Some(original) = &article.original_title {
        add("originalTitle", original.clone());
    }
    if let Some(editor) = &article.responsible_editor {
        add("editor", editor.clone());
    }
    let mut map = ExtensionMap::new();
    map.insert("syndic".to_owned(), syndic);
    if let Some(image) = &article.image {
        let mut content = Extension {
            name: "media:content".to_owned(),
            attrs: BTreeMap::from([("url".to_owned(), image.url.clone()), ("medium".to_owned(), "image".to_owned())]),
            ..Extension::default()
        };
        if let Some(caption) = &image.caption {
            content.children.insert(
                "description".to_owned(),
                vec![Extension {
                    name: "media:description".to_owned(),
                    value: Some(caption.clone()),
                    ..Extension::default()
                }],
            );
        }
        map.insert("media".to_owned(), BTreeMap::from([("content".to_owned(), vec![content])]));
    }
    map
}

fn link(href: &str, rel: &str, mime_type: Option<&str>) -> Link {
    Link { href: href.to_owned(), rel: rel.to_owned(), mime_type: mime_type.map(str::to_owned), ..Link::default() }
}

/// Whole seconds, like every other output, so all formats state the same instants.
fn fixed(t: DateTime<Utc>) -> FixedDateTime {
    t.with_nanosecond(0).unwrap_or(t).fixed_offset()
}
