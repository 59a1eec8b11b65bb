//! Hostile input: every hand-made hostile feed of the corpus, imported and pushed,
//! leaves the server up, the hostile part out of every output, and a clear error or
//! quarantine reason where one is due.

use crate::helpers::{example_article, TestApp};
use crate::stories;
use serde_json::{json, Value};
use std::path::PathBuf;

stories!(hostile_feeds_and_pushes_leave_nothing_hostile_in_any_output, characters_xml_forbids_never_break_an_output);

/// What must never appear in any output, whatever came in.
const FORBIDDEN: &[&str] = &[
    "<script>alert",
    "javascript:",
    "onerror=",
    "onclick=",
    "onmouseover=",
    "<iframe",
    "spam.example",
    "evil.example",
    "bet365",
    "root:x:0",
    "attacker.example",
    "lollollol",
];

fn handmade_dir() -> PathBuf {
    std::env::var_os("SYNDIC_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"))
        .join("feeds/handmade")
}

async fn every_output(app: &TestApp) -> Vec<(String, String)> {
    let mut outputs = Vec::new();
    let mut paths: Vec<String> = ["/", "/rss.xml", "/atom.xml", "/feed.json", "/sitemap.xml", "/sitemaps/pages.xml"]
        .iter()
        .map(|p| p.to_string())
        .collect();
    for column in ["zhuanti", "party-96"] {
        paths.extend(["", "/rss.xml", "/atom.xml", "/feed.json"].iter().map(|f| format!("/columns/{column}{f}")));
    }
    let feed: Value = app.get("/feed.json").await.json().await.unwrap();
    paths.extend(
        feed["items"].as_array().unwrap().iter().map(|i| i["url"].as_str().unwrap().replace(&app.base_url, "")),
    );
    for path in paths {
        let response = app.get(&path).await;
        assert!(response.status().is_success() || response.status() == 404, "{path}: {}", response.status());
        outputs.push((path, response.text().await.unwrap()));
    }
    outputs
}

async fn hostile_feeds_and_pushes_leave_nothing_hostile_in_any_output(app: TestApp) {
    let token = app.with_example_catalog().await;
    let mut files: Vec<PathBuf> = std::fs::read_dir(handmade_dir()).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(files.len() >= 20, "the handmade corpus is there");
    let mut hidden_removed = 0;
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        let json = file.extension().is_some_and(|e| e == "json");
        let response = app
            .client
            .post(app.url("/api/v1/articles?column=party-96"))
            .bearer_auth(&token)
            .header("content-type", if json { "application/xml" } else { "application/rss+xml" })
            .body(bytes.clone())
            .send()
            .await
            .unwrap();
        let status = response.status();
        assert!(!status.is_server_error(), "{}: {status}", file.display());
        let body: Value = response.json().await.unwrap();
        assert!(
            body.get("error").is_some() || body.get("items").is_some(),
            "{}: a clear answer: {body}",
            file.display()
        );

        // The same payloads pushed as one article each.
        let text = String::from_utf8_lossy(&bytes[..bytes.len().min(200_000)]).into_owned();
        let mut article = example_article();
        article["original_url"] =
            json!(format!("http://www.cjxww.cn/pushed?file={}", file.file_name().unwrap().to_string_lossy()));
        article["content_html"] = json!(text);
        article["summary"] = json!(text.chars().take(10_000).collect::<String>());
        let pushed = app.push(&token, &article).await;
        let status = pushed.status();
        assert!(!status.is_server_error(), "{}: {status}", file.display());
        let answer: Value = pushed.json().await.unwrap();
        if status == 202 {
            assert!(answer["quarantine_reason"].as_str().is_some_and(|r| r.contains("blocked")), "{answer}");
        } else if status.is_success() {
            hidden_removed += answer["hidden_elements_removed"].as_i64().unwrap_or(0);
        } else {
            assert!(answer["error"].is_string(), "{}: a clear error: {answer}", file.display());
        }
    }
    assert!(hidden_removed > 0, "the hidden bet365 block was removed and recorded");
    assert_eq!(app.get("/healthz").await.status(), 200, "the server is still up");
    for (path, text) in every_output(&app).await {
        let lower = text.to_lowercase();
        for forbidden in FORBIDDEN {
            assert!(!lower.contains(forbidden), "{forbidden} reached {path}");
        }
    }
}

async fn characters_xml_forbids_never_break_an_output(app: TestApp) {
    let token = app.with_example_catalog().await;
    let mut article = example_article();
    article["title"] = json!("标题\u{0}\u{b}\u{1b}\u{FFFE}]]>结尾");
    article["author"] = json!("记者\u{8}张三");
    article["content_html"] = json!("<p title=\"]]>\">正文 ]]> \u{c}\u{1f} &#0; &#xFFFE;</p>");
    article["tags"] = json!(["a\u{0}b"]);
    assert_eq!(app.push(&token, &article).await.status(), 201);
    let rss = app.get_text("/columns/party-96/rss.xml").await;
    let channel = rss::Channel::read_from(rss.as_bytes()).expect("RSS stays well-formed");
    assert_eq!(channel.items()[0].title(), Some("标题]]>结尾"));
    atom_syndication::Feed::read_from(app.get_text("/columns/party-96/atom.xml").await.as_bytes())
        .expect("Atom stays well-formed");
    feed_rs::parser::parse(app.get_text("/columns/party-96/feed.json").await.as_bytes()).expect("JSON Feed parses");
    feed_rs::parser::parse(rss.as_bytes()).expect("feed-rs reads the RSS");
    let page = app.get_text("/articles/1").await;
    assert!(!page.contains('\u{0}') && !page.contains('\u{b}'));
}
