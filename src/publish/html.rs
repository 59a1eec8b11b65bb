//! Server-rendered HTML pages (maud templates, compiled and escaped by default): home,
//! column, outlet and article pages, laid out like the example repost page.
//!
//! Only sanitised HTML (article content and summary) is ever inserted unescaped, and the
//! only `<script>` is JSON-LD with every `<`, `>` and `&` escaped.
//!
//! Each page comes with the Content-Security-Policy that allows exactly what it holds
//! (`Page`): it is decided here, beside the markup, so that the two cannot drift apart.

use super::labels::{for_language, Labels};
use super::{rfc3339, FeedFormat, FeedKind, Site};
use crate::domain::column::ColumnTree;
use crate::domain::{Article, Column, Indexing, Outlet, Withdrawer};
use base64::Engine;
use chrono::{DateTime, Utc};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// Articles per listing page.
pub const ARTICLES_PER_PAGE: i64 = 20;
/// Length of the plain-text descriptions in meta tags.
const DESCRIPTION_CHARS: usize = 160;

const STYLE: &str = "body{font-family:system-ui,'PingFang SC','Microsoft YaHei',sans-serif;max-width:50rem;\
margin:0 auto;padding:0 1rem;line-height:1.7;color:#222}header{display:flex;flex-wrap:wrap;align-items:baseline;\
column-gap:1.5rem;border-bottom:3px solid #b22;padding:.5rem 0}header a{color:#b22;text-decoration:none}\
header a.site{font-size:1.4rem;font-weight:bold;white-space:nowrap}nav.columns{display:flex;gap:1rem;\
overflow-x:auto;scrollbar-width:thin;white-space:nowrap;max-width:100%}\
time,ul.list .meta{white-space:nowrap}\
.crumbs{color:#666;font-size:.9rem}.series{color:#b22;margin-bottom:0}h1{margin-top:.2rem}\
.meta{color:#666;font-size:.9rem}ul.list{list-style:none;padding:0}ul.list li{padding:.4rem 0;\
border-bottom:1px dotted #ccc}ul.list time{color:#888;font-size:.85rem;margin-left:.5rem}\
.original{border-top:1px solid #ddd;padding-top:.5rem;word-break:break-all}\
footer{border-top:1px solid #ddd;margin-top:2rem;color:#666;font-size:.85rem;text-align:center}\
img{max-width:100%;height:auto}figure{margin:1rem 0}form.search{display:flex;gap:.3rem;margin-left:auto}\
form.search input{min-width:0;width:10rem}mark{background:#fe8}p.snippet{margin:.2rem 0;color:#444}";

/// A rendered page and the Content-Security-Policy to send with it.
#[derive(Debug, Clone)]
pub struct Page {
    pub html: String,
    pub content_security_policy: String,
}

/// The hash source of the one inline stylesheet.
static STYLE_SOURCE: LazyLock<String> = LazyLock::new(|| sha256_source(STYLE));

/// What a page may load and run: nothing (`default-src 'none'`) but what it holds.
/// Images and media come from outlets' sites, over http or https (all sanitised content
/// keeps); the one stylesheet and the page's JSON-LD are allowed by hash; `style`
/// attributes are allowed because sanitised content keeps some (typographic properties
/// only); no plugins, no `<base>`, forms post only here, and no site may frame the page.
fn content_security_policy(json_ld: Option<&str>) -> String {
    let script = json_ld.map(|data| format!("script-src {}; ", sha256_source(data))).unwrap_or_default();
    format!(
        "default-src 'none'; img-src http: https:; media-src http: https:; style-src {}; \
         style-src-attr 'unsafe-inline'; {script}object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'",
        *STYLE_SOURCE
    )
}

/// A CSP hash source (`'sha256-…'`) allowing the inline element whose text is `text`.
fn sha256_source(text: &str) -> String {
    format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes())))
}

/// What a page's `<head>` says about it.
pub(super) struct Head {
    pub(super) title: String,
    pub(super) description: String,
    pub(super) url: String,
    /// rel=canonical target; the page itself unless the outlet's agreement says otherwise.
    pub(super) canonical: Option<String>,
    pub(super) noindex: bool,
    pub(super) feeds: Option<FeedKind>,
    pub(super) image: Option<String>,
    pub(super) og_type: &'static str,
    pub(super) json_ld: Option<String>,
}

