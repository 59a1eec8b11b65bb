//! The render cache: what it serves is what a fresh render would show, after every
//! kind of change (new article, correction, withdrawal, re-filing, catalogue edit);
//! and a hit needs no database at all. (Other instances: `instances.rs`.)

use crate::helpers::{numbered_article, TestApp};
use serde_json::{json, Value};

crate::stories!(
    cached_documents_show_every_change_at_once,
    a_cached_document_is_served_without_the_database,
    a_large_cached_document_reaches_a_slow_reader_whole,
);

/// The documents the story keeps warm, and so cached.
const WATCHED: &[&str] = &[
    "/rss.xml",
    "/feed.json",
    "/columns/zhuanti/atom.xml",
    "/columns/party-96/rss.xml",
    "/columns/sports/feed.json",
    "/outlets/cjrb/rss.xml",
    "/",
    "/columns/zhuanti",
    "/columns/sports",
    "/sitemap.xml",
    "/sitemaps/articles-0.xml",
];

async fn warm(app: &TestApp) {
    for path in WATCHED {
        // Twice: the second is answered from the cache.
        app.get_text(path).await;
        app.get_text(path).await;
    }
}

async fn shows(app: &TestApp, path: &str, text: &str) -> bool {
    app.get_text(path).await.contains(text)
}

async fn cached_documents_show_every_change_at_once(app: TestApp) {
    let token = app.with_example_catalog().await;
    app.add_column("sports", "体育", None).await;
    let first = numbered_article(1, "party-96");
    let created: Value = app.push(&token, &first).await.json().await.unwrap();
    let first_page = format!("/articles/{}", created["id"]);
    warm(&app).await;
    app.get_text(&first_page).await;

    // A new article in another column: there and site-wide, not in the first column.
    let second = numbered_article(2, "sports");
    app.push(&token, &second).await;
    assert!(shows(&app, "/columns/sports/feed.json", "稿件 2").await);
    assert!(shows(&app, "/columns/sports", "稿件 2").await);
    assert!(shows(&app, "/rss.xml", "稿件 2").await);
    assert!(shows(&app, "/feed.json", "稿件 2").await);
    assert!(shows(&app, "/", "稿件 2").await);
    assert!(shows(&app, "/outlets/cjrb/rss.xml", "稿件 2").await);
    assert!(!shows(&app, "/columns/zhuanti/atom.xml", "稿件 2").await);

    // A correction: every document showing the article shows the new title.
    let mut corrected = first.clone();
    corrected["title"] = json!("更正后的标题");
    assert_eq!(app.push(&token, &corrected).await.status(), 200);
    for path in ["/columns/zhuanti/atom.xml", "/columns/party-96/rss.xml", "/columns/zhuanti", "/rss.xml", &first_page]
    {
        let text = app.get_text(path).await;
        assert!(text.contains("更正后的标题") && !text.contains("稿件 1<"), "{path} shows the correction");
    }

    // Re-filed from party-96 to sports: gone from the old columns' documents.
    let mut refiled = second.clone();
    refiled["columns"] = json!(["party-96"]);
    app.push(&token, &refiled).await;
    assert!(!shows(&app, "/columns/sports/feed.json", "稿件 2").await, "moved out of sports");
    assert!(!shows(&app, "/columns/sports", "稿件 2").await);
    assert!(shows(&app, "/columns/zhuanti/atom.xml", "稿件 2").await, "moved into party-96, under zhuanti");

    // A catalogue edit: the column's new title everywhere it is named.
    let response = app.admin_patch("/api/v1/columns/sports", json!({"title": "体育新闻"})).await;
    assert_eq!(response.status(), 200);
    assert!(shows(&app, "/columns/sports/feed.json", "体育新闻").await);
    assert!(shows(&app, "/", "体育新闻").await);

    // A column moved under another: its articles join the new parent's feeds and pages
    // (the listings are rebuilt), and leave the old parent's.
    app.push(&token, &numbered_article(3, "sports")).await;
    assert!(!shows(&app, "/columns/zhuanti/atom.xml", "稿件 3").await);
    let response = app.admin_patch("/api/v1/columns/sports", json!({"parent": "zhuanti"})).await;
    assert_eq!(response.status(), 200);
    assert!(shows(&app, "/columns/zhuanti/atom.xml", "稿件 3").await);
    assert!(shows(&app, "/columns/zhuanti", "稿件 3").await);
    let response = app.admin_patch("/api/v1/columns/sports", json!({"parent": null})).await;
    assert_eq!(response.status(), 200);
    assert!(!shows(&app, "/columns/zhuanti/atom.xml", "稿件 3").await);
    assert!(shows(&app, "/columns/sports/feed.json", "稿件 3").await);

    // A withdrawal: gone from feeds and sitemaps, its page 410.
    let response = app
        .client
        .delete(app.url(&format!("/api/v1/articles/{}", created["id"])))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(app.get(&first_page).await.status(), 410);
    for path in ["/columns/zhuanti/atom.xml", "/rss.xml", "/outlets/cjrb/rss.xml", "/sitemaps/articles-0.xml"] {
        assert!(!shows(&app, path, "更正后的标题").await && !shows(&app, path, &first_page).await, "{path}");
    }
}

