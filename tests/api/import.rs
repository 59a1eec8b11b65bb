use crate::helpers::TestApp;
use crate::stories;
use serde_json::Value;

stories!(a_whole_feed_document_is_imported_with_per_item_results);

const DOCUMENT: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>昌吉日报</title><link href="http://www.cjxww.cn/"/>
<entry><title>第一篇</title><link href="http://www.cjxww.cn/a?id=1&amp;utm_source=rss"/><id>urn:a1</id>
<updated>2018-06-28T11:39:20+08:00</updated><content type="html">&lt;p&gt;正文&lt;/p&gt;</content></entry>
<entry><title>没有链接</title><id>urn:a2</id><updated>2018-06-28T12:00:00+08:00</updated></entry>
</feed>"#;

async fn a_whole_feed_document_is_imported_with_per_item_results(app: TestApp) {
    let token = app.with_example_catalog().await;
    let import = |body: &'static str, query: &'static str| {
        app.client
            .post(app.url(&format!("/api/v1/articles{query}")))
            .bearer_auth(&token)
            .header("content-type", "application/atom+xml")
            .body(body)
            .send()
    };
    let response = import(DOCUMENT, "?column=party-96").await.unwrap();
    assert_eq!(response.status(), 201);
    let result: Value = response.json().await.unwrap();
    assert_eq!((result["created"].as_i64(), result["refused"].as_i64()), (Some(1), Some(1)), "{result}");
    assert_eq!(result["items"][0]["status"], "created");
    assert!(result["items"][1]["reason"].as_str().unwrap().contains("no usable link"));

    let again: Value = import(DOCUMENT, "?column=party-96").await.unwrap().json().await.unwrap();
    assert_eq!(again["unchanged"].as_i64(), Some(1), "importing twice changes nothing: {again}");

    let feed: Value = app.get("/columns/zhuanti/feed.json").await.json().await.unwrap();
    assert_eq!(feed["items"][0]["external_url"], "http://www.cjxww.cn/a?id=1");

    let no_column = import(DOCUMENT, "").await.unwrap();
    assert_eq!(no_column.status(), 422);
    assert!(no_column.json::<Value>().await.unwrap()["fields"]["column"].is_string());
    let garbage =
        import("%PDF-1.7\n%\u{e2}\u{e3}\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj", "?column=party-96")
            .await
            .unwrap();
    assert_eq!(garbage.status(), 400);
    let error = garbage.json::<Value>().await.unwrap()["error"].as_str().unwrap().to_owned();
    assert!(error.starts_with("not a feed: "), "{error}");
    assert!(error.ends_with(r#"; it begins "%PDF-1.7\n%âã\n1 0 obj << /Type /Catalog /…""#), "{error}");
}
