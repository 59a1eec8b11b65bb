//! Security headers: HTML pages say what they may load (a Content-Security-Policy whose
//! only script is the page's own JSON-LD, by hash), who may frame them and what referrer
//! they send; every response, errors included, forbids content sniffing.

use crate::helpers::{example_article, TestApp};
use crate::stories;
use base64::Engine;
use sha2::{Digest, Sha256};

stories!(html_pages_carry_a_policy_that_allows_only_what_they_use, every_response_forbids_content_sniffing);

/// The text of the page's JSON-LD script element.
fn json_ld(page: &str) -> &str {
    let start = page.find(r#"<script type="application/ld+json">"#).expect("a JSON-LD script");
    let rest = &page[start..];
    let body = &rest[rest.find('>').unwrap() + 1..];
    &body[..body.find("</script>").unwrap()]
}

fn directives(policy: &str) -> Vec<(String, Vec<String>)> {
    policy
        .split(';')
        .filter_map(|d| {
            let mut words = d.split_whitespace();
            Some((words.next()?.to_owned(), words.map(str::to_owned).collect()))
        })
        .collect()
}

async fn html_pages_carry_a_policy_that_allows_only_what_they_use(app: TestApp) {
    let token = app.with_example_catalog().await;
    let pushed: serde_json::Value = app.push(&token, &example_article()).await.json().await.unwrap();
    let article = format!("/articles/{}", pushed["id"]);
    for path in [article.as_str(), "/", "/columns/zhuanti", "/outlets/cjrb", "/articles/999", "/no/such/page"] {
        // The second answer comes from the render cache: the same headers.
        for _ in 0..2 {
            let response = app.get(path).await;
            let headers = response.headers().clone();
            assert!(headers["content-type"].to_str().unwrap().starts_with("text/html"), "{path}");
            assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
            assert_eq!(headers["x-frame-options"], "DENY", "{path}");
            assert_eq!(headers["referrer-policy"], "strict-origin-when-cross-origin", "{path}");
            let policy = headers["content-security-policy"].to_str().unwrap().to_owned();
            let policy = directives(&policy);
            let directive = |name: &str| policy.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
            assert_eq!(directive("default-src"), Some(vec!["'none'".into()]), "{path}");
            for (name, value) in [
                ("object-src", "'none'"),
                ("base-uri", "'none'"),
                ("frame-ancestors", "'none'"),
                ("form-action", "'self'"),
            ] {
                assert_eq!(directive(name), Some(vec![value.to_owned()]), "{path}: {name}");
            }
            let body = response.text().await.unwrap();
            if path == article {
                let digest = Sha256::digest(json_ld(&body).as_bytes());
                let hash = format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest));
                assert_eq!(directive("script-src"), Some(vec![hash]), "only the JSON-LD may run");
            } else {
                assert!(!body.contains("<script"), "{path}");
                assert_eq!(directive("script-src"), None, "{path}: no script at all (default-src 'none')");
            }
            for (name, needed) in [("img-src", "https:"), ("img-src", "http:"), ("media-src", "https:")] {
                assert!(directive(name).is_some_and(|v| v.iter().any(|s| s == needed)), "{path}: {name} {needed}");
            }
        }
    }
}

async fn every_response_forbids_content_sniffing(app: TestApp) {
    let token = app.with_example_catalog().await;
    app.push(&token, &example_article()).await;
    for path in [
        "/rss.xml",
        "/atom.xml",
        "/feed.json",
        "/columns/zhuanti/rss.xml",
        "/sitemap.xml",
        "/sitemaps/articles-0.xml",
        "/sitemap-news.xml",
        "/robots.txt",
        "/healthz",
        "/api/openapi.json",
        "/api/v1/columns",
        "/columns/nope/rss.xml",
        "/api/v1/nothing",
    ] {
        for _ in 0..2 {
            let response = app.get(path).await;
            assert_eq!(
                response.headers().get("x-content-type-options").map(|v| v.to_str().unwrap()),
                Some("nosniff"),
                "{path}: {}",
                response.status()
            );
        }
    }
    let not_modified = app.get("/rss.xml").await.headers()["etag"].clone();
    let response = app.client.get(app.url("/rss.xml")).header("if-none-match", not_modified).send().await.unwrap();
    assert_eq!(response.status(), 304);
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    let refused = app.push("not-a-token", &example_article()).await;
    assert_eq!(refused.status(), 401);
    assert_eq!(refused.headers()["x-content-type-options"], "nosniff");
}
