//! Articles as staff work on them: the listing with each filter alone and all together,
//! paging that walks every article once, one article with every attribution field;
//! reinstating and moving, seen in the public feeds; and every boundary of a role tried
//! as a failing request that changes nothing.

use crate::helpers::{numbered_article, TestApp, ADMIN_TOKEN};
use crate::mock::eventually;
use crate::stories;
use crate::users::{as_user, user_with_token};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

stories!(
    staff_find_articles_by_each_filter_and_by_all_together,
    paging_walks_every_article_once_newest_first,
    a_search_of_more_matches_than_the_largest_page_pages_on,
    one_article_shows_every_attribution_field_and_where_it_stands,
    a_reinstated_article_is_public_again_unless_its_outlet_withdrew_it,
    a_moved_article_leaves_its_old_column_for_the_new_one,
    a_scoped_editor_sees_and_changes_only_its_columns_and_a_viewer_changes_nothing,
);

/// 2026-01-01T00:00:00Z: article `n`'s repost time is set `n` hours after it.
const BASE_SECS: i64 = 1_767_225_600;

fn hours_after_base(hours: i64) -> String {
    chrono::DateTime::from_timestamp(BASE_SECS + hours * 3600, 0).unwrap().to_rfc3339()
}

/// Pushes an article titled `title` in `column` for the outlet of `token`; its id.
async fn pushed(app: &TestApp, token: &str, url: &str, title: &str, column: &str, extra: Value) -> i64 {
    let mut article = numbered_article(0, column);
    article["original_url"] = json!(url);
    article["title"] = json!(title);
    if let Value::Object(fields) = extra {
        article.as_object_mut().unwrap().extend(fields);
    }
    let response = app.push(token, &article).await;
    assert!(response.status().is_success(), "{title}: {}", response.status());
    response.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

/// Eight articles, one of each standing, in two outlets and two columns, reposted an
/// hour apart (the last newest); their ids in push order. Their standings and times are
/// set behind the app's back, so it restarts after, and its search index is built anew.
async fn eight_articles(app: &mut TestApp) -> Vec<i64> {
    let cjrb = app.with_example_catalog().await;
    app.add_column("local", "本地新闻", None).await;
    let xjrb = app.add_outlet("xjrb", json!({"name": "新疆日报", "homepage": "https://xjrb.example.cn/"})).await;
    let mut ids = vec![
        pushed(app, &cjrb, "http://www.cjxww.cn/a/1", "做带领群众奔向幸福生活的头雁", "party-96", json!({})).await,
        pushed(app, &cjrb, "http://www.cjxww.cn/a/2", "Local NEWS roundup", "local", json!({})).await,
        pushed(app, &xjrb, "https://xjrb.example.cn/a/3", "新疆头雁工程", "party-96", json!({})).await,
        pushed(app, &xjrb, "https://xjrb.example.cn/a/4", "天气预报", "local", json!({})).await,
    ];
    let spam = json!({"content_html": "<p>bet365 最新优惠</p>"});
    ids.push(pushed(app, &cjrb, "http://www.cjxww.cn/a/5", "被拦截的稿件", "party-96", spam).await);
    let embargo = json!({"publish_at": "2099-01-01T00:00:00Z"});
    ids.push(pushed(app, &cjrb, "http://www.cjxww.cn/a/6", "禁发期稿件", "local", embargo).await);
    ids.push(pushed(app, &cjrb, "http://www.cjxww.cn/a/7", "撤回的稿件", "party-96", json!({})).await);
    ids.push(pushed(app, &xjrb, "https://xjrb.example.cn/a/8", "过期的稿件", "local", json!({})).await);
    assert_eq!(app.admin_delete(&format!("/api/v1/articles/{}", ids[6])).await.status(), 200);
    app.execute_sql(&format!(
        "UPDATE articles SET withdrawn_at = reposted_at, withdrawn_by = 'expiry' WHERE id = {}",
        ids[7]
    ))
    .await;
    for (n, id) in ids.iter().enumerate() {
        let micros = (BASE_SECS + (n as i64 + 1) * 3600) * 1_000_000;
        app.execute_sql(&format!("UPDATE articles SET reposted_at = {micros} WHERE id = {id}")).await;
    }
    app.restart().await;
    ids
}

/// The staff listing as `token` asks for it: the answer's status and JSON.
async fn listing(app: &TestApp, token: &str, query: &[(&str, &str)]) -> (u16, Value) {
    let response =
        app.client.get(app.url("/api/v1/admin/articles")).query(query).bearer_auth(token).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// The ids of the listing's first page.
async fn listed(app: &TestApp, token: &str, query: &[(&str, &str)]) -> Vec<i64> {
    let (status, page) = listing(app, token, query).await;
    assert_eq!(status, 200, "{query:?}: {page}");
    page["articles"].as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap()).collect()
}

async fn staff_find_articles_by_each_filter_and_by_all_together(mut app: TestApp) {
    let ids = eight_articles(&mut app).await;
    let pick = |ns: &[usize]| ns.iter().map(|n| ids[n - 1]).collect::<Vec<_>>();
    let admin = |query: &'static [(&'static str, &'static str)]| listed(&app, ADMIN_TOKEN, query);
    assert_eq!(admin(&[]).await, pick(&[8, 7, 6, 5, 4, 3, 2, 1]), "every standing, newest first");
    assert_eq!(admin(&[("column", "zhuanti")]).await, pick(&[7, 5, 3, 1]), "a column with its sub-columns");
    assert_eq!(admin(&[("column", "local")]).await, pick(&[8, 6, 4, 2]));
    assert_eq!(admin(&[("outlet", "xjrb")]).await, pick(&[8, 4, 3]));
    assert_eq!(admin(&[("status", "published")]).await, pick(&[4, 3, 2, 1]));
    assert_eq!(admin(&[("status", "withdrawn")]).await, pick(&[7]));
    assert_eq!(admin(&[("status", "expired")]).await, pick(&[8]));
    assert_eq!(admin(&[("status", "quarantined")]).await, pick(&[5]));
    assert_eq!(admin(&[("status", "embargoed")]).await, pick(&[6]));
    let (since, until) = (hours_after_base(3), hours_after_base(6));
    let range = listed(&app, ADMIN_TOKEN, &[("since", &since), ("until", &until)]).await;
    assert_eq!(range, pick(&[5, 4, 3]), "since is inclusive, until is not");
    assert_eq!(admin(&[("q", "头雁")]).await, pick(&[3, 1]), "a search, as the site's search reads it");
    assert_eq!(admin(&[("q", "news")]).await, pick(&[2]), "ASCII letters in any case");
    assert_eq!(admin(&[("q", "稿件")]).await, pick(&[8, 7, 6, 5]), "whatever their standing");
    assert_eq!(admin(&[("q", "bet365")]).await, pick(&[5]), "a held article by its content");
    assert_eq!(admin(&[("q", "稿件"), ("status", "embargoed")]).await, pick(&[6]));
    assert_eq!(admin(&[("q", "稿件 -撤回")]).await, pick(&[8, 6, 5]));
    let base = hours_after_base(0);
    let together = [
        ("column", "zhuanti"),
        ("outlet", "cjrb"),
        ("status", "published"),
        ("q", "头雁"),
        ("since", base.as_str()),
        ("until", until.as_str()),
    ];
    assert_eq!(listed(&app, ADMIN_TOKEN, &together).await, pick(&[1]));
    assert_eq!(admin(&[("column", "party-96"), ("outlet", "xjrb"), ("q", "头雁")]).await, pick(&[3]));

    let (status, refused) = listing(&app, ADMIN_TOKEN, &[("status", "deleted"), ("since", "yesterday")]).await;
    assert_eq!(status, 400);
    assert!(refused["fields"]["status"].is_string() && refused["fields"]["since"].is_string(), "{refused}");
    for q in ["%", "\"头雁", "头雁 OR"] {
        let (status, refused) = listing(&app, ADMIN_TOKEN, &[("q", q)]).await;
        assert_eq!((status, refused["fields"]["q"].is_string()), (400, true), "{q}: {refused}");
    }
    assert_eq!(listing(&app, ADMIN_TOKEN, &[("column", "nope")]).await.0, 404);
    assert_eq!(listing(&app, ADMIN_TOKEN, &[("outlet", "nope")]).await.0, 404);
}

/// Every id the listing gives for `filters`, following `next_cursor` three at a time.
async fn walked(app: &TestApp, filters: &[(&str, &str)]) -> Vec<i64> {
    let mut walked = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..10 {
        let mut query: Vec<(&str, &str)> = filters.to_vec();
        query.push(("limit", "3"));
        query.extend(cursor.as_deref().map(|c| ("cursor", c)));
        let (status, page) = listing(app, ADMIN_TOKEN, &query).await;
        assert_eq!(status, 200, "{page}");
        let articles = page["articles"].as_array().unwrap();
        assert!(articles.len() <= 3);
        walked.extend(articles.iter().map(|a| a["id"].as_i64().unwrap()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    walked
}

async fn paging_walks_every_article_once_newest_first(mut app: TestApp) {
    let ids = eight_articles(&mut app).await;
    let newest_first: Vec<i64> = ids.iter().rev().copied().collect();
    assert_eq!(walked(&app, &[]).await, newest_first, "every article once, in order");
    assert_eq!(walked(&app, &[("q", "稿件")]).await, newest_first[..4], "and every one a search finds");
    assert_eq!(listing(&app, ADMIN_TOKEN, &[("cursor", "garbage")]).await.0, 400);
}

async fn a_search_of_more_matches_than_the_largest_page_pages_on(app: TestApp) {
    let token = app.with_example_catalog().await;
    for batch in [0..1_000, 1_000..1_001] {
        let articles: Vec<Value> = batch.map(|n| numbered_article(n, "party-96")).collect();
        assert_eq!(app.push_batch(&token, &articles).await.status(), 200);
    }
    let (status, first) = listing(&app, ADMIN_TOKEN, &[("q", "稿件"), ("limit", "1000")]).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["articles"].as_array().unwrap().len(), 1_000);
    let cursor = first["next_cursor"].as_str().expect("a next page");
    let (_, last) = listing(&app, ADMIN_TOKEN, &[("q", "稿件"), ("limit", "1000"), ("cursor", cursor)]).await;
    assert_eq!((last["articles"].as_array().unwrap().len(), &last["next_cursor"]), (1, &Value::Null), "{last}");
}

/// One article as the admin sees it.
async fn detail(app: &TestApp, id: i64) -> Value {
    let response = app.admin_get(&format!("/api/v1/admin/articles/{id}")).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn one_article_shows_every_attribution_field_and_where_it_stands(mut app: TestApp) {
    let ids = eight_articles(&mut app).await;
    let first = detail(&app, ids[0]).await;
    assert_eq!(first["original_url"], "http://www.cjxww.cn/a/1");
    assert_eq!((first["outlet"]["slug"].as_str(), first["outlet"]["name"].as_str()), (Some("cjrb"), Some("昌吉日报")));
    assert_eq!((first["author"].as_str(), first["rights"].as_str()), (Some("郑丽媛"), Some("版权归昌吉日报所有")));
    assert_eq!(first["original_published_at"], "2018-06-28T03:39:20Z", "the naive time read in Shanghai");
    assert_eq!(first["reposted_at"], hours_after_base(1).replace("+00:00", "Z"));
    assert_eq!(first["columns"], json!([{"slug": "party-96", "title": "庆祝建党96周年"}]));
    assert_eq!((first["status"].as_str(), first["withdrawn_by"].as_str()), (Some("published"), None));
    let withdrawn = detail(&app, ids[6]).await;
    assert_eq!((withdrawn["status"].as_str(), withdrawn["withdrawn_by"].as_str()), (Some("withdrawn"), Some("site")));
    assert!(withdrawn["withdrawn_at"].is_string());
    let held = detail(&app, ids[4]).await;
    assert_eq!(held["status"], "quarantined");
    assert!(held["quarantine_reason"].as_str().unwrap().contains("bet365"), "{held}");
    assert_eq!(detail(&app, ids[5]).await["embargo_until"], "2099-01-01T00:00:00Z");
    assert_eq!(app.admin_get("/api/v1/admin/articles/999").await.status(), 404);
}

/// Whether the public site feed lists an article titled `title`.
async fn in_feed(app: &TestApp, path: &str, title: &str) -> bool {
    app.get_text(path).await.contains(title)
}

async fn a_reinstated_article_is_public_again_unless_its_outlet_withdrew_it(app: TestApp) {
    let token = app.with_example_catalog().await;
    let id = pushed(&app, &token, "http://www.cjxww.cn/a/1", "撤回又恢复", "party-96", json!({})).await;
    let reinstate = |id: i64| {
        let request = app.client.post(app.url(&format!("/api/v1/articles/{id}/reinstate"))).bearer_auth(ADMIN_TOKEN);
        async move { request.send().await.unwrap() }
    };
    let refused = reinstate(id).await;
    assert_eq!(refused.status(), 409, "a published article is not withdrawn");
    assert!(refused.text().await.unwrap().contains("not withdrawn"));
    assert!(in_feed(&app, "/feed.json", "撤回又恢复").await);
    assert_eq!(app.admin_delete(&format!("/api/v1/articles/{id}")).await.status(), 200);
    assert!(!in_feed(&app, "/feed.json", "撤回又恢复").await);
    assert_eq!(app.get(&format!("/articles/{id}")).await.status(), 410);

    let reinstated = reinstate(id).await;
    assert_eq!(reinstated.status(), 200);
    let reinstated: Value = reinstated.json().await.unwrap();
    assert_eq!((reinstated["status"].as_str(), reinstated["withdrawn_at"].as_str()), (Some("published"), None));
    eventually("the reinstated article is in the feed again", Duration::from_secs(10), || {
        in_feed(&app, "/feed.json", "撤回又恢复")
    })
    .await;
    assert!(in_feed(&app, "/columns/zhuanti/atom.xml", "撤回又恢复").await);
    assert_eq!(app.get(&format!("/articles/{id}")).await.status(), 200);
    assert!(app.get_text("/sitemaps/articles-0.xml").await.contains(&format!("/articles/{id}")));

    let own = pushed(&app, &token, "http://www.cjxww.cn/a/2", "报社自己撤回", "party-96", json!({})).await;
    let by_outlet = app.client.delete(app.url(&format!("/api/v1/articles/{own}"))).bearer_auth(&token);
    assert_eq!(by_outlet.send().await.unwrap().status(), 200);
    let refused = reinstate(own).await;
    assert_eq!(refused.status(), 409);
    assert!(refused.text().await.unwrap().contains("only the outlet can reinstate it"));
    assert!(!in_feed(&app, "/feed.json", "报社自己撤回").await, "nothing changed");

    let expiring = json!({"expires_at": (chrono::Utc::now() + chrono::Duration::seconds(1)).to_rfc3339()});
    let expired = pushed(&app, &token, "http://www.cjxww.cn/a/3", "授权到期", "party-96", expiring).await;
    let page = format!("/articles/{expired}");
    eventually("the right expires", Duration::from_secs(10), || async { app.get(&page).await.status() == 410 }).await;
    let reinstated: Value = reinstate(expired).await.json().await.unwrap();
    assert_eq!((reinstated["status"].as_str(), reinstated["expires_at"].as_str()), (Some("published"), None));
    assert_eq!(app.get(&page).await.status(), 200);
    assert_eq!(reinstate(999).await.status(), 404);
}

async fn a_moved_article_leaves_its_old_column_for_the_new_one(app: TestApp) {
    let token = app.with_example_catalog().await;
    app.add_column("local", "本地新闻", None).await;
    let id = pushed(&app, &token, "http://www.cjxww.cn/a/1", "挪到本地", "party-96", json!({})).await;
    assert!(in_feed(&app, "/columns/party-96/feed.json", "挪到本地").await);
    assert!(!in_feed(&app, "/columns/local/feed.json", "挪到本地").await);
    let columns = format!("/api/v1/articles/{id}/columns");
    let put = |body: Value| app.client.put(app.url(&columns)).bearer_auth(ADMIN_TOKEN).json(&body).send();

    for refused in [json!({"columns": []}), json!({"columns": ["local", "nope"]})] {
        let response = put(refused.clone()).await.unwrap();
        assert_eq!(response.status(), 422, "{refused}");
        let body: Value = response.json().await.unwrap();
        assert!(body["fields"]["columns"].is_string(), "{body}");
    }
    let moved = put(json!({"columns": ["local"]})).await.unwrap();
    assert_eq!(moved.status(), 200);
    assert_eq!(moved.json::<Value>().await.unwrap()["columns"][0]["slug"], "local");
    eventually("the article is in its new column's feed", Duration::from_secs(10), || {
        in_feed(&app, "/columns/local/feed.json", "挪到本地")
    })
    .await;
    assert!(!in_feed(&app, "/columns/party-96/feed.json", "挪到本地").await, "gone from the old column");
    assert!(!in_feed(&app, "/columns/zhuanti/feed.json", "挪到本地").await, "and from the one above it");
    assert!(app.get_text(&format!("/articles/{id}")).await.contains("本地新闻"), "its page files it anew");
    let missing = app.client.put(app.url("/api/v1/articles/999/columns")).bearer_auth(ADMIN_TOKEN);
    assert_eq!(missing.json(&json!({"columns": ["local"]})).send().await.unwrap().status(), 404);
}

async fn a_scoped_editor_sees_and_changes_only_its_columns_and_a_viewer_changes_nothing(app: TestApp) {
    let token = app.with_example_catalog().await;
    app.add_column("local", "本地新闻", None).await;
    let inside = pushed(&app, &token, "http://www.cjxww.cn/a/1", "范围之内", "party-96", json!({})).await;
    let outside = pushed(&app, &token, "http://www.cjxww.cn/a/2", "范围之外", "local", json!({})).await;
    let editor = user_with_token(&app, "wangfang", "editor", &["zhuanti"]).await;
    let viewer = user_with_token(&app, "liming", "viewer", &[]).await;

    assert_eq!(listed(&app, &editor, &[]).await, [inside], "an editor lists what its columns hold");
    assert_eq!(listed(&app, &editor, &[("q", "范围")]).await, [inside], "and searches only that");
    assert_eq!(listing(&app, &editor, &[("column", "local")]).await.0, 404);
    assert_eq!(listed(&app, &viewer, &[]).await, [outside, inside], "an unscoped viewer lists everything");
    let show = |id: i64| format!("/api/v1/admin/articles/{id}");
    assert_eq!(as_user(&app, &editor, Method::GET, &show(outside), None).await, 404);
    assert_eq!(as_user(&app, &editor, Method::GET, &show(inside), None).await, 200);

    let withdraw = |id: i64| format!("/api/v1/articles/{id}");
    let reinstate = |id: i64| format!("/api/v1/articles/{id}/reinstate");
    let columns = |id: i64| format!("/api/v1/articles/{id}/columns");
    let to_local = Some(json!({"columns": ["local"]}));
    assert_eq!(as_user(&app, &editor, Method::DELETE, &withdraw(outside), None).await, 403);
    assert_eq!(
        as_user(&app, &editor, Method::PUT, &columns(outside), Some(json!({"columns": ["zhuanti"]}))).await,
        403
    );
    assert_eq!(
        as_user(&app, &editor, Method::PUT, &columns(inside), to_local.clone()).await,
        403,
        "into a column outside"
    );
    assert_eq!(as_user(&app, &viewer, Method::DELETE, &withdraw(inside), None).await, 403);
    assert_eq!(as_user(&app, &viewer, Method::PUT, &columns(inside), to_local.clone()).await, 403);
    let by_url = format!("/api/v1/articles?original_url={}", "http%3A%2F%2Fwww.cjxww.cn%2Fa%2F2");
    assert_eq!(as_user(&app, &editor, Method::DELETE, &by_url, None).await, 403);
    let everything = listed(&app, ADMIN_TOKEN, &[("status", "published")]).await;
    assert_eq!(everything, [outside, inside], "nothing refused was changed");
    let filed: Value = app.admin_get(&show(inside)).await.json().await.unwrap();
    assert_eq!(filed["columns"][0]["slug"], "party-96");

    assert_eq!(as_user(&app, &editor, Method::DELETE, &withdraw(inside), None).await, 200, "within its columns");
    let withdrawn: Value = app.admin_get(&show(inside)).await.json().await.unwrap();
    assert_eq!((withdrawn["status"].as_str(), withdrawn["withdrawn_by"].as_str()), (Some("withdrawn"), Some("site")));
    assert_eq!(as_user(&app, &viewer, Method::POST, &reinstate(inside), None).await, 403);
    assert_eq!(app.admin_get(&show(inside)).await.json::<Value>().await.unwrap()["status"], "withdrawn");
    assert_eq!(as_user(&app, &editor, Method::POST, &reinstate(inside), None).await, 200);
    let within = Some(json!({"columns": ["party-96", "zhuanti"]}));
    assert_eq!(as_user(&app, &editor, Method::PUT, &columns(inside), within).await, 200);
    assert_eq!(as_user(&app, &editor, Method::POST, &reinstate(outside), None).await, 403);

    let admin = user_with_token(&app, "zhaolei", "admin", &[]).await;
    assert_eq!(as_user(&app, &admin, Method::DELETE, &withdraw(outside), None).await, 200, "an admin user anything");
    assert_eq!(as_user(&app, &admin, Method::GET, "/api/v1/articles", None).await, 200, "and the change feed");
    assert_eq!(as_user(&app, &editor, Method::GET, "/api/v1/articles", None).await, 403);
}