impl Head {
    fn listing(url: String, title: String, description: String, feeds: FeedKind) -> Head {
        Head {
            title,
            description,
            canonical: Some(url.clone()),
            url,
            noindex: false,
            feeds: Some(feeds),
            image: None,
            og_type: "website",
            json_ld: None,
        }
    }
}

/// One page of a listing, for the pager.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub page: i64,
    pub pages: i64,
}

impl Paging {
    pub fn new(page: i64, total: i64) -> Paging {
        Paging { page, pages: ((total + ARTICLES_PER_PAGE - 1) / ARTICLES_PER_PAGE).max(1) }
    }
}

/// The home page: the column tree, then page `paging.page` of the latest articles.
pub fn home(site: &Site, columns: &ColumnTree, latest: &[Article], paging: Paging) -> Page {
    let l = labels(site);
    let title = match paging.page {
        1 => site.config.name.clone(),
        page => format!("{} - {}", site.config.name, l.page_number(page)),
    };
    let head =
        Head::listing(page_url(&site.home_url(), paging.page), title, site.config.description.clone(), FeedKind::Site);
    let body = html! {
        section {
            h2 { (l.columns) }
            (column_list(site, columns, columns.roots().collect()))
        }
        section {
            h2 { (l.latest) }
            (article_list(site, latest))
            (pager(&site.home_url(), paging, l))
        }
        (feed_links(site, &FeedKind::Site, l))
    };
    layout(site, columns, head, body)
}

pub fn column_page(site: &Site, columns: &ColumnTree, column: &Column, articles: &[Article], paging: Paging) -> Page {
    let l = labels(site);
    let url = page_url(&site.column_url(column.slug.as_str()), paging.page);
    let description = column.description.clone().unwrap_or_else(|| column.title.clone());
    let title = titled(&column.title, paging, l, site);
    let head = Head::listing(url, title, description, FeedKind::Column(column.slug.to_string()));
    let children: Vec<&Column> = columns.children(column.id).collect();
    let body = html! {
        (breadcrumb(site, columns, column.id, l))
        h1 { (column.title) }
        @if let Some(d) = &column.description { p.meta { (d) } }
        @if !children.is_empty() {
            section { h2 { (l.sub_columns) } (column_list(site, columns, children)) }
        }
        (article_list(site, articles))
        (pager(&site.column_url(column.slug.as_str()), paging, l))
        (feed_links(site, &FeedKind::Column(column.slug.to_string()), l))
    };
    layout(site, columns, head, body)
}

pub fn outlet_page(site: &Site, columns: &ColumnTree, outlet: &Outlet, articles: &[Article], paging: Paging) -> Page {
    let l = labels(site);
    let url = page_url(&site.outlet_url(outlet.slug.as_str()), paging.page);
    let title = titled(&outlet.name, paging, l, site);
    let mut head = Head::listing(
        url,
        title,
        format!("{}: {}", l.outlet_articles, outlet.name),
        FeedKind::Outlet(outlet.slug.to_string()),
    );
    if !outlet.indexing.outlet_page_indexed() {
        head.canonical = None;
        head.noindex = true;
    }
    let body = html! {
        p.crumbs { a href=(site.home_url()) { (l.home) } " › " (outlet.name) }
        h1 { (outlet.name) }
        p.meta { a href=(outlet.homepage) rel="nofollow noopener" { (outlet.homepage) } }
        (article_list(site, articles))
        (pager(&site.outlet_url(outlet.slug.as_str()), paging, l))
        (feed_links(site, &FeedKind::Outlet(outlet.slug.to_string()), l))
    };
    layout(site, columns, head, body)
}

