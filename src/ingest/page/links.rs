//! Article links on a list page. With a `links` rule, the links it selects; without,
//! the links of the site's own article pattern: URLs are grouped by shape (the path
//! with its numbers made `9`, query keys and their non-numeric values: so
//! `/html/2018/06/28/123.html`, `/content/2024-06/05/content_123.htm`,
//! `show-12-345.html` and `index.php?a=show&id=93487` each group their kind), and the
//! group whose anchors carry the most title-like text wins. Menus, footers, pagination
//! and other sites fall out: their shapes differ, their anchors are short, or their
//! host is another.

use super::{dom, rules, Page, PageRules};
use scraper::{ElementRef, Html, Selector};
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;
use url::Url;

/// Article links taken from one list page.
pub const MAX_LINKS: usize = 100;
/// Anchors read on a list page.
const MAX_ANCHORS: usize = 5_000;
/// Characters of an anchor's text that count towards its group: a title's worth.
const TITLE_CHARS: usize = 40;

static ANCHOR: LazyLock<Selector> = LazyLock::new(|| Selector::parse("a[href]").expect("valid"));

/// One anchor of a list page.
struct Anchor {
    url: Url,
    /// Characters of its visible text (or its `title`).
    chars: usize,
    /// Whether it sits in page chrome: a menu, a footer, a sidebar's rankings.
    chrome: bool,
}

/// The list page's article links: absolute, on its site, each once, in page order.
pub fn article_links(list: &Page, rules: &PageRules) -> Vec<Url> {
    let document = Html::parse_document(&list.html);
    let base = super::base_url(&document, &list.url);
    let anchors: Vec<Anchor> = match rules::compiled(&rules.links) {
        Some(selector) => document
            .select(&selector)
            .flat_map(|e| match e.value().name() {
                "a" => vec![e],
                _ => e.select(&ANCHOR).collect(),
            })
            .take(MAX_ANCHORS)
            .filter_map(|a| link(a, &base, &list.url))
            .collect(),
        None => {
            automatic(document.select(&ANCHOR).take(MAX_ANCHORS).filter_map(|a| link(a, &base, &list.url)).collect())
        }
    };
    let mut seen = HashSet::new();
    anchors.into_iter().map(|a| a.url).filter(|url| seen.insert(url.clone())).take(MAX_LINKS).collect()
}

/// An anchor that leads to another page of the same site.
fn link(anchor: ElementRef<'_>, base: &Url, page: &Url) -> Option<Anchor> {
    if dom::hidden_with_ancestors(anchor) {
        return None;
    }
    let mut url = base.join(anchor.value().attr("href")?.trim()).ok()?;
    url.set_fragment(None);
    let same_site =
        crate::domain::domains::registrable_domain(&url) == crate::domain::domains::registrable_domain(page);
    let web = matches!(url.scheme(), "http" | "https");
    let mut this_page = page.clone();
    this_page.set_fragment(None);
    if !web || !same_site || url == this_page || url.path() == "/" && url.query().is_none() {
        return None;
    }
    let text = dom::line(anchor);
    let chars = text.chars().filter(|c| !c.is_whitespace()).count();
    let chars = match chars {
        0 => anchor.value().attr("title").map_or(0, |t| t.trim().chars().count()),
        n => n,
    };
    Some(Anchor { url, chars, chrome: in_chrome(anchor) })
}

/// Ancestors of an anchor looked at for chrome.
const CHROME_DEPTH: usize = 8;
/// Class and id words of link lists that are not the page's own list.
const CHROME_WORDS: &[&str] = &["digg", "paihang", "phb", "rank", "hot", "recommend", "tuijian", "related", "xgwz"];

