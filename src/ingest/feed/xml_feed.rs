//! RSS 0.9x/1.0/2.0 and Atom 0.3/1.0, read from the lenient element tree into the
//! normalised model. Field fallbacks follow what the best readers do (feedparser,
//! miniflux, gofeed): `dc:date` as the publication date, a permalink guid as the link,
//! xml:base — else the site link, else the feed URL — as the base of relative URLs.

use super::dates;
use super::model::{Category, Enclosure, Entry, Format, ParsedFeed, Person, Text};
use super::tree::{Element, XML_NS};
use super::Context;
use base64::Engine;
use url::Url;

pub const ATOM10: &str = "http://www.w3.org/2005/Atom";
pub const ATOM03: &str = "http://purl.org/atom/ns#";
pub const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
pub const DC: &str = "http://purl.org/dc/elements/1.1/";
pub const DCTERMS: &str = "http://purl.org/dc/terms/";
pub const CONTENT: &str = "http://purl.org/rss/1.0/modules/content/";
pub const MEDIA: &str = "http://search.yahoo.com/mrss/";
pub const XHTML: &str = "http://www.w3.org/1999/xhtml";
pub const ITUNES: &str = "http://www.itunes.com/dtds/podcast-1.0.dtd";

/// Namespaces RSS's own elements appear in: none (0.9x/2.0), RSS 1.0, RSS 0.90, and
/// the namespaces some 2.0 feeds wrongly declare.
const RSS_NAMESPACES: &[&str] = &[
    "",
    "http://purl.org/rss/1.0/",
    "http://my.netscape.com/rdf/simple/0.9/",
    "http://backend.userland.com/rss2",
    "http://blogs.law.harvard.edu/tech/rss",
    "http://purl.org/net/rss1.1#",
];

/// Extension namespaces whose elements never stand for Atom's own. Atom's elements
/// are recognised by name in 1.0's, 0.3's and, as readers tolerate, any other
/// namespace the `<feed>` declares.
const EXTENSION_NAMESPACES: &[&str] = &[DC, DCTERMS, CONTENT, MEDIA, XHTML, ITUNES, RDF, XML_NS];

/// Reads the tree's root as a feed, or says why it is not one.
pub fn read(root: &Element, context: &Context) -> Result<ParsedFeed, String> {
    match root.name.as_str() {
        "rss" | "RDF" | "channel" => Ok(rss(root, context)),
        "feed" => Ok(atom(root, context)),
        other => Err(format!("<{other}> is not an RSS or Atom root element")),
    }
}

fn empty(format: Format) -> ParsedFeed {
    ParsedFeed {
        format,
        title: None,
        link: None,
        subtitle: None,
        language: None,
        updated: None,
        entries: Vec::new(),
        hubs: Vec::new(),
        self_url: None,
        encoding: String::new(),
        problems: Vec::new(),
    }
}

fn is_rss(e: &Element, name: &str) -> bool {
    e.name == name && RSS_NAMESPACES.contains(&e.ns.as_str())
}

fn is_atom(e: &Element, name: &str) -> bool {
    e.name == name && !EXTENSION_NAMESPACES.contains(&e.ns.as_str())
}

fn rss_child<'a>(e: &'a Element, name: &str) -> Option<&'a Element> {
    e.elements().find(|c| is_rss(c, name))
}

fn ns_child<'a>(e: &'a Element, ns: &str, name: &str) -> Option<&'a Element> {
    e.elements().find(|c| c.is(ns, name))
}

fn trimmed(text: String) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

fn text_of(e: Option<&Element>) -> Option<String> {
    e.and_then(|e| trimmed(e.text()))
}

/// The base URL in force inside `e`, given the one outside it.
fn rebase(outer: Option<&Url>, e: &Element) -> Option<Url> {
    match e.attr_ns(XML_NS, "base") {
        Some(base) => match outer {
            Some(outer) => outer.join(base.trim()).ok(),
            None => Url::parse(base.trim()).ok(),
        }
        .or_else(|| outer.cloned()),
        None => outer.cloned(),
    }
}