pub fn article_page(site: &Site, columns: &ColumnTree, article: &Article) -> Page {
    let l = labels(site);
    let url = site.article_url(article.id);
    let outlet = &article.outlet;
    let primary = article.columns.first();
    let head = Head {
        title: format!("{} - {}", article.title, site.config.name),
        description: super::summary_text(article, DESCRIPTION_CHARS),
        canonical: match outlet.indexing {
            Indexing::SelfCanonical => Some(url.clone()),
            Indexing::Original => Some(article.original_url.clone()),
            Indexing::Noindex => None,
        },
        noindex: outlet.indexing == Indexing::Noindex,
        feeds: primary.map(|c| FeedKind::Column(c.slug.to_string())),
        image: article.image.as_ref().map(|i| i.url.clone()),
        og_type: "article",
        json_ld: Some(news_article_json_ld(site, article)),
        url,
    };
    let body = html! {
        @if let Some(column) = primary { (breadcrumb(site, columns, column.id, l)) }
        article lang=[article.language.as_deref()] {
            @if let Some(subtitle) = &article.subtitle { p.series { (subtitle) } }
            h1 { (article.title) }
            @if let Some(original) = &article.original_title { p.meta.original-title { (l.original_title) ": " (original) } }
            p.meta {
                (l.reposted) ": " (time(site, article.reposted_at))
                " " (l.source) ": " a href=(outlet.homepage) rel="nofollow noopener" { (outlet.name) }
                @if let Some(credit) = &article.credit { " " span.credit { (l.credit) ": " (credit) } }
            }
            p.meta {
                (l.original_time) ": " (time(site, article.original_published_at))
                @if let Some(author) = &article.author { " " (l.author) ": " (author) }
            }
            @if article.updated_at > article.reposted_at {
                p.meta.updated { (l.updated) ": " (time(site, article.updated_at)) }
            }
            (article_body(article))
            p.original {
                (l.original_link) ": "
                a href=(article.original_url) rel="nofollow noopener" { (article.original_url) }
            }
            @if let Some(editor) = &article.responsible_editor { p.meta.editor { (l.editor) ": " (editor) } }
            @if let Some(rights) = article.effective_rights() { p.meta { (l.rights) ": " (rights) } }
            @if let Some(terms) = &outlet.repost_terms { p.meta.terms { (terms) } }
            @if !article.copies.is_empty() {
                p.meta.copies {
                    (l.also_published) ": "
                    @for (i, copy) in article.copies.iter().enumerate() {
                        @if i > 0 { " · " }
                        a href=(site.article_url(copy.id)) { (copy.outlet_name) }
                    }
                }
            }
        }
    };
    layout(site, columns, head, body)
}

/// An article's image, content (its sanitised HTML, else its summary) and enclosures,
/// as its page shows them; the console shows staff the same.
pub fn article_body(article: &Article) -> Markup {
    html! {
        @if let Some(image) = &article.image {
            figure {
                img src=(image.url) alt=(image.caption.as_deref().unwrap_or(&article.title));
                @if let Some(caption) = &image.caption { figcaption { (caption) } }
            }
        }
        div.content {
            @match (&article.content_html, &article.summary) {
                (Some(content), _) => (PreEscaped(content)),
                (None, Some(summary)) => (PreEscaped(summary)),
                (None, None) => {},
            }
        }
        @for enclosure in &article.enclosures {
            p { a href=(enclosure.url) type=(enclosure.mime_type) rel="nofollow noopener" { (enclosure.url) } }
        }
    }
}

pub fn not_found(site: &Site, columns: &ColumnTree) -> Page {
    notice(site, columns, labels(site).not_found)
}

/// The page a withdrawn article's address shows (with 410 Gone): who withdrew it, when
/// that is known.
pub fn withdrawn(site: &Site, columns: &ColumnTree, by: Option<Withdrawer>) -> Page {
    let l = labels(site);
    let message = match by {
        Some(Withdrawer::Outlet) => l.withdrawn_by_outlet,
        Some(Withdrawer::Site) => l.withdrawn_by_site,
        Some(Withdrawer::Expiry) => l.expired,
        None => l.withdrawn,
    };
    notice(site, columns, message)
}

/// A page that only says `message`, kept out of search engines.
fn notice(site: &Site, columns: &ColumnTree, message: &str) -> Page {
    let l = labels(site);
    let head = Head {
        title: format!("{message} - {}", site.config.name),
        description: message.to_owned(),
        url: site.home_url(),
        canonical: None,
        noindex: true,
        feeds: None,
        image: None,
        og_type: "website",
        json_ld: None,
    };
    let body = html! { h1 { (message) } p { a href=(site.home_url()) { (l.home) } } };
    layout(site, columns, head, body)
}

