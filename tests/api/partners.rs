//! The partner API: tokens with column allowlists, and the change feed a partner walks
//! — every article's latest version once, tombstones for withdrawals — while articles
//! keep arriving.

use crate::helpers::{numbered_article, TestApp, ADMIN_TOKEN};
use crate::stories;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};

stories!(a_partner_walking_the_api_sees_every_version_once, partner_tokens_are_scoped_and_revocable);

async fn partner(app: &TestApp, columns: Value) -> (i64, String) {
    let response = app.admin_post("/api/v1/partners", json!({"name": "邻市新闻网", "columns": columns})).await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    assert!(body["token"].as_str().unwrap().starts_with("syp_"));
    (body["id"].as_i64().unwrap(), body["token"].as_str().unwrap().to_owned())
}

async fn page(app: &TestApp, token: &str, query: &str) -> reqwest::Response {
    app.client.get(app.url(&format!("/api/v1/articles?{query}"))).bearer_auth(token).send().await.unwrap()
}

/// Walks from `cursor` until the API has nothing more ready; returns the items and the cursor.
async fn walk(app: &TestApp, token: &str, mut cursor: Option<String>) -> (Vec<Value>, Option<String>) {
    let mut items = Vec::new();
    loop {
        let query = match &cursor {
            Some(c) => format!("limit=97&cursor={c}"),
            None => "limit=97".to_owned(),
        };
        let response = page(app, token, &query).await;
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        items.extend(body["items"].as_array().unwrap().iter().cloned());
        if let Some(next) = body["next_cursor"].as_str() {
            cursor = Some(next.to_owned());
        }
        if !body["has_more"].as_bool().unwrap() {
            return (items, cursor);
        }
    }
}

async fn a_partner_walking_the_api_sees_every_version_once(app: TestApp) {
    let token = app.with_example_catalog().await;
    let (_, reader) = partner(&app, json!([])).await;
    let app = std::sync::Arc::new(app);
    let writer = {
        let (app, token) = (app.clone(), token.clone());
        tokio::spawn(async move {
            let mut withdrawn = Vec::new();
            for n in 0..1_000 {
                let response = app.push(&token, &numbered_article(n, "party-96")).await;
                assert_eq!(response.status(), 201);
                if n % 20 == 7 {
                    let id = response.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
                    let done = app
                        .client
                        .delete(app.url(&format!("/api/v1/articles/{id}")))
                        .bearer_auth(&token)
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(done.status(), 200);
                    withdrawn.push(id);
                }
            }
            withdrawn
        })
    };
    let mut seen: Vec<Value> = Vec::new();
    let mut cursor = None;
    while !writer.is_finished() {
        let (items, next) = walk(&app, &reader, cursor).await;
        seen.extend(items);
        cursor = next;
    }
    let withdrawn = writer.await.unwrap();
    assert_eq!(withdrawn.len(), 50);
    let (items, _) = walk(&app, &reader, cursor).await;
    seen.extend(items);

    let versions: Vec<(i64, String)> =
        seen.iter().map(|i| (i["id"].as_i64().unwrap(), i["updated_at"].as_str().unwrap().to_owned())).collect();
    let distinct: HashSet<&(i64, String)> = versions.iter().collect();
    assert_eq!(distinct.len(), versions.len(), "no version came twice");
    let mut latest: HashMap<i64, &Value> = HashMap::new();
    for item in &seen {
        latest.insert(item["id"].as_i64().unwrap(), item);
    }
    assert_eq!(latest.len(), 1_000, "every article came");
    let tombstones: HashSet<i64> =
        latest.values().filter(|i| i["withdrawn"] == json!(true)).map(|i| i["id"].as_i64().unwrap()).collect();
    assert_eq!(tombstones, withdrawn.iter().copied().collect(), "every withdrawal came as a tombstone, last");

    // A fresh walk holds each article once, in its latest version: what the walker ended with.
    let (fresh, _) = walk(&app, ADMIN_TOKEN, None).await;
    assert_eq!(fresh.len(), 1_000);
    for item in &fresh {
        let id = item["id"].as_i64().unwrap();
        assert_eq!(latest[&id]["updated_at"], item["updated_at"], "article {id}");
    }
    let live = fresh.iter().find(|i| i["withdrawn"] == json!(false)).unwrap();
    for field in ["original_url", "title", "author", "content_html", "reposted_at", "original_published_at"] {
        assert!(live[field].is_string(), "{field} in {live}");
    }
    assert_eq!(live["outlet"]["name"], "昌吉日报");
    assert_eq!(live["rights"], "版权归昌吉日报所有");
    assert_eq!(live["columns"][0]["slug"], "party-96");
}

async fn partner_tokens_are_scoped_and_revocable(app: TestApp) {
    let token = app.with_example_catalog().await;
    app.add_column("sports", "体育", None).await;
    assert_eq!(app.push(&token, &numbered_article(1, "party-96")).await.status(), 201);
    assert_eq!(app.push(&token, &numbered_article(2, "sports")).await.status(), 201);
    let (id, reader) = partner(&app, json!(["zhuanti"])).await;

    let body: Value = page(&app, &reader, "").await.json().await.unwrap();
    let titles: Vec<&str> = body["items"].as_array().unwrap().iter().map(|i| i["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["稿件 1"], "only its columns (with their sub-columns)");
    assert_eq!(page(&app, &reader, "column=party-96").await.status(), 200);
    assert_eq!(page(&app, &reader, "column=sports").await.status(), 403);
    assert_eq!(page(&app, &reader, "column=nope").await.status(), 404);
    let all: Value = page(&app, ADMIN_TOKEN, "outlet=cjrb").await.json().await.unwrap();
    assert_eq!(all["items"].as_array().unwrap().len(), 2, "the admin token reads everything");

    for (query, field) in
        [("cursor=garbage", "cursor"), ("limit=0", "limit"), ("updated_since=yesterday", "updated_since")]
    {
        let response = page(&app, &reader, query).await;
        assert_eq!(response.status(), 400, "{query}");
        let error: Value = response.json().await.unwrap();
        assert!(error["fields"][field].is_string(), "{query}: {error}");
    }
    assert_eq!(page(&app, &token, "").await.status(), 401, "an outlet's ingest token does not read");
    assert_eq!(app.client.get(app.url("/api/v1/articles")).send().await.unwrap().status(), 401);

    let listed: Value = app.admin_get("/api/v1/partners").await.json().await.unwrap();
    assert_eq!(listed["partners"][0]["columns"], json!(["zhuanti"]));
    assert!(listed["partners"][0].get("token").is_none(), "tokens are shown once");
    let bad = app.admin_post("/api/v1/partners", json!({"name": "", "columns": ["nope"]})).await;
    assert_eq!(bad.status(), 422);
    let error: Value = bad.json().await.unwrap();
    assert!(error["fields"]["name"].is_string() && error["fields"]["columns"].is_string(), "{error}");

    assert_eq!(app.admin_delete(&format!("/api/v1/partners/{id}")).await.status(), 204);
    assert_eq!(page(&app, &reader, "").await.status(), 401, "a revoked token reads nothing");
    assert_eq!(app.admin_delete("/api/v1/partners/9999").await.status(), 404);
}
