//! RSS 2.0, with `content:encoded`, `dc:`, `dcterms:modified`, `atom:link rel="self"`,
//! Media RSS for images and extra enclosures, and `syndic:` for what no standard
//! element holds (see the README's mapping table). `description` and `content:encoded`
//! both end with the attribution block: readers show one or the other.

use super::{Feed, FeedFormat, Site, DCTERMS_NS, GENERATOR, HISTORY_NS, MEDIA_NS, SYNDIC_NS};
use crate::domain::Article;
use ::rss::extension::atom::{AtomExtension, Link};
use ::rss::extension::dublincore::DublinCoreExtension;
use ::rss::extension::{Extension, ExtensionMap};
use ::rss::{Category, Channel, Enclosure, Guid, Item, Source};
use std::collections::BTreeMap;

/// Renders a feed as an RSS 2.0 document.
pub fn render(site: &Site, feed: &Feed) -> String {
    let channel = Channel {
        title: feed.title.clone(),
        link: feed.kind.page_url(site),
        description: feed.description.clone(),
        language: Some(site.config.language.clone()),
        copyright: site.config.copyright.clone(),
        last_build_date: Some(feed.updated.to_rfc2822()),
        generator: Some(GENERATOR.to_owned()),
        docs: Some("https://www.rssboard.org/rss-specification".to_owned()),
        atom_ext: Some(AtomExtension { links: links(site, feed) }),
        namespaces: BTreeMap::from([
            ("syndic".to_owned(), SYNDIC_NS.to_owned()),
            ("media".to_owned(), MEDIA_NS.to_owned()),
            ("dcterms".to_owned(), DCTERMS_NS.to_owned()),
            ("fh".to_owned(), HISTORY_NS.to_owned()),
        ]),
        extensions: history_marker(feed),
        items: feed.articles.iter().map(|a| item(site, a)).collect(),
        ..Channel::default()
    };
    // The writer emits the XML declaration itself.
    let mut out = channel.to_string();
    out.push('\n');
    super::well_formed(out)
}

/// `atom:link`s: self, the WebSub hub, and the RFC 5005 archive links.
fn links(site: &Site, feed: &Feed) -> Vec<Link> {
    let link = |rel: &str, href: String, mime_type: Option<&str>| Link {
        href,
        rel: rel.to_owned(),
        mime_type: mime_type.map(str::to_owned),
        ..Link::default()
    };
    let mut links = vec![
        link("self", feed.self_url(site, FeedFormat::Rss), Some(FeedFormat::Rss.media_type())),
        link("hub", site.hub_url.clone(), None),
    ];
    links.extend(
        feed.history_links(site, FeedFormat::Rss)
            .into_iter()
            .map(|(rel, href)| link(rel, href, Some(FeedFormat::Rss.media_type()))),
    );
    links
}

/// `<fh:archive/>` on an archive document.
fn history_marker(feed: &Feed) -> ExtensionMap {
    let mut map = ExtensionMap::new();
    if feed.is_archive() {
        let mut archive = element("fh:archive", "", &[]);
        archive.value = None;
        insert_all(&mut map, "fh", vec![archive]);
    }
    map
}

fn item(site: &Site, article: &Article) -> Item {
    let page = site.article_url(article.id);
    let mut categories: Vec<Category> = article
        .columns
        .iter()
        .map(|c| Category { name: c.title.clone(), domain: Some(site.column_url(c.slug.as_str())) })
        .collect();
    categories.extend(article.tags.iter().map(|t| Category { name: t.clone(), domain: None }));
    Item {
        title: Some(article.title.clone()),
        link: Some(page.clone()),
        description: Some(site.attributed(&description(article), article)),
        content: article.content_html.as_deref().map(|html| site.attributed(html, article)),
        categories,
        guid: Some(Guid { value: page, permalink: true }),
        pub_date: Some(article.reposted_at.to_rfc2822()),
        source: Some(Source { url: site.outlet_source_feed(article), title: Some(article.outlet.name.clone()) }),
        enclosure: article.enclosures.first().map(|e| Enclosure {
            url: e.url.clone(),
            length: e.length.unwrap_or(0).to_string(),
            mime_type: e.mime_type.clone(),
        }),
        dublin_core_ext: Some(DublinCoreExtension {
            creators: article.author.iter().cloned().collect(),
            rights: article.effective_rights().map(str::to_owned).into_iter().collect(),
            languages: article.language.iter().cloned().collect(),
            ..DublinCoreExtension::default()
        }),
        extensions: extensions(article),
        ..Item::default()
    }
}

/// The item's description, which RSS readers take as HTML: its summary, else the start
/// of its text, escaped.
fn description(article: &Article) -> String {
    match &article.summary {
        Some(summary) => summary.clone(),
        None => quick_xml::escape::escape(super::summary_text(article, 500).as_str()).into_owned(),
    }
}

fn extensions(article: &Article) -> ExtensionMap {
    let mut syndic = vec![
        element("syndic:originalLink", &article.original_url, &[]),
        element("syndic:originalPublished", &super::rfc3339(article.original_published_at), &[]),
        element(
            "syndic:outlet",
            &article.outlet.name,
            &[("homepage", &article.outlet.homepage), ("slug", article.outlet.slug.as_str())],
        ),
    ];
    if let Some(updated) = article.original_updated_at {
        syndic.push(element("syndic:originalUpdated", &super::rfc3339(updated), &[]));
    }
    if let Some(subtitle) = &article.subtitle {
        syndic.push(element("syndic:subtitle", subtitle, &[]));
    }
    if let Some(original) = &article.original_title {
        syndic.push(element("syndic:originalTitle", original, &[]));
    }
    if let Some(editor) = &article.responsible_editor {
        syndic.push(element("syndic:editor", editor, &[]));
    }
    let mut map = ExtensionMap::new();
    insert_all(&mut map, "syndic", syndic);
    insert_all(&mut map, "media", media_elements(article));
    insert_all(&mut map, "dcterms", vec![element("dcterms:modified", &super::rfc3339(article.updated_at), &[])]);
    map
}

/// `media:content` for the image (with its caption) and every enclosure.
fn media_elements(article: &Article) -> Vec<Extension> {
    let mut media = Vec::new();
    if let Some(image) = &article.image {
        let mut content = element("media:content", "", &[("url", &image.url), ("medium", "image")]);
        content.value = None;
        if let Some(caption) = &image.caption {
            content.children.insert("description".into(), vec![element("media:description", caption, &[])]);
        }
        media.push(content);
    }
    for enclosure in &article.enclosures {
        let length = enclosure.length.map(|l| l.to_string());
        let mut attrs = vec![("url", enclosure.url.as_str()), ("type", enclosure.mime_type.as_str())];
        if let Some(length) = &length {
            attrs.push(("fileSize", length));
        }
        let mut content = element("media:content", "", &attrs);
        content.value = None;
        media.push(content);
    }
    media
}

fn element(name: &str, value: &str, attrs: &[(&str, &str)]) -> Extension {
    Extension {
        name: name.to_owned(),
        value: Some(value.to_owned()),
        attrs: attrs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
        children: BTreeMap::new(),
    }
}

/// Groups extension elements by local name under their prefix, as the rss crate keeps them.
fn insert_all(map: &mut ExtensionMap, prefix: &str, elements: Vec<Extension>) {
    let by_name = map.entry(prefix.to_owned()).or_default();
    for element in elements {
        let local = element.name.split_once(':').map_or(element.name.as_str(), |(_, l)| l).to_owned();
        by_name.entry(local).or_default().push(element);
    }
}