/// Every public page: its head, the header with the column tree and the search box,
/// `body`, and the footer.
pub(super) fn layout(site: &Site, columns: &ColumnTree, head: Head, body: Markup) -> Page {
    let l = labels(site);
    let config = &site.config;
    let content_security_policy = content_security_policy(head.json_ld.as_deref());
    let html = html! {
        (DOCTYPE)
        html lang=(config.language) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (head.title) }
                meta name="description" content=(head.description);
                @if let Some(canonical) = &head.canonical { link rel="canonical" href=(canonical); }
                @if head.noindex { meta name="robots" content="noindex"; }
                @if let Some(kind) = &head.feeds {
                    @for format in FeedFormat::ALL {
                        link rel="alternate" type=(format.media_type())
                            title=(format!("{} ({})", head.title, format.label()))
                            href=(kind.feed_url(site, format));
                    }
                }
                link rel="search" type=(super::opensearch::MEDIA_TYPE) title=(config.name) href=(site.opensearch_url());
                meta property="og:site_name" content=(config.name);
                meta property="og:type" content=(head.og_type);
                meta property="og:title" content=(head.title);
                meta property="og:description" content=(head.description);
                meta property="og:url" content=(head.url);
                @if let Some(image) = &head.image { meta property="og:image" content=(image); }
                @if let Some(data) = &head.json_ld { script type="application/ld+json" { (PreEscaped(data)) } }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    a.site href=(site.home_url()) { (config.name) }
                    nav.columns {
                        a href=(site.home_url()) { (l.home) }
                        @for column in columns.roots() { a href=(site.column_url(column.slug.as_str())) { (column.title) } }
                    }
                    (search_box(site, "", l))
                }
                main { (body) }
                footer {
                    @if let Some(owner) = &config.owner { p { (owner) } }
                    @if let Some(copyright) = &config.copyright { p { (copyright) } }
                    @if let Some(licence) = &config.licence { p { (licence) } }
                }
            }
        }
    }
    .into_string();
    Page { html: super::well_formed(html), content_security_policy }
}

/// The search form: every page has one in its header, and the search page another with
/// the query asked.
pub(super) fn search_box(site: &Site, asked: &str, l: &Labels) -> Markup {
    html! {
        form.search action=(site.search_url()) method="get" role="search" {
            input type="search" name="q" value=(asked) aria-label=(l.search) placeholder=(l.search);
            button type="submit" { (l.search) }
        }
    }
}

fn breadcrumb(site: &Site, columns: &ColumnTree, column_id: i64, l: &Labels) -> Markup {
    html! {
        p.crumbs {
            a href=(site.home_url()) { (l.home) }
            @for column in columns.path_to(column_id) {
                " › " a href=(site.column_url(column.slug.as_str())) { (column.title) }
            }
        }
    }
}

fn column_list(site: &Site, columns: &ColumnTree, list: Vec<&Column>) -> Markup {
    html! {
        ul {
            @for column in list {
                li {
                    a href=(site.column_url(column.slug.as_str())) { (column.title) }
                    @let children: Vec<&Column> = columns.children(column.id).collect();
                    @if !children.is_empty() { (column_list(site, columns, children)) }
                }
            }
        }
    }
}

fn article_list(site: &Site, articles: &[Article]) -> Markup {
    let l = labels(site);
    html! {
        @if articles.is_empty() { p { (l.empty) } }
        ul.list {
            @for article in articles {
                li {
                    a href=(site.article_url(article.id)) { (article.title) }
                    " " span.meta { (article.outlet.name) }
                    (time(site, article.reposted_at))
                }
            }
        }
    }
}

fn pager(base: &str, paging: Paging, l: &Labels) -> Markup {
    html! {
        @if paging.pages > 1 {
            nav.pager {
                @if paging.page > 1 { a rel="prev" href=(page_url(base, paging.page - 1)) { (l.newer) } " " }
                (l.page_number(paging.page)) " / " (paging.pages)
                @if paging.page < paging.pages { " " a rel="next" href=(page_url(base, paging.page + 1)) { (l.older) } }
            }
        }
    }
}

fn feed_links(site: &Site, kind: &FeedKind, l: &Labels) -> Markup {
    html! {
        p.meta.feeds {
            (l.feeds) ":"
            @for format in FeedFormat::ALL { " " a href=(kind.feed_url(site, format)) { (format.label()) } }
        }
    }
}