/// Whether an anchor sits in a menu, header, footer, sidebar or a ranking box.
fn in_chrome(anchor: ElementRef<'_>) -> bool {
    anchor.ancestors().take(CHROME_DEPTH).filter_map(ElementRef::wrap).any(|a| {
        let e = a.value();
        if matches!(e.name(), "nav" | "footer" | "header" | "aside" | "menu") {
            return true;
        }
        let words = dom::class_and_id(e);
        let parts = || words.split(|c: char| !c.is_ascii_alphanumeric()).filter(|p| !p.is_empty());
        super::readability::class_weight(e) < 0.0 || parts().any(|p| CHROME_WORDS.iter().any(|w| p.starts_with(w)))
    })
}

/// The anchors of the group whose shape is the site's article pattern, without those in
/// chrome when the pattern has others (a sidebar's rankings link to articles too).
fn automatic(anchors: Vec<Anchor>) -> Vec<Anchor> {
    let mut weight: HashMap<String, (usize, usize)> = HashMap::new();
    let shapes: Vec<String> = anchors.iter().map(|a| shape(&a.url)).collect();
    for (anchor, shape) in anchors.iter().zip(&shapes) {
        let entry = weight.entry(shape.clone()).or_default();
        entry.0 += if anchor.chrome { 0 } else { anchor.chars.min(TITLE_CHARS) };
        entry.1 += 1;
    }
    // Article URLs carry an id, a date or a title; a shape without one is a section.
    let best = weight
        .iter()
        .filter(|(shape, _)| shape.contains('9') || shape.contains("{slug}"))
        .max_by_key(|(shape, (text, count))| {
            (*text * 10 / (*count).max(1) >= 50, *text, std::cmp::Reverse((*shape).clone()))
        })
        .map(|(shape, _)| shape.clone());
    let Some(best) = best else { return Vec::new() };
    let group: Vec<Anchor> =
        anchors.into_iter().zip(shapes).filter(|(_, shape)| *shape == best).map(|(anchor, _)| anchor).collect();
    match group.iter().any(|a| !a.chrome) {
        true => group.into_iter().filter(|a| !a.chrome).collect(),
        false => group,
    }
}

/// A URL's shape: host, path with digit runs as `9`, query keys sorted with numeric
/// values as `9` and other values as they are.
fn shape(url: &Url) -> String {
    let numbers = |s: &str| {
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            match c.is_ascii_digit() {
                true if out.ends_with('9') => {}
                true => out.push('9'),
                false => out.push(c),
            }
        }
        out
    };
    let mut query: Vec<String> = url
        .query_pairs()
        .take(16)
        .map(|(k, v)| match v.chars().all(|c| c.is_ascii_digit()) && !v.is_empty() {
            true => format!("{k}=9"),
            false => format!("{k}={v}"),
        })
        .collect();
    query.sort();
    let path: Vec<String> = url
        .path()
        .split('/')
        .map(|segment| match is_slug(segment) {
            true => "{slug}".to_owned(),
            false => numbers(segment),
        })
        .collect();
    format!("{}{}?{}", url.host_str().unwrap_or_default(), path.join("/"), query.join("&"))
}

