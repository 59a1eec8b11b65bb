//! Review before publish and the responsible editor (issue 15): an outlet or a source
//! under `manual` review has its new articles held as pending, invisible in every
//! public output, until an editor approves one (published then, the approver its
//! 责任编辑) or rejects it with a reason (kept, published nowhere, never brought back by
//! a later push). Under `auto`, the outlet's default editor is recorded when an article
//! is first stored. Editors are shown by real name on the page, in JSON-LD, in every
//! feed format and in the partner API.

use crate::browser::{add_user, check_page, signed_in};
use crate::helpers::{example_article, numbered_article, serve_feeds, TestApp, ADMIN_TOKEN};
use crate::stories;
use crate::users::{as_user, user_with_token};
use reqwest::Method;
use serde_json::{json, Value};
use syndic::domain::audit::Action;
use syndic::domain::Actor;
use syndic::store::{Audit, StoreError};

stories!(
    pending_articles_are_invisible_everywhere_until_an_editor_approves_one,
    the_review_queue_is_oldest_first_within_the_users_columns_and_paged,
    a_rejected_article_keeps_its_reason_and_a_later_push_does_not_bring_it_back,
    the_outlets_default_editor_is_recorded_when_an_article_is_first_stored,
    a_manual_source_holds_what_it_polls_and_turning_review_off_publishes_nothing,
    the_console_review_queue_approves_and_rejects_with_its_forms,
    a_release_or_an_approval_says_where_the_article_really_stands,
    decisions_at_once_on_one_article_leave_one_done_and_the_others_conflicts,
    an_editor_of_some_columns_cannot_be_an_outlets_default_editor,
);

/// The example catalogue with 昌吉日报 under manual review; its ingest token.
async fn manual_catalog(app: &TestApp) -> String {
    let token = app.with_example_catalog().await;
    let set = app.admin_patch("/api/v1/outlets/cjrb", json!({"review": "manual"})).await;
    assert_eq!(set.status(), 200);
    assert_eq!(set.json::<Value>().await.unwrap()["review"], "manual");
    token
}

/// Pushes an article and checks it is held for review; its id.
async fn push_pending(app: &TestApp, token: &str, article: &Value) -> i64 {
    let pushed = app.push(token, article).await;
    assert_eq!(pushed.status(), 202);
    let pushed: Value = pushed.json().await.unwrap();
    assert_eq!(pushed["status"], "pending", "{pushed}");
    pushed["id"].as_i64().unwrap()
}

/// Every public output a reader, crawler or partner reads, with what it answered.
async fn public_outputs(app: &TestApp, partner: &str) -> Vec<(String, u16, String)> {
    let mut outputs = Vec::new();
    for path in [
        "/",
        "/feed.json",
        "/rss.xml",
        "/atom.xml",
        "/columns/party-96",
        "/columns/party-96/feed.json",
        "/columns/party-96/rss.xml",
        "/columns/party-96/atom.xml",
        "/columns/zhuanti/rss.xml",
        "/outlets/cjrb",
        "/outlets/cjrb/rss.xml",
        "/sitemap.xml",
        "/sitemap-news.xml",
        "/sitemaps/articles-0.xml",
        "/articles/1",
    ] {
        let response = app.get(path).await;
        let status = response.status().as_u16();
        outputs.push((path.to_owned(), status, response.text().await.unwrap()));
    }
    let changes = app.client.get(app.url("/api/v1/articles")).bearer_auth(partner).send().await.unwrap();
    outputs.push(("/api/v1/articles".to_owned(), changes.status().as_u16(), changes.text().await.unwrap()));
    outputs
}

async fn partner_token(app: &TestApp) -> String {
    let created = app.admin_post("/api/v1/partners", json!({"name": "邻市新闻网", "columns": ["zhuanti"]})).await;
    assert_eq!(created.status(), 201);
    created.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
}

