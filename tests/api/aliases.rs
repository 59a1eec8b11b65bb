//! One address per document and resource: other spellings of a public address (leading
//! zeros, signs, percent-escapes, case, trailing slashes, `?page=1`) answer 404, and
//! those of an API address 400 in the JSON error shape; query strings a document does
//! not read never make a render-cache entry beside it.

use crate::helpers::{example_article, numbered_article, Backend, TestApp, ADMIN_TOKEN};
use crate::stories;
use reqwest::Method;
use serde_json::{json, Value};

stories!(
    only_the_canonical_spelling_of_a_public_address_answers,
    no_query_string_makes_a_cache_entry_beside_the_document,
    api_path_parameters_that_do_not_parse_are_refused_in_the_json_error_shape,
);

/// Each digit of `n` percent-encoded: `%31` for 1.
fn escaped(n: i64) -> String {
    n.to_string().bytes().map(|b| format!("%{b:02X}")).collect()
}

async fn only_the_canonical_spelling_of_a_public_address_answers(app: TestApp) {
    let token = app.with_example_catalog().await;
    let pushed: Value = app.push(&token, &example_article()).await.json().await.unwrap();
    let id = pushed["id"].as_i64().unwrap();
    for canonical in [
        format!("/articles/{id}"),
        "/sitemaps/articles-0.xml".into(),
        "/columns/zhuanti".into(),
        "/outlets/cjrb".into(),
        "/columns/zhuanti/rss.xml".into(),
        "/outlets/cjrb/atom.xml".into(),
    ] {
        assert_eq!(app.get(&canonical).await.status(), 200, "{canonical}");
    }
    let aliases = [
        format!("/articles/0{id}"),
        format!("/articles/+{id}"),
        format!("/articles/{}", escaped(id)),
        format!("/articles/{id}/"),
        format!("/articles/{id}.0"),
        "/articles/-1".into(),
        "/articles/9223372036854775808".into(),
        "/sitemaps/articles-00.xml".into(),
        "/sitemaps/articles-+0.xml".into(),
        "/sitemaps/articles-%30.xml".into(),
        "/sitemaps/articles--0.xml".into(),
        "/sitemaps/articles-9223372036854775807.xml".into(),
        "/sitemaps/articles-9223372036854775808.xml".into(),
        "/sitemaps/news-00.xml".into(),
        "/columns/%7Ahuanti".into(),
        "/columns/ZHUANTI".into(),
        "/columns/zhuanti/".into(),
        "/columns/zhuanti?page=1".into(),
        "/columns/zhuanti?page=01".into(),
        "/columns/zhuanti?page=+1".into(),
        "/columns/zhuanti?page=9223372036854775808".into(),
        "/outlets/%63jrb".into(),
        "/outlets/CJRB".into(),
        "/outlets/cjrb/".into(),
        "/outlets/cjrb?page=1".into(),
        "/columns/%7Ahuanti/rss.xml".into(),
        "/columns/zhuanti/RSS.xml".into(),
        "/columns//rss.xml".into(),
        "//columns/zhuanti".into(),
    ];
    for alias in &aliases {
        let response = app.get(alias).await;
        assert_eq!(response.status(), 404, "{alias}");
    }
    let page = app.get(&format!("/articles/0{id}")).await;
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"), "pages answer the HTML 404");
    assert_eq!(app.get("/healthz").await.status(), 200, "the server is still up");
}

/// The render cache's document count and hit count, from /metrics.
async fn cache_figures(app: &TestApp) -> (f64, f64) {
    let metrics = app.admin_get("/metrics").await.text().await.unwrap();
    let figure = |name: &str| {
        metrics
            .lines()
            .find_map(|line| line.strip_prefix(name).and_then(|rest| rest.strip_prefix(' ')))
            .and_then(|value| value.trim().parse::<f64>().ok())
            .unwrap_or_else(|| panic!("{name} in /metrics"))
    };
    (figure("syndic_render_cache_documents"), figure("syndic_render_cache_hits_total"))
}

