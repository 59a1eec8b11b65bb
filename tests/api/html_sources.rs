//! HTML sources and full text (issue 17): outlets' sites served from the fixtures
//! (`tests/fixtures/sites/*`: a list page, its article pages and what each must give, in
//! `expected.json`) by a local server that counts every request, polled through the API.

use crate::browser::{check_page, signed_in};
use crate::helpers::TestApp;
use crate::stories;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

stories!(
    each_fixture_site_is_read_automatically_in_its_outlets_zone,
    a_second_poll_fetches_only_pages_not_stored_and_a_failing_page_costs_only_itself,
    rules_override_automatic_extraction_and_bad_rules_are_refused_by_name,
    a_preview_shows_what_would_be_stored_and_stores_nothing,
    a_summary_only_feed_gets_its_full_text_from_each_new_items_page,
    the_fetch_guard_refuses_internal_addresses_for_pages_too,
    html_sources_are_previewed_and_added_in_the_console,
    a_hotlink_protected_image_of_a_read_page_is_kept_with_the_pages_referer,
);

/// An outlet's site on a random loopback port: documents by path and query, each request
/// counted; images answer 403 to a missing or foreign Referer (hotlink protection).
pub struct Site {
    pub base: String,
    documents: Mutex<HashMap<String, (String, Vec<u8>)>>,
    hits: Mutex<HashMap<String, usize>>,
    /// Images answered 403 (no or a foreign Referer), by path.
    refused: Mutex<Vec<String>>,
}

impl Site {
    pub async fn start() -> Arc<Site> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let site =
            Arc::new(Site { base, documents: Mutex::default(), hits: Mutex::default(), refused: Mutex::default() });
        let app = axum::Router::new().fallback(answer).with_state(site.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        site
    }

    /// Serves `body` at `path` (with its query).
    pub fn serve(&self, path: &str, content_type: &str, body: impl Into<Vec<u8>>) {
        self.documents.lock().unwrap().insert(path.to_owned(), (content_type.to_owned(), body.into()));
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Requests for `path` so far.
    pub fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }

    /// Serves the fixture site in `dir` as its `expected.json` lays it out; that description.
    pub fn serve_fixture(&self, dir: &Path) -> Value {
        let expected: Value = serde_json::from_slice(&std::fs::read(dir.join("expected.json")).unwrap()).unwrap();
        let html = |file: &Value| std::fs::read(dir.join(file.as_str().unwrap())).unwrap();
        self.serve(expected["list"]["path"].as_str().unwrap(), "text/html", html(&expected["list"]["file"]));
        // At its path, and at the address the list links it under (a server answers both).
        for article in expected["articles"].as_array().unwrap() {
            self.serve(article["path"].as_str().unwrap(), "text/html", html(&article["file"]));
            if let Some(link) = article["link"].as_str().filter(|l| l.starts_with('/')) {
                self.serve(link, "text/html", html(&article["file"]));
            }
        }
        for image in expected["images"].as_array().into_iter().flatten() {
            let bytes = std::fs::read(dir.join(image["file"].as_str().unwrap())).unwrap();
            self.serve(image["path"].as_str().unwrap(), image["type"].as_str().unwrap_or("image/jpeg"), bytes);
        }
        expected
    }
}

async fn answer(State(site): State<Arc<Site>>, uri: Uri, headers: HeaderMap) -> Response {
    let key = uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
    *site.hits.lock().unwrap().entry(key.clone()).or_default() += 1;
    let Some((content_type, body)) = site.documents.lock().unwrap().get(&key).cloned() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if content_type.starts_with("image/") {
        let referer = headers.get(header::REFERER).and_then(|r| r.to_str().ok()).unwrap_or("");
        if !referer.starts_with(&format!("{}/", site.base)) {
            site.refused.lock().unwrap().push(key);
            return StatusCode::FORBIDDEN.into_response(); // 防盗链
        }
    }
    let etag = format!("\"{:x}\"", md5_like(&body));
    if headers.get(header::IF_NONE_MATCH).is_some_and(|v| v.to_str().ok() == Some(etag.as_str())) {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    ([(header::CONTENT_TYPE, content_type), (header::ETAG, etag)], Bytes::from(body)).into_response()
}

/// A digest of a body for its ETag.
fn md5_like(body: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    body.hash(&mut hasher);
    hasher.finish()
}

/// The fixture sites, each a directory with an `expected.json`.
fn fixture_sites() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sites");
    let mut sites: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("expected.json").is_file())
        .collect();
    sites.sort();
    sites
}

