//! Feeds read back with real parsers: feed-rs for all three formats, and the rss and
//! atom_syndication readers for the extension elements feed-rs does not expose.

use crate::helpers::{example_article, TestApp};
use crate::stories;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

stories!(
    an_article_appears_with_full_attribution_in_its_column_and_the_parent_columns_feeds,
    site_and_outlet_feeds_list_the_newest_fifty_by_repost_time,
    feeds_answer_conditional_requests_compress_and_allow_any_origin,
    unknown_feeds_are_not_found,
    atom_entries_ingested_together_never_share_an_updated_time,
);

/// What every format must say about an item, read back from that format.
#[derive(Debug, PartialEq)]
struct Attribution {
    title: String,
    page: String,
    original_url: String,
    outlet: String,
    author: String,
    rights: String,
    reposted_at: DateTime<Utc>,
    original_published_at: DateTime<Utc>,
    columns: Vec<String>,
    image: String,
    enclosure: String,
}

fn instant(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).or_else(|_| DateTime::parse_from_rfc2822(text)).unwrap().to_utc()
}

fn from_rss(xml: &str) -> Attribution {
    let channel = rss::Channel::read_from(xml.as_bytes()).unwrap();
    let item = &channel.items()[0];
    let syndic = &item.extensions()["syndic"];
    let dc = item.dublin_core_ext().unwrap();
    let media = &item.extensions()["media"]["content"];
    Attribution {
        title: item.title().unwrap().into(),
        page: item.link().unwrap().into(),
        original_url: syndic["originalLink"][0].value().unwrap().into(),
        outlet: item.source().unwrap().title().unwrap().into(),
        author: dc.creators()[0].clone(),
        rights: dc.rights()[0].clone(),
        reposted_at: instant(item.pub_date().unwrap()),
        original_published_at: instant(syndic["originalPublished"][0].value().unwrap()),
        columns: item.categories().iter().filter(|c| c.domain().is_some()).map(|c| c.name().to_owned()).collect(),
        image: media.iter().find(|m| m.attrs().get("medium").is_some()).unwrap().attrs()["url"].clone(),
        enclosure: item.enclosure().unwrap().url().into(),
    }
}

fn from_atom(xml: &str) -> Attribution {
    let feed = atom_syndication::Feed::read_from(xml.as_bytes()).unwrap();
    let entry = &feed.entries()[0];
    let link = |rel: &str| entry.links().iter().find(|l| l.rel() == rel).unwrap().href().to_owned();
    let syndic = &entry.extensions()["syndic"];
    Attribution {
        title: entry.title().value.clone(),
        page: link("alternate"),
        original_url: link("via"),
        outlet: entry.source().unwrap().title().value.clone(),
        author: entry.authors()[0].name().into(),
        rights: entry.rights().unwrap().value.clone(),
        reposted_at: entry.published().unwrap().to_utc(),
        original_published_at: instant(syndic["originalPublished"][0].value().unwrap()),
        columns: entry.categories().iter().filter_map(|c| c.label().map(str::to_owned)).collect(),
        image: entry.extensions()["media"]["content"][0].attrs()["url"].clone(),
        enclosure: link("enclosure"),
    }
}

fn from_json(text: &str) -> Attribution {
    let feed: Value = serde_json::from_str(text).unwrap();
    let item = &feed["items"][0];
    let ext = &item["_syndic"];
    Attribution {
        title: item["title"].as_str().unwrap().into(),
        page: item["url"].as_str().unwrap().into(),
        original_url: item["external_url"].as_str().unwrap().into(),
        outlet: ext["outlet"]["name"].as_str().unwrap().into(),
        author: item["authors"][0]["name"].as_str().unwrap().into(),
        rights: ext["rights"].as_str().unwrap().into(),
        reposted_at: instant(item["date_published"].as_str().unwrap()),
        original_published_at: instant(ext["original_published_at"].as_str().unwrap()),
        columns: ext["columns"].as_array().unwrap().iter().map(|c| c["title"].as_str().unwrap().to_owned()).collect(),
        image: item["image"].as_str().unwrap().into(),
        enclosure: item["attachments"][0]["url"].as_str().unwrap().into(),
    }
}

async fn an_article_appears_with_full_attribution_in_its_column_and_the_parent_columns_feeds(app: TestApp) {
    let token = app.with_example_catalog().await;
    let pushed: Value = app.push(&token, &example_article()).await.json().await.unwrap();
    let expected = Attribution {
        title: "做带领群众奔向幸福生活的“头雁”".into(),
        page: pushed["url"].as_str().unwrap().into(),
        original_url: "http://www.cjxww.cn/index.php?m=content&c=index&a=show&catid=407&id=93487".into(),
        outlet: "昌吉日报".into(),
        author: "郑丽媛".into(),
        rights: "版权归昌吉日报所有".into(),
        reposted_at: instant(pushed["reposted_at"].as_str().unwrap()),
        original_published_at: instant("2018-06-28T11:39:20+08:00"),
        columns: vec!["庆祝建党96周年".into()],
        image: "http://www.cjxww.cn/uploads/toutou.jpg".into(),
        enclosure: "http://www.cjxww.cn/audio/93487.mp3".into(),
    };
    // The column, its parent, the whole site and the outlet.
    for base in ["/columns/party-96", "/columns/zhuanti", "", "/outlets/cjrb"] {
        for (file, content_type, read) in [
            ("rss.xml", "application/rss+xml; charset=utf-8", from_rss as fn(&str) -> Attribution),
            ("atom.xml", "application/atom+xml; charset=utf-8", from_atom),
            ("feed.json", "application/feed+json; charset=utf-8", from_json),
        ] {
            let path = format!("{base}/{file}");
            let response = app.get(&path).await;
            assert_eq!(response.status(), 200, "{path}");
            assert_eq!(response.headers()["content-type"], content_type, "{path}");
            let text = response.text().await.unwrap();
            assert_eq!(read(&text), expected, "{path}");

            let parsed = feed_rs::parser::parse(text.as_bytes()).unwrap_or_else(|e| panic!("{path}: {e}"));
            let entry = &parsed.entries[0];
            assert_eq!(entry.title.as_ref().unwrap().content, expected.title, "{path}");
            assert_eq!(entry.published, Some(expected.reposted_at), "{path}");
            assert!(entry.links.iter().any(|l| l.href == expected.page), "{path}");
            assert!(entry.content.as_ref().unwrap().body.as_deref().unwrap().contains("昌吉新闻网讯"), "{path}");
            let self_link = parsed.links.iter().any(|l| l.href == app.url(&path));
            assert!(self_link || file == "feed.json", "{path} names itself");
        }
    }
}

