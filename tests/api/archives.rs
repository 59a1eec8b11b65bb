//! RFC 5005 archives of column feeds: the subscription feed plus its archives hold
//! every live article of the column once, archive documents stay put as articles
//! arrive, and they change when one of their own articles is withdrawn.

use crate::helpers::{numbered_article, Backend, TestApp};
use serde_json::Value;
use std::collections::HashSet;

/// Ten items per feed: archive pages of five.
fn small_feeds(config: &mut syndic::config::Config) {
    config.feed_items = 10;
}

#[tokio::test]
async fn walking_prev_archive_yields_every_article_once_on_sqlite() {
    walking_prev_archive_yields_every_article_once(
        TestApp::spawn_configured(Backend::Sqlite, small_feeds).await.unwrap(),
    )
    .await;
}

#[tokio::test]
async fn walking_prev_archive_yields_every_article_once_on_postgres() {
    if let Some(app) = TestApp::spawn_configured(Backend::Postgres, small_feeds).await {
        walking_prev_archive_yields_every_article_once(app).await;
    }
}

/// Follows `prev-archive` from the subscription feed; returns every entry id met and
/// the archive documents' URLs, newest first.
async fn walk(app: &TestApp, feed_path: &str) -> (Vec<String>, Vec<String>) {
    let mut ids = Vec::new();
    let mut archives = Vec::new();
    let mut next = Some(app.url(feed_path));
    let current = app.url(feed_path).replace(&app.url(""), &app.base_url);
    while let Some(url) = next.take() {
        let response = app.client.get(&url).send().await.unwrap();
        assert_eq!(response.status(), 200, "{url}");
        let text = response.text().await.unwrap();
        let feed = feed_rs::parser::parse(text.as_bytes()).expect("parses");
        ids.extend(
            feed.entries.iter().map(|e| e.links.iter().find(|l| l.href.contains("/articles/")).unwrap().href.clone()),
        );
        assert!(feed.entries.len() < 10, "a feed never holds more than feed_items");
        if url != app.url(feed_path) {
            assert!(text.contains("<fh:archive"), "{url} is marked as an archive");
            let current_link = feed.links.iter().find(|l| l.rel.as_deref() == Some("current")).expect("rel=current");
            assert_eq!(current_link.href, current);
            archives.push(url.clone());
        }
        next = feed
            .links
            .iter()
            .find(|l| l.rel.as_deref() == Some("prev-archive"))
            .map(|l| l.href.replace(&app.base_url, &app.url("")));
    }
    (ids, archives)
}

async fn walking_prev_archive_yields_every_article_once(app: TestApp) {
    let token = app.with_example_catalog().await;
    let mut ids = Vec::new();
    for n in 0..37 {
        let column = if n % 4 == 0 { "zhuanti" } else { "party-96" };
        let created: Value = app.push(&token, &numbered_article(n, column)).await.json().await.unwrap();
        ids.push(created["id"].as_i64().unwrap());
    }
    let withdrawn = [ids[2], ids[20], ids[36]];
    for id in withdrawn {
        let response = app.client.delete(app.url(&format!("/api/v1/articles/{id}"))).bearer_auth(&token).send().await;
        assert_eq!(response.unwrap().status(), 200);
    }
    let live: HashSet<String> =
        ids.iter().filter(|id| !withdrawn.contains(id)).map(|id| format!("{}/articles/{id}", app.base_url)).collect();

    for feed in ["/columns/zhuanti/atom.xml", "/columns/zhuanti/rss.xml"] {
        let (seen, archives) = walk(&app, feed).await;
        assert_eq!(seen.len(), live.len(), "{feed}: no article twice");
        assert_eq!(seen.iter().cloned().collect::<HashSet<_>>(), live, "{feed}: every live article");
        assert_eq!(archives.len(), 6, "{feed}: 37 articles in pages of 5, the last full page not yet archived");
    }

    // Archives are stable and long-cached; new articles do not move them.
    let oldest = app.url("/columns/zhuanti/archive/0/atom.xml");
    let before = app.client.get(&oldest).send().await.unwrap();
    assert!(before.headers()["cache-control"].to_str().unwrap().contains("max-age=86400"));
    let etag = before.headers()["etag"].clone();
    let body = before.text().await.unwrap();
    for n in 37..50 {
        assert_eq!(app.push(&token, &numbered_article(n, "party-96")).await.status(), 201);
    }
    let again = app.client.get(&oldest).header("if-none-match", etag).send().await.unwrap();
    assert_eq!(again.status(), 304, "archive page 0 did not change");
    // Withdrawing one of its articles does change it.
    let response = app.client.delete(app.url(&format!("/api/v1/articles/{}", ids[0]))).bearer_auth(&token).send().await;
    assert_eq!(response.unwrap().status(), 200);
    let after = app.get_text("/columns/zhuanti/archive/0/atom.xml").await;
    assert_ne!(after, body);
    assert!(!after.contains(&format!("/articles/{}<", ids[0])));
    assert_eq!(app.get("/columns/zhuanti/archive/99/atom.xml").await.status(), 404);
    assert_eq!(app.get("/columns/zhuanti/archive/0/feed.json").await.status(), 404);
}