/// An outlet for `site`, in `zone`, with a column; its slug.
async fn outlet_for(app: &TestApp, slug: &str, site: &Site, zone: &str) -> String {
    if app.query_number("SELECT COUNT(*) FROM columns WHERE slug = 'local'").await == 0 {
        app.add_column("local", "本地新闻", None).await;
    }
    app.add_outlet(slug, json!({"name": format!("{slug} 日报"), "homepage": site.url("/"), "timezone": zone})).await;
    slug.to_owned()
}

async fn add_source(app: &TestApp, body: Value) -> Value {
    let response = app.admin_post("/api/v1/sources", body).await;
    let status = response.status();
    let answer: Value = response.json().await.unwrap();
    assert_eq!(status, 201, "{answer}");
    answer
}

async fn poll(app: &TestApp, id: i64) -> Value {
    let response = app.admin_post(&format!("/api/v1/sources/{id}/poll"), json!({})).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// Every article of `outlet`, as staff see them, in full.
async fn articles_of(app: &TestApp, outlet: &str) -> Vec<Value> {
    let listed: Value =
        app.admin_get(&format!("/api/v1/admin/articles?outlet={outlet}&limit=100")).await.json().await.unwrap();
    let mut articles = Vec::new();
    for row in listed["articles"].as_array().unwrap_or_else(|| panic!("{listed}")) {
        let id = row["id"].as_i64().unwrap();
        articles.push(app.admin_get(&format!("/api/v1/admin/articles/{id}")).await.json().await.unwrap());
    }
    articles
}

/// Stored HTML's text, tags dropped.
fn text_of(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
}

/// Checks a stored (or previewed) article against what its fixture says it must be.
fn assert_read_as_expected(site: &str, got: &Value, want: &Value, content_field: &str) {
    let title = want["title"].as_str().unwrap();
    assert_eq!(got["title"], want["title"], "{site}: title");
    if let Some(author) = want["authors"].as_array().and_then(|a| a.first()) {
        let stored = got["author"].as_str().unwrap_or_default();
        assert!(stored.contains(author.as_str().unwrap()), "{site} {title}: author {stored:?}, want {author}");
    }
    assert_eq!(got["credit"], want["credit"], "{site} {title}: credit");
    let content = text_of(got[content_field].as_str().unwrap_or_default());
    let content = content.trim();
    let starts = want["content_starts"].as_str().unwrap();
    assert!(
        content.starts_with(starts),
        "{site} {title}: content starts {:?}",
        content.chars().take(60).collect::<String>()
    );
    let ends = want["content_ends"].as_str().unwrap();
    assert!(
        content.ends_with(ends),
        "{site} {title}: content ends {:?}",
        content.chars().rev().take(60).collect::<String>()
    );
    for excluded in want["content_excludes"].as_array().into_iter().flatten() {
        let excluded = excluded.as_str().unwrap();
        assert!(!content.contains(excluded), "{site} {title}: content holds {excluded:?}");
    }
}

async fn each_fixture_site_is_read_automatically_in_its_outlets_zone(app: TestApp) {
    let sites = fixture_sites();
    assert!(!sites.is_empty(), "the fixture sites are there");
    for (n, dir) in sites.iter().enumerate() {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let site = Site::start().await;
        let expected = site.serve_fixture(dir);
        let outlet = outlet_for(&app, &format!("site{n}"), &site, expected["zone"].as_str().unwrap()).await;
        let list = site.url(expected["list"]["path"].as_str().unwrap());
        let source =
            add_source(&app, json!({"outlet": outlet, "url": list, "kind": "html", "columns": ["local"]})).await;
        assert_eq!((source["kind"].as_str(), source["full_text"].as_bool()), (Some("html"), Some(false)), "{source}");
        let polled = poll(&app, source["id"].as_i64().unwrap()).await;
        let want = expected["articles"].as_array().unwrap();
        assert_eq!(polled["last_error"], Value::Null, "{name}: {polled}");
        assert_eq!(polled["items_new"].as_u64(), Some(want.len() as u64), "{name}: {polled}");
        let spam: u64 = want.iter().map(|a| a["hidden_removed"].as_u64().unwrap_or(0)).sum();
        assert_eq!(polled["hidden_spam_removed"].as_u64(), Some(spam), "{name}: hidden spam removed: {polled}");

        let stored = articles_of(&app, &outlet).await;
        assert_eq!(stored.len(), want.len(), "{name}");
        for want in want {
            let got = stored
                .iter()
                .find(|a| a["title"] == want["title"])
                .unwrap_or_else(|| panic!("{name}: {} stored", want["title"]));
            assert_read_as_expected(&name, got, want, "content_html");
            assert_eq!(
                got["original_published_at"], want["published"],
                "{name} {}: time in the outlet's zone",
                want["title"]
            );
            let link = want["canonical"].as_str().or(want["link"].as_str()).unwrap();
            let link = if link.starts_with("http") { link.to_owned() } else { site.url(link) };
            assert_eq!(got["original_url"].as_str(), Some(link.as_str()), "{name}: the canonical URL is its identity");
            if let Some(credit) = want["credit"].as_str() {
                let page = app.get_text(&format!("/articles/{}", got["id"])).await;
                assert!(
                    page.contains(&format!("稿源: {credit}")),
                    "{name}: the page names the credit beside the source"
                );
            }
        }
    }
}

/// A list page linking to the pages at `paths`.
fn list_page(paths: &[&str]) -> String {
    let items: String = paths.iter().map(|p| format!("<li><a href=\"{p}\">新闻 {p}</a></li>")).collect();
    format!(
        "<html><head><meta charset=\"utf-8\"><title>本地新闻</title></head><body>\
         <ul class=\"news-list\">{items}</ul></body></html>"
    )
}

/// An article page; `canonical`: the address it declares its own.
fn article_page(title: &str, canonical: Option<&str>, body: &str) -> String {
    let canonical = canonical.map(|c| format!("<link rel=\"canonical\" href=\"{c}\">")).unwrap_or_default();
    format!(
        "<html><head><meta charset=\"utf-8\"><title>{title} - 县融媒体中心</title>{canonical}</head><body>\
         <div class=\"nav\"><a href=\"/\">首页</a></div>\
         <div class=\"article\"><h1>{title}</h1>\
         <div class=\"info\">发布时间：2024-03-05 09:30  来源：新华社  作者：王磊</div>\
         <div class=\"content\" id=\"body\">{body}</div></div></body></html>"
    )
}

fn long_body(topic: &str) -> String {
    (1..=6)
        .map(|i| format!("<p>{topic}第{i}段：春耕备耕工作有序推进，各地农民抢抓农时，田间地头一派繁忙景象，农业技术人员深入一线指导生产。</p>"))
        .collect()
}

async fn a_second_poll_fetches_only_pages_not_stored_and_a_failing_page_costs_only_itself(app: TestApp) {
    let site = Site::start().await;
    let outlet = outlet_for(&app, "xian", &site, "Asia/Shanghai").await;
    // The list links the first article under a tracking address; its page names its own.
    site.serve(
        "/news/1.html?from=list",
        "text/html",
        article_page("春耕备耕忙", Some("/news/1.html"), &long_body("春耕")),
    );
    site.serve("/news/2.html", "text/html", article_page("夏粮收购开始", None, &long_body("夏粮")));
    site.serve("/news/3.html", "text/html", "<html><body></body></html>");
    site.serve(
        "/list.html",
        "text/html",
        list_page(&["/news/1.html?from=list", "/news/2.html", "/news/3.html", "/news/4.html"]),
    );
    let source = add_source(
        &app,
        json!({"outlet": outlet, "url": site.url("/list.html"), "kind": "html", "columns": ["local"],
               "rules": {"links": ".news-list a"}}),
    )
    .await;
    let id = source["id"].as_i64().unwrap();

    let first = poll(&app, id).await;
    assert_eq!(first["last_error"], Value::Null, "{first}");
    assert_eq!((first["items_seen"].as_i64(), first["items_new"].as_i64()), (Some(4), Some(2)), "{first}");
    let warnings = first["warnings"].to_string();
    assert!(
        warnings.contains("/news/3.html") && warnings.contains("/news/4.html"),
        "each failing page named: {warnings}"
    );
    let stored = articles_of(&app, &outlet).await;
    let urls: Vec<&str> = stored.iter().map(|a| a["original_url"].as_str().unwrap()).collect();
    assert!(urls.contains(&site.url("/news/1.html").as_str()), "the canonical URL is the identity: {urls:?}");
    assert!(urls.contains(&site.url("/news/2.html").as_str()), "{urls:?}");
    let first_article = stored.iter().find(|a| a["title"] == "春耕备耕忙").unwrap();
    assert_eq!(first_article["credit"], "新华社");
    assert_eq!(first_article["original_published_at"], "2024-03-05T01:30:00Z", "read in the outlet's zone");

    // The failing pages are tried again (the list is read again while pages failed); the
    // stored ones are not fetched again, whatever address the list gives them.
    site.serve("/news/4.html", "text/html", article_page("秋收在即", None, &long_body("秋收")));
    let second = poll(&app, id).await;
    assert_eq!(second["items_new"].as_i64(), Some(1), "{second}");
    assert_eq!(site.hits("/news/1.html?from=list"), 1, "a stored page is not fetched again");
    assert_eq!(site.hits("/news/2.html"), 1);
    assert_eq!((site.hits("/news/3.html"), site.hits("/news/4.html")), (2, 2));
    assert!(second["warnings"].to_string().contains("/news/3.html"), "{second}");
    assert_eq!(articles_of(&app, &outlet).await.len(), 3);
}

async fn rules_override_automatic_extraction_and_bad_rules_are_refused_by_name(app: TestApp) {
    let site = Site::start().await;
    let outlet = outlet_for(&app, "rules", &site, "Asia/Shanghai").await;
    let page = format!(
        "<html><head><meta charset=\"utf-8\"><title>站点标题</title></head><body>\
         <h1>网站横幅</h1><div class=\"headline\">规则指定的标题</div>\
         <div class=\"byline\">2024年03月05日 08:15 稿件来源：人民日报 编辑：赵敏</div>\
         <div id=\"story\">{}</div><div id=\"other\">{}</div></body></html>",
        long_body("规则"),
        long_body("侧栏侧栏侧栏")
    );
    site.serve("/a/1.html", "text/html", page);
    site.serve("/list.html", "text/html", list_page(&["/a/1.html"]));
    let rules = json!({"links": ".news-list a", "title": ".headline", "content": "#story", "source_line": ".byline",
                       "date_format": "%Y年%m月%d日 %H:%M"});
    let source = add_source(
        &app,
        json!({"outlet": outlet, "url": site.url("/list.html"), "kind": "html", "columns": ["local"], "rules": rules}),
    )
    .await;
    assert_eq!(source["rules"]["title"], ".headline", "{source}");
    let polled = poll(&app, source["id"].as_i64().unwrap()).await;
    assert_eq!(polled["items_new"].as_i64(), Some(1), "{polled}");
    let stored = articles_of(&app, &outlet).await;
    assert_eq!(stored[0]["title"], "规则指定的标题");
    let content = text_of(stored[0]["content_html"].as_str().unwrap());
    assert!(content.contains("规则第1段") && !content.contains("侧栏侧栏侧栏"), "{content}");
    assert_eq!(stored[0]["original_published_at"], "2024-03-05T00:15:00Z");

    let refused = |field: &'static str, body: Value| {
        let app = &app;
        async move {
            let response = app.admin_post("/api/v1/sources", body).await;
            let status = response.status().as_u16();
            let answer: Value = response.json().await.unwrap();
            assert_eq!(status, 422, "{field}: {answer}");
            assert!(answer["fields"][field].is_string(), "{field} named: {answer}");
        }
    };
    let base = json!({"outlet": outlet, "url": site.url("/other.html"), "columns": ["local"]});
    let with = |extra: Value| {
        let mut body = base.clone();
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        body
    };
    refused("rules.links", with(json!({"kind": "html", "rules": {"links": "a[[["}}))).await;
    refused("rules", with(json!({"rules": {"content": "#story"}}))).await;
    refused("full_text", with(json!({"kind": "html", "full_text": true}))).await;
    refused("kind", with(json!({"kind": "sitemap"}))).await;
    let unknown = app.admin_post("/api/v1/sources", with(json!({"kind": "html", "rules": {"body": "#x"}}))).await;
    assert_eq!(unknown.status(), 400, "an unknown rule is refused");

    let id = source["id"].as_i64().unwrap();
    let changed = app.admin_patch(&format!("/api/v1/sources/{id}"), json!({"rules": {}})).await;
    let changed: Value = changed.json().await.unwrap();
    assert_eq!(changed["rules"], Value::Null, "`{{}}` goes back to automatic extraction: {changed}");
    let bad = app.admin_patch(&format!("/api/v1/sources/{id}"), json!({"rules": {"title": "h1[[["}})).await;
    assert_eq!(bad.status(), 422);
}

