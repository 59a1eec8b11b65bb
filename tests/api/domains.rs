//! An outlet publishes only original URLs on its own domains (by default its homepage's
//! registrable domain), so it can neither squat another outlet's URLs nor learn of
//! another outlet's unpublished article by trying its URL.

use crate::helpers::{example_article, TestApp};
use crate::stories;
use serde_json::{json, Value};

stories!(an_outlet_publishes_only_urls_on_its_domains, refusals_reveal_nothing_of_another_outlets_hidden_articles);

fn article_at(url: &str) -> Value {
    let mut article = example_article();
    article["original_url"] = json!(url);
    article
}

async fn refusal(app: &TestApp, token: &str, url: &str) -> (u16, Value) {
    let response = app.push(token, &article_at(url)).await;
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn an_outlet_publishes_only_urls_on_its_domains(app: TestApp) {
    let cjrb = app.with_example_catalog().await;
    let outlet: Value = app.admin_get("/api/v1/outlets/cjrb").await.json().await.unwrap();
    assert_eq!(outlet["domains"], json!(["cjxww.cn"]), "the homepage's registrable domain by default");

    assert_eq!(app.push(&cjrb, &article_at("http://m.cjxww.cn/news/1.html")).await.status(), 201);
    for elsewhere in ["http://spam.example/1", "http://cjxww.cn.evil.example/1", "http://notcjxww.cn/1"] {
        let (status, answer) = refusal(&app, &cjrb, elsewhere).await;
        assert_eq!(status, 422, "{elsewhere}: {answer}");
        let reason = answer["fields"]["original_url"].as_str().unwrap();
        assert!(reason.contains("its domains are cjxww.cn"), "{reason}");
    }

    // Another outlet cannot claim cjxww.cn's URLs, not even before cjrb publishes them.
    let wire = app.add_outlet("wire", json!({})).await;
    let (status, _) = refusal(&app, &wire, "http://www.cjxww.cn/tomorrow.html").await;
    assert_eq!(status, 422);
    let imported: Value = app
        .client
        .post(app.url("/api/v1/articles?column=party-96"))
        .bearer_auth(&wire)
        .header("content-type", "application/rss+xml")
        .body(
            "<rss version=\"2.0\"><channel><title>t</title>\
             <item><title>a</title><link>http://www.cjxww.cn/squat.html</link></item>\
             <item><title>b</title><link>https://news.wire.example.cn/own.html</link></item></channel></rss>",
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!((imported["created"].as_i64(), imported["refused"].as_i64()), (Some(1), Some(1)), "{imported}");

    // The admin widens or lifts the rule; null goes back to the homepage's domain.
    let bad = app.admin_patch("/api/v1/outlets/wire", json!({"domains": ["com.cn"]})).await;
    assert_eq!(bad.status(), 422);
    assert!(bad.json::<Value>().await.unwrap()["fields"]["domains"].is_string());
    let widened = app.admin_patch("/api/v1/outlets/wire", json!({"domains": ["WIRE.example.cn.", "新闻.cn"]})).await;
    assert_eq!(widened.json::<Value>().await.unwrap()["domains"], json!(["wire.example.cn", "xn--efvy88h.cn"]));
    assert_eq!(app.push(&wire, &article_at("http://www.新闻.cn/1")).await.status(), 201);
    app.admin_patch("/api/v1/outlets/wire", json!({"domains": "any"})).await;
    assert_eq!(app.push(&wire, &article_at("http://anywhere.example.org/1")).await.status(), 201);
    let reset: Value = app.admin_patch("/api/v1/outlets/wire", json!({"domains": null})).await.json().await.unwrap();
    assert_eq!(reset["domains"], json!(["example.cn"]), "the registrable domain of https://wire.example.cn/");
    assert_eq!(refusal(&app, &wire, "http://anywhere.example.org/2").await.0, 422);
}

async fn refusals_reveal_nothing_of_another_outlets_hidden_articles(app: TestApp) {
    let cjrb = app.with_example_catalog().await;
    // Both outlets may publish on cjxww.cn, as an admin may allow two desks of one paper.
    let desk = app.add_outlet("desk", json!({"domains": ["cjxww.cn", "desk.example.cn"]})).await;
    let mut embargoed = article_at("http://www.cjxww.cn/embargoed.html");
    embargoed["publish_at"] = json!("2099-01-01T00:00:00Z");
    let hidden: Value = app.push(&cjrb, &embargoed).await.json().await.unwrap();
    let hidden_id = hidden["id"].as_i64().unwrap();

    // Trying the embargoed article's URL answers as a URL outside the desk's domains does.
    let (outside_status, outside) = refusal(&app, &desk, "http://elsewhere.example/1").await;
    let (hidden_status, on_hidden) = refusal(&app, &desk, "http://www.cjxww.cn/embargoed.html").await;
    assert_eq!((hidden_status, &on_hidden), (outside_status, &outside));
    assert_eq!(outside_status, 422);

    // Withdrawing it answers as withdrawing no article at all.
    let withdraw = |id: i64| app.client.delete(app.url(&format!("/api/v1/articles/{id}"))).bearer_auth(&desk).send();
    let on_hidden = withdraw(hidden_id).await.unwrap();
    let on_nothing = withdraw(hidden_id + 1_000).await.unwrap();
    assert_eq!(on_hidden.status(), on_nothing.status());
    assert_eq!(on_hidden.status(), 404);
    assert_eq!(on_hidden.text().await.unwrap(), on_nothing.text().await.unwrap());
}