async fn pending_articles_are_invisible_everywhere_until_an_editor_approves_one(app: TestApp) {
    let token = manual_catalog(&app).await;
    let partner = partner_token(&app).await;
    let id = push_pending(&app, &token, &example_article()).await;
    assert_eq!(id, 1);
    let title = "做带领群众奔向幸福生活的“头雁”";
    for (path, status, body) in public_outputs(&app, &partner).await {
        assert!(!body.contains(title) && !body.contains("93487"), "a pending article leaked into {path}: {body}");
        if path == "/articles/1" {
            assert_eq!(status, 404, "{path}");
        }
    }
    for sql in [
        "SELECT CAST(COALESCE(SUM(listed_count), 0) AS BIGINT) FROM column_stats",
        "SELECT CAST(COALESCE(SUM(listed_count), 0) AS BIGINT) FROM outlet_stats",
        "SELECT CAST(COALESCE(SUM(listed_count), 0) AS BIGINT) FROM sitemap_blocks",
        "SELECT COUNT(*) FROM articles WHERE archive_seq IS NOT NULL",
    ] {
        assert_eq!(app.query_number(sql).await, 0, "{sql}");
    }
    let mut corrected = example_article();
    corrected["summary"] = json!("更新后的摘要");
    assert_eq!(push_pending(&app, &token, &corrected).await, id, "a later push updates it and keeps it pending");
    let staff: Value = app.admin_get(&format!("/api/v1/admin/articles/{id}")).await.json().await.unwrap();
    assert_eq!((&staff["status"], &staff["held_for_review_by"]), (&json!("pending"), &json!("outlet")), "{staff}");
    assert_eq!(staff["editor"], Value::Null);

    let viewer = user_with_token(&app, "zhaolei", "viewer", &[]).await;
    let approve = format!("/api/v1/articles/{id}/approve");
    assert_eq!(as_user(&app, &viewer, Method::POST, &approve, None).await, 403);
    let editor = user_with_token(&app, "wangfang", "editor", &[]).await;
    let received = staff["reposted_at"].as_str().unwrap().to_owned();
    crate::helpers::next_second().await;
    let before = chrono::Utc::now();
    let approved = app.client.post(app.url(&approve)).bearer_auth(&editor).send().await.unwrap();
    assert_eq!(approved.status(), 200);
    let approved: Value = approved.json().await.unwrap();
    let reposted = chrono::DateTime::parse_from_rfc3339(approved["reposted_at"].as_str().unwrap()).unwrap();
    assert!(reposted >= before - chrono::Duration::seconds(1), "the approval's time: {approved}");
    assert_ne!(approved["reposted_at"].as_str().unwrap(), received, "not the time it was received");
    assert_eq!(approved["status"], "published");
    assert_eq!(approved["editor"], json!({"username": "wangfang", "real_name": "王芳"}));
    assert_eq!(app.client.post(app.url(&approve)).bearer_auth(&editor).send().await.unwrap().status(), 409);

    let page = app.get_text("/articles/1").await;
    assert!(page.contains("责任编辑: 王芳"), "{page}");
    assert!(page.contains(r#""editor":{"@type":"Person","name":"王芳"}"#), "JSON-LD names the editor: {page}");
    let rss = app.get_text("/columns/party-96/rss.xml").await;
    assert!(rss.contains("<syndic:editor>王芳</syndic:editor>"), "{rss}");
    let atom = app.get_text("/columns/party-96/atom.xml").await;
    assert!(atom.contains("<syndic:editor>王芳</syndic:editor>"), "{atom}");
    let feed: Value = app.get("/feed.json").await.json().await.unwrap();
    assert_eq!(feed["items"][0]["_syndic"]["editor"], "王芳");
    let changes: Value =
        app.client.get(app.url("/api/v1/articles")).bearer_auth(&partner).send().await.unwrap().json().await.unwrap();
    let items = changes["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{changes}");
    assert_eq!((&items[0]["editor"], &items[0]["reposted_at"]), (&json!("王芳"), &approved["reposted_at"]));
    assert_eq!(app.query_number("SELECT CAST(COALESCE(SUM(listed_count), 0) AS BIGINT) FROM column_stats").await, 2);
    let home = app.get_text("/").await;
    assert!(home.contains(title), "listed once approved");

    let audit: Value = app.admin_get("/api/v1/audit?action=article.approve").await.json().await.unwrap();
    let entry = &audit["items"][0];
    assert_eq!((&entry["actor"], &entry["target"]), (&json!("user:wangfang"), &json!("article:1")), "{audit}");
    assert_eq!((&entry["before"]["status"], &entry["after"]["status"]), (&json!("pending"), &json!("published")));
    assert_eq!(entry["after"]["editor"], "wangfang");
}

async fn the_review_queue_is_oldest_first_within_the_users_columns_and_paged(app: TestApp) {
    let token = manual_catalog(&app).await;
    app.add_column("local", "本地新闻", None).await;
    let first = push_pending(&app, &token, &numbered_article(1, "local")).await;
    let second = push_pending(&app, &token, &numbered_article(2, "party-96")).await;
    let third = push_pending(&app, &token, &numbered_article(3, "local")).await;

    let queue: Value = app.admin_get("/api/v1/review").await.json().await.unwrap();
    let ids: Vec<i64> = queue["articles"].as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [first, second, third], "oldest first: {queue}");
    let one = &queue["articles"][1];
    assert_eq!(
        (&one["outlet"], &one["outlet_name"], &one["columns"]),
        (&json!("cjrb"), &json!("昌吉日报"), &json!(["party-96"]))
    );
    assert_eq!(
        (&one["held_by"], &one["original_url"]),
        (&json!("outlet"), &numbered_article(2, "party-96")["original_url"])
    );
    assert!(one["received_at"].is_string() && one["title"].is_string(), "{one}");

    let page: Value = app.admin_get("/api/v1/review?limit=2").await.json().await.unwrap();
    assert_eq!(page["articles"].as_array().unwrap().len(), 2);
    let cursor = page["next_cursor"].as_str().unwrap();
    let rest: Value = app.admin_get(&format!("/api/v1/review?limit=2&cursor={cursor}")).await.json().await.unwrap();
    assert_eq!((rest["articles"][0]["id"].as_i64(), &rest["next_cursor"]), (Some(third), &Value::Null));
    assert_eq!(app.admin_get("/api/v1/review?cursor=nope").await.status(), 400);

    let local = user_with_token(&app, "wangfang", "editor", &["local"]).await;
    let scoped: Value =
        app.client.get(app.url("/api/v1/review")).bearer_auth(&local).send().await.unwrap().json().await.unwrap();
    let ids: Vec<i64> = scoped["articles"].as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [first, third], "only what lies within its columns: {scoped}");
    let outside = format!("/api/v1/articles/{second}/approve");
    assert_eq!(as_user(&app, &local, Method::POST, &outside, None).await, 403, "outside its columns");
    let inside = format!("/api/v1/articles/{third}/approve");
    assert_eq!(as_user(&app, &local, Method::POST, &inside, None).await, 200);
    let left: Value = app.admin_get("/api/v1/review").await.json().await.unwrap();
    assert_eq!(left["articles"].as_array().unwrap().len(), 2);
    assert_eq!(app.admin_post("/api/v1/articles/999/approve", json!({})).await.status(), 404);
}