/// A time in the site's zone, with the zone shown and the instant machine-readable.
pub(super) fn time(site: &Site, t: DateTime<Utc>) -> Markup {
    let local = t.with_timezone(&site.config.timezone);
    html! { time datetime=(rfc3339(t)) { (local.format("%Y-%m-%d %H:%M:%S UTC%:z")) } }
}

fn page_url(base: &str, page: i64) -> String {
    if page <= 1 {
        base.to_owned()
    } else {
        format!("{base}?page={page}")
    }
}

fn titled(name: &str, paging: Paging, l: &Labels, site: &Site) -> String {
    if paging.page > 1 {
        format!("{name} - {} - {}", l.page_number(paging.page), site.config.name)
    } else {
        format!("{name} - {}", site.config.name)
    }
}

pub(super) fn labels(site: &Site) -> &'static Labels {
    for_language(&site.config.language)
}

/// schema.org NewsArticle data, escaped so that no value can end the script element.
/// A property the article lacks is left out, never `null` (which schema.org readers take
/// as a value, and Google's validator flags).
fn news_article_json_ld(site: &Site, article: &Article) -> String {
    let mut data = json!({
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "alternativeHeadline": article.original_title,
        "url": site.article_url(article.id),
        "mainEntityOfPage": site.article_url(article.id),
        "datePublished": rfc3339(article.reposted_at),
        "dateModified": rfc3339(article.updated_at),
        "isBasedOn": article.original_url,
        "sourceOrganization": {"@type": "NewsMediaOrganization", "name": article.outlet.name, "url": article.outlet.homepage},
        "publisher": {"@type": "Organization", "name": site.config.name, "url": site.home_url()},
        "author": article.author.as_ref().map(|name| json!({"@type": "Person", "name": name})),
        "editor": article.responsible_editor.as_ref().map(|name| json!({"@type": "Person", "name": name})),
        "image": article.image.as_ref().map(|i| i.url.clone()),
        "inLanguage": article.language,
        "copyrightNotice": article.effective_rights(),
    });
    if let Some(properties) = data.as_object_mut() {
        properties.retain(|_, value| !value.is_null());
    }
    script_safe_json(&data.to_string())
}

/// Escapes the characters that could close a script element or open a comment in it.
pub fn script_safe_json(json: &str) -> String {
    json.replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text of the page's only element named `element`.
    fn inline(html: &str, open: &str, close: &str) -> String {
        let start = html.find(open).expect("the element") + open.len();
        html[start..start + html[start..].find(close).unwrap()].to_owned()
    }

    #[test]
    fn the_policy_allows_the_pages_own_stylesheet_and_json_ld_and_nothing_else_inline() {
        let policy = content_security_policy(Some("{\"@type\":\"NewsArticle\"}"));
        assert!(policy.starts_with("default-src 'none'; "), "{policy}");
        assert!(policy.contains(&format!("style-src {};", sha256_source(STYLE))), "{policy}");
        assert!(policy.contains(&format!("script-src {};", sha256_source("{\"@type\":\"NewsArticle\"}"))), "{policy}");
        assert!(!content_security_policy(None).contains("script-src"), "no JSON-LD, no script at all");
        // The hash browsers compute of the element as rendered.
        let config = crate::config::SiteConfig {
            name: "Portal".into(),
            description: "News".into(),
            language: "en".into(),
            timezone: chrono_tz::UTC,
            owner: None,
            copyright: None,
            licence: None,
        };
        let site = Site::new("http://portal.example", config, None, None);
        let page = not_found(&site, &ColumnTree::default());
        assert_eq!(inline(&page.html, "<style>", "</style>"), STYLE);
        assert!(page.content_security_policy.contains(&sha256_source(STYLE)));
        assert_eq!(sha256_source("alert(1)"), "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='");
    }

    #[test]
    fn json_ld_cannot_close_its_script_element() {
        let escaped = script_safe_json(r#"{"headline":"</script><script>alert(1)</script>"}"#);
        assert!(!escaped.contains("</script"));
        let value: serde_json::Value = serde_json::from_str(&escaped).unwrap();
        assert_eq!(value["headline"], "</script><script>alert(1)</script>");
    }
}
