use crate::helpers::{example_article, TestApp};
use crate::stories;
use serde_json::{json, Value};
use syndic::store::FeedScope;

stories!(with in_english: an_english_site_labels_its_pager_and_feeds_in_english);

stories!(
    the_article_page_is_laid_out_like_the_example_page,
    the_outlets_indexing_policy_decides_canonical_and_robots,
    column_pages_have_breadcrumbs_sub_columns_and_pages,
    the_home_page_has_pages_and_every_listing_links_its_feeds,
    outlet_pages_count_only_public_articles,
    missing_pages_get_an_html_404,
    json_ld_leaves_out_what_the_article_lacks,
);

/// The JSON-LD of an article's page.
fn json_ld(html: &str) -> Value {
    let start = html.find("<script type=\"application/ld+json\">").unwrap() + 35;
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).unwrap()
}

async fn the_article_page_is_laid_out_like_the_example_page(app: TestApp) {
    let token = app.with_example_catalog().await;
    let pushed: Value = app.push(&token, &example_article()).await.json().await.unwrap();
    let page = app.get(&format!("/articles/{}", pushed["id"])).await;
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    assert!(page.headers().contains_key("etag") && page.headers().contains_key("last-modified"));
    let html = page.text().await.unwrap();
    let url = pushed["url"].as_str().unwrap();
    for expected in [
        "<h1>做带领群众奔向幸福生活的“头雁”</h1>",
        "<p class=\"series\">自治州党的建设工作系列报道之二</p>",
        ">专题栏目</a> › <a href=\"",
        ">庆祝建党96周年</a>",
        "来源: <a href=\"http://www.cjxww.cn/\" rel=\"nofollow noopener\">昌吉日报</a>",
        "作者: 郑丽媛",
        "<time datetime=\"2018-06-28T03:39:20Z\">2018-06-28 11:39:20 UTC+08:00</time>",
        "原文链接: <a href=\"http://www.cjxww.cn/index.php?m=content&amp;c=index&amp;a=show&amp;catid=407&amp;id=93487\"",
        "昌吉新闻网讯(记者 郑丽媛)",
        "版权: 版权归昌吉日报所有",
        "新ICP备00000000号",
        "<meta property=\"og:type\" content=\"article\">",
        "<meta property=\"og:image\" content=\"http://www.cjxww.cn/uploads/toutou.jpg\">",
        "type=\"application/rss+xml\"",
        "type=\"application/atom+xml\"",
        "type=\"application/feed+json\"",
    ] {
        assert!(html.contains(expected), "missing {expected}");
    }
    assert!(html.contains(&format!("<link rel=\"canonical\" href=\"{url}\">")));
    assert!(
        html.contains(&format!("href=\"{}\"", app.url("/columns/party-96/rss.xml"))),
        "autodiscovery of its column"
    );
    assert!(!html.contains("noindex"));
    let reposted = pushed["reposted_at"].as_str().unwrap();
    assert!(html.contains(&format!("<time datetime=\"{reposted}\">")), "repost time shown");

    let data = json_ld(&html);
    assert_eq!(data["@type"], "NewsArticle");
    assert_eq!(data["isBasedOn"], "http://www.cjxww.cn/index.php?m=content&c=index&a=show&catid=407&id=93487");
    assert_eq!(data["sourceOrganization"]["name"], "昌吉日报");
}

async fn the_outlets_indexing_policy_decides_canonical_and_robots(app: TestApp) {
    let token = app.with_example_catalog().await;
    let pushed: Value = app.push(&token, &example_article()).await.json().await.unwrap();
    let path = format!("/articles/{}", pushed["id"]);
    let original = "http://www.cjxww.cn/index.php?m=content&amp;c=index&amp;a=show&amp;catid=407&amp;id=93487";

    app.admin_patch("/api/v1/outlets/cjrb", json!({"indexing": "original"})).await;
    let html = app.get_text(&path).await;
    assert!(html.contains(&format!("<link rel=\"canonical\" href=\"{original}\">")));
    assert!(!html.contains("name=\"robots\""));

    app.admin_patch("/api/v1/outlets/cjrb", json!({"indexing": "noindex"})).await;
    let html = app.get_text(&path).await;
    assert!(html.contains("<meta name=\"robots\" content=\"noindex\">"));
    assert!(!html.contains("rel=\"canonical\""));
}

