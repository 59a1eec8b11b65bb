//! One article per page: spellings of its original URL that RFC 3986 calls equivalent
//! (percent-encoded unreserved characters, a trailing dot in the host, case) are one
//! article; a trailing slash or an escaped reserved character is another address; a URL
//! that is not absolute is refused.

use crate::helpers::{example_article, TestApp};
use crate::stories;
use serde_json::{json, Value};

stories!(one_page_is_one_article_however_its_url_is_spelled);

async fn one_page_is_one_article_however_its_url_is_spelled(app: TestApp) {
    let token = app.with_example_catalog().await;
    let push_url = |url: &str| {
        let mut article = example_article();
        article["original_url"] = json!(url);
        article
    };
    let first = app.push(&token, &push_url("http://www.cjxww.cn/content/a_b-c.~d?id=1")).await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    for spelling in [
        "http://www.cjxww.cn/%63ontent/a_b-c.~d?id=1",
        "http://www.cjxww.cn./content/a_b-c.~d?id=1",
        "HTTP://WWW.CJXWW.CN./%63ont%65nt/a%5Fb%2dc%2E%7ed?%69d=%31",
    ] {
        let again = app.push(&token, &push_url(spelling)).await;
        assert_eq!(again.status(), 200, "{spelling}");
        let again: Value = again.json().await.unwrap();
        assert_eq!((&again["id"], &again["original_url"]), (&first["id"], &first["original_url"]), "{spelling}");
    }
    // A trailing slash and escaped reserved characters are other addresses.
    for other in ["http://www.cjxww.cn/content/a_b-c.~d/?id=1", "http://www.cjxww.cn/content%2Fa_b-c.~d?id=1"] {
        assert_eq!(app.push(&token, &push_url(other)).await.status(), 201, "{other}");
    }
    for not_absolute in [
        "//www.cjxww.cn/content/a",
        "http:/www.cjxww.cn/content/a",
        "http:www.cjxww.cn/content/a",
        "http:\\\\www.cjxww.cn\\a",
    ] {
        let refused = app.push(&token, &push_url(not_absolute)).await;
        assert_eq!(refused.status(), 422, "{not_absolute}");
        let body: Value = refused.json().await.unwrap();
        assert!(body["fields"]["original_url"].is_string(), "{not_absolute}: {body}");
    }
    let withdrawn = app
        .client
        .delete(app.url("/api/v1/articles"))
        .query(&[("original_url", "http://www.cjxww.cn./%63ontent/a_b-c.~d?id=1")])
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(withdrawn.status(), 200);
    assert_eq!(withdrawn.json::<Value>().await.unwrap()["id"], first["id"]);
}
