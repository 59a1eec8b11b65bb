//! Whole feed documents, imported or polled: at most 1,000 entries are taken from one
//! (the newest), and a damaged document says what is wrong with it on its source.

use crate::helpers::{serve_feeds, TestApp};
use crate::stories;
use serde_json::{json, Value};

stories!(a_document_gives_at_most_its_1000_newest_entries, a_damaged_feed_is_recorded_as_such_on_its_source);

/// An RSS document of `count` items, item `n` published `n` minutes after a fixed time,
/// in shuffled order; `tail` is appended inside the channel unclosed when given.
fn rss(count: usize, first_id: usize, cut_off: Option<&str>) -> String {
    let mut ids: Vec<usize> = (0..count).collect();
    ids.sort_by_key(|n| (n * 7919) % count);
    let items: String = ids
        .iter()
        .map(|n| {
            let minute = chrono::DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z").unwrap()
                + chrono::Duration::minutes(*n as i64);
            format!(
                "<item><title>item {n}</title><link>http://www.cjxww.cn/doc?id={}</link><pubDate>{}</pubDate></item>",
                first_id + n,
                minute.to_rfc2822()
            )
        })
        .collect();
    match cut_off {
        None => format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>{items}</channel></rss>"),
        Some(tail) => format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>{items}{tail}"),
    }
}

async fn add_source(app: &TestApp, url: String) -> i64 {
    let created =
        app.admin_post("/api/v1/sources", json!({"outlet": "cjrb", "url": url, "columns": ["party-96"]})).await;
    assert_eq!(created.status(), 201);
    created.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

async fn poll(app: &TestApp, id: i64) -> Value {
    app.admin_post(&format!("/api/v1/sources/{id}/poll"), json!({})).await.json().await.unwrap()
}

async fn a_document_gives_at_most_its_1000_newest_entries(app: TestApp) {
    let token = app.with_example_catalog().await;
    let (status, answer) = app.import_into_party_96(&token, "application/rss+xml", rss(1_200, 0, None)).await;
    assert_eq!(status, 201);
    assert_eq!((answer["created"].as_i64(), answer["refused"].as_i64()), (Some(1_000), Some(200)));
    let items = answer["items"].as_array().unwrap();
    assert_eq!(items.len(), 1_200, "every entry has its result");
    for item in items {
        let n: usize = item["link"].as_str().unwrap().rsplit('=').next().unwrap().parse().unwrap();
        let expected = if n >= 200 { "created" } else { "refused" };
        assert_eq!(item["status"], expected, "the 1,000 newest are taken: {item}");
    }
    assert!(items.iter().any(|i| i["reason"].as_str().is_some_and(|r| r.contains("1,000 newest"))));

    let base = serve_feeds(vec![("/big.xml", rss(1_100, 10_000, None))]).await;
    let id = add_source(&app, format!("{base}/big.xml")).await;
    let polled = poll(&app, id).await;
    assert_eq!((polled["items_new"].as_i64(), polled["items_refused"].as_i64()), (Some(1_000), Some(100)), "{polled}");
}

async fn a_damaged_feed_is_recorded_as_such_on_its_source(app: TestApp) {
    let token = app.with_example_catalog().await;
    let base = serve_feeds(vec![
        ("/empty-cut.xml", "<rss><channel><item><title>unterminated".to_owned()),
        ("/cut.xml", rss(2, 500, Some("<item><title>cut off here"))),
    ])
    .await;

    let nothing = add_source(&app, format!("{base}/empty-cut.xml")).await;
    let polled = poll(&app, nothing).await;
    assert!(polled["last_error"].as_str().is_some_and(|e| e.contains("no complete item")), "{polled}");
    assert_eq!(polled["consecutive_failures"], 1, "{polled}");

    let partial = add_source(&app, format!("{base}/cut.xml")).await;
    let polled = poll(&app, partial).await;
    assert_eq!(polled["items_new"], 2, "the complete items are kept: {polled}");
    assert!(polled["last_error"].is_null(), "{polled}");
    let warnings = polled["warnings"].to_string();
    assert!(warnings.contains("ends before its elements are closed"), "{polled}");

    let (status, answer) = app
        .import_into_party_96(&token, "application/rss+xml", "<rss><channel><item><title>unterminated".to_owned())
        .await;
    assert_eq!(status, 400, "{answer}");
    assert!(answer["error"].as_str().unwrap().contains("no complete item"), "{answer}");
    let (status, answer) =
        app.import_into_party_96(&token, "application/rss+xml", rss(1, 900, Some("<item><title>cut"))).await;
    assert_eq!(status, 201, "{answer}");
    assert!(answer["warnings"].to_string().contains("ends before its elements are closed"), "{answer}");
}