async fn column_pages_have_breadcrumbs_sub_columns_and_pages(app: TestApp) {
    let token = app.with_example_catalog().await;
    for n in 0..25 {
        let mut article = example_article();
        article["original_url"] = json!(format!("http://www.cjxww.cn/a?id={n}"));
        article["title"] = json!(format!("第{n}篇"));
        app.push(&token, &article).await;
    }
    let parent = app.get_text("/columns/zhuanti").await;
    assert!(parent.contains(">庆祝建党96周年</a>"), "sub-column listed");
    assert!(parent.contains(">第24篇</a>"), "sub-column articles included");
    assert!(parent.contains("rel=\"next\" href=\"") && parent.contains("/columns/zhuanti?page=2"));
    assert!(!parent.contains(">第4篇</a>"), "20 per page");

    let second = app.get_text("/columns/zhuanti?page=2").await;
    assert!(second.contains(">第4篇</a>") && second.contains(">第0篇</a>"));
    assert!(second.contains("rel=\"prev\""));
    assert_eq!(app.get("/columns/zhuanti?page=3").await.status(), 404);
    assert_eq!(app.get("/columns/zhuanti?page=abc").await.status(), 404);

    let child = app.get_text("/columns/party-96").await;
    assert!(child.contains("<p class=\"crumbs\">") && child.contains(">专题栏目</a> › <a"));

    let home = app.get_text("/").await;
    assert!(home.contains(">专题栏目</a>") && home.contains(">第24篇</a>"));
    let outlet = app.get_text("/outlets/cjrb").await;
    assert!(outlet.contains("<h1>昌吉日报</h1>"));
}

/// The outlet pager reads a kept count: it follows every change of whether an article
/// is public (quarantine, release, embargo, withdrawal, re-publication, updates, a URL
/// twice in one batch), checked against a count of the articles themselves.
async fn outlet_pages_count_only_public_articles(app: TestApp) {
    let token = app.with_example_catalog().await;
    let article = |key: &str, title: &str| {
        let mut article = example_article();
        article["original_url"] = json!(format!("http://www.cjxww.cn/o?id={key}"));
        article["title"] = json!(title);
        article
    };
    let mut ids = Vec::new();
    for n in 0..22 {
        let pushed: Value = app.push(&token, &article(&n.to_string(), &format!("第{n}篇"))).await.json().await.unwrap();
        ids.push(pushed["id"].as_i64().unwrap());
    }
    let mut held = article("held", "待审");
    held["content_html"] = json!("<p>bet365</p>");
    let held: Value = app.push(&token, &held).await.json().await.unwrap();
    assert_eq!(held["status"], "quarantined");
    let mut embargoed = article("later", "未来");
    embargoed["publish_at"] = json!("2099-01-01T00:00:00Z");
    assert!(app.push(&token, &embargoed).await.status().is_success());
    assert_outlet_count(&app, 22).await;

    let first = app.get_text("/outlets/cjrb").await;
    assert!(first.contains(">第21篇</a>") && first.contains("/outlets/cjrb?page=2"), "22 public articles: two pages");
    let second = app.get_text("/outlets/cjrb?page=2").await;
    assert!(second.contains(">第1篇</a>") && second.contains(">第0篇</a>") && !second.contains(">第2篇</a>"));

    for id in &ids[..2] {
        let response = app.client.delete(app.url(&format!("/api/v1/articles/{id}"))).bearer_auth(&token);
        assert!(response.send().await.unwrap().status().is_success());
    }
    assert_outlet_count(&app, 20).await;
    assert_eq!(app.get("/outlets/cjrb?page=2").await.status(), 404, "20 left: one page");
    let first = app.get_text("/outlets/cjrb").await;
    assert!(first.contains(">第2篇</a>") && !first.contains(">第1篇</a>") && !first.contains("rel=\"next\""));

    app.push(&token, &article("5", "第5篇（更正）")).await;
    assert_outlet_count(&app, 20).await;
    app.push(&token, &article("0", "第0篇（重发）")).await;
    assert_outlet_count(&app, 21).await;
    let release = format!("/api/v1/quarantine/{}/release", held["id"]);
    assert_eq!(app.admin_post(&release, json!({})).await.status(), 200);
    assert_outlet_count(&app, 22).await;
    let twice = json!({"articles": [article("twice", "两次"), article("twice", "两次（改）")]});
    let batch = app.client.post(app.url("/api/v1/articles/batch")).bearer_auth(&token).json(&twice);
    let batch: Value = batch.send().await.unwrap().json().await.unwrap();
    assert_eq!((batch["created"].as_i64(), batch["updated"].as_i64()), (Some(1), Some(1)), "{batch}");
    assert_outlet_count(&app, 23).await;
    assert!(app.get_text("/outlets/cjrb?page=2").await.contains(">第2篇</a>"), "three on the second page");
}

/// The outlet's kept count, the site's (the home page's pager), and the count of public
/// articles read from the articles themselves (only `cjrb` has any).
async fn assert_outlet_count(app: &TestApp, expected: i64) {
    let outlet = app.store.outlet_by_slug("cjrb").await.unwrap();
    assert_eq!(app.store.count_articles(&FeedScope::Outlet(outlet.id)).await.unwrap(), expected, "kept count");
    assert_eq!(app.store.count_articles(&FeedScope::Site).await.unwrap(), expected, "the site's kept count");
    let public = "SELECT COUNT(*) FROM articles \
                  WHERE status = 'published' AND withdrawn_at IS NULL AND embargo_until IS NULL";
    assert_eq!(app.query_number(public).await, expected, "public articles");
}

async fn missing_pages_get_an_html_404(app: TestApp) {
    app.with_example_catalog().await;
    for path in ["/articles/999", "/articles/abc", "/columns/nope", "/outlets/nope", "/no/such/page"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
        assert!(response.text().await.unwrap().contains("页面不存在"), "{path}");
    }
}