/// The base an `xml:base` on `e` (or an ancestor, given as `outer`) declares, if any.
fn declared_base(outer: Option<&Url>, document: Option<&Url>, e: &Element) -> Option<Url> {
    match e.attr_ns(XML_NS, "base") {
        Some(_) => rebase(outer.or(document), e),
        None => outer.cloned(),
    }
}

/// Makes `href` absolute against `base` when it can; keeps it as given otherwise.
fn absolute(base: Option<&Url>, href: &str) -> String {
    let href = href.trim();
    match base {
        Some(base) => base.join(href).map(String::from).unwrap_or_else(|_| href.to_owned()),
        None => Url::parse(href).map(String::from).unwrap_or_else(|_| href.to_owned()),
    }
}

fn date_of(e: Option<&Element>, context: &Context) -> Option<chrono::DateTime<chrono::Utc>> {
    text_of(e).and_then(|t| dates::parse(&t, context.zone))
}

/// The first of `candidates` (namespace, name) present among `e`'s children, in the
/// order of preference given.
fn first<'a>(e: &'a Element, candidates: &[(&str, &str)]) -> Option<&'a Element> {
    candidates.iter().find_map(|(ns, name)| if *ns == "rss" { rss_child(e, name) } else { ns_child(e, ns, name) })
}

/// HTML carried by an RSS element: escaped in its text, or embedded as elements.
fn rss_html(e: &Element) -> Option<Text> {
    let value = if e.has_child_elements() { e.inner_markup() } else { e.text() };
    trimmed(value).map(Text::html)
}

fn rss(root: &Element, context: &Context) -> ParsedFeed {
    let document = context.document_url.as_ref();
    let channel = if root.name == "channel" { root } else { rss_child(root, "channel").unwrap_or(root) };
    // Only xml:base counts as explicit; without it the site link, then the feed URL.
    let explicit = declared_base(declared_base(None, document, root).as_ref(), document, channel);
    let site = text_of(rss_child(channel, "link"))
        .or_else(|| atom_link(channel, "alternate").map(|(href, _)| href))
        .map(|href| absolute(explicit.as_ref().or(document), &href));
    let base =
        explicit.clone().or_else(|| site.as_deref().and_then(|s| Url::parse(s).ok())).or(context.document_url.clone());
    let mut feed = empty(Format::Rss);
    feed.title = first(channel, &[("rss", "title"), (DC, "title")]).and_then(rss_text);
    feed.link = site;
    feed.subtitle =
        first(channel, &[("rss", "description"), (DC, "description"), (ITUNES, "summary")]).and_then(rss_html);
    feed.language = text_of(first(channel, &[("rss", "language"), (DC, "language")]));
    hub_links(channel, explicit.as_ref().or(document), &mut feed);
    feed.updated = date_of(
        first(channel, &[("rss", "lastBuildDate"), (DCTERMS, "modified"), ("rss", "pubDate"), (DC, "date")]),
        context,
    );
    let items = channel
        .elements()
        .chain(if std::ptr::eq(channel, root) { None } else { Some(root) }.into_iter().flat_map(|r| r.elements()));
    feed.entries =
        items.filter(|e| is_rss(e, "item") && e.complete).map(|item| rss_item(item, base.as_ref(), context)).collect();
    feed
}

/// A title or similar line: HTML if it carries markup, else plain text.
fn rss_text(e: &Element) -> Option<Text> {
    if e.has_child_elements() {
        return trimmed(e.inner_markup()).map(Text::html);
    }
    trimmed(e.text()).map(|t| if t.contains('<') && t.contains('>') { Text::html(t) } else { Text::plain(t) })
}

