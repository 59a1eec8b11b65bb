//! The attribution block a reader sees: every feed item (RSS, Atom, JSON Feed) and every
//! partner API article ends with a paragraph naming the source, author, original link
//! and time (and the responsible editor), in the site's language or as configured;
//! escaped, whatever the outlet is called; never stored, so a syndic feed polled back
//! in is not attributed twice.

use crate::helpers::{example_article, serve_feeds, TestApp, ADMIN_TOKEN};
use crate::stories;
use serde_json::{json, Value};
use syndic::config::Config;
use syndic::publish::attribution::Template;

stories!(
    every_feed_item_and_partner_article_ends_with_the_block_in_chinese,
    a_missing_author_leaves_out_its_part_and_hostile_names_stay_text,
    summary_only_and_bodiless_items_still_show_the_block,
    a_syndic_feed_polled_back_in_is_not_attributed_twice,
);
stories!(with in_english: an_english_site_attributes_in_english);
stories!(with turned_off: a_site_that_turns_the_block_off_shows_none);
stories!(with custom_template: a_custom_template_is_followed_and_its_text_escaped);

fn in_english(config: &mut Config) {
    config.site.language = "en".into();
    config.attribution = Some(Template::default_for("en"));
}

fn turned_off(config: &mut Config) {
    config.attribution = None;
}

fn custom_template(config: &mut Config) {
    config.attribution = Some(Template::parse("<b>稿源</b>:{outlet}  记者:{author} 查看原文:{link}。").unwrap());
}

/// The example article's original link, as the block writes it.
const LINK: &str =
    "<a href=\"http://www.cjxww.cn/index.php?m=content&amp;c=index&amp;a=show&amp;catid=407&amp;id=93487\">\
                    http://www.cjxww.cn/index.php?m=content&amp;c=index&amp;a=show&amp;catid=407&amp;id=93487</a>";

/// The HTML an item carries in each place a reader may be shown it.
#[derive(Debug)]
struct Bodies {
    rss_description: String,
    rss_content: Option<String>,
    atom_summary: Option<String>,
    atom_content: Option<String>,
    json_content: String,
    partner_summary: Option<String>,
    partner_content: Option<String>,
}

impl Bodies {
    /// Every body there is, with where it is.
    fn all(&self) -> Vec<(&'static str, &str)> {
        let mut all = vec![("RSS description", self.rss_description.as_str()), ("JSON Feed", &self.json_content)];
        for (place, body) in [
            ("RSS content:encoded", &self.rss_content),
            ("Atom summary", &self.atom_summary),
            ("Atom content", &self.atom_content),
            ("partner summary", &self.partner_summary),
            ("partner content_html", &self.partner_content),
        ] {
            all.extend(body.as_deref().map(|b| (place, b)));
        }
        all
    }
}

/// Article `id` as the site's feeds and the partner API give it, each document also
/// read by feed-rs (a reader's parser).
async fn bodies(app: &TestApp, id: i64) -> Bodies {
    let page = format!("{}/articles/{id}", app.base_url);
    let rss_text = app.get_text("/rss.xml").await;
    let atom_text = app.get_text("/atom.xml").await;
    let json_text = app.get_text("/feed.json").await;
    for document in [&rss_text, &atom_text, &json_text] {
        feed_rs::parser::parse(document.as_bytes()).unwrap_or_else(|e| panic!("{e}: {document}"));
    }
    let rss = rss::Channel::read_from(rss_text.as_bytes()).unwrap();
    let item = rss.items().iter().find(|i| i.link() == Some(page.as_str())).expect("in the RSS feed");
    let atom = atom_syndication::Feed::read_from(atom_text.as_bytes()).unwrap();
    let entry = atom.entries().iter().find(|e| e.id() == page).expect("in the Atom feed");
    let json_feed: Value = serde_json::from_str(&json_text).unwrap();
    let json_item = json_feed["items"].as_array().unwrap().iter().find(|i| i["id"] == page.as_str()).unwrap();
    let partner = app.client.get(app.url("/api/v1/articles")).bearer_auth(ADMIN_TOKEN).send().await.unwrap();
    let partner: Value = partner.json().await.unwrap();
    let article = partner["items"].as_array().unwrap().iter().find(|i| i["id"] == id).expect("in the partner API");
    Bodies {
        rss_description: item.description().unwrap().to_owned(),
        rss_content: item.content().map(str::to_owned),
        atom_summary: entry.summary().map(|s| s.value.clone()),
        atom_content: entry.content().and_then(|c| c.value()).map(str::to_owned),
        json_content: json_item["content_html"].as_str().unwrap().to_owned(),
        partner_summary: article["summary"].as_str().map(str::to_owned),
        partner_content: article["content_html"].as_str().map(str::to_owned),
    }
}

