//! Announcing changes: IndexNow, Baidu's link push and an external WebSub hub, each a
//! local mock, receive the changed URLs in batches; the key file is served.

use crate::helpers::{example_article, Backend, TestApp};
use crate::mock::Mock;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

const KEY: &str = "5f1c0d7e9a2b4c6d";
const WAIT: Duration = Duration::from_secs(10);

fn announcing_to(mock: Arc<Mock>) -> impl FnOnce(&mut syndic::config::Config) {
    move |config| {
        config.notify.indexnow_key = Some(KEY.to_owned());
        config.notify.indexnow_endpoints = vec![mock.url("/indexnow")];
        config.notify.baidu_push_url =
            Some(syndic::config::Secret::new(mock.url("/urls?site=https://www.example.cn&token=T0K3N")));
        config.notify.websub_hub = Some(mock.url("/hub"));
    }
}

#[tokio::test]
async fn changed_pages_are_announced_on_sqlite() {
    let mock = Mock::start().await;
    let app = TestApp::spawn_configured(Backend::Sqlite, announcing_to(mock.clone())).await.unwrap();
    changed_pages_are_announced(app, mock).await;
}

#[tokio::test]
async fn changed_pages_are_announced_on_postgres() {
    let mock = Mock::start().await;
    if let Some(app) = TestApp::spawn_configured(Backend::Postgres, announcing_to(mock.clone())).await {
        changed_pages_are_announced(app, mock).await;
    }
}

fn announced(mock: &Mock, path: &str) -> String {
    mock.posts().iter().filter(|r| r.uri.path() == path).map(|r| r.text()).collect::<Vec<_>>().join("\n")
}

async fn changed_pages_are_announced(app: TestApp, mock: Arc<Mock>) {
    let token = app.with_example_catalog().await;
    let key_file = app.get(&format!("/{KEY}.txt")).await;
    assert_eq!(key_file.status(), 200);
    assert_eq!(key_file.text().await.unwrap(), KEY);
    let feed = app.get_text("/columns/party-96/rss.xml").await;
    assert!(feed.contains(&format!(r#"href="{}" rel="hub""#, mock.url("/hub"))), "the external hub is named");

    let mut pages = Vec::new();
    for n in 0..3 {
        let mut article = example_article();
        article["original_url"] = json!(format!("http://www.cjxww.cn/show?id={n}"));
        let created: Value = app.push(&token, &article).await.json().await.unwrap();
        pages.push(created["url"].as_str().unwrap().to_owned());
    }
    // An outlet whose copies search engines must not index is not announced.
    let hidden = app.add_outlet("wire", json!({"indexing": "noindex"})).await;
    let mut wire = example_article();
    wire["original_url"] = json!("http://wire.example.cn/1");
    let hidden_page = app.push(&hidden, &wire).await.json::<Value>().await.unwrap()["url"].as_str().unwrap().to_owned();

    let all_sent = |path: &'static str| {
        let (mock, pages) = (mock.clone(), pages.clone());
        async move {
            let deadline = std::time::Instant::now() + WAIT;
            while !pages.iter().all(|p| announced(&mock, path).contains(p.as_str())) {
                assert!(
                    std::time::Instant::now() < deadline,
                    "{path} did not get every page: {}",
                    announced(&mock, path)
                );
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
        }
    };
    all_sent("/indexnow").await;
    all_sent("/urls").await;
    let indexnow = mock.posts().into_iter().find(|r| r.uri.path() == "/indexnow").unwrap();
    assert!(indexnow.header("content-type").unwrap().starts_with("application/json"));
    let body: Value = serde_json::from_slice(&indexnow.body).unwrap();
    assert_eq!(body["key"], KEY);
    assert_eq!(body["keyLocation"], format!("{}/{KEY}.txt", app.base_url));
    assert!(body["urlList"].is_array());
    let baidu = mock.posts().into_iter().find(|r| r.uri.path() == "/urls").unwrap();
    assert_eq!(baidu.query("token").as_deref(), Some("T0K3N"));
    assert_eq!(baidu.header("content-type").as_deref(), Some("text/plain"));
    assert!(baidu.text().lines().all(|l| l.starts_with("http")), "one URL a line: {}", baidu.text());

    let topic = format!("{}/columns/party-96/atom.xml", app.base_url);
    mock.wait_for("a hub publish ping", WAIT, |r| {
        r.uri.path() == "/hub" && r.text().contains("hub.mode=publish") && r.text().contains(&urlencode(&topic))
    })
    .await;

    // A withdrawal is announced too.
    let id = pages[1].rsplit('/').next().unwrap();
    let withdrawn_at = std::time::Instant::now();
    let response = app.client.delete(app.url(&format!("/api/v1/articles/{id}"))).bearer_auth(&token).send().await;
    assert_eq!(response.unwrap().status(), 200);
    mock.wait_for("the withdrawal announced", WAIT, |r| {
        r.at > withdrawn_at && r.uri.path() == "/indexnow" && r.text().contains(&pages[1])
    })
    .await;
    assert!(!announced(&mock, "/indexnow").contains(&hidden_page), "noindex pages are not announced");
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
