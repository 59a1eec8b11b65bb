//! Reposting rules (issue 15): columns for licensed sources (稿源单位) only, refusing
//! an unlicensed outlet's articles on every way in (push, batch, poll, import) and on
//! an editor's move (API and console); an outlet that withdrew its permission to
//! repost has nothing more taken while what it had published stays; its reposting
//! terms show under its articles, as text.

use crate::browser::signed_in;
use crate::helpers::{example_article, numbered_article, serve_feeds, TestApp};
use crate::stories;
use serde_json::{json, Value};

stories!(
    the_admin_api_sets_and_shows_licences_terms_and_licensed_only_columns,
    a_licensed_only_column_takes_pushes_and_batches_from_licensed_outlets_only,
    polled_and_imported_items_for_a_licensed_only_column_are_refused_with_the_reason,
    an_editor_cannot_move_an_unlicensed_article_into_a_licensed_only_column,
    an_outlet_that_withdrew_permission_has_nothing_taken_and_keeps_what_is_published,
    repost_terms_show_under_the_article_as_text,
);

/// The example catalogue with 专题栏目 (and so 庆祝建党96周年 under it) for licensed
/// sources only, and 本地新闻 open to all; 昌吉日报's token (not licensed).
async fn licensed_catalog(app: &TestApp) -> String {
    let token = app.with_example_catalog().await;
    app.add_column("local", "本地新闻", None).await;
    let marked = app.admin_patch("/api/v1/columns/zhuanti", json!({"licensed_only": true})).await;
    assert_eq!(marked.status(), 200);
    token
}

async fn license_cjrb(app: &TestApp, licensed: bool) {
    let response = app.admin_patch("/api/v1/outlets/cjrb", json!({"licensed": licensed})).await;
    assert_eq!(response.status(), 200);
}

