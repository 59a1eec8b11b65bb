//! What an outlet's agreement allows: summary-only feeds, what partners get, embargoes
//! and expiry.

use crate::helpers::{example_article, TestApp, ADMIN_TOKEN};
use crate::mock::eventually;
use crate::stories;
use chrono::{Duration as Span, SecondsFormat, Utc};
use serde_json::{json, Value};
use std::time::Duration;

stories!(summary_only_outlets_keep_their_content_out_of_feeds, embargoes_and_expiry_follow_the_agreement);

async fn partner_items(app: &TestApp) -> Vec<Value> {
    let response = app.client.get(app.url("/api/v1/articles")).bearer_auth(ADMIN_TOKEN).send().await.unwrap();
    response.json::<Value>().await.unwrap()["items"].as_array().unwrap().clone()
}

async fn summary_only_outlets_keep_their_content_out_of_feeds(app: TestApp) {
    app.with_example_catalog().await;
    let token = app.add_outlet("brief", json!({"feed_content": "summary", "partner_content": "none"})).await;
    let mut article = example_article();
    article["original_url"] = json!("http://brief.example.cn/1");
    article["content_html"] = json!("<p>只在原站全文可读的正文。</p>");
    let created: Value = app.push(&token, &article).await.json().await.unwrap();
    let page = format!("/articles/{}", created["id"]);

    let rss = app.get_text("/columns/party-96/rss.xml").await;
    assert!(rss.contains("头雁") && !rss.contains("只在原站全文可读"), "RSS carries the summary only");
    assert!(!rss.contains("content:encoded"));
    let atom = app.get_text("/columns/party-96/atom.xml").await;
    assert!(!atom.contains("只在原站全文可读") && !atom.contains("<content"), "Atom carries the summary only");
    let json_feed: Value = serde_json::from_str(&app.get_text("/columns/party-96/feed.json").await).unwrap();
    assert!(!json_feed["items"][0]["content_html"].as_str().unwrap().contains("只在原站全文可读"));
    assert!(app.get_text(&page).await.contains("只在原站全文可读"), "our own page shows it in full");
    assert!(partner_items(&app).await.is_empty(), "partner_content none: partners get nothing");

    assert_eq!(app.admin_patch("/api/v1/outlets/brief", json!({"partner_content": "summary"})).await.status(), 200);
    assert_eq!(app.admin_patch("/api/v1/outlets/brief", json!({"feed_content": "none"})).await.status(), 422);
    article["title"] = json!("改过的标题");
    assert_eq!(app.push(&token, &article).await.status(), 200);
    let items = partner_items(&app).await;
    assert_eq!(items[0]["content"], "summary");
    assert!(items[0]["content_html"].is_null() && items[0]["summary"].is_string());
}

fn at(offset: Span) -> String {
    (Utc::now() + offset).to_rfc3339_opts(SecondsFormat::Secs, true)
}

async fn embargoes_and_expiry_follow_the_agreement(app: TestApp) {
    let token = app.with_example_catalog().await;
    let mut embargoed = example_article();
    let publish_at = at(Span::seconds(2));
    embargoed["publish_at"] = json!(publish_at);
    let created: Value = app.push(&token, &embargoed).await.json().await.unwrap();
    let page = format!("/articles/{}", created["id"]);
    assert_eq!(app.get(&page).await.status(), 404, "invisible until the embargo ends");
    assert!(!app.get_text("/feed.json").await.contains("头雁"));
    assert!(partner_items(&app).await.is_empty());
    eventually("the embargo ends", Duration::from_secs(10), || async { app.get(&page).await.status() == 200 }).await;
    let feed: Value = serde_json::from_str(&app.get_text("/feed.json").await).unwrap();
    assert_eq!(feed["items"][0]["date_published"], publish_at, "reposted at the embargo's end");
    assert_eq!(partner_items(&app).await.len(), 1);

    let mut expiring = example_article();
    expiring["original_url"] = json!("http://www.cjxww.cn/expiring");
    expiring["title"] = json!("限时转载");
    expiring["expires_at"] = json!(at(Span::seconds(2)));
    let created: Value = app.push(&token, &expiring).await.json().await.unwrap();
    let page = format!("/articles/{}", created["id"]);
    assert_eq!(app.get(&page).await.status(), 200);
    eventually("the right expires", Duration::from_secs(10), || async { app.get(&page).await.status() == 410 }).await;
    assert!(app.get(&page).await.text().await.unwrap().contains("该文章的转载授权已到期"), "the page says it expired");
    assert!(!app.get_text("/rss.xml").await.contains("限时转载"));
    let items = partner_items(&app).await;
    assert!(items.iter().any(|i| i["id"] == created["id"] && i["withdrawn"] == json!(true)), "a tombstone: {items:?}");

    let mut wrong = example_article();
    wrong["publish_at"] = json!(at(Span::hours(2)));
    wrong["expires_at"] = json!(at(Span::hours(1)));
    let response = app.push(&token, &wrong).await;
    assert_eq!(response.status(), 422);
    assert!(response.json::<Value>().await.unwrap()["fields"]["expires_at"].is_string());
    wrong["publish_at"] = json!("next tuesday");
    let response = app.push(&token, &wrong).await;
    assert!(response.json::<Value>().await.unwrap()["fields"]["publish_at"].is_string());
}
