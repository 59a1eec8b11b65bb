//! Characters XML forbids, however they are spelled and whichever way they come in
//! (push, batch, feed import, poll, admin API), never reach an output: every feed,
//! archive and sitemap passes `xmllint --noout`, and no page or JSON document carries one.

use crate::helpers::{example_article, serve_feeds, Backend, TestApp};
use serde_json::{json, Value};
use std::io::Write;
use std::process::{Command, Stdio};

#[tokio::test]
async fn no_spelling_of_a_forbidden_character_reaches_any_output_on_sqlite() {
    no_spelling_of_a_forbidden_character_reaches_any_output(
        TestApp::spawn_configured(Backend::Sqlite, small_feeds).await.unwrap(),
    )
    .await;
}

#[tokio::test]
async fn no_spelling_of_a_forbidden_character_reaches_any_output_on_postgres() {
    if let Some(app) = TestApp::spawn_configured(Backend::Postgres, small_feeds).await {
        no_spelling_of_a_forbidden_character_reaches_any_output(app).await;
    }
}

/// Ten items per feed, so that a dozen articles make RFC 5005 archive documents too.
fn small_feeds(config: &mut syndic::config::Config) {
    config.feed_items = 10;
}

/// Every character the outputs must not carry: the C0 controls but tab, newline and
/// return, DEL and the C1 controls, and noncharacters.
fn forbidden_characters() -> Vec<char> {
    (0u32..0x20)
        .filter(|c| ![0x9, 0xA, 0xD].contains(c))
        .chain(0x7F..=0x9F)
        .chain([0xFDD0, 0xFDEF, 0xFFFE, 0xFFFF, 0x1FFFE, 0x10FFFF])
        .map(|c| char::from_u32(c).unwrap())
        .collect()
}

/// Every forbidden character as itself (a JSON escape on the wire) and as HTML/XML
/// character references: hexadecimal and decimal, padded, upper-case, unterminated,
/// and references to lone surrogates.
fn every_spelling() -> String {
    let mut text = String::from("甲");
    for c in forbidden_characters() {
        text.push_str(&spellings_of(c));
    }
    text.push_str("&#xD800;&#xDFFF;&#55296;&#x1 乙");
    text
}

fn spellings_of(c: char) -> String {
    let code = c as u32;
    format!("{c}&#x{code:x};&#{code};&#X{code:04X};&#000{code};")
}

/// The same, as XML may carry it: references only (a raw control character would make
/// the document itself ill-formed, which the lenient reader also copes with).
fn xml_spelling() -> String {
    let mut text = String::from("甲");
    for c in forbidden_characters() {
        text.push_str(&format!("&#x{:x};&#{};", c as u32, c as u32));
    }
    text.push_str("&#xD800;乙");
    text
}

fn hostile_article(n: usize) -> Value {
    let spelled = every_spelling();
    let mut article = example_article();
    article["original_url"] = json!(format!("http://www.cjxww.cn/show?id={n}"));
    for field in ["title", "subtitle", "author", "summary", "rights"] {
        article[field] = json!(format!("{field} {n} {spelled}"));
    }
    article["content_html"] = json!(format!(
        "<p title=\"{spelled}\">{spelled}</p><a href=\"http://www.cjxww.cn/a?q={spelled}\">{spelled}</a>\
         <img src=\"http://www.cjxww.cn/i.jpg\" alt=\"{spelled}\">"
    ));
    let tags: Vec<String> =
        forbidden_characters().chunks(3).map(|cs| cs.iter().map(|&c| spellings_of(c)).collect()).collect();
    article["tags"] = json!(tags);
    article["image"] = json!({"url": "http://www.cjxww.cn/i.jpg", "caption": spelled});
    article["enclosures"] = json!([{"url": "http://www.cjxww.cn/a.mp3", "type": "audio/mpeg\u{1}", "length": 1}]);
    article
}

