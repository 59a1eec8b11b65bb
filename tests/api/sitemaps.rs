use crate::helpers::{example_article, TestApp};
use crate::stories;
use serde_json::{json, Value};

stories!(
    robots_and_the_sitemap_index_point_to_every_indexable_page,
    sitemaps_leave_out_pages_that_are_not_canonical,
    the_news_sitemap_lists_the_last_two_days_with_the_repost_time,
    a_rejected_article_no_longer_dates_its_shard,
    outlet_pages_with_public_articles_are_in_the_sitemap_dated_by_them,
);

async fn the_news_sitemap_lists_the_last_two_days_with_the_repost_time(app: TestApp) {
    let token = app.with_example_catalog().await;
    let pushed: Value = app.push(&token, &example_article()).await.json().await.unwrap();
    let robots = app.get_text("/robots.txt").await;
    assert!(robots.contains(&format!("Sitemap: {}", app.url("/sitemap-news.xml"))));
    let news = app.get("/sitemap-news.xml").await;
    assert_eq!(news.headers()["content-type"], "application/xml; charset=utf-8");
    let news = news.text().await.unwrap();
    assert!(news.contains("xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\""));
    let expected = format!(
        "<url><loc>{}</loc><news:news><news:publication><news:name>Test Portal</news:name>\
         <news:language>zh-cn</news:language></news:publication>\
         <news:publication_date>{}</news:publication_date><news:title>做带领群众奔向幸福生活的“头雁”</news:title>\
         </news:news></url>",
        pushed["url"].as_str().unwrap(),
        pushed["reposted_at"].as_str().unwrap()
    );
    assert!(news.contains(&expected), "{news}");

    app.admin_patch("/api/v1/outlets/cjrb", json!({"indexing": "noindex"})).await;
    assert!(!app.get_text("/sitemap-news.xml").await.contains("<url>"), "only indexable pages are listed");
    assert_eq!(app.get("/sitemaps/news-0.xml").await.status(), 404, "one file needs no pages");
}

async fn robots_and_the_sitemap_index_point_to_every_indexable_page(app: TestApp) {
    let token = app.with_example_catalog().await;
    let pushed: Value = app.push(&token, &example_article()).await.json().await.unwrap();

    let robots = app.get("/robots.txt").await;
    assert_eq!(robots.headers()["content-type"], "text/plain; charset=utf-8");
    assert!(robots.text().await.unwrap().contains(&format!("Sitemap: {}", app.url("/sitemap.xml"))));

    let index = app.get("/sitemap.xml").await;
    assert_eq!(index.headers()["content-type"], "application/xml; charset=utf-8");
    let index = index.text().await.unwrap();
    assert!(index.contains("<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"));
    let shard_url = app.url("/sitemaps/articles-0.xml");
    assert!(index.contains(&format!("<loc>{shard_url}</loc>")), "{index}");
    assert!(index.contains(&format!("<loc>{}</loc>", app.url("/sitemaps/pages.xml"))));

    let shard = app.get_text("/sitemaps/articles-0.xml").await;
    let updated = pushed["updated_at"].as_str().unwrap();
    assert!(
        shard.contains(&format!(
            "<url><loc>{}</loc><lastmod>{updated}</lastmod></url>",
            pushed["url"].as_str().unwrap()
        )),
        "{shard}"
    );

    let pages = app.get_text("/sitemaps/pages.xml").await;
    for path in ["/", "/columns/zhuanti", "/columns/party-96"] {
        assert!(pages.contains(&format!("<loc>{}</loc>", app.url(path))), "{path} in {pages}");
    }
    // A column page is dated by the latest change to what it lists, sub-columns' included.
    crate::helpers::next_second().await; // lastmods have whole seconds
    let mut corrected = example_article();
    corrected["title"] = json!("更正后的标题");
    let corrected: Value = app.push(&token, &corrected).await.json().await.unwrap();
    let corrected_at = corrected["updated_at"].as_str().unwrap();
    assert_ne!(corrected_at, updated);
    let pages = app.get_text("/sitemaps/pages.xml").await;
    for path in ["/", "/columns/zhuanti", "/columns/party-96"] {
        let dated = format!("<loc>{}</loc><lastmod>{corrected_at}</lastmod>", app.url(path));
        assert!(pages.contains(&dated), "{path} dated {corrected_at} in {pages}");
    }
    // The index dates the shard by its latest change, and drops it once it lists nothing.
    let index = app.get_text("/sitemap.xml").await;
    assert!(index.contains(&format!("<loc>{shard_url}</loc><lastmod>{corrected_at}</lastmod>")), "{index}");
    let withdraw = app.client.delete(app.url(&format!("/api/v1/articles/{}", corrected["id"]))).bearer_auth(&token);
    assert!(withdraw.send().await.unwrap().status().is_success());
    let index = app.get_text("/sitemap.xml").await;
    assert!(!index.contains("articles-0.xml"), "{index}");
    assert_eq!(app.get("/sitemaps/articles-7.xml").await.status(), 404);
    assert_eq!(app.get("/sitemaps/other.xml").await.status(), 404);
}