async fn site_and_outlet_feeds_list_the_newest_fifty_by_repost_time(app: TestApp) {
    let token = app.with_example_catalog().await;
    let other = app.add_outlet("other", json!({"domains": ["cjxww.cn"]})).await;
    for n in 0..55 {
        let mut article = example_article();
        article["original_url"] = json!(format!("http://www.cjxww.cn/a?id={n}"));
        article["title"] = json!(format!("第{n}篇"));
        assert_eq!(app.push(if n == 54 { &other } else { &token }, &article).await.status(), 201);
    }
    let site = feed_rs::parser::parse(app.get_text("/rss.xml").await.as_bytes()).unwrap();
    assert_eq!(site.entries.len(), 50);
    let titles: Vec<String> = site.entries.iter().map(|e| e.title.clone().unwrap().content).collect();
    assert_eq!(titles[0], "第54篇");
    assert_eq!(titles[49], "第5篇");

    let outlet = feed_rs::parser::parse(app.get_text("/outlets/other/atom.xml").await.as_bytes()).unwrap();
    assert_eq!(outlet.entries.len(), 1);
    assert_eq!(outlet.entries[0].title.as_ref().unwrap().content, "第54篇");
}

async fn feeds_answer_conditional_requests_compress_and_allow_any_origin(app: TestApp) {
    let token = app.with_example_catalog().await;
    app.push(&token, &example_article()).await;
    let path = app.url("/columns/zhuanti/rss.xml");
    let first = app.client.get(&path).send().await.unwrap();
    assert_eq!(first.headers()["access-control-allow-origin"], "*");
    assert!(first.headers()["cache-control"].to_str().unwrap().contains("max-age"));
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let last_modified = first.headers()["last-modified"].to_str().unwrap().to_owned();
    let plain = first.bytes().await.unwrap();

    let by_etag = app.client.get(&path).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(by_etag.status(), 304);
    assert_eq!(by_etag.headers()["etag"], etag.as_str());
    assert!(by_etag.bytes().await.unwrap().is_empty());
    let by_date = app.client.get(&path).header("if-modified-since", &last_modified).send().await.unwrap();
    assert_eq!(by_date.status(), 304);
    let stale = app.client.get(&path).header("if-none-match", "\"something-else\"").send().await.unwrap();
    assert_eq!(stale.status(), 200);

    let gzipped = app.client.get(&path).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(gzipped.headers()["content-encoding"], "gzip");
    assert_eq!(gzipped.headers()["vary"], "Accept-Encoding");
    let gz_etag = gzipped.headers()["etag"].to_str().unwrap().to_owned();
    assert_ne!(gz_etag, etag, "each encoding has its own strong validator");
    let mut decoded = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gzipped.bytes().await.unwrap()[..]), &mut decoded)
        .unwrap();
    assert_eq!(decoded, plain);

    let head = app.client.head(&path).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["etag"], etag.as_str());
    assert!(head.bytes().await.unwrap().is_empty());

    // A change makes the old validator stale.
    let mut changed = example_article();
    changed["summary"] = json!("更新后的摘要");
    app.push(&token, &changed).await;
    let after = app.client.get(&path).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(after.status(), 200);
}

async fn unknown_feeds_are_not_found(app: TestApp) {
    app.with_example_catalog().await;
    for path in ["/columns/nope/rss.xml", "/columns/zhuanti/index.xml", "/outlets/nope/feed.json"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
    }
}

/// A batch lands within one second; the W3C validator flags Atom entries that share an
/// `updated` value, so each is written with the microseconds of its own change.
async fn atom_entries_ingested_together_never_share_an_updated_time(app: TestApp) {
    let token = app.with_example_catalog().await;
    let batch: Vec<Value> = (1..=20).map(|n| crate::helpers::numbered_article(n, "party-96")).collect();
    assert_eq!(app.push_batch(&token, &batch).await.status(), 200);
    for path in ["/atom.xml", "/columns/party-96/atom.xml"] {
        let feed = atom_syndication::Feed::read_from(app.get_text(path).await.as_bytes()).unwrap();
        let updated: std::collections::HashSet<_> = feed.entries().iter().map(|e| *e.updated()).collect();
        assert_eq!(updated.len(), 20, "{path}: every entry has its own updated time");
    }
}