fn rss_document(first: usize) -> String {
    let s = xml_spelling();
    let items: String = (first..first + 3)
        .map(|n| {
            format!(
                "<item><title>title {n} {s}</title><link>http://www.cjxww.cn/rss?id={n}</link>\
                 <dc:creator>A&#x0;B {s}</dc:creator><category domain=\"{s}\">g&#x1; {s}</category>\
                 <description>&lt;p title=\"&amp;#x1;\"&gt;{s} &amp;#x1;&amp;#0;&amp;#xFFFE;&lt;/p&gt;</description>\
                 <content:encoded><![CDATA[<p>&#x1;&#xFFFE;&#11;text</p>]]></content:encoded>\
                 <enclosure url=\"http://www.cjxww.cn/e{n}.mp3\" type=\"audio/mpeg{s}\" length=\"1\"/>\
                 <pubDate>2018-06-28 11:39:20</pubDate></item>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">\
         <channel><title>{s}</title><link>http://www.cjxww.cn/</link>{items}</channel></rss>"
    )
}

fn atom_document() -> String {
    let s = xml_spelling();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title>\
         <entry><title type=\"html\">atom &amp;#x1; {s}</title><link href=\"http://www.cjxww.cn/atom?id=1\"/>\
         <id>urn:x:1</id><updated>2018-06-28T11:39:20Z</updated><author><name>N {s}</name></author>\
         <category term=\"g&#x1;{s}\" label=\"{s}\"/><content type=\"html\">&lt;b&gt;{s}&lt;/b&gt;</content></entry></feed>"
    )
}

fn json_feed_document() -> String {
    let spelled = every_spelling();
    json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": "t",
        "items": [{
            "id": "1", "url": "http://www.cjxww.cn/json?id=1", "title": format!("json {spelled}"),
            "content_html": format!("<p>{spelled}</p>"), "summary": spelled,
            "authors": [{"name": format!("J {spelled}")}], "tags": [spelled.clone(), "ok\u{0}"],
            "attachments": [{"url": "http://www.cjxww.cn/j.mp3", "mime_type": "audio/mpeg\u{7}"}],
            "date_published": "2018-06-28T11:39:20+08:00"
        }]
    })
    .to_string()
}

async fn import(app: &TestApp, token: &str, content_type: &str, body: String) {
    let (status, answer) = app.import_into_party_96(token, content_type, body).await;
    assert!((200..300).contains(&status), "{content_type}: {status} {answer}");
    let stored = answer["items"].as_array().unwrap().iter().filter(|i| i["id"].is_i64()).count();
    assert!(stored >= 1, "{content_type}: every item is stored, without what it may not carry: {answer}");
}