async fn a_rejected_article_keeps_its_reason_and_a_later_push_does_not_bring_it_back(app: TestApp) {
    let token = manual_catalog(&app).await;
    let id = push_pending(&app, &token, &example_article()).await;
    let reject = format!("/api/v1/articles/{id}/reject");
    for blank in [json!({}), json!({"reason": "  "})] {
        let refused = app.admin_post(&reject, blank).await;
        assert_eq!(refused.status(), 422);
        let body: Value = refused.json().await.unwrap();
        assert!(body["fields"]["reason"].is_string(), "{body}");
    }
    let viewer = user_with_token(&app, "zhaolei", "viewer", &[]).await;
    assert_eq!(as_user(&app, &viewer, Method::POST, &reject, Some(json!({"reason": "不合适"}))).await, 403);
    let rejected = app.admin_post(&reject, json!({"reason": "标题与原文不符"})).await;
    assert_eq!(rejected.status(), 200);
    let rejected: Value = rejected.json().await.unwrap();
    assert_eq!((&rejected["status"], &rejected["review_reason"]), (&json!("rejected"), &json!("标题与原文不符")));
    assert_eq!(app.admin_post(&reject, json!({"reason": "再次"})).await.status(), 409, "no longer pending");
    assert_eq!(app.admin_post(&format!("/api/v1/articles/{id}/approve"), json!({})).await.status(), 409);

    let listed: Value = app.admin_get("/api/v1/admin/articles?status=rejected").await.json().await.unwrap();
    assert_eq!(listed["articles"][0]["id"].as_i64(), Some(id), "{listed}");
    let none: Value = app.admin_get("/api/v1/admin/articles?status=pending").await.json().await.unwrap();
    assert_eq!(none["articles"], json!([]));
    let queue: Value = app.admin_get("/api/v1/review").await.json().await.unwrap();
    assert_eq!(queue["articles"], json!([]));

    app.admin_patch("/api/v1/outlets/cjrb", json!({"review": "auto"})).await;
    let mut again = example_article();
    again["title"] = json!("再次推送");
    let pushed = app.push(&token, &again).await;
    assert_eq!(pushed.status(), 202);
    assert_eq!(pushed.json::<Value>().await.unwrap()["status"], "rejected", "a later push does not resurrect it");
    assert_eq!(app.get(&format!("/articles/{id}")).await.status(), 404);
    assert!(!app.get_text("/feed.json").await.contains("再次推送"));

    let audit: Value = app.admin_get("/api/v1/audit?action=article.reject").await.json().await.unwrap();
    let entry = &audit["items"][0];
    assert_eq!((&entry["actor"], &entry["after"]["review_reason"]), (&json!("admin-token"), &json!("标题与原文不符")));
    assert_eq!(entry["after"]["status"], "rejected");
}