async fn a_cached_document_is_served_without_the_database(app: TestApp) {
    let token = app.with_example_catalog().await;
    app.push(&token, &numbered_article(1, "party-96")).await;
    let warm = app.get("/columns/zhuanti/rss.xml").await;
    let etag = warm.headers()["etag"].clone();
    let body = warm.text().await.unwrap();
    app.get_text("/").await;

    app.store.close().await;
    let hit = app.get("/columns/zhuanti/rss.xml").await;
    assert_eq!(hit.status(), 200);
    assert_eq!(hit.headers()["etag"], etag);
    assert_eq!(hit.text().await.unwrap(), body);
    let revalidated =
        app.client.get(app.url("/columns/zhuanti/rss.xml")).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(revalidated.status(), 304);
    let gzipped = app.client.get(app.url("/")).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(gzipped.status(), 200);
    assert_eq!(gzipped.headers()["content-encoding"], "gzip");
    // Not cached: needs the database, which is gone.
    assert!(app.get("/columns/zhuanti/atom.xml").await.status().is_server_error());
}

/// Large cached bodies leave through `sendfile` from the cache's memory: a reader with a
/// small window, reading slowly, makes the server send them in many pieces.
async fn a_large_cached_document_reaches_a_slow_reader_whole(app: TestApp) {
    let token = app.with_example_catalog().await;
    let paragraph = format!("<p>{}</p>", "昌吉新闻网讯 木垒县阿克喀巴克村。".repeat(40));
    for n in 0..30 {
        let mut article = numbered_article(n, "party-96");
        article["content_html"] = json!(paragraph.repeat(3));
        app.push(&token, &article).await;
    }
    let path = "/columns/party-96/rss.xml";
    let rendered = app.get(path).await.bytes().await.unwrap();
    assert!(rendered.len() > 200_000, "a feed of {} bytes is too small to test this", rendered.len());
    for _ in 0..2 {
        assert_eq!(slow_get(&app, path, "identity").await, rendered);
        let gzipped = slow_get(&app, path, "gzip").await;
        let mut plain = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gzipped[..]), &mut plain).unwrap();
        assert_eq!(plain, rendered);
    }
}

/// The body of a GET read through a 4 KiB receive window, 2 KiB at a time, with pauses.
async fn slow_get(app: &TestApp, path: &str, encoding: &str) -> Vec<u8> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut stream = socket.connect(app.address).await.unwrap();
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: test\r\nAccept-Encoding: {encoding}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut received = Vec::new();
    let mut chunk = [0u8; 2048];
    loop {
        let n = stream.read(&mut chunk).await.unwrap();
        if n == 0 {
            break;
        }
        received.extend_from_slice(&chunk[..n]);
        tokio::time::sleep(std::time::Duration::from_micros(300)).await;
    }
    let split = received.windows(4).position(|w| w == b"\r\n\r\n").expect("a response head") + 4;
    let head = String::from_utf8_lossy(&received[..split]).to_lowercase();
    assert!(head.starts_with("http/1.1 200"), "{head}");
    let body = received.split_off(split);
    assert!(head.contains(&format!("content-length: {}\r\n", body.len())), "{head} for {} bytes", body.len());
    body
}