async fn no_spelling_of_a_forbidden_character_reaches_any_output(app: TestApp) {
    let token = app.with_example_catalog().await;
    // The admin API: a column and an outlet named with every forbidden character (names
    // are plain text, so only raw characters mean anything there).
    let raw: String = forbidden_characters().into_iter().collect();
    let created = app
        .admin_post("/api/v1/columns", json!({"slug": "odd", "title": format!("栏目{raw}"), "parent": "zhuanti"}))
        .await;
    assert_eq!(created.status(), 201, "{}", created.text().await.unwrap());
    let odd_outlet =
        app.add_outlet("odd", json!({"name": format!("来源{raw}"), "homepage": "http://www.odd.example.cn/"})).await;
    let mut article = hostile_article(0);
    article["original_url"] = json!("http://www.odd.example.cn/1");
    article["columns"] = json!(["odd"]);
    let answer = app.push(&odd_outlet, &article).await;
    assert_eq!(answer.status(), 201, "{}", answer.text().await.unwrap());

    // Push, one at a time and as a batch: more than a feed holds, so archives exist.
    for n in 1..=3 {
        let response = app.push(&token, &hostile_article(n)).await;
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    }
    let batch: Vec<Value> = (4..=12).map(hostile_article).collect();
    let response = app.push_batch(&token, &batch).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());

    // Whole documents, imported and polled.
    import(&app, &token, "application/rss+xml", rss_document(20)).await;
    import(&app, &token, "application/atom+xml", atom_document()).await;
    import(&app, &token, "application/feed+json", json_feed_document()).await;
    let source = app
        .admin_post(
            "/api/v1/sources",
            json!({"outlet": "cjrb", "url": format!("{}/feed.xml", serve_feeds(vec![("/feed.xml", rss_document(100))]).await), "columns": ["party-96"]}),
        )
        .await;
    assert_eq!(source.status(), 201);
    let id = source.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let polled: Value = app.admin_post(&format!("/api/v1/sources/{id}/poll"), json!({})).await.json().await.unwrap();
    assert_eq!(polled["items_new"], 3, "every polled item is stored: {polled}");

    // A lone surrogate cannot be a JSON string: a clear error, nothing stored.
    let lone = app
        .client
        .post(app.url("/api/v1/articles"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(example_article().to_string().replace("郑丽媛", "\\ud800"))
        .send()
        .await
        .unwrap();
    assert_eq!(lone.status(), 400);
    assert!(lone.json::<Value>().await.unwrap()["error"].is_string());

    let mut xml_paths: Vec<String> =
        ["/rss.xml", "/atom.xml", "/sitemap.xml", "/sitemaps/pages.xml", "/sitemap-news.xml"]
            .iter()
            .map(|p| p.to_string())
            .collect();
    for owner in ["/columns/party-96", "/columns/zhuanti", "/columns/odd", "/outlets/cjrb", "/outlets/odd"] {
        xml_paths.extend(["/rss.xml", "/atom.xml"].iter().map(|f| format!("{owner}{f}")));
    }
    let sitemap_index = app.get_text("/sitemap.xml").await;
    xml_paths.extend(links_in(&sitemap_index, "<loc>", "</loc>").into_iter().map(|u| u.replace(&app.base_url, "")));
    let mut archives = Vec::new();
    let mut document = app.get_text("/columns/party-96/atom.xml").await;
    while let Some(older) = prev_archive(&document) {
        let path = older.replace(&app.base_url, "");
        document = app.get_text(&path).await;
        archives.push(path);
    }
    assert!(!archives.is_empty(), "the column has archive documents");
    xml_paths.extend(archives.iter().flat_map(|a| [a.clone(), a.replace("atom.xml", "rss.xml")]));

    for path in &xml_paths {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        let text = response.text().await.unwrap();
        assert_clean(path, &text);
        xmllint(path, &text);
    }
    let json_paths =
        vec!["/feed.json".to_owned(), "/columns/party-96/feed.json".to_owned(), "/columns/odd/feed.json".to_owned()];
    let mut pages =
        vec!["/".to_owned(), "/columns/party-96".to_owned(), "/columns/odd".to_owned(), "/outlets/odd".to_owned()];
    for path in &json_paths {
        let document: Value = app.get(path).await.json().await.unwrap_or_else(|e| panic!("{path}: {e}"));
        every_string(&document, &mut |text| assert_no_forbidden_character(path, text));
        let items = document["items"].as_array().unwrap_or_else(|| panic!("{path}: {document}"));
        for item in items {
            assert_clean(path, item["content_html"].as_str().unwrap());
        }
        for item in document["items"].as_array().unwrap() {
            pages.push(item["url"].as_str().unwrap().replace(&app.base_url, ""));
        }
    }
    let articles: Value = app.admin_get("/api/v1/articles?limit=100").await.json().await.unwrap();
    every_string(&articles, &mut |text| assert_no_forbidden_character("/api/v1/articles", text));
    for path in &pages {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_clean(path, &response.text().await.unwrap());
    }
    let page = app.get_text("/articles/2").await;
    assert!(page.contains("甲") && page.contains("乙"), "the text around the references is kept");
}

fn assert_no_forbidden_character(path: &str, text: &str) {
    if let Some(c) = text.chars().find(|c| forbidden_characters().contains(c)) {
        panic!("{path} carries U+{:04X}", c as u32);
    }
}

/// In markup (a document, or HTML inside JSON): no forbidden character, and no
/// reference to one (escaped text, `&amp;#x1;`, is literal text and fine).
fn assert_clean(path: &str, text: &str) {
    assert_no_forbidden_character(path, text);
    let lower = text.to_ascii_lowercase();
    for reference in ["&#x1;", "&#1;", "&#xfffe;", "&#xd800;", "&#0;"] {
        assert!(!lower.contains(reference), "{path} carries {reference}");
    }
}

fn every_string(value: &Value, check: &mut impl FnMut(&str)) {
    match value {
        Value::String(text) => check(text),
        Value::Array(values) => values.iter().for_each(|v| every_string(v, check)),
        Value::Object(members) => members.iter().for_each(|(k, v)| {
            check(k);
            every_string(v, check)
        }),
        _ => {}
    }
}

/// What lies between each `start` and the next `end` in `text`.
fn links_in(text: &str, start: &str, end: &str) -> Vec<String> {
    text.split(start).skip(1).filter_map(|rest| rest.split(end).next()).map(str::to_owned).collect()
}

/// The `prev-archive` link of an Atom document.
fn prev_archive(atom: &str) -> Option<String> {
    let feed = feed_rs::parser::parse(atom.as_bytes()).expect("Atom parses");
    feed.links.into_iter().find(|l| l.rel.as_deref() == Some("prev-archive")).map(|l| l.href)
}

/// Runs `xmllint --noout` on `document` (scripts/test.sh installs it).
fn xmllint(path: &str, document: &str) {
    let mut child = Command::new("xmllint")
        .args(["--noout", "-"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("xmllint runs (Debian: apt-get install libxml2-utils; scripts/test.sh installs it)");
    child.stdin.take().unwrap().write_all(document.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{path} is not well-formed XML: {}", String::from_utf8_lossy(&output.stderr));
}