async fn a_preview_shows_what_would_be_stored_and_stores_nothing(app: TestApp) {
    let dir = &fixture_sites()[0];
    let site = Site::start().await;
    let expected = site.serve_fixture(dir);
    let outlet = outlet_for(&app, "preview", &site, expected["zone"].as_str().unwrap()).await;
    let list = site.url(expected["list"]["path"].as_str().unwrap());
    let response =
        app.admin_post("/api/v1/sources/preview", json!({"kind": "html", "url": list, "outlet": outlet})).await;
    assert_eq!(response.status(), 200);
    let preview: Value = response.json().await.unwrap();
    let want = expected["articles"].as_array().unwrap();
    assert_eq!(preview["found"].as_u64(), Some(want.len() as u64), "{preview}");
    let items = preview["items"].as_array().unwrap();
    for want in want {
        let got = items.iter().find(|i| i["title"] == want["title"]).unwrap_or_else(|| panic!("{preview}"));
        assert_read_as_expected("preview", got, want, "content");
        assert_eq!(got["published"], want["published"]);
        assert!(!got["content"].as_str().unwrap().contains("<script"), "sanitised as it would be stored");
    }
    for table in ["articles", "sources", "source_pages"] {
        assert_eq!(app.query_number(&format!("SELECT COUNT(*) FROM {table}")).await, 0, "nothing stored in {table}");
    }

    let bad = app.admin_post("/api/v1/sources/preview", json!({"kind": "html", "url": "ftp://x"})).await;
    assert_eq!(bad.status(), 422);
    assert!(bad.json::<Value>().await.unwrap()["fields"]["url"].is_string());
    let missing =
        app.admin_post("/api/v1/sources/preview", json!({"kind": "html", "url": site.url("/gone.html")})).await;
    assert_eq!(missing.status(), 422);
    let error: Value = missing.json().await.unwrap();
    assert!(error["fields"]["url"].as_str().unwrap().contains("404"), "the fetch failure said: {error}");
}

