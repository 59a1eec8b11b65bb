//! Hostile input: every hand-made hostile feed of the corpus, imported and pushed,
//! leaves the server up, the hostile part out of every output, and a clear error or
//! quarantine reason where one is due.

use crate::helpers::{example_article, numbered_article, TestApp};
use crate::stories;
use serde_json::{json, Value};
use std::path::PathBuf;

stories!(
    hostile_feeds_and_pushes_leave_nothing_hostile_in_any_output,
    characters_xml_forbids_never_break_an_output,
    every_way_of_hiding_text_is_removed_and_counted,
    url_attributes_keep_only_web_urls,
);

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
    crate::corpus::dir().join("feeds/handmade")
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

/// Ways outlets' compromised pages hide link spam, one per article; `{}` is where the
/// spam goes. Each hides exactly one element.
const HIDING: &[&str] = &[
    r#"<span style="display&#58;none">{}</span>"#,
    r#"<span style="dis&#x70;lay:none">{}</span>"#,
    r#"<span style="disp\lay:none">{}</span>"#,
    r#"<span style="display:/**/none">{}</span>"#,
    r#"<span style="display:\6e one">{}</span>"#,
    r#"<span style="--h:none;display:var(--h)">{}</span>"#,
    r#"<span style="font-size:0.0em">{}</span>"#,
    r#"<span style="font:0/0 a">{}</span>"#,
    r#"<span style="opacity:0%">{}</span>"#,
    r#"<div style="height:0.0px;overflow:hidden">{}</div>"#,
    r#"<span style="filter:opacity(0)">{}</span>"#,
    r#"<span style="transform:scale(0)">{}</span>"#,
    r#"<span style="clip-path:inset(100%)">{}</span>"#,
    r#"<span style="position:absolute;left:calc(-9999px)">{}</span>"#,
    r#"<span style="position:absolute;left:-100%">{}</span>"#,
    r#"<span style="position:absolute;left:-99vw">{}</span>"#,
    r#"<div style="position:absolute;width:1px;height:1px;overflow:hidden">{}</div>"#,
    r#"<style>.ad{display:none}</style><div class="ad">{}</div>"#,
    r#"<span style="color:#fff;background-color:#ffffff">{}</span>"#,
    r##"<table bgcolor="#fff"><tr><td><font color="white">{}</font></td></tr></table>"##,
    r#"<span style="visibility:hidden">{}</span>"#,
    r#"<span style="text-indent:-9999px">{}</span>"#,
    r#"<span style="color:transparent">{}</span>"#,
    r#"<p hidden>{}</p>"#,
    r#"<span style="display:none">a<div>b</span>{}</div>"#,
];

async fn every_way_of_hiding_text_is_removed_and_counted(app: TestApp) {
    let token = app.with_example_catalog().await;
    let articles: Vec<Value> = HIDING
        .iter()
        .enumerate()
        .map(|(n, hiding)| {
            let mut article = numbered_article(n, "party-96");
            let spam = format!(r#"<a href="http://casino.example/{n}">hiddenspam{n}</a>"#);
            article["content_html"] = json!(format!("<p>正文 {n}</p>{}", hiding.replace("{}", &spam)));
            article
        })
        .collect();
    let response = app
        .client
        .post(app.url("/api/v1/articles/batch"))
        .bearer_auth(&token)
        .json(&json!({ "articles": articles }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.unwrap();
    for (n, result) in answer["results"].as_array().unwrap().iter().enumerate() {
        assert_eq!(result["status"], "created", "{result}");
        assert_eq!(result["hidden_elements_removed"], 1, "{}: {result}", HIDING[n]);
    }

    let mut outputs = Vec::new();
    for path in ["/rss.xml", "/atom.xml", "/feed.json"] {
        outputs.push((path.to_owned(), app.get_text(path).await));
    }
    let feed: Value = app.get("/feed.json").await.json().await.unwrap();
    let items = feed["items"].as_array().unwrap();
    assert_eq!(items.len(), HIDING.len(), "every article is published");
    for item in items {
        let page = item["url"].as_str().unwrap().replace(&app.base_url, "");
        outputs.push((page.clone(), app.get_text(&page).await));
    }
    for (path, text) in outputs {
        assert!(text.contains("正文"), "{path} shows the visible text");
        assert!(!text.contains("hiddenspam") && !text.contains("casino.example"), "hidden spam reached {path}");
    }
}

async fn url_attributes_keep_only_web_urls(app: TestApp) {
    let token = app.with_example_catalog().await;
    let mut article = example_article();
    article["content_html"] = json!(concat!(
        r#"<blockquote cite="javascript:alert(1)"><p>引文</p></blockquote>"#,
        r#"<q cite="  JaVaScRiPt&#58;alert(2)">短引</q><del cite="data:text/html,x">删</del>"#,
        r#"<ins cite="/notes/1.html">增</ins><video poster="vbscript:x" src="/v.mp4"></video>"#,
    ));
    assert_eq!(app.push(&token, &article).await.status(), 201);
    let page = app.get_text("/articles/1").await;
    for bad in ["javascript", "JaVaScRiPt", "data:text", "vbscript"] {
        assert!(!page.contains(bad), "{bad} reached the page");
    }
    assert!(page.contains(r#"cite="http://www.cjxww.cn/notes/1.html""#), "relative citations resolve: {page}");
    assert!(page.contains(r#"src="http://www.cjxww.cn/v.mp4""#), "{page}");
}