async fn no_query_string_makes_a_cache_entry_beside_the_document(app: TestApp) {
    let token = app.with_example_catalog().await;
    for n in 0..25 {
        app.push(&token, &numbered_article(n, "party-96")).await;
    }
    let documents = ["/rss.xml", "/feed.json", "/", "/columns/zhuanti", "/columns/zhuanti?page=2", "/articles/1"];
    for path in documents {
        app.get_text(path).await;
    }
    let (held, hits) = cache_figures(&app).await;
    assert_eq!(held, documents.len() as f64, "each document is kept once");

    // Share buttons and cache-busters: the same document, answered from the cache.
    for path in ["/rss.xml?utm_source=wx", "/columns/zhuanti?from=timeline&isappinstalled=0", "/articles/1?spm=a.b"] {
        assert_eq!(app.get(path).await.status(), 200, "{path}");
    }
    let (_, hits_after) = cache_figures(&app).await;
    assert_eq!(hits_after - hits, 3.0, "answered from the entries already held");
    assert_eq!(app.get_text("/columns/zhuanti?x=1&page=2").await, app.get_text("/columns/zhuanti?page=2").await);

    // A flood of distinct queries: no entry beside the real ones.
    for n in 0..50 {
        for path in ["/rss.xml", "/feed.json", "/", "/sitemap.xml", "/articles/1"] {
            app.get(&format!("{path}?v={n}")).await;
        }
        app.get(&format!("/rss.xml?page={n}")).await;
        app.get(&format!("/columns/zhuanti?page=2&v={n}")).await;
    }
    let (held_after, _) = cache_figures(&app).await;
    assert!(held_after <= documents.len() as f64 + 1.0, "{held_after} documents held after the flood");
}

/// An admin request of any method.
async fn admin_request(app: &TestApp, method: Method, path: &str) -> reqwest::Response {
    app.client.request(method, app.url(path)).bearer_auth(ADMIN_TOKEN).send().await.unwrap()
}

async fn api_path_parameters_that_do_not_parse_are_refused_in_the_json_error_shape(app: TestApp) {
    app.with_example_catalog().await;
    let cases = [
        (Method::GET, "/api/v1/sources/9223372036854775808", "id"),
        (Method::GET, "/api/v1/sources/abc", "id"),
        (Method::GET, "/api/v1/sources/01", "id"),
        (Method::POST, "/api/v1/sources/0x1/poll", "id"),
        (Method::DELETE, "/api/v1/articles/+1", "id"),
        (Method::POST, "/api/v1/quarantine/1x/release", "id"),
        (Method::DELETE, "/api/v1/partners/-1", "id"),
        (Method::DELETE, "/api/v1/outlets/cjrb/tokens/1e3", "id"),
        (Method::GET, "/api/v1/columns/%7Ahuanti", "path"),
    ];
    for (method, path, field) in cases {
        let response = admin_request(&app, method.clone(), path).await;
        assert_eq!(response.status(), 400, "{method} {path}");
        assert_eq!(response.headers()["content-type"], "application/json", "{method} {path}");
        let body: Value = response.json().await.unwrap();
        assert!(body["error"].is_string() && body["fields"][field].is_string(), "{method} {path}: {body}");
    }
    let missing = admin_request(&app, Method::GET, "/api/v1/sources/1").await;
    assert_eq!(missing.status(), 404, "a canonical id that names nothing");
    assert_eq!(missing.json::<Value>().await.unwrap(), json!({"error": "source not found"}));

    // The router's own answers: a method the route does not have.
    let response = admin_request(&app, Method::PUT, "/api/v1/columns").await;
    assert_eq!(response.status(), 405);
    assert!(response.headers()["allow"].to_str().unwrap().contains("POST"));
    assert_eq!(response.headers()["content-type"], "application/json");
    assert!(response.json::<Value>().await.unwrap()["error"].is_string());
}

/// Two items per feed: archive pages of one, so that a few articles make archives.
fn small_feeds(config: &mut syndic::config::Config) {
    config.feed_items = 2;
}

#[tokio::test]
async fn archive_pages_answer_only_at_their_canonical_number_on_sqlite() {
    archive_pages_answer_only_at_their_canonical_number(
        TestApp::spawn_configured(Backend::Sqlite, small_feeds).await.unwrap(),
    )
    .await;
}

#[tokio::test]
async fn archive_pages_answer_only_at_their_canonical_number_on_postgres() {
    if let Some(app) = TestApp::spawn_configured(Backend::Postgres, small_feeds).await {
        archive_pages_answer_only_at_their_canonical_number(app).await;
    }
}

async fn archive_pages_answer_only_at_their_canonical_number(app: TestApp) {
    let token = app.with_example_catalog().await;
    for n in 0..6 {
        app.push(&token, &numbered_article(n, "party-96")).await;
    }
    assert_eq!(app.get("/columns/party-96/archive/1/rss.xml").await.status(), 200);
    for alias in [
        "/columns/party-96/archive/01/rss.xml",
        "/columns/party-96/archive/+1/rss.xml",
        "/columns/party-96/archive/%31/rss.xml",
        "/columns/party-96/archive/9223372036854775808/atom.xml",
    ] {
        assert_eq!(app.get(alias).await.status(), 404, "{alias}");
    }
}