fn an_rss_feed(ids: &[usize]) -> String {
    let items: String = ids
        .iter()
        .map(|n| {
            format!(
                "<item><title>稿件 {n}</title><link>http://www.cjxww.cn/show?id={n}</link>\
                 <description>正文 {n}</description><pubDate>Thu, 28 Jun 2018 03:39:20 GMT</pubDate></item>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>昌吉日报</title>\
             <link>http://www.cjxww.cn/</link>{items}</channel></rss>"
    )
}

async fn the_admin_api_sets_and_shows_licences_terms_and_licensed_only_columns(app: TestApp) {
    app.add_column("zhuanti", "专题栏目", None).await;
    app.add_column("party-96", "庆祝建党96周年", Some("zhuanti")).await;
    let created = app
        .admin_post(
            "/api/v1/outlets",
            json!({"slug": "xjdaily", "name": "新疆日报", "homepage": "https://www.xjdaily.com/",
                   "licensed": true, "licence_ref": "2016 年版名单", "repost_terms": "版权归原作者所有"}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let outlet: Value = created.json().await.unwrap();
    assert_eq!(
        (&outlet["licensed"], &outlet["licence_ref"], &outlet["allow_repost"], &outlet["repost_terms"]),
        (&json!(true), &json!("2016 年版名单"), &json!(true), &json!("版权归原作者所有"))
    );
    let plain: Value = app.admin_get("/api/v1/outlets/xjdaily").await.json().await.unwrap();
    assert_eq!(plain["licensed"], true);
    app.add_outlet("cjrb", json!({})).await;
    let defaults: Value = app.admin_get("/api/v1/outlets/cjrb").await.json().await.unwrap();
    assert_eq!((&defaults["licensed"], &defaults["allow_repost"]), (&json!(false), &json!(true)), "the defaults");

    let edited = app.admin_patch("/api/v1/outlets/xjdaily", json!({"licence_ref": null, "allow_repost": false})).await;
    assert_eq!(edited.status(), 200);
    let edited: Value = edited.json().await.unwrap();
    assert_eq!((&edited["licence_ref"], &edited["allow_repost"]), (&Value::Null, &json!(false)));
    assert_eq!(edited["licensed"], true, "what the edit leaves out stays");
    for wrong in [json!({"licensed": "yes"}), json!({"licensed": null}), json!({"repost_terms": "x".repeat(2001)})] {
        let refused = app.admin_patch("/api/v1/outlets/xjdaily", wrong.clone()).await;
        assert!(refused.status() == 400 || refused.status() == 422, "{wrong}: {}", refused.status());
    }

    let marked: Value =
        app.admin_patch("/api/v1/columns/zhuanti", json!({"licensed_only": true})).await.json().await.unwrap();
    assert_eq!((&marked["licensed_only"], &marked["licensed_only_by"]), (&json!(true), &json!("zhuanti")));
    let below: Value = app.admin_get("/api/v1/columns/party-96").await.json().await.unwrap();
    assert_eq!((&below["licensed_only"], &below["licensed_only_by"]), (&json!(false), &json!("zhuanti")));
    let added = app
        .admin_post("/api/v1/columns", json!({"slug": "news", "title": "要闻", "licensed_only": true}))
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(added["licensed_only"], true);

    let audit: Value = app.admin_get("/api/v1/audit?target=outlet:xjdaily").await.json().await.unwrap();
    let text = audit.to_string();
    assert!(text.contains("\"allow_repost\":false") && text.contains("\"licence_ref\""), "{audit}");
}

async fn a_licensed_only_column_takes_pushes_and_batches_from_licensed_outlets_only(app: TestApp) {
    let token = licensed_catalog(&app).await;
    let refused = app.push(&token, &example_article()).await;
    assert_eq!(refused.status(), 422);
    let body: Value = refused.json().await.unwrap();
    let reason = body["fields"]["columns"].as_str().unwrap();
    assert!(reason.contains("'zhuanti'") && reason.contains("licensed"), "names the column above: {body}");
    assert_eq!(app.query_number("SELECT COUNT(*) FROM articles").await, 0);

    let batch: Value = app
        .push_batch(&token, &[numbered_article(1, "party-96"), numbered_article(2, "local")])
        .await
        .json()
        .await
        .unwrap();
    let results = batch["results"].as_array().unwrap();
    assert_eq!(results[0]["status"], "invalid", "{batch}");
    assert!(results[0]["fields"]["columns"].as_str().unwrap().contains("zhuanti"), "{batch}");
    assert_eq!(results[1]["status"], "created", "its neighbour is stored: {batch}");

    license_cjrb(&app, true).await;
    assert_eq!(app.push(&token, &example_article()).await.status(), 201, "licensed now");
}

async fn polled_and_imported_items_for_a_licensed_only_column_are_refused_with_the_reason(app: TestApp) {
    let token = licensed_catalog(&app).await;
    let base = serve_feeds(vec![("/feed.xml", an_rss_feed(&[1, 2]))]).await;
    // Saved although its column is for licensed sources only: the outlet may be
    // licensed later, and each poll asks again.
    let created = app
        .admin_post(
            "/api/v1/sources",
            json!({"outlet": "cjrb", "url": format!("{base}/feed.xml"), "columns": ["local"],
                   "routes": [{"match": "keyword", "value": "稿件 2", "column": "party-96"}]}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let id = created.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let polled: Value = app.admin_post(&format!("/api/v1/sources/{id}/poll"), json!({})).await.json().await.unwrap();
    assert_eq!((polled["items_new"].as_i64(), polled["items_refused"].as_i64()), (Some(1), Some(1)), "{polled}");
    let reasons = polled["refusals"].as_object().unwrap();
    assert!(reasons.keys().any(|r| r.contains("'zhuanti'") && r.contains("licensed")), "{polled}");
    let source: Value = app.admin_get(&format!("/api/v1/sources/{id}")).await.json().await.unwrap();
    assert_eq!(source["refusals"], polled["refusals"], "kept on the source");

    let (_, imported) = app.import_into_party_96(&token, "application/rss+xml", an_rss_feed(&[3])).await;
    assert_eq!(imported["created"].as_i64(), Some(0), "{imported}");
    assert!(imported["items"][0]["reason"].as_str().unwrap().contains("licensed"), "{imported}");

    license_cjrb(&app, true).await;
    let (status, imported) = app.import_into_party_96(&token, "application/rss+xml", an_rss_feed(&[3])).await;
    assert_eq!((status, imported["created"].as_i64()), (201, Some(1)), "{imported}");
}

async fn an_editor_cannot_move_an_unlicensed_article_into_a_licensed_only_column(app: TestApp) {
    let token = licensed_catalog(&app).await;
    let pushed: Value = app.push(&token, &numbered_article(1, "local")).await.json().await.unwrap();
    let id = pushed["id"].as_i64().unwrap();
    let path = format!("/api/v1/articles/{id}/columns");
    let moved = app.client.put(app.url(&path)).bearer_auth(crate::helpers::ADMIN_TOKEN);
    let refused = moved.json(&json!({"columns": ["local", "party-96"]})).send().await.unwrap();
    assert_eq!(refused.status(), 422);
    let body: Value = refused.json().await.unwrap();
    assert!(body["fields"]["columns"].as_str().unwrap().contains("zhuanti"), "{body}");

    let admin = signed_in(&app, "wangfang", "admin", &[]).await;
    let csrf = admin.csrf().await;
    let console = admin.post(&format!("/admin/articles/{id}/move"), &[("csrf", &csrf), ("column", "party-96")]).await;
    assert_eq!(console.status, 422);
    assert!(console.body.contains("只收稿源单位的稿件"), "{}", console.body);
    let columns: Value = app.get("/columns/local/feed.json").await.json().await.unwrap();
    assert_eq!(columns["items"].as_array().unwrap().len(), 1, "still where it was");

    license_cjrb(&app, true).await;
    let moved = app.client.put(app.url(&path)).bearer_auth(crate::helpers::ADMIN_TOKEN);
    assert_eq!(moved.json(&json!({"columns": ["party-96"]})).send().await.unwrap().status(), 200);
}

async fn an_outlet_that_withdrew_permission_has_nothing_taken_and_keeps_what_is_published(app: TestApp) {
    let token = app.with_example_catalog().await;
    let pushed: Value = app.push(&token, &example_article()).await.json().await.unwrap();
    let page = pushed["url"].as_str().unwrap().to_owned();
    let base = serve_feeds(vec![("/feed.xml", an_rss_feed(&[1]))]).await;
    let created = app
        .admin_post(
            "/api/v1/sources",
            json!({"outlet": "cjrb", "url": format!("{base}/feed.xml"), "columns": ["party-96"]}),
        )
        .await;
    let source = created.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

    let withdrawn = app.admin_patch("/api/v1/outlets/cjrb", json!({"allow_repost": false})).await;
    assert_eq!(withdrawn.status(), 200);
    let refused = app.push(&token, &numbered_article(2, "party-96")).await;
    assert_eq!(refused.status(), 403);
    let body: Value = refused.json().await.unwrap();
    assert!(body.to_string().contains("allow_repost"), "says why: {body}");
    let mut corrected = example_article();
    corrected["title"] = json!("更正后的标题");
    assert_eq!(app.push(&token, &corrected).await.status(), 403, "nor an update");
    let batch: Value = app.push_batch(&token, &[numbered_article(3, "party-96")]).await.json().await.unwrap();
    assert_eq!(batch["results"][0]["status"], "refused", "{batch}");

    let polled: Value =
        app.admin_post(&format!("/api/v1/sources/{source}/poll"), json!({})).await.json().await.unwrap();
    assert_eq!((polled["items_new"].as_i64(), polled["items_refused"].as_i64()), (Some(0), Some(1)), "{polled}");
    assert!(polled["refusals"].to_string().contains("does not allow reposting"), "{polled}");

    let path = page.split_once("//").unwrap().1.split_once('/').unwrap().1;
    let shown = app.get_text(&format!("/{path}")).await;
    assert!(shown.contains("做带领群众奔向幸福生活的“头雁”"), "what was published stays, unchanged");
    let feed: Value = app.get("/feed.json").await.json().await.unwrap();
    assert_eq!(feed["items"].as_array().unwrap().len(), 1);
}

async fn repost_terms_show_under_the_article_as_text(app: TestApp) {
    let token = app.with_example_catalog().await;
    let terms = "<script>alert(1)</script>版权归原作者所有，如有侵权请联系删除";
    let set = app.admin_patch("/api/v1/outlets/cjrb", json!({"repost_terms": terms})).await;
    assert_eq!(set.status(), 200);
    let pushed: Value = app.push(&token, &example_article()).await.json().await.unwrap();
    let page = pushed["url"].as_str().unwrap();
    let path = page.split_once("//").unwrap().1.split_once('/').unwrap().1;
    let shown = app.get_text(&format!("/{path}")).await;
    assert!(shown.contains("&lt;script&gt;alert(1)&lt;/script&gt;版权归原作者所有，如有侵权请联系删除"), "{shown}");
    assert!(!shown.contains("<script>alert"), "never markup");

    app.admin_patch("/api/v1/outlets/cjrb", json!({"repost_terms": null})).await;
    let shown = app.get_text(&format!("/{path}")).await;
    assert!(!shown.contains("版权归原作者所有，如有侵权"), "cleared terms leave the page");
}