async fn a_summary_only_feed_gets_its_full_text_from_each_new_items_page(app: TestApp) {
    let dir = &fixture_sites()[0];
    let site = Site::start().await;
    let expected = site.serve_fixture(dir);
    let outlet = outlet_for(&app, "fulltext", &site, expected["zone"].as_str().unwrap()).await;
    let want = expected["articles"].as_array().unwrap();
    let item = |title: &str, path: &str| {
        format!(
            "<item><title>{title}</title><link>{}</link><description>摘要：{title}</description>\
             <pubDate>Fri, 29 Jun 2018 10:20:11 +0800</pubDate></item>",
            site.url(path).replace('&', "&amp;")
        )
    };
    let items: String = want.iter().map(|a| item(a["title"].as_str().unwrap(), a["path"].as_str().unwrap())).collect();
    let feed = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>t</title><link>{}</link>\
         {items}{}</channel></rss>",
        site.url("/"),
        item("页面已删除", "/deleted.html")
    );
    site.serve("/rss.xml", "application/rss+xml", feed);
    let source = add_source(
        &app,
        json!({"outlet": outlet, "url": site.url("/rss.xml"), "columns": ["local"], "full_text": true}),
    )
    .await;
    assert_eq!(source["full_text"], true);
    let polled = poll(&app, source["id"].as_i64().unwrap()).await;
    assert_eq!(polled["items_new"].as_u64(), Some(want.len() as u64 + 1), "{polled}");
    assert!(polled["warnings"].to_string().contains("/deleted.html"), "the failed page is a warning: {polled}");

    let stored = articles_of(&app, &outlet).await;
    for want in want {
        let got = stored.iter().find(|a| a["title"] == want["title"]).unwrap();
        assert_read_as_expected("full text", got, want, "content_html");
        assert_eq!(
            text_of(got["summary"].as_str().unwrap()).trim(),
            format!("摘要：{}", want["title"].as_str().unwrap())
        );
    }
    let deleted = stored.iter().find(|a| a["title"] == "页面已删除").unwrap();
    assert_eq!(
        text_of(deleted["summary"].as_str().or(deleted["content_html"].as_str()).unwrap()).trim(),
        "摘要：页面已删除"
    );

    let hits: usize = want.iter().map(|a| site.hits(a["path"].as_str().unwrap())).sum();
    poll(&app, source["id"].as_i64().unwrap()).await;
    let again: usize = want.iter().map(|a| site.hits(a["path"].as_str().unwrap())).sum();
    assert_eq!(hits, again, "stored items' pages are not fetched again");

    // The feed changes (a new item): the stored items keep the full text of their pages.
    let before = articles_of(&app, &outlet).await;
    let changed = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>t</title><link>{}</link>\
         {}{items}</channel></rss>",
        site.url("/"),
        item("新增稿件", "/fresh.html")
    );
    site.serve("/rss.xml", "application/rss+xml", changed);
    let polled = poll(&app, source["id"].as_i64().unwrap()).await;
    assert_eq!((polled["items_new"].as_u64(), polled["items_updated"].as_u64()), (Some(1), Some(0)), "{polled}");
    let after = articles_of(&app, &outlet).await;
    for article in &before {
        let same = after.iter().find(|a| a["id"] == article["id"]).unwrap();
        assert_eq!(
            (&same["content_html"], &same["credit"], &same["updated_at"]),
            (&article["content_html"], &article["credit"], &article["updated_at"]),
            "{}",
            article["title"]
        );
    }
}