/// schema.org readers take `null` as a value: an article without an image, author or
/// language has no such properties at all.
async fn json_ld_leaves_out_what_the_article_lacks(app: TestApp) {
    let token = app.with_example_catalog().await;
    let mut article = example_article();
    for field in ["image", "author", "language"] {
        article.as_object_mut().unwrap().remove(field);
    }
    let pushed: Value = app.push(&token, &article).await.json().await.unwrap();
    let html = app.get(&format!("/articles/{}", pushed["id"])).await.text().await.unwrap();
    let data = json_ld(&html);
    let properties = data.as_object().unwrap();
    assert!(properties.values().all(|value| !value.is_null()), "{data}");
    assert!(!properties.contains_key("image") && !properties.contains_key("author"), "{data}");
    assert_eq!(data["headline"], "做带领群众奔向幸福生活的“头雁”");
}

/// Pushes `n` articles titled 第0篇 … into `party-96`.
async fn push_numbered(app: &TestApp, token: &str, n: usize) {
    for i in 0..n {
        let mut article = example_article();
        article["original_url"] = json!(format!("http://www.cjxww.cn/a?id={i}"));
        article["title"] = json!(format!("第{i}篇"));
        assert!(app.push(token, &article).await.status().is_success());
    }
}

/// The visible links to a listing's three feeds (not only `<link rel=alternate>`).
fn visible_feed_links(app: &TestApp, feeds: &str) -> String {
    let link = |file: &str, label: &str| format!(" <a href=\"{}\">{label}</a>", app.url(&format!("{feeds}{file}")));
    format!("{}{}{}", link("rss.xml", "RSS"), link("atom.xml", "Atom"), link("feed.json", "JSON Feed"))
}

async fn the_home_page_has_pages_and_every_listing_links_its_feeds(app: TestApp) {
    let token = app.with_example_catalog().await;
    push_numbered(&app, &token, 25).await;

    let first = app.get_text("/").await;
    assert!(
        first.contains(">第24篇</a>") && first.contains(">第5篇</a>") && !first.contains(">第4篇</a>"),
        "20 a page"
    );
    assert!(first.contains(&format!("rel=\"next\" href=\"{}\"", app.url("/?page=2"))), "a pager");
    assert!(first.contains("第 1 页 / 2"));
    assert!(first.contains(&format!("订阅:{}", visible_feed_links(&app, "/"))), "the site's feeds, visible");
    assert!(first.contains(">专题栏目</a>"), "the column tree");

    let second = app.get("/?page=2").await;
    assert_eq!(second.status(), 200);
    let second = second.text().await.unwrap();
    assert!(second.contains(">第4篇</a>") && second.contains(">第0篇</a>") && !second.contains(">第5篇</a>"));
    assert!(second.contains(&format!("rel=\"prev\" href=\"{}\"", app.url("/"))));
    assert!(second.contains(&format!("<link rel=\"canonical\" href=\"{}\">", app.url("/?page=2"))));
    assert!(second.contains("<title>Test Portal - 第 2 页</title>"));
    assert!(app.get_text("/?page=2&utm_source=x").await.contains(">第0篇</a>"), "other parameters are ignored");

    for other in ["/?page=3", "/?page=1", "/?page=02", "/?page=abc", "/?page=", "/?page=%32"] {
        let response = app.get(other).await;
        assert_eq!(response.status(), 404, "{other}");
        assert!(response.text().await.unwrap().contains("页面不存在"), "{other}: the site's HTML 404");
    }

    let column = app.get_text("/columns/zhuanti").await;
    assert!(column.contains(&format!("订阅:{}", visible_feed_links(&app, "/columns/zhuanti/"))), "{column}");
    let outlet = app.get_text("/outlets/cjrb").await;
    assert!(outlet.contains(&format!("订阅:{}", visible_feed_links(&app, "/outlets/cjrb/"))), "{outlet}");
}

fn in_english(config: &mut syndic::config::Config) {
    config.site.language = "en".into();
}

async fn an_english_site_labels_its_pager_and_feeds_in_english(app: TestApp) {
    let token = app.with_example_catalog().await;
    push_numbered(&app, &token, 21).await;
    let first = app.get_text("/").await;
    assert!(first.contains("<h2>Latest</h2>") && first.contains("Page 1 / 2"), "{first}");
    assert!(first.contains(&format!("rel=\"next\" href=\"{}\">Older</a>", app.url("/?page=2"))));
    assert!(first.contains(&format!("Feeds:{}", visible_feed_links(&app, "/"))));
    let second = app.get_text("/?page=2").await;
    assert!(second.contains("<title>Test Portal - Page 2</title>") && second.contains(">Newer</a>"));

    let id = app.query_number("SELECT MAX(id) FROM articles").await;
    assert_eq!(app.admin_delete(&format!("/api/v1/articles/{id}")).await.status(), 200);
    let gone = app.get(&format!("/articles/{id}")).await;
    assert_eq!(gone.status(), 410);
    assert!(gone.text().await.unwrap().contains("This article was withdrawn by this site"));
}