async fn push(app: &TestApp, token: &str, article: &Value) -> i64 {
    let response = app.push(token, article).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    response.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

async fn every_feed_item_and_partner_article_ends_with_the_block_in_chinese(app: TestApp) {
    let token = app.with_example_catalog().await;
    let id = push(&app, &token, &example_article()).await;
    let block = format!(
        "<p class=\"syndic-attribution\">来源:昌吉日报 作者:郑丽媛 原文链接:{LINK} 原文发布时间:2018-06-28 11:39</p>"
    );
    let bodies = bodies(&app, id).await;
    assert_eq!(bodies.all().len(), 7, "summary and body in every place: {bodies:?}");
    for (place, body) in bodies.all() {
        assert!(body.ends_with(&block), "{place} ends with the block: {body}");
        assert_eq!(body.matches("syndic-attribution").count(), 1, "{place}: once");
    }
    assert!(bodies.rss_content.unwrap().starts_with("<p>昌吉新闻网讯"), "the body comes first");
    assert!(bodies.rss_description.starts_with("阿克喀巴克村在党组织引领下"), "after the summary");

    // The partner API's own attribution fields stay as they were; nothing is stored.
    let partner: Value = app.admin_get("/api/v1/articles").await.json().await.unwrap();
    let article = &partner["items"][0];
    assert_eq!((&article["outlet"]["name"], &article["author"]), (&json!("昌吉日报"), &json!("郑丽媛")));
    let stored: Value = app.admin_get(&format!("/api/v1/admin/articles/{id}")).await.json().await.unwrap();
    assert!(!stored.to_string().contains("syndic-attribution"), "made when rendered, never stored: {stored}");

    // Pushed again unchanged and changed, rendered again: still one block each.
    let mut changed = example_article();
    changed["summary"] = json!("更新后的摘要");
    assert_eq!(app.push(&token, &changed).await.status(), 200);
    for (place, body) in self::bodies(&app, id).await.all() {
        assert_eq!(body.matches("syndic-attribution").count(), 1, "{place} after a correction: {body}");
    }
}

async fn a_missing_author_leaves_out_its_part_and_hostile_names_stay_text(app: TestApp) {
    app.with_example_catalog().await;
    let hostile = "昌吉<script>alert(1)</script>日报 & \"Co\"";
    let token = app
        .add_outlet("hostile", json!({"name": hostile, "homepage": "http://www.hostile.cn/", "timezone": "UTC"}))
        .await;
    let mut anonymous = example_article();
    anonymous["original_url"] = json!("http://www.hostile.cn/a?x=1&y=<2>");
    anonymous.as_object_mut().unwrap().remove("author");
    anonymous["original_published_at"] = json!("2018-06-28T03:39:20Z");
    let id = push(&app, &token, &anonymous).await;
    let block = "<p class=\"syndic-attribution\">来源:昌吉&lt;script&gt;alert(1)&lt;/script&gt;日报 &amp; &quot;Co&quot; \
                 原文链接:<a href=\"http://www.hostile.cn/a?x=1&amp;y=%3C2%3E\">http://www.hostile.cn/a?x=1&amp;y=%3C2%3E</a> \
                 原文发布时间:2018-06-28 11:39</p>";
    for (place, body) in bodies(&app, id).await.all() {
        assert!(body.ends_with(block), "{place}: no 作者 part, everything escaped, in the site's zone: {body}");
    }

    let mut bylined = anonymous.clone();
    bylined["original_url"] = json!("http://www.hostile.cn/b");
    bylined["author"] = json!("Tom &lt;tom@hostile.cn&gt; & <b onclick=\"x()\">Jerry</b>");
    let id = push(&app, &token, &bylined).await;
    for (place, body) in bodies(&app, id).await.all() {
        assert!(body.contains(" 作者:Tom &lt;tom@hostile.cn&gt; &amp; Jerry 原文链接:"), "{place}: {body}");
        assert!(!body.contains("<script") && !body.contains("onclick"), "{place}: {body}");
    }

    // A link the block could make dangerous never gets in.
    for url in ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)"] {
        let mut article = example_article();
        article["original_url"] = json!(url);
        let refused = app.push(&token, &article).await;
        assert_eq!(refused.status(), 422, "{url}");
        let body: Value = refused.json().await.unwrap();
        assert!(body["fields"]["original_url"].is_string(), "{url}: {body}");
    }
}