fn rss_item(item: &Element, outer: Option<&Url>, context: &Context) -> Entry {
    let base = rebase(outer, item);
    let base = base.as_ref();
    let guid = rss_child(item, "guid");
    let guid_text = text_of(guid);
    let permalink_guid = guid
        .filter(|g| g.attr("isPermaLink").is_none_or(|p| !p.trim().eq_ignore_ascii_case("false")))
        .and(guid_text.clone())
        .filter(|g| g.starts_with("http://") || g.starts_with("https://"));
    let about = item.attr_ns(RDF, "about").map(str::to_owned);
    let link = text_of(rss_child(item, "link"))
        .or_else(|| atom_link(item, "alternate").map(|(href, _)| href))
        .or(permalink_guid)
        .or_else(|| about.clone().filter(|a| a.starts_with("http")))
        .map(|href| absolute(base, &href));
    let mut entry = Entry {
        id: guid_text.or(about),
        title: first(item, &[("rss", "title"), (DC, "title"), (MEDIA, "title")]).and_then(rss_text),
        link,
        published: date_of(
            first(item, &[("rss", "pubDate"), (DC, "date"), (DCTERMS, "issued"), (DCTERMS, "created")]),
            context,
        ),
        updated: date_of(first(item, &[(DCTERMS, "modified"), (ATOM10, "updated")]), context),
        authors: rss_authors(item),
        summary: first(item, &[("rss", "description"), (DC, "description")])
            .and_then(rss_html)
            .or_else(|| text_of(ns_child(item, ITUNES, "summary")).map(Text::plain)),
        content: ns_child(item, CONTENT, "encoded")
            .and_then(rss_html)
            .or_else(|| first(item, &[(XHTML, "body"), ("rss", "body"), ("rss", "fullitem")]).and_then(rss_html)),
        categories: item
            .elements()
            .filter_map(|c| {
                if is_rss(c, "category") {
                    trimmed(c.text()).map(|term| Category {
                        term,
                        scheme: c.attr("domain").map(str::to_owned),
                        label: None,
                    })
                } else {
                    dc_subject(c)
                }
            })
            .collect(),
        enclosures: Vec::new(),
        image: None,
        base: base.map(|b| b.to_string()),
    };
    media(item, base, &mut entry);
    entry
}

/// A `dc:subject` as a category (RSS and Atom alike).
fn dc_subject(c: &Element) -> Option<Category> {
    if c.is(DC, "subject") {
        trimmed(c.text()).map(|term| Category { term, scheme: None, label: None })
    } else {
        None
    }
}

/// RSS authors: `author` ("email (Name)" or "Name <email>" or a name), `dc:creator`,
/// `itunes:author`.
fn rss_authors(item: &Element) -> Vec<Person> {
    item.elements()
        .filter(|c| is_rss(c, "author") || c.is(DC, "creator") || c.is(ITUNES, "author"))
        .filter_map(|c| trimmed(c.text()))
        .map(|raw| person_from_line(&raw))
        .collect()
}

fn person_from_line(raw: &str) -> Person {
    if let (Some(open), Some(close)) = (raw.find('('), raw.rfind(')')) {
        if open < close {
            let (outside, inside) = (raw[..open].trim(), raw[open + 1..close].trim());
            // "email (Name)" or "Name (email)"
            let (email, name) = if inside.contains('@') { (inside, outside) } else { (outside, inside) };
            if email.contains('@') {
                return Person {
                    name: Some(name.to_owned()).filter(|n| !n.is_empty()),
                    email: Some(email.to_owned()),
                    uri: None,
                };
            }
        }
    }
    if let (Some(open), Some(close)) = (raw.find('<'), raw.rfind('>')) {
        if open < close && raw[open..close].contains('@') {
            let name = raw[..open].trim();
            return Person {
                name: Some(name.to_owned()).filter(|n| !n.is_empty()),
                email: Some(raw[open + 1..close].trim().to_owned()),
                uri: None,
            };
        }
    }
    if raw.contains('@') && !raw.contains(' ') {
        return Person { name: None, email: Some(raw.to_owned()), uri: None };
    }
    Person { name: Some(raw.to_owned()), email: None, uri: None }
}

