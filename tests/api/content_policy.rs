//! The content policy matches what a reader sees and where links really go: a blocked
//! term split by tags, soft hyphens, zero-width or other format characters, or written
//! in compatibility forms, and a blocked domain written with a trailing dot, in another
//! case or port, are held all the same; look-alikes that are not the term stay published.

use crate::helpers::{example_article, TestApp};
use crate::stories;
use serde_json::{json, Value};

stories!(spellings_that_hide_a_blocked_term_or_domain_are_held_all_the_same);

/// Pushes the example article with `field` set to `value`, as article `n`: the status and answer.
async fn push_with(app: &TestApp, token: &str, n: usize, field: &str, value: &Value) -> (u16, Value) {
    let mut article = example_article();
    article["original_url"] = json!(format!("http://www.cjxww.cn/show?id={n}"));
    article[field] = value.clone();
    let response = app.push(token, &article).await;
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn spellings_that_hide_a_blocked_term_or_domain_are_held_all_the_same(app: TestApp) {
    let token = app.with_example_catalog().await;
    let held_terms = [
        ("content_html", json!("<p>bet<b></b>365 最新优惠</p>")),
        ("content_html", json!("<p>bet&shy;365</p>")),
        ("content_html", json!("<p>bet&#8203;365</p>")),
        ("content_html", json!("<p>bet\u{200B}365</p>")),
        ("content_html", json!("<p>bet\u{2060}365</p>")),
        ("content_html", json!("<p>BET\u{FEFF}365</p>")),
        ("content_html", json!("<p>Bet\u{200D}\u{200C}365</p>")),
        ("content_html", json!("<p>ＢＥＴ３６５</p>")),
        ("content_html", json!("<p>b<span>e</span>t3<!-- x -->6<i>5</i></p>")),
        ("content_html", json!("<p>b&#101;t&#x33;65</p>")),
        ("summary", json!("<em>bet</em>&#173;365")),
        ("title", json!("新闻 bet\u{AD}365")),
        ("subtitle", json!("ｂｅｔ365")),
        ("author", json!("bet\u{200B}365")),
        ("tags", json!(["bet\u{180E}365"])),
    ];
    for (n, (field, value)) in held_terms.iter().enumerate() {
        let (status, body) = push_with(&app, &token, n, field, value).await;
        assert_eq!(status, 202, "{field} = {value}: {body}");
        assert!(body["quarantine_reason"].as_str().unwrap().contains("bet365"), "{body}");
    }
    let held_links = [
        ("content_html", json!(r#"<p><a href="http://spam.example./x">看</a></p>"#)),
        ("content_html", json!(r#"<p><a href="https://WWW.Spam.Example.:443/x">看</a></p>"#)),
        ("content_html", json!(r#"<p><img src="http://img.spam.example./a.png"></p>"#)),
        ("image", json!({"url": "http://spam.example./a.png"})),
        ("enclosures", json!([{"url": "http://spam.example./a.mp3", "type": "audio/mpeg", "length": 1}])),
    ];
    for (n, (field, value)) in held_links.iter().enumerate() {
        let (status, body) = push_with(&app, &token, 100 + n, field, value).await;
        assert_eq!(status, 202, "{field} = {value}: {body}");
        assert!(body["quarantine_reason"].as_str().unwrap().contains("spam.example"), "{body}");
    }
    let published = [
        ("content_html", json!("<p>bet 365</p>")),
        ("content_html", json!("<p>bet</p>")),
        ("content_html", json!(r#"<p><a href="http://notspam.example./x">看</a></p>"#)),
        ("content_html", json!(r#"<p><a href="http://spam.example.org./x">看</a></p>"#)),
    ];
    for (n, (field, value)) in published.iter().enumerate() {
        let (status, body) = push_with(&app, &token, 200 + n, field, value).await;
        assert_eq!(status, 201, "{field} = {value}: {body}");
    }
}