async fn summary_only_and_bodiless_items_still_show_the_block(app: TestApp) {
    app.with_example_catalog().await;
    let grants = json!({"name": "简讯报", "homepage": "http://brief.example.cn/",
                        "feed_content": "summary", "partner_content": "summary"});
    let token = app.add_outlet("brief", grants).await;
    let mut article = example_article();
    article["original_url"] = json!("http://brief.example.cn/1");
    let id = push(&app, &token, &article).await;
    let bodies = bodies(&app, id).await;
    assert!(bodies.rss_content.is_none() && bodies.atom_content.is_none() && bodies.partner_content.is_none());
    for (place, body) in bodies.all() {
        assert!(
            body.starts_with("阿克喀巴克村") && body.ends_with("原文发布时间:2018-06-28 11:39</p>"),
            "{place}: {body}"
        );
        assert!(!body.contains("木垒县"), "{place}: the body stays out: {body}");
    }

    // Neither summary nor body: the block alone, so a reader still sees the source.
    let mut bare = example_article();
    bare["original_url"] = json!("http://brief.example.cn/2");
    for field in ["summary", "content_html"] {
        bare.as_object_mut().unwrap().remove(field);
    }
    let id = push(&app, &token, &bare).await;
    let bodies = self::bodies(&app, id).await;
    assert!(bodies.atom_summary.is_some() && bodies.partner_summary.is_some(), "{bodies:?}");
    for (place, body) in bodies.all() {
        assert!(body.starts_with("<p class=\"syndic-attribution\">来源:简讯报 作者:郑丽媛"), "{place}: {body}");
    }
}

