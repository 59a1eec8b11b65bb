use crate::helpers::{example_article, TestApp};
use crate::stories;
use serde_json::{json, Value};

stories!(spam_is_held_in_quarantine_until_an_admin_releases_or_rejects_it, hidden_spam_is_removed_and_recorded,);

async fn spam_is_held_in_quarantine_until_an_admin_releases_or_rejects_it(app: TestApp) {
    let token = app.with_example_catalog().await;
    let mut spam = example_article();
    spam["content_html"] = json!("<p>正文</p><p>bet365中文 最新优惠</p>");
    let held = app.push(&token, &spam).await;
    assert_eq!(held.status(), 202);
    let held: Value = held.json().await.unwrap();
    assert_eq!(held["status"], "quarantined");
    assert_eq!(held["quarantine_reason"], "blocked term 'bet365' in content");
    let id = held["id"].as_i64().unwrap();

    let mut linked = example_article();
    linked["original_url"] = json!("http://www.cjxww.cn/a?id=2");
    linked["content_html"] = json!(r#"<p>见 <a href="https://promo.spam.example/x">这里</a></p>"#);
    let linked: Value = app.push(&token, &linked).await.json().await.unwrap();
    assert!(linked["quarantine_reason"].as_str().unwrap().starts_with("blocked domain 'spam.example'"), "{linked}");

    for path in ["/feed.json", "/rss.xml", "/columns/party-96", "/sitemaps/articles-0.xml", "/"] {
        let response = app.get(path).await;
        let text = response.text().await.unwrap();
        assert!(
            !text.to_lowercase().contains("bet365") && !text.contains("spam.example"),
            "held article leaked into {path}"
        );
    }
    assert_eq!(app.get(&format!("/articles/{id}")).await.status(), 404);

    let listed: Value = app.admin_get("/api/v1/quarantine").await.json().await.unwrap();
    let reasons: Vec<&str> =
        listed["articles"].as_array().unwrap().iter().map(|a| a["reason"].as_str().unwrap()).collect();
    assert_eq!(reasons.len(), 2, "{listed}");
    assert!(listed["articles"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["original_url"] == "http://www.cjxww.cn/index.php?m=content&c=index&a=show&catid=407&id=93487"));

    assert_eq!(app.admin_post(&format!("/api/v1/quarantine/{id}/release"), json!({})).await.status(), 200);
    assert_eq!(app.get(&format!("/articles/{id}")).await.status(), 200, "released articles are published");
    let other = linked["id"].as_i64().unwrap();
    assert_eq!(app.admin_post(&format!("/api/v1/quarantine/{other}/reject"), json!({})).await.status(), 204);
    assert_eq!(app.admin_post(&format!("/api/v1/quarantine/{other}/reject"), json!({})).await.status(), 404);
    let empty: Value = app.admin_get("/api/v1/quarantine").await.json().await.unwrap();
    assert_eq!(empty["articles"], json!([]));
}

async fn hidden_spam_is_removed_and_recorded(app: TestApp) {
    let token = app.with_example_catalog().await;
    let mut article = example_article();
    article["content_html"] = json!(
        r#"<p>正文</p><div style="display:none"><a href="http://casino.example/">赌场</a></div><p style="position:absolute;left:-9999px">链接</p>"#
    );
    let pushed = app.push(&token, &article).await;
    assert_eq!(pushed.status(), 201, "hidden spam is removed, not a reason to hold");
    let pushed: Value = pushed.json().await.unwrap();
    assert_eq!(pushed["hidden_elements_removed"].as_i64(), Some(2), "{pushed}");
    let page = app.get_text("/articles/1").await;
    assert!(page.contains("正文") && !page.contains("casino.example") && !page.contains("赌场"));
}