async fn the_outlets_default_editor_is_recorded_when_an_article_is_first_stored(app: TestApp) {
    let token = app.with_example_catalog().await;
    add_user(&app, "liming", "李明", "editor").await;
    add_user(&app, "zhaolei", "赵雷", "viewer").await;
    add_user(&app, "gone", "离职者", "admin").await;
    let disabled = app.admin_patch("/api/v1/users/gone", json!({"disabled": true})).await;
    assert_eq!(disabled.status(), 200);
    for wrong in ["nobody", "zhaolei", "gone"] {
        let refused = app.admin_patch("/api/v1/outlets/cjrb", json!({"default_editor": wrong})).await;
        assert_eq!(refused.status(), 422, "{wrong}");
        let body: Value = refused.json().await.unwrap();
        assert!(body["fields"]["default_editor"].is_string(), "{body}");
    }
    let set = app.admin_patch("/api/v1/outlets/cjrb", json!({"default_editor": "liming"})).await;
    assert_eq!(set.status(), 200);
    assert_eq!(set.json::<Value>().await.unwrap()["default_editor"], "liming");

    let pushed = app.push(&token, &example_article()).await;
    assert_eq!(pushed.status(), 201, "auto review publishes at once");
    let page = app.get_text("/articles/1").await;
    assert!(page.contains("责任编辑: 李明"), "{page}");
    let staff: Value = app.admin_get("/api/v1/admin/articles/1").await.json().await.unwrap();
    assert_eq!(staff["editor"], json!({"username": "liming", "real_name": "李明"}));
    assert_eq!(staff["held_for_review_by"], Value::Null);

    add_user(&app, "chenjing", "陈静", "editor").await;
    app.admin_patch("/api/v1/outlets/cjrb", json!({"default_editor": "chenjing"})).await;
    let mut corrected = example_article();
    corrected["summary"] = json!("更新");
    assert_eq!(app.push(&token, &corrected).await.status(), 200);
    assert!(app.get_text("/articles/1").await.contains("责任编辑: 李明"), "recorded when first stored, kept");
    assert_eq!(app.push(&token, &numbered_article(2, "party-96")).await.status(), 201);
    assert!(app.get_text("/articles/2").await.contains("责任编辑: 陈静"));

    let renamed = app.admin_patch("/api/v1/users/liming", json!({"name": "李明华"})).await;
    assert_eq!(renamed.status(), 200);
    assert!(app.get_text("/articles/1").await.contains("责任编辑: 李明华"), "the real name as it is now");
    let cleared = app.admin_patch("/api/v1/outlets/cjrb", json!({"default_editor": null})).await;
    assert_eq!(cleared.json::<Value>().await.unwrap()["default_editor"], Value::Null);
    assert_eq!(app.push(&token, &numbered_article(3, "party-96")).await.status(), 201);
    assert!(!app.get_text("/articles/3").await.contains("责任编辑"), "none recorded, none shown");

    // A default editor who may no longer edit (made a viewer, or disabled) is named on nothing new.
    app.admin_patch("/api/v1/outlets/cjrb", json!({"default_editor": "chenjing"})).await;
    assert_eq!(app.admin_patch("/api/v1/users/chenjing", json!({"role": "viewer"})).await.status(), 200);
    assert_eq!(app.push(&token, &numbered_article(4, "party-96")).await.status(), 201);
    assert!(!app.get_text("/articles/4").await.contains("责任编辑"), "a viewer is no responsible editor");
    assert_eq!(app.admin_patch("/api/v1/users/chenjing", json!({"role": "editor"})).await.status(), 200);
    assert_eq!(app.admin_patch("/api/v1/users/chenjing", json!({"disabled": true})).await.status(), 200);
    assert_eq!(app.push(&token, &numbered_article(5, "party-96")).await.status(), 201);
    assert!(!app.get_text("/articles/5").await.contains("责任编辑"), "nor is a disabled user");
    assert!(app.get_text("/articles/2").await.contains("责任编辑: 陈静"), "what was recorded stays");
}