/// Images and enclosures: RSS `enclosure`, Media RSS, iTunes image.
fn media(item: &Element, base: Option<&Url>, entry: &mut Entry) {
    let mut push = |url: &str, mime_type: Option<&str>, length: Option<&str>| {
        let url = absolute(base, url);
        if !entry.enclosures.iter().any(|e| e.url == url) {
            entry.enclosures.push(Enclosure {
                url,
                mime_type: mime_type.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()),
                length: length.and_then(|l| l.trim().parse().ok()),
            });
        }
    };
    let groups = item.elements().filter(|c| c.is(MEDIA, "group"));
    let candidates = item.elements().chain(groups.flat_map(|g| g.elements()));
    let mut image = None;
    for c in candidates {
        if is_rss(c, "enclosure") {
            if let Some(url) = c.attr("url").filter(|u| !u.trim().is_empty()) {
                push(url, c.attr("type"), c.attr("length"));
                if c.attr("type").is_some_and(|t| t.starts_with("image/")) {
                    image.get_or_insert_with(|| absolute(base, url));
                }
            }
        } else if c.is(MEDIA, "content") {
            if let Some(url) = c.attr("url") {
                let is_image =
                    c.attr("medium") == Some("image") || c.attr("type").is_some_and(|t| t.starts_with("image/"));
                if is_image {
                    image.get_or_insert_with(|| absolute(base, url));
                } else {
                    push(url, c.attr("type"), c.attr("fileSize"));
                }
            }
        } else if c.is(MEDIA, "thumbnail") || c.is(ITUNES, "image") {
            if let Some(url) = c.attr("url").or(c.attr("href")) {
                image.get_or_insert_with(|| absolute(base, url));
            }
        } else if is_atom(c, "link") && c.attr("rel") == Some("enclosure") {
            if let Some(href) = c.attr("href") {
                push(href, c.attr("type"), c.attr("length"));
            }
        }
    }
    entry.image = image;
}

/// An `atom:link` with the given rel (no rel counts as alternate), preferring HTML.
fn atom_link(e: &Element, rel: &str) -> Option<(String, Option<String>)> {
    let links: Vec<&Element> = e
        .elements()
        .filter(|c| c.name == "link" && c.attr("href").is_some() && !EXTENSION_NAMESPACES.contains(&c.ns.as_str()))
        .filter(|c| c.attr("rel").map(str::trim).unwrap_or("alternate") == rel)
        .filter(|c| c.attr("href").is_some())
        .collect();
    let preferred = links.iter().find(|l| l.attr("type").is_none_or(|t| t.contains("html"))).or(links.first())?;
    Some((preferred.attr("href")?.to_owned(), preferred.attr("type").map(str::to_owned)))
}

/// The WebSub links of a channel or feed: every `atom:link rel="hub"` and the first
/// `rel="self"`, made absolute (`rel` may list several values).
fn hub_links(e: &Element, base: Option<&Url>, feed: &mut ParsedFeed) {
    let links = e.elements().filter(|c| c.name == "link" && !EXTENSION_NAMESPACES.contains(&c.ns.as_str()));
    for link in links {
        let (Some(href), Some(rel)) = (link.attr("href"), link.attr("rel")) else { continue };
        let href = absolute(base, href);
        for rel in rel.split_ascii_whitespace() {
            if rel.eq_ignore_ascii_case("hub") && !feed.hubs.contains(&href) {
                feed.hubs.push(href.clone());
            } else if rel.eq_ignore_ascii_case("self") && feed.self_url.is_none() {
                feed.self_url = Some(href.clone());
            }
        }
    }
}

fn atom(root: &Element, context: &Context) -> ParsedFeed {
    let base = rebase(context.document_url.as_ref(), root);
    let mut feed = empty(Format::Atom);
    feed.title = ns_child_any(root, "title").and_then(atom_text);
    feed.link = atom_link(root, "alternate").map(|(href, _)| absolute(base.as_ref(), &href));
    feed.subtitle = ns_child_any(root, "subtitle").or_else(|| ns_child_any(root, "tagline")).and_then(atom_text);
    feed.language = root.attr_ns(XML_NS, "lang").map(str::to_owned).filter(|l| !l.trim().is_empty());
    hub_links(root, base.as_ref(), &mut feed);
    feed.updated = date_of(ns_child_any(root, "updated").or_else(|| ns_child_any(root, "modified")), context);
    let entry_base = base.clone().or_else(|| feed.link.as_deref().and_then(|l| Url::parse(l).ok()));
    feed.entries = root
        .elements()
        .filter(|e| is_atom(e, "entry") && e.complete)
        .map(|e| atom_entry(e, entry_base.as_ref(), context))
        .collect();
    feed
}

fn ns_child_any<'a>(e: &'a Element, name: &str) -> Option<&'a Element> {
    e.elements().find(|c| is_atom(c, name))
}

