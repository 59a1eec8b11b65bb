//! Bulk ingest: `POST /api/v1/articles/batch` takes up to 1,000 articles, reports each
//! one in order, stores every valid one (sanitised like a single push) and refuses
//! malformed batches as a whole, naming the field. Large bodies in flight share a
//! budget: beyond it a batch waits a little, then is answered 503 and nothing of it kept.

use crate::helpers::{numbered_article, Backend, TestApp, ADMIN_TOKEN};
use crate::mock::eventually;
use serde_json::{json, Value};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

crate::stories!(
    a_batch_reports_each_article_and_stores_the_valid_ones,
    malformed_batches_are_refused_whole,
    a_batch_is_an_object_never_the_list_of_its_fields,
);

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

const MIB: usize = 1 << 20;

/// A 4 MiB budget; a stalled body is not cut by the body timeout during the story (the
/// budget's 10 s wait must end first).
fn small_budget(config: &mut syndic::config::Config) {
    config.body_budget_bytes = 4 * MIB;
    config.connections.body_timeout = std::time::Duration::from_secs(120);
}

#[tokio::test]
async fn bodies_beyond_the_budget_wait_then_are_refused_on_sqlite() {
    let app = TestApp::spawn_configured(Backend::Sqlite, small_budget).await.unwrap();
    bodies_beyond_the_budget_wait_then_are_refused(app).await;
}

#[tokio::test]
async fn bodies_beyond_the_budget_wait_then_are_refused_on_postgres() {
    if let Some(app) = TestApp::spawn_configured(Backend::Postgres, small_budget).await {
        bodies_beyond_the_budget_wait_then_are_refused(app).await;
    }
}

/// The budget is 4 MiB: a batch that declared 3 MiB and sends nothing more holds 3 of them.
async fn bodies_beyond_the_budget_wait_then_are_refused(app: TestApp) {
    let token = app.with_example_catalog().await;
    let stalled = send_head(&app, &token, &format!("Content-Length: {}", 3 * MIB), b"{\"articles\": [").await;
    wait_for_held(&app, 3 * MIB).await;

    // What fits beside it goes through.
    let small = post_batch(&app, &token, &json!({ "articles": [numbered_article(1, "party-96")] })).await;
    assert_eq!(small.status(), 200);

    // What does not, declared or sent in chunks, waits and is then refused, whole.
    let mut large: Vec<Value> = (2..4).map(|n| numbered_article(n, "party-96")).collect();
    for article in &mut large {
        article["content_html"] = json!(format!("<p>{}</p>", "x".repeat(MIB)));
    }
    let large = json!({ "articles": large });
    let declared = post_batch(&app, &token, &large);
    let chunked = async {
        let half = vec![b' '; 3 * MIB / 2];
        let chunk = [format!("{:x}\r\n", half.len()).as_bytes(), &half, b"\r\n0\r\n\r\n"].concat();
        let mut stream = send_head(&app, &token, "Transfer-Encoding: chunked", &chunk).await;
        status_line(&mut stream).await
    };
    let (declared, chunked) = tokio::join!(declared, chunked);
    assert_eq!(declared.status(), 503);
    assert!(declared.headers().get("retry-after").is_some(), "503 says when to come back");
    let answer: Value = declared.json().await.unwrap();
    assert!(answer["error"].is_string(), "{answer}");
    assert!(chunked.starts_with("HTTP/1.1 503"), "{chunked}");
    assert!(!app.get_text("/rss.xml").await.contains("稿件 2"), "nothing of a refused batch is kept");

    // More than the whole budget is refused at once.
    let mut oversized = send_head(&app, &token, &format!("Content-Length: {}", 5 * MIB), b"").await;
    assert!(status_line(&mut oversized).await.starts_with("HTTP/1.1 413"));

    // Room is given back when the stalled request ends; the large batch then fits.
    drop(stalled);
    wait_for_held(&app, 0).await;
    let retried = post_batch(&app, &token, &large).await;
    assert_eq!(retried.status(), 200);
    let answer: Value = retried.json().await.unwrap();
    assert_eq!(answer["created"], 2, "{answer}");
}

/// Sends a batch request's head, with `framing` (its length header), and `body_start`.
async fn send_head(app: &TestApp, token: &str, framing: &str, body_start: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(app.address).await.unwrap();
    let head = format!(
        "POST /api/v1/articles/batch HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\n{framing}\r\n\r\n",
        app.address
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body_start).await.unwrap();
    stream
}

/// The status line of the answer on `stream`, which must come within 20 s.
async fn status_line(stream: &mut TcpStream) -> String {
    let mut read = Vec::new();
    let mut buffer = [0u8; 1024];
    let answered = tokio::time::timeout(Duration::from_secs(20), async {
        while !read.windows(2).any(|w| w == b"\r\n") {
            let n = stream.read(&mut buffer).await.unwrap();
            assert!(n > 0, "the connection closed without an answer");
            read.extend_from_slice(&buffer[..n]);
        }
    });
    answered.await.expect("an answer within 20 s");
    String::from_utf8_lossy(&read).lines().next().unwrap().to_owned()
}

/// Waits until the body budget holds `bytes`, as /metrics reports it.
async fn wait_for_held(app: &TestApp, bytes: usize) {
    let wanted = format!("syndic_body_budget_bytes{{state=\"held\"}} {bytes}\n");
    eventually(&format!("{bytes} bytes held"), Duration::from_secs(5), || async {
        let metrics = app.client.get(app.url("/metrics")).bearer_auth(ADMIN_TOKEN).send().await.unwrap();
        metrics.text().await.unwrap().contains(&wanted)
    })
    .await;
}

/// serde reads a struct from an array of its fields' values too: `[[article]]` was taken
/// for `{"articles": [article]}`, which the description calls invalid.
async fn a_batch_is_an_object_never_the_list_of_its_fields(app: TestApp) {
    let token = app.with_example_catalog().await;
    for body in [json!([[numbered_article(1, "party-96")]]), json!([]), json!("articles")] {
        let response = post_batch(&app, &token, &body).await;
        assert_eq!(response.status(), 400, "{body}");
        let answer: Value = response.json().await.unwrap();
        assert_eq!(answer["error"], "invalid JSON: expected a JSON object", "{answer}");
    }
    assert_eq!(app.store.count_articles(&syndic::store::FeedScope::Site).await.unwrap(), 0);
}
