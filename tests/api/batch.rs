//! Bulk ingest: `POST /api/v1/articles/batch` takes up to 1,000 articles, reports each
//! one in order, stores every valid one (sanitised like a single push) and refuses
//! malformed batches as a whole, naming the field.

use crate::helpers::{numbered_article, TestApp};
use serde_json::{json, Value};

crate::stories!(a_batch_reports_each_article_and_stores_the_valid_ones, malformed_batches_are_refused_whole);

async fn post_batch(app: &TestApp, token: &str, body: &Value) -> reqwest::Response {
    app.client.post(app.url("/api/v1/articles/batch")).bearer_auth(token).json(body).send().await.unwrap()
}

async fn a_batch_reports_each_article_and_stores_the_valid_ones(app: TestApp) {
    let token = app.with_example_catalog().await;
    let other = app.add_outlet("other", json!({"domains": ["cjxww.cn"]})).await;
    app.push(&other, &numbered_article(5000, "party-96")).await;

    let mut articles: Vec<Value> = (0..1000).map(|n| numbered_article(n, "party-96")).collect();
    articles[1]["title"] = json!("");
    articles[2]["original_url"] = json!("javascript:alert(1)");
    articles[3]["columns"] = json!("party-96");
    articles[4]["content_html"] = json!("<p onclick=\"steal()\">正文<script>alert(1)</script></p>");
    articles[5]["content_html"] = json!("<p>买球就上 bet365</p>");
    articles[6] = numbered_article(5000, "party-96");
    articles[8] = numbered_article(7, "party-96");
    articles[8]["title"] = json!("稿件 7 更正");
    let response = post_batch(&app, &token, &json!({ "articles": articles })).await;
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.unwrap();
    let results = answer["results"].as_array().unwrap();
    assert_eq!(results.len(), 1000);
    for (index, result) in results.iter().enumerate() {
        assert_eq!(result["index"], index);
    }
    assert_eq!(results[1]["status"], "invalid");
    assert!(results[1]["fields"]["title"].is_string(), "{}", results[1]);
    assert!(results[2]["fields"]["original_url"].is_string(), "{}", results[2]);
    assert!(results[3]["fields"]["columns"].is_string(), "{}", results[3]);
    assert_eq!(results[4]["status"], "created");
    assert_eq!(results[5]["status"], "quarantined");
    assert_eq!(results[6]["status"], "refused");
    // The same URL twice in one batch: created, then corrected.
    assert_eq!(results[7]["status"], "created");
    assert_eq!(results[8]["status"], "updated");
    assert_eq!(results[8]["id"], results[7]["id"]);
    assert_eq!(answer["invalid"], 3);
    assert_eq!(answer["refused"], 1);
    assert_eq!(answer["quarantined"], 1);
    assert_eq!(answer["created"], 994);
    assert_eq!(answer["updated"], 1);

    let page = app.get_text(&format!("/articles/{}", results[4]["id"])).await;
    assert!(page.contains("正文") && !page.contains("alert(1)") && !page.contains("steal()"));
    assert!(app.get_text("/columns/zhuanti/rss.xml").await.contains("稿件 999"));
    assert!(app.get_text(&format!("/articles/{}", results[7]["id"])).await.contains("稿件 7 更正"));
    // Articles are created many to a statement: each result names its own article.
    for index in [0, 9, 10, 11, 517, 999] {
        let page = app.get_text(&format!("/articles/{}", results[index]["id"])).await;
        assert!(page.contains(&format!("稿件 {index}<")), "result {index} names another article");
    }

    // Sent again: only the URL given twice is written (back, then forth again).
    let again: Value = post_batch(&app, &token, &json!({ "articles": articles })).await.json().await.unwrap();
    assert_eq!((&again["unchanged"], &again["updated"], &again["created"]), (&json!(993), &json!(2), &json!(0)));
    assert_eq!(again["results"][8]["status"], "updated");
}

async fn malformed_batches_are_refused_whole(app: TestApp) {
    let token = app.with_example_catalog().await;
    let too_many: Vec<Value> = (0..1001).map(|n| numbered_article(n, "party-96")).collect();
    for (body, field) in [
        (json!({ "articles": too_many }), "articles"),
        (json!({ "articles": [] }), "articles"),
        (json!({}), "articles"),
        (json!({ "articles": [], "extra": 1 }), "extra"),
    ] {
        let response = post_batch(&app, &token, &body).await;
        assert!(response.status().is_client_error(), "{field}: {}", response.status());
        let answer: Value = response.json().await.unwrap();
        assert!(answer["fields"][field].is_string(), "{answer}");
    }
    let response = app
        .client
        .post(app.url("/api/v1/articles/batch"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("[not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let response = post_batch(&app, "syo_not-a-token", &json!({ "articles": [] })).await;
    assert_eq!(response.status(), 401);
    assert!(!app.get_text("/rss.xml").await.contains("稿件 0"), "nothing stored");
}