/// A path segment made of words (`flood-waters-recede-as-towns-begin-cleanup`): the
/// title of an article, which differs from one to the next as numbers do.
fn is_slug(segment: &str) -> bool {
    let stem = segment.rsplit_once('.').map_or(segment, |(stem, _)| stem);
    !stem.bytes().any(|b| b.is_ascii_digit()) && stem.split(['-', '_']).filter(|w| !w.is_empty()).count() >= 3
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(html: &str) -> Page {
        Page { url: Url::parse("http://www.cjxww.cn/list/407.html").unwrap(), html: html.into(), encoding: "UTF-8" }
    }

    #[test]
    fn shapes_group_article_urls() {
        let s = |u: &str| shape(&Url::parse(u).unwrap());
        assert_eq!(s("http://a.cn/html/2018/06/28/123.html"), s("http://a.cn/html/2024/01/02/98765.html"));
        assert_eq!(s("http://a.cn/content/2024-06/05/content_123.htm"), "a.cn/content/9-9/9/content_9.htm?");
        assert_eq!(
            s("http://a.cn/index.php?m=content&a=show&id=93487"),
            s("http://a.cn/index.php?id=5&a=show&m=content")
        );
        assert_ne!(s("http://a.cn/index.php?a=show&id=1"), s("http://a.cn/index.php?a=lists&id=1"));
        assert_eq!(
            s("http://a.com/news/2024/06/05/flood-waters-recede/"),
            s("http://a.com/news/2024/06/04/school-board-budget/")
        );
        assert_ne!(s("http://a.com/show-12-345.html"), s("http://a.com/list-12-1.html"));
    }

    #[test]
    fn the_majority_article_pattern_wins_over_menus_and_pages() {
        let html = r#"<ul class="nav"><li><a href="/list/1.html">首页</a></li><li><a href="/list/2.html">本地新闻</a></li>
            <li><a href="/list/3.html">国内新闻</a></li><li><a href="/list/4.html">专题</a></li></ul>
            <ul class="list">
              <li><a href="/html/2024/06/05/101.html">镇村道路硬化工程全面完工</a></li>
              <li><a href="/html/2024/06/04/99.html#top">木垒县大南沟乡牧民定居房建成</a></li>
              <li><a href="http://www.cjxww.cn/html/2024/06/05/101.html">镇村道路硬化工程全面完工</a></li>
              <li><a href="http://evil.example/html/2024/06/05/1.html">外站文章标题很长很长很长</a></li>
              <li><a href="/html/2024/06/03/98.html" style="display:none">bet365中文</a></li>
            </ul><div class="pages"><a href="/list/407_2.html">2</a><a href="/list/407_3.html">3</a></div>"#;
        let links = article_links(&page(html), &PageRules::default());
        let links: Vec<&str> = links.iter().map(Url::as_str).collect();
        assert_eq!(
            links,
            ["http://www.cjxww.cn/html/2024/06/05/101.html", "http://www.cjxww.cn/html/2024/06/04/99.html"]
        );
    }

    #[test]
    fn a_sidebar_of_rankings_is_not_the_list() {
        let html = r#"<div class="main"><ul><li><a href="/html/2024/06/05/101.html">镇村道路硬化工程全面完工</a></li>
              <li><a href="/html/2024/06/04/99.html">木垒县大南沟乡牧民定居房建成</a></li></ul></div>
            <div class="side"><div class="box hot"><ul><li><a href="/html/2024/05/01/7.html">五一假期全州接待游客百万人次</a></li>
              <li><a href="/html/2024/04/01/5.html">州委召开常委会议研究部署近期重点工作</a></li>
              <li><a href="/html/2024/03/01/3.html">全州中考今日开考考生两万余名</a></li></ul></div></div>"#;
        let links: Vec<String> = article_links(&page(html), &PageRules::default()).iter().map(Url::to_string).collect();
        assert_eq!(
            links,
            ["http://www.cjxww.cn/html/2024/06/05/101.html", "http://www.cjxww.cn/html/2024/06/04/99.html"]
        );
        let only_sidebar =
            r#"<div class="hot"><a href="/html/2024/05/01/7.html">五一假期全州接待游客百万人次</a></div>"#;
        assert_eq!(
            article_links(&page(only_sidebar), &PageRules::default()).len(),
            1,
            "chrome is dropped only when more is left"
        );
    }

    #[test]
    fn a_links_rule_takes_what_it_selects() {
        let html = r#"<div class="box"><a href="/a/1.html">一</a></div><div class="box"><p><a href="/b/x.html">二</a></p></div>
            <a href="/a/2.html">三</a>"#;
        let rules = PageRules { links: Some(".box".into()), ..Default::default() };
        let links: Vec<String> = article_links(&page(html), &rules).iter().map(Url::to_string).collect();
        assert_eq!(links, ["http://www.cjxww.cn/a/1.html", "http://www.cjxww.cn/b/x.html"]);
    }
}