fn atom_entry(entry: &Element, outer: Option<&Url>, context: &Context) -> Entry {
    let base = rebase(outer, entry);
    let link = atom_link(entry, "alternate").map(|(href, _)| absolute(base.as_ref(), &href));
    let content_element = ns_child_any(entry, "content");
    let content_base = content_element.map_or(base.clone(), |c| rebase(base.as_ref(), c));
    let mut parsed = Entry {
        id: text_of(ns_child_any(entry, "id")),
        title: ns_child_any(entry, "title").and_then(atom_text),
        link,
        published: date_of(ns_child_any(entry, "published").or_else(|| ns_child_any(entry, "issued")), context)
            .or_else(|| date_of(ns_child(entry, DC, "date"), context)),
        updated: date_of(ns_child_any(entry, "updated").or_else(|| ns_child_any(entry, "modified")), context),
        authors: entry
            .elements()
            .filter(|c| is_atom(c, "author"))
            .map(|a| Person {
                name: text_of(ns_child_any(a, "name")),
                email: text_of(ns_child_any(a, "email")),
                uri: text_of(ns_child_any(a, "uri").or_else(|| ns_child_any(a, "url"))),
            })
            .chain(
                entry
                    .elements()
                    .filter(|c| c.is(DC, "creator"))
                    .filter_map(|c| trimmed(c.text()))
                    .map(|n| Person { name: Some(n), ..Person::default() }),
            )
            .collect(),
        summary: ns_child_any(entry, "summary").and_then(atom_text),
        content: content_element.filter(|c| c.attr("src").is_none()).and_then(atom_text),
        categories: entry
            .elements()
            .filter_map(|c| {
                if is_atom(c, "category") {
                    let term = c.attr("term").map(str::trim).filter(|t| !t.is_empty())?.to_owned();
                    Some(Category {
                        term,
                        scheme: c.attr("scheme").map(str::to_owned),
                        label: c.attr("label").map(str::to_owned),
                    })
                } else {
                    dc_subject(c)
                }
            })
            .collect(),
        enclosures: Vec::new(),
        image: None,
        base: content_base.or(base.clone()).map(|b| b.to_string()),
    };
    media(entry, base.as_ref(), &mut parsed);
    parsed
}

/// An Atom text construct: `type` text/html/xhtml (or a MIME type), and Atom 0.3's
/// `mode` escaped/base64/xml.
fn atom_text(e: &Element) -> Option<Text> {
    let kind = e.attr("type").map(|t| t.trim().to_ascii_lowercase()).unwrap_or_else(|| "text".into());
    let mode = e.attr("mode").map(|m| m.trim().to_ascii_lowercase());
    if mode.as_deref() == Some("base64") {
        let raw: String = e.text().split_whitespace().collect();
        let bytes = base64::engine::general_purpose::STANDARD.decode(raw).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        return trimmed(text).map(|t| if kind.contains("html") { Text::html(t) } else { Text::plain(t) });
    }
    let markup = || {
        let div = e.elements().find(|c| c.name == "div" && (c.ns == XHTML || c.ns.is_empty()));
        match div {
            Some(div) if e.elements().count() == 1 => div.inner_markup(),
            _ => e.inner_markup(),
        }
    };
    match kind.as_str() {
        "xhtml" | "application/xhtml+xml" => trimmed(markup()).map(Text::html),
        "html" | "text/html" => {
            let value = if e.has_child_elements() { e.inner_markup() } else { e.text() };
            trimmed(value).map(Text::html)
        }
        _ if mode.as_deref() == Some("xml") || (e.has_child_elements() && kind != "text") => {
            trimmed(markup()).map(Text::html)
        }
        "text" | "text/plain" => trimmed(e.text()).map(Text::plain),
        other if other.starts_with("text/") => trimmed(e.text()).map(Text::plain),
        other if other.ends_with("+xml") || other.ends_with("/xml") => trimmed(e.inner_markup()).map(Text::html),
        // Other media types are base64 (RFC 4287 §4.1.3.3); only text is worth reposting.
        _ => {
            let raw: String = e.text().split_whitespace().collect();
            let bytes = base64::engine::general_purpose::STANDARD.decode(raw).ok()?;
            String::from_utf8(bytes).ok().and_then(trimmed).map(Text::html)
        }
    }
}