async fn a_manual_source_holds_what_it_polls_and_turning_review_off_publishes_nothing(app: TestApp) {
    let token = app.with_example_catalog().await;
    let items: String = (1..=2)
        .map(|n| {
            format!(
                "<item><title>稿件 {n}</title><link>http://www.cjxww.cn/show?id={n}</link>\
                 <description>正文 {n}</description><pubDate>Thu, 28 Jun 2018 03:39:20 GMT</pubDate></item>"
            )
        })
        .collect();
    let feed = format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>{items}</channel></rss>");
    let base = serve_feeds(vec![("/feed.xml", feed)]).await;
    let created = app
        .admin_post(
            "/api/v1/sources",
            json!({"outlet": "cjrb", "url": format!("{base}/feed.xml"), "columns": ["party-96"], "review": "manual"}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let source: Value = created.json().await.unwrap();
    assert_eq!(source["review"], "manual");
    let id = source["id"].as_i64().unwrap();
    let polled = app.admin_post(&format!("/api/v1/sources/{id}/poll"), json!({})).await;
    assert_eq!(polled.status(), 200);
    let queue: Value = app.admin_get("/api/v1/review").await.json().await.unwrap();
    let held: Vec<&Value> = queue["articles"].as_array().unwrap().iter().collect();
    assert_eq!(held.len(), 2, "{queue}");
    assert!(held.iter().all(|a| a["held_by"] == "source"), "{queue}");
    assert_eq!(app.push(&token, &example_article()).await.status(), 201, "pushes are not the source's");

    let off = app.admin_patch(&format!("/api/v1/sources/{id}"), json!({"review": "auto"})).await;
    assert_eq!(off.status(), 200);
    assert_eq!(off.json::<Value>().await.unwrap()["review"], "auto");
    let queue: Value = app.admin_get("/api/v1/review").await.json().await.unwrap();
    assert_eq!(queue["articles"].as_array().unwrap().len(), 2, "what is pending stays pending");
    let feed: Value = app.get("/columns/party-96/feed.json").await.json().await.unwrap();
    assert_eq!(feed["items"].as_array().unwrap().len(), 1, "{feed}");
    assert_eq!(app.admin_patch(&format!("/api/v1/sources/{id}"), json!({"review": "later"})).await.status(), 422);
}

async fn the_console_review_queue_approves_and_rejects_with_its_forms(app: TestApp) {
    let token = manual_catalog(&app).await;
    app.add_column("local", "本地新闻", None).await;
    let first = push_pending(&app, &token, &example_article()).await;
    let second = push_pending(&app, &token, &numbered_article(2, "party-96")).await;
    let outside = push_pending(&app, &token, &numbered_article(3, "local")).await;

    let editor = signed_in(&app, "liming", "editor", &["zhuanti"]).await;
    let dashboard = editor.get("/admin/").await;
    assert!(dashboard.body.contains("/admin/review"), "the dashboard links to the queue");
    let queue = editor.get("/admin/review").await;
    assert_eq!(queue.status, 200);
    check_page(&queue.body);
    assert!(queue.body.contains("做带领群众奔向幸福生活的“头雁”"), "{}", queue.body);
    assert!(!queue.body.contains(&format!("/admin/review/{outside}\"")), "outside its columns");
    let one = editor.get(&format!("/admin/review/{first}")).await;
    assert_eq!(one.status, 200);
    check_page(&one.body);
    assert!(one.body.contains("nofollow") || one.body.contains("<figure") || one.body.contains("头雁"));
    assert_eq!(editor.get(&format!("/admin/review/{outside}")).await.status, 404);
    assert!(one.body.contains(&format!("/admin/articles/{first}#edit-heading")), "edit first, then approve");
    let its_page = editor.get(&format!("/admin/articles/{first}")).await;
    assert!(its_page.body.contains(&format!("href=\"/admin/review/{first}\"")), "its page leads back to the decision");
    assert!(its_page.body.contains("id=\"edit-heading\""), "with the edit form");
    // Edited while pending, then approved: the edit and the original title are published.
    let edited = app.admin_patch(&format!("/api/v1/articles/{first}"), json!({"title": "奔向幸福生活的“头雁”"})).await;
    assert_eq!(edited.status(), 200);
    assert_eq!(app.get(&format!("/articles/{first}")).await.status(), 404, "an edit publishes nothing");

    let csrf = editor.csrf().await;
    let forged = editor.post(&format!("/admin/review/{first}/approve"), &[("csrf", "forged")]).await;
    assert_eq!(forged.status, 403, "without the session's CSRF token");
    let approved = editor.post(&format!("/admin/review/{first}/approve"), &[("csrf", &csrf)]).await;
    assert_eq!(approved.status, 303);
    assert_eq!(app.get(&format!("/articles/{first}")).await.status(), 200);
    let published = app.get_text(&format!("/articles/{first}")).await;
    assert!(published.contains("责任编辑: liming"), "{published}");
    assert!(published.contains("奔向幸福生活的“头雁”") && published.contains("原标题: 做带领群众奔向幸福生活的“头雁”"));
    let blank = editor.post(&format!("/admin/review/{second}/reject"), &[("csrf", &csrf), ("reason", " ")]).await;
    assert_eq!(blank.status, 422);
    check_page(&blank.body);
    let rejected =
        editor.post(&format!("/admin/review/{second}/reject"), &[("csrf", &csrf), ("reason", "重复稿件")]).await;
    assert_eq!(rejected.status, 303);
    let staff: Value = app.admin_get(&format!("/api/v1/admin/articles/{second}")).await.json().await.unwrap();
    assert_eq!((&staff["status"], &staff["review_reason"]), (&json!("rejected"), &json!("重复稿件")));
    let refused = editor.post(&format!("/admin/review/{outside}/approve"), &[("csrf", &csrf)]).await;
    assert_eq!(refused.status, 403);

    let viewer = signed_in(&app, "zhaolei", "viewer", &[]).await;
    let seen = viewer.get(&format!("/admin/review/{outside}")).await;
    assert_eq!(seen.status, 200);
    assert!(!seen.body.contains("/approve"), "a viewer sees no forms");
    let csrf = viewer.csrf().await;
    assert_eq!(viewer.post(&format!("/admin/review/{outside}/approve"), &[("csrf", &csrf)]).await.status, 403);
}

/// Its last audit entry of `action`.
async fn last_entry(app: &TestApp, action: &str) -> Value {
    let audit: Value = app.admin_get(&format!("/api/v1/audit?action={action}")).await.json().await.unwrap();
    audit["items"][0].clone()
}

async fn a_release_or_an_approval_says_where_the_article_really_stands(app: TestApp) {
    let token = manual_catalog(&app).await;
    let embargo = "2099-01-01T00:00:00Z";
    let spam = |n: usize, embargoed: bool| {
        let mut article = numbered_article(n, "party-96");
        article["content_html"] = json!("<p>正文</p><p>bet365中文 最新优惠</p>");
        if embargoed {
            article["publish_at"] = json!(embargo);
        }
        article
    };
    let held = |pushed: Value| {
        assert_eq!(pushed["status"], "quarantined", "{pushed}");
        pushed["id"].as_i64().unwrap()
    };

    // Held by the content policy and for review: released, it waits for review.
    let both = held(app.push(&token, &spam(1, false)).await.json().await.unwrap());
    let released = app.admin_post(&format!("/api/v1/quarantine/{both}/release"), json!({})).await;
    assert_eq!(released.status(), 200);
    assert_eq!(released.json::<Value>().await.unwrap()["status"], "pending", "not published: it waits for review");
    let entry = last_entry(&app, "quarantine.release").await;
    assert_eq!((&entry["before"]["status"], &entry["after"]["status"]), (&json!("quarantined"), &json!("pending")));
    assert_eq!(app.get(&format!("/articles/{both}")).await.status(), 404);
    let queue: Value = app.admin_get("/api/v1/review").await.json().await.unwrap();
    assert_eq!(queue["articles"][0]["id"].as_i64(), Some(both), "{queue}");

    // Approved under an embargo: embargoed, reposted when the embargo ends.
    let embargoed = push_pending(&app, &token, &{
        let mut article = numbered_article(2, "party-96");
        article["publish_at"] = json!(embargo);
        article
    })
    .await;
    let approved = app.admin_post(&format!("/api/v1/articles/{embargoed}/approve"), json!({})).await;
    assert_eq!(approved.status(), 200);
    let approved: Value = approved.json().await.unwrap();
    assert_eq!((&approved["status"], &approved["reposted_at"]), (&json!("embargoed"), &json!(embargo)), "{approved}");
    let entry = last_entry(&app, "article.approve").await;
    assert_eq!((&entry["before"]["status"], &entry["after"]["status"]), (&json!("pending"), &json!("embargoed")));
    let logged = chrono::DateTime::parse_from_rfc3339(entry["after"]["reposted_at"].as_str().unwrap()).unwrap();
    assert_eq!(logged, chrono::DateTime::parse_from_rfc3339(embargo).unwrap(), "the embargo's end: {entry}");
    assert_eq!(app.get(&format!("/articles/{embargoed}")).await.status(), 404);

    // Released under an embargo (the outlet publishing at once): embargoed, in the API
    // and the console alike.
    app.admin_patch("/api/v1/outlets/cjrb", json!({"review": "auto"})).await;
    let later = held(app.push(&token, &spam(3, true)).await.json().await.unwrap());
    let released = app.admin_post(&format!("/api/v1/quarantine/{later}/release"), json!({})).await;
    assert_eq!(released.json::<Value>().await.unwrap()["status"], "embargoed");
    assert_eq!(last_entry(&app, "quarantine.release").await["after"]["status"], "embargoed");
    let console = held(app.push(&token, &spam(4, true)).await.json().await.unwrap());
    let editor = signed_in(&app, "liming", "editor", &[]).await;
    let csrf = editor.csrf().await;
    let done = editor.post(&format!("/admin/quarantine/{console}/release"), &[("csrf", &csrf)]).await;
    assert_eq!(done.status, 303);
    assert!(done.location().ends_with("?done=released-embargoed"), "{}", done.location());
    let notice = editor.get(done.location()).await;
    assert!(notice.body.contains("已放行，禁发期结束后发布。"), "{}", notice.body);
    let published = held(app.push(&token, &spam(5, false)).await.json().await.unwrap());
    let released = app.admin_post(&format!("/api/v1/quarantine/{published}/release"), json!({})).await;
    assert_eq!(released.json::<Value>().await.unwrap()["status"], "published");
}

async fn decisions_at_once_on_one_article_leave_one_done_and_the_others_conflicts(app: TestApp) {
    let token = manual_catalog(&app).await;
    let id = push_pending(&app, &token, &example_article()).await;
    let approve = app.url(&format!("/api/v1/articles/{id}/approve"));
    let answers =
        futures_util::future::join_all((0..8).map(|_| app.client.post(&approve).bearer_auth(ADMIN_TOKEN).send())).await;
    let mut statuses: Vec<u16> = answers.into_iter().map(|a| a.unwrap().status().as_u16()).collect();
    statuses.sort();
    assert_eq!(statuses, [200, 409, 409, 409, 409, 409, 409, 409], "one approval, the others conflicts");
    let audit: Value = app.admin_get("/api/v1/audit?action=article.approve").await.json().await.unwrap();
    assert_eq!(audit["items"].as_array().unwrap().len(), 1, "{audit}");

    // A decision that passed every look before it, and reaches the article once another
    // decided: what a loser of the race meets, every time.
    let late = app.store.approve_article(id, None, Audit::new(&Actor::Admin, Action::ArticleApprove)).await;
    assert!(matches!(&late, Err(StoreError::Conflict(m)) if m.contains("(it is published)")), "{late:?}");
    let late = app.store.reject_pending(id, "重复稿件", Audit::new(&Actor::Admin, Action::ArticleReject)).await;
    assert!(matches!(&late, Err(StoreError::Conflict(m)) if m.contains("(it is published)")), "{late:?}");
    let missing = app.store.approve_article(id + 1, None, Audit::new(&Actor::Admin, Action::ArticleApprove)).await;
    assert!(matches!(&missing, Err(StoreError::NotFound(_))), "{missing:?}");
    let rejected = app.admin_post(&format!("/api/v1/articles/{id}/reject"), json!({"reason": "重复稿件"})).await;
    assert_eq!(rejected.status(), 409);
    let body: Value = rejected.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("is not pending review (it is published)"), "{body}");
}

async fn an_editor_of_some_columns_cannot_be_an_outlets_default_editor(app: TestApp) {
    let token = app.with_example_catalog().await;
    for (username, name, role, columns) in [
        ("scoped", "赵磊", "editor", json!(["party-96"])),
        ("chief", "王主编", "admin", json!(["party-96"])),
        ("liming", "李明", "editor", json!([])),
    ] {
        let form = json!({"username": username, "name": name, "role": role, "columns": columns,
            "password": "a long passphrase"});
        assert_eq!(app.admin_post("/api/v1/users", form).await.status(), 201, "{username}");
    }
    // 昌吉日报 may push into any column: an editor of one cannot answer for all it sends.
    let refused = app.admin_patch("/api/v1/outlets/cjrb", json!({"default_editor": "scoped"})).await;
    assert_eq!(refused.status(), 422);
    let body: Value = refused.json().await.unwrap();
    assert!(body["fields"]["default_editor"].as_str().unwrap().contains("only some columns"), "{body}");
    let outlet = json!({"slug": "xjrb", "name": "新疆日报", "homepage": "https://www.xjdaily.com/",
        "default_editor": "scoped"});
    let refused = app.admin_post("/api/v1/outlets", outlet).await;
    assert_eq!(refused.status(), 422);
    assert!(refused.json::<Value>().await.unwrap()["fields"]["default_editor"].is_string());
    let console = crate::browser::signed_in(&app, "zhaolei", "admin", &[]).await;
    let form = console.get("/admin/outlets/cjrb").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("value=\"liming\"") && form.body.contains("value=\"chief\""), "{}", form.body);
    assert!(!form.body.contains("value=\"scoped\""), "not offered: {}", form.body);

    for fit in ["chief", "liming"] {
        let set = app.admin_patch("/api/v1/outlets/cjrb", json!({"default_editor": fit})).await;
        assert_eq!(set.status(), 200, "{fit}: an admin, or an editor of every column");
    }
    assert_eq!(app.push(&token, &numbered_article(1, "party-96")).await.status(), 201);
    assert!(app.get_text("/articles/1").await.contains("责任编辑: 李明"));
    // Limited to some columns later: recorded on nothing new, as a default editor disabled.
    let limited = app.admin_patch("/api/v1/users/liming", json!({"columns": ["party-96"]})).await;
    assert_eq!(limited.status(), 200);
    assert_eq!(app.push(&token, &numbered_article(2, "party-96")).await.status(), 201);
    assert!(!app.get_text("/articles/2").await.contains("责任编辑"), "an editor of some columns is recorded on none");
    assert!(app.get_text("/articles/1").await.contains("责任编辑: 李明"), "what was recorded stays");
}