/// Another syndic's feed (here our own, served by an outlet's server) polled in: the
/// block it carries is taken off at ingest, and the article is attributed once, by us.
async fn a_syndic_feed_polled_back_in_is_not_attributed_twice(app: TestApp) {
    let token = app.with_example_catalog().await;
    let id = push(&app, &token, &example_article()).await;
    let rss = app.get_text("/columns/party-96/rss.xml").await;
    let json_feed = app.get_text("/columns/party-96/feed.json").await;
    assert_eq!(rss.matches("syndic-attribution").count(), 2, "description and content:encoded");
    let server = serve_feeds(vec![("/rss.xml", rss), ("/feed.json", json_feed)]).await;
    app.add_column("relay", "转载", None).await;
    app.add_outlet("relay", json!({"name": "邻市新闻网", "domains": "any"})).await;

    let mut relayed = None;
    for document in ["rss.xml", "feed.json"] {
        let source = json!({"outlet": "relay", "url": format!("{server}/{document}"), "columns": ["relay"]});
        let created: Value = app.admin_post("/api/v1/sources", source).await.json().await.unwrap();
        let poll = format!("/api/v1/sources/{}/poll", created["id"]);
        let polled: Value = app.admin_post(&poll, json!({})).await.json().await.unwrap();
        assert_eq!(polled["items_refused"], 0, "{document}: {polled}");
        let again: Value = app.admin_post(&poll, json!({})).await.json().await.unwrap();
        assert_eq!(again["items_updated"], 0, "{document}, polled again, is unchanged: {again}");

        let listing: Value = app.admin_get("/api/v1/admin/articles?outlet=relay").await.json().await.unwrap();
        assert_eq!(listing["articles"].as_array().unwrap().len(), 1, "{document}: one article, {listing}");
        let copy = listing["articles"][0]["id"].as_i64().unwrap();
        let stored: Value = app.admin_get(&format!("/api/v1/admin/articles/{copy}")).await.json().await.unwrap();
        // Its identity is our page of the original.
        assert_eq!(stored["original_url"], format!("{}/articles/{id}", app.base_url));
        assert!(stored["content_html"].as_str().unwrap().contains("以党组织为旗帜"), "{document}: {stored}");
        assert!(!stored.to_string().contains("syndic-attribution"), "{document}: stored without the block: {stored}");
        assert!(!stored.to_string().contains("原文发布时间"), "{document}: nor its text: {stored}");
        relayed = Some(copy);
    }
    let relayed = relayed.unwrap();
    for (place, body) in bodies(&app, relayed).await.all() {
        assert_eq!(body.matches("syndic-attribution").count(), 1, "{place}: {body}");
        assert!(body.contains("来源:邻市新闻网"), "{place}: attributed by us, to the outlet we took it from: {body}");
    }
}

async fn an_english_site_attributes_in_english(app: TestApp) {
    let token = app.with_example_catalog().await;
    let id = push(&app, &token, &example_article()).await;
    let block = format!(
        "<p class=\"syndic-attribution\">Source: 昌吉日报 Author: 郑丽媛 Original: {LINK} \
         Originally published: 2018-06-28 11:39</p>"
    );
    for (place, body) in bodies(&app, id).await.all() {
        assert!(body.ends_with(&block), "{place}: {body}");
    }
}

async fn a_site_that_turns_the_block_off_shows_none(app: TestApp) {
    let token = app.with_example_catalog().await;
    let id = push(&app, &token, &example_article()).await;
    let bodies = bodies(&app, id).await;
    for (place, body) in bodies.all() {
        assert!(!body.contains("syndic-attribution") && !body.contains("原文链接"), "{place}: {body}");
    }
    assert_eq!(
        bodies.rss_content.as_deref(),
        Some("<p>昌吉新闻网讯(记者 郑丽媛)六月清晨的木垒县……</p><p>以党组织为旗帜。</p>")
    );
}

async fn a_custom_template_is_followed_and_its_text_escaped(app: TestApp) {
    let token = app.with_example_catalog().await;
    let id = push(&app, &token, &example_article()).await;
    let block =
        format!("<p class=\"syndic-attribution\">&lt;b&gt;稿源&lt;/b&gt;:昌吉日报 记者:郑丽媛 查看原文:{LINK}。</p>");
    for (place, body) in bodies(&app, id).await.all() {
        assert!(body.ends_with(&block), "{place}: {body}");
    }
    let mut anonymous = example_article();
    anonymous.as_object_mut().unwrap().remove("author");
    anonymous["original_url"] = json!("http://www.cjxww.cn/anonymous");
    let id = push(&app, &token, &anonymous).await;
    let short = "<p class=\"syndic-attribution\">&lt;b&gt;稿源&lt;/b&gt;:昌吉日报 查看原文:";
    for (place, body) in bodies(&app, id).await.all() {
        assert!(body.contains(short), "{place}: no 记者 part: {body}");
    }
}
