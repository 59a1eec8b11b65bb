//! Which hub a polled feed names, and under which topic (WebSub §4): the response's
//! `Link` headers first, then the document's own links (`atom:link rel="hub"` and
//! `rel="self"` in Atom and RSS, JSON Feed's `hubs` and `feed_url`); without a self URL
//! the topic is the address the feed was fetched from.

use crate::ingest::feed::ParsedFeed;
use reqwest::header::{HeaderMap, LINK};
use url::Url;

/// The longest hub or topic URL taken.
const MAX_URL_BYTES: usize = 2048;

/// A hub to subscribe to, and the topic to subscribe under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovery {
    pub hub: String,
    pub topic: String,
}

/// The hub and topic of a fetched feed, or `None` when it names no usable hub.
pub fn discover(headers: &HeaderMap, feed: &ParsedFeed, fetched: &Url) -> Option<Discovery> {
    let (mut hubs, mut self_url) = (Vec::new(), None);
    for value in headers.get_all(LINK).iter().filter_map(|v| v.to_str().ok()) {
        for (target, rels) in links(value) {
            let Ok(target) = fetched.join(&target) else { continue };
            if rels.iter().any(|r| r.eq_ignore_ascii_case("hub")) {
                hubs.push(target.to_string());
            }
            if rels.iter().any(|r| r.eq_ignore_ascii_case("self")) && self_url.is_none() {
                self_url = Some(target.to_string());
            }
        }
    }
    hubs.extend(feed.hubs.iter().cloned());
    let hub = hubs.into_iter().find(|hub| usable(hub))?;
    let topic =
        self_url.or_else(|| feed.self_url.clone()).filter(|topic| usable(topic)).unwrap_or_else(|| fetched.to_string());
    Some(Discovery { hub, topic })
}

/// An http(s) URL of reasonable length.
fn usable(url: &str) -> bool {
    url.len() <= MAX_URL_BYTES && Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
}

/// The links of one `Link` header value (RFC 8288): each target with its `rel` values.
fn links(value: &str) -> Vec<(String, Vec<String>)> {
    let mut found = Vec::new();
    let mut rest = value;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>') else { break };
        let target = rest[open + 1..open + close].trim().to_owned();
        rest = &rest[open + close + 1..];
        let mut quoted = false;
        let end = rest
            .char_indices()
            .find(|&(_, c)| {
                if c == '"' {
                    quoted = !quoted;
                }
                c == ',' && !quoted
            })
            .map_or(rest.len(), |(at, _)| at);
        let rels = rest[..end]
            .split(';')
            .filter_map(|param| param.split_once('='))
            .filter(|(name, _)| name.trim().eq_ignore_ascii_case("rel"))
            .flat_map(|(_, value)| value.trim().trim_matches('"').split_ascii_whitespace().map(str::to_owned))
            .collect();
        found.push((target, rels));
        rest = &rest[end..];
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::feed::{parse_document, Context};

    fn parsed(document: &str) -> ParsedFeed {
        let context = Context { document_url: None, content_type: None, zone: chrono_tz::UTC };
        parse_document(document.as_bytes(), &context).unwrap()
    }

    fn fetched() -> Url {
        Url::parse("https://outlet.example/rss.xml?from=poll").unwrap()
    }

    #[test]
    fn link_headers_come_before_the_documents_links() {
        let feed = parsed(
            r#"<feed xmlns="http://www.w3.org/2005/Atom"><link rel="hub" href="https://doc-hub.example/"/>
               <link rel="self" href="https://outlet.example/atom.xml"/></feed>"#,
        );
        let mut headers = HeaderMap::new();
        headers.append(LINK, r#"<https://header-hub.example/>; rel="hub", </feed.xml>; rel="self""#.parse().unwrap());
        let found = discover(&headers, &feed, &fetched()).unwrap();
        assert_eq!(found.hub, "https://header-hub.example/");
        assert_eq!(found.topic, "https://outlet.example/feed.xml");
        let found = discover(&HeaderMap::new(), &feed, &fetched()).unwrap();
        assert_eq!(
            found,
            Discovery { hub: "https://doc-hub.example/".into(), topic: "https://outlet.example/atom.xml".into() }
        );
    }

    #[test]
    fn rss_and_json_feed_name_hubs_and_the_fetched_url_stands_in_for_self() {
        let rss = parsed(
            r#"<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>t</title>
               <atom:link rel="hub" href="http://hub.example/"/></channel></rss>"#,
        );
        let found = discover(&HeaderMap::new(), &rss, &fetched()).unwrap();
        assert_eq!((found.hub.as_str(), found.topic.as_str()), ("http://hub.example/", fetched().as_str()));
        let json = parsed(
            r#"{"version": "https://jsonfeed.org/version/1.1", "items": [], "feed_url": "https://outlet.example/f.json",
                "hubs": [{"type": "WebSub", "url": "https://hub.example/json"}]}"#,
        );
        let found = discover(&HeaderMap::new(), &json, &fetched()).unwrap();
        assert_eq!(
            (found.hub.as_str(), found.topic.as_str()),
            ("https://hub.example/json", "https://outlet.example/f.json")
        );
    }

    #[test]
    fn no_usable_hub_is_no_discovery() {
        let feed = parsed(r#"<feed xmlns="http://www.w3.org/2005/Atom"><link rel="hub" href="javascript:x"/></feed>"#);
        assert_eq!(discover(&HeaderMap::new(), &feed, &fetched()), None);
        let mut headers = HeaderMap::new();
        headers.append(LINK, r#"<https://a.example/x>; rel="alternate"; title="a, b""#.parse().unwrap());
        assert_eq!(discover(&headers, &feed, &fetched()), None);
    }

    #[test]
    fn link_values_with_several_rels_and_quoted_commas() {
        assert_eq!(
            links(r#"<a>; title="x, y"; rel="hub self", <b>;rel=next"#),
            vec![
                ("a".to_owned(), vec!["hub".to_owned(), "self".to_owned()]),
                ("b".to_owned(), vec!["next".to_owned()])
            ]
        );
    }
}