async fn sitemaps_leave_out_pages_that_are_not_canonical(app: TestApp) {
    let token = app.with_example_catalog().await;
    let pushed: Value = app.push(&token, &example_article()).await.json().await.unwrap();
    let page = pushed["url"].as_str().unwrap().to_owned();
    for policy in ["original", "noindex"] {
        app.admin_patch("/api/v1/outlets/cjrb", json!({"indexing": policy})).await;
        assert!(!app.get_text("/sitemap.xml").await.contains("articles-0.xml"), "{policy}");
        assert_eq!(app.get("/sitemaps/articles-0.xml").await.status(), 404, "{policy}");
    }
    app.admin_patch("/api/v1/outlets/cjrb", json!({"indexing": "self"})).await;
    assert!(app.get_text("/sitemaps/articles-0.xml").await.contains(&page));
}

/// A shard is dated by every article in its range, held ones included; one deleted for
/// good (rejected from the quarantine) no longer counts.
async fn a_rejected_article_no_longer_dates_its_shard(app: TestApp) {
    let token = app.with_example_catalog().await;
    let published: Value = app.push(&token, &example_article()).await.json().await.unwrap();
    crate::helpers::next_second().await; // lastmods have whole seconds
    let mut spam = example_article();
    spam["original_url"] = json!("http://www.cjxww.cn/a?id=spam");
    spam["content_html"] = json!("<p>bet365</p>");
    let held: Value = app.push(&token, &spam).await.json().await.unwrap();
    assert_eq!(held["status"], "quarantined");
    assert_ne!(held["updated_at"], published["updated_at"]);
    let reject = format!("/api/v1/quarantine/{}/reject", held["id"]);
    assert_eq!(app.admin_post(&reject, json!({})).await.status(), 204);
    let index = app.get_text("/sitemap.xml").await;
    let shard = app.url("/sitemaps/articles-0.xml");
    let dated = format!("<loc>{shard}</loc><lastmod>{}</lastmod>", published["updated_at"].as_str().unwrap());
    assert!(index.contains(&dated), "{index}");
}

/// An outlet's page is listed while the outlet has public articles, dated by the latest
/// change to one (a withdrawal included), unless its agreement says `noindex`.
async fn outlet_pages_with_public_articles_are_in_the_sitemap_dated_by_them(app: TestApp) {
    let token = app.with_example_catalog().await;
    app.add_outlet("quiet", json!({})).await;
    crate::helpers::next_second().await; // lastmods have whole seconds
    let pushed: Value = app.push(&token, &example_article()).await.json().await.unwrap();
    let outlet_page = format!("<loc>{}</loc>", app.url("/outlets/cjrb"));
    let dated = |at: &Value| format!("{outlet_page}<lastmod>{}</lastmod>", at.as_str().unwrap());

    let pages = app.get_text("/sitemaps/pages.xml").await;
    assert!(pages.contains(&dated(&pushed["updated_at"])), "{pages}");
    assert!(!pages.contains("/outlets/quiet"), "an outlet without articles has no page worth listing");

    crate::helpers::next_second().await;
    let mut corrected = example_article();
    corrected["title"] = json!("更正后的标题");
    let corrected: Value = app.push(&token, &corrected).await.json().await.unwrap();
    let pages = app.get_text("/sitemaps/pages.xml").await;
    assert!(pages.contains(&dated(&corrected["updated_at"])), "a correction dates it: {pages}");
    let index = app.get_text("/sitemap.xml").await;
    let pages_dated = format!(
        "<loc>{}</loc><lastmod>{}</lastmod>",
        app.url("/sitemaps/pages.xml"),
        corrected["updated_at"].as_str().unwrap()
    );
    assert!(index.contains(&pages_dated), "{index}");

    let withdraw = app.client.delete(app.url(&format!("/api/v1/articles/{}", pushed["id"]))).bearer_auth(&token);
    assert!(withdraw.send().await.unwrap().status().is_success());
    assert!(!app.get_text("/sitemaps/pages.xml").await.contains(&outlet_page), "no public article left");
    let back: Value = app.push(&token, &example_article()).await.json().await.unwrap();
    assert!(app.get_text("/sitemaps/pages.xml").await.contains(&dated(&back["updated_at"])));

    // `original`: the page is ours (no original stands for it) and stays listed;
    // `noindex`: out of the sitemap, and the page itself asks robots not to index it.
    app.admin_patch("/api/v1/outlets/cjrb", json!({"indexing": "original"})).await;
    assert!(app.get_text("/sitemaps/pages.xml").await.contains(&outlet_page));
    assert!(!app.get_text("/outlets/cjrb").await.contains("noindex"));
    app.admin_patch("/api/v1/outlets/cjrb", json!({"indexing": "noindex"})).await;
    assert!(!app.get_text("/sitemaps/pages.xml").await.contains(&outlet_page));
    let page = app.get_text("/outlets/cjrb").await;
    assert!(page.contains("<meta name=\"robots\" content=\"noindex\">") && !page.contains("rel=\"canonical\""));
}