async fn the_fetch_guard_refuses_internal_addresses_for_pages_too(app: TestApp) {
    app.with_example_catalog().await;
    for (path, body) in [
        (
            "/api/v1/sources",
            json!({"outlet": "cjrb", "url": "http://10.1.2.3/list.html", "kind": "html", "columns": ["party-96"]}),
        ),
        ("/api/v1/sources/preview", json!({"url": "http://10.1.2.3/list.html", "kind": "html"})),
        ("/api/v1/sources/preview", json!({"url": "http://169.254.169.254/latest/meta-data/", "kind": "html"})),
    ] {
        let response = app.admin_post(path, body).await;
        assert_eq!(response.status(), 422, "{path}");
        let answer: Value = response.json().await.unwrap();
        assert!(answer["fields"]["url"].as_str().unwrap().contains("internal address"), "{answer}");
    }
}

async fn html_sources_are_previewed_and_added_in_the_console(app: TestApp) {
    let site = Site::start().await;
    let outlet = outlet_for(&app, "xian", &site, "Asia/Shanghai").await;
    site.serve("/news/1.html", "text/html", article_page("春耕备耕忙", None, &long_body("春耕")));
    site.serve("/list.html", "text/html", list_page(&["/news/1.html"]));
    let admin = signed_in(&app, "wangfang", "admin", &[]).await;
    let form = admin.get("/admin/sources").await;
    assert!(form.body.contains("name=\"kind\"") && form.body.contains("name=\"rules.links\""), "{}", form.body);
    let list = site.url("/list.html");
    let submit = |path: &'static str, links: &'static str| {
        let (admin, outlet, list) = (&admin, outlet.clone(), list.clone());
        async move {
            let csrf = admin.csrf().await;
            let fields = [
                ("outlet", outlet.as_str()),
                ("kind", "html"),
                ("url", list.as_str()),
                ("rules.links", links),
                ("column", "local"),
                ("interval_secs", "900"),
                ("review", "auto"),
                ("csrf", csrf.as_str()),
            ];
            admin.post(path, &fields).await
        }
    };
    let preview = submit("/admin/sources/preview", ".news-list a").await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    check_page(&preview.body);
    assert!(
        preview.body.contains("春耕备耕忙") && preview.body.contains("新华社"),
        "the items shown: {}",
        preview.body
    );
    assert!(preview.body.contains("value=\".news-list a\""), "the form kept as posted");
    assert_eq!(app.query_number("SELECT COUNT(*) FROM sources").await, 0, "a preview stores nothing");

    let refused = submit("/admin/sources", "a[[[").await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("id=\"rules.links-error\""), "the reason beside the rule: {}", refused.body);
    let added = submit("/admin/sources", ".news-list a").await;
    assert_eq!(added.status, 303, "{}", added.body);
    let stored: Value = app.admin_get("/api/v1/sources").await.json().await.unwrap();
    assert_eq!(
        (&stored["sources"][0]["kind"], &stored["sources"][0]["rules"]["links"]),
        (&json!("html"), &json!(".news-list a"))
    );
    let id = stored["sources"][0]["id"].as_i64().unwrap();
    let shown = admin.get(&format!("/admin/sources/{id}")).await;
    assert!(shown.body.contains("value=\".news-list a\""), "the rule in the edit form: {}", shown.body);
}

async fn a_hotlink_protected_image_of_a_read_page_is_kept_with_the_pages_referer(app: TestApp) {
    let site = Site::start().await;
    if app.query_number("SELECT COUNT(*) FROM columns WHERE slug = 'local'").await == 0 {
        app.add_column("local", "本地新闻", None).await;
    }
    app.add_outlet(
        "pics",
        json!({"name": "图片新闻", "homepage": site.url("/"), "timezone": "Asia/Shanghai", "keep_images": true}),
    )
    .await;
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend([7u8; 64]);
    site.serve("/uploads/1.png", "image/png", png.clone());
    let body = format!("<p><img src=\"/uploads/1.png\" alt=\"田间\"></p>{}", long_body("图片"));
    site.serve("/news/1.html", "text/html", article_page("田间地头", None, &body));
    site.serve("/list.html", "text/html", list_page(&["/news/1.html"]));
    let source = add_source(
        &app,
        json!({"outlet": "pics", "url": site.url("/list.html"), "kind": "html", "columns": ["local"],
               "rules": {"links": ".news-list a"}}),
    )
    .await;
    let polled = poll(&app, source["id"].as_i64().unwrap()).await;
    assert_eq!(polled["items_new"].as_i64(), Some(1), "{polled}");
    assert_eq!(reqwest::get(site.url("/uploads/1.png")).await.unwrap().status(), 403, "hotlinks are refused");
    let id = articles_of(&app, "pics").await[0]["id"].as_i64().unwrap();
    let path = format!("/api/v1/admin/articles/{id}/images");
    crate::mock::eventually("the image is kept", std::time::Duration::from_secs(10), || async {
        let body: Value = app.admin_get(&path).await.json().await.unwrap();
        body["images"].as_array().is_some_and(|i| i.len() == 1 && i[0]["state"] == "kept")
    })
    .await;
    let images: Value = app.admin_get(&path).await.json().await.unwrap();
    let served = app.client.get(images["images"][0]["media_url"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(served.bytes().await.unwrap().to_vec(), png, "the bytes fetched with the page as Referer");
    assert_eq!(site.refused.lock().unwrap().len(), 1, "only the hotlink without a Referer was refused");
}
