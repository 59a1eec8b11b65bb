//! The newsroom's console pages as people use them: the dashboard, the articles and the
//! quarantine render for every role and parse as HTML5 with every control labelled;
//! the list's filters and paging; withdrawing, reinstating and moving through the
//! console, seen in the public feeds; releasing and rejecting; and every boundary tried
//! as a failing request that changes nothing (no CSRF token, a viewer, an editor
//! outside its columns).

use crate::browser::{check_page, signed_in, Browser};
use crate::helpers::{numbered_article, TestApp};
use crate::mock::eventually;
use crate::stories;
use serde_json::{json, Value};
use std::time::Duration;

stories!(
    every_page_renders_for_each_role_and_shows_changes_only_to_who_may_make_them,
    the_article_list_filters_and_pages_by_cursor,
    withdrawing_reinstating_and_moving_in_the_console_reach_the_public_feeds,
    releasing_and_rejecting_held_articles,
    refused_changes_change_nothing,
);

const WAIT: Duration = Duration::from_secs(10);

/// The articles of the stories: one public in each column, one held in each.
pub struct Newsroom {
    pub party: i64,
    pub local: i64,
    pub held_party: i64,
    pub held_local: i64,
}

async fn pushed(app: &TestApp, token: &str, n: usize, title: &str, column: &str, content: &str) -> i64 {
    let mut article = numbered_article(n, column);
    article["title"] = json!(title);
    article["content_html"] = json!(content);
    let response = app.push(token, &article).await;
    assert!(response.status().is_success(), "{title}: {}", response.status());
    response.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

/// 专题栏目 › 庆祝建党96周年 and 本地新闻, with 昌吉日报's articles in them.
pub async fn newsroom(app: &TestApp) -> Newsroom {
    let token = app.with_example_catalog().await;
    app.add_column("local", "本地新闻", None).await;
    Newsroom {
        party: pushed(app, &token, 1, "做带领群众奔向幸福生活的头雁", "party-96", "<p>基层党建</p>").await,
        local: pushed(app, &token, 2, "昌吉天气晴好", "local", "<p>晴</p>").await,
        held_party: pushed(app, &token, 3, "被拦截的党建稿", "party-96", "<p>bet365 优惠</p>").await,
        held_local: pushed(app, &token, 4, "被拦截的本地稿", "local", "<p>bet365 活动</p>").await,
    }
}

/// The page at `path`, which must answer 200 and pass `check_page`.
pub async fn page(browser: &Browser, path: &str) -> String {
    let answer = browser.get(path).await;
    assert_eq!(answer.status, 200, "{path}: {}", answer.body);
    check_page(&answer.body);
    answer.body
}

/// Rows of the article or quarantine table.
fn rows(body: &str) -> usize {
    body.matches("<td class=\"title\"").count()
}

/// The address of the link `rel` on a page, as a browser would follow it.
pub fn link(body: &str, rel: &str) -> Option<String> {
    let marker = format!("rel=\"{rel}\" href=\"");
    let start = body.find(&marker)? + marker.len();
    Some(body[start..].split('"').next().unwrap().replace("&amp;", "&"))
}

async fn standing(app: &TestApp, id: i64) -> Value {
    let response = app.admin_get(&format!("/api/v1/admin/articles/{id}")).await;
    if response.status() == 404 {
        return Value::Null;
    }
    response.json::<Value>().await.unwrap()["status"].clone()
}

async fn every_page_renders_for_each_role_and_shows_changes_only_to_who_may_make_them(app: TestApp) {
    let n = newsroom(&app).await;
    let admin = signed_in(&app, "wangfang", "admin", &[]).await;
    let editor = signed_in(&app, "lisi", "editor", &["zhuanti"]).await;
    let viewer = signed_in(&app, "zhaoliu", "viewer", &[]).await;

    let dashboard = page(&admin, "/admin/").await;
    for shown in ["概览", "转载量", "庆祝建党96周年", "本地新闻", "昌吉日报", "订阅源状况", "暂无订阅源。", "转载时滞"]
    {
        assert!(dashboard.contains(shown), "{shown} in {dashboard}");
    }
    let scoped = page(&editor, "/admin/").await;
    assert!(scoped.contains("庆祝建党96周年") && !scoped.contains("本地新闻"), "the editor's columns only");

    let listed = page(&admin, "/admin/articles").await;
    assert_eq!(rows(&listed), 4, "every article, held ones too");
    let listed = page(&editor, "/admin/articles").await;
    assert_eq!(rows(&listed), 2, "only what is filed within its columns");
    assert!(listed.contains("做带领群众奔向幸福生活的头雁") && !listed.contains("昌吉天气晴好"));
    assert_eq!(page(&viewer, "/admin/articles").await.matches("<td class=\"title\"").count(), 4);

    let one = page(&admin, &format!("/admin/articles/{}", n.party)).await;
    for shown in [
        "<p>基层党建</p>",
        "http://www.cjxww.cn/show?id=1",
        "版权归昌吉日报所有",
        "原文发布时间",
        &app.url(&format!("/articles/{}", n.party)),
        &format!("action=\"/admin/articles/{}/withdraw\"", n.party),
        &format!("action=\"/admin/articles/{}/move\"", n.party),
        "value=\"local\"",
    ] {
        assert!(one.contains(shown), "{shown} in {one}");
    }
    let as_editor = page(&editor, &format!("/admin/articles/{}", n.party)).await;
    assert!(as_editor.contains("/withdraw\"") && !as_editor.contains("value=\"local\""), "its own columns to move to");
    let as_viewer = page(&viewer, &format!("/admin/articles/{}", n.party)).await;
    assert!(as_viewer.contains("<p>基层党建</p>"));
    assert!(!as_viewer.contains("method=\"post\" action=\"/admin/articles"), "a viewer is shown no change");
    assert_eq!(editor.get(&format!("/admin/articles/{}", n.local)).await.status, 404, "outside its columns");

    let held = page(&admin, "/admin/quarantine").await;
    assert_eq!(rows(&held), 2);
    assert!(held.contains("blocked term &#39;bet365&#39; in content") || held.contains("blocked term 'bet365'"));
    assert_eq!(rows(&page(&editor, "/admin/quarantine").await), 1);
    let open = page(&admin, &format!("/admin/quarantine/{}", n.held_party)).await;
    assert!(open.contains("<p>bet365 优惠</p>") && open.contains("/release\"") && open.contains("/reject\""));
    let as_viewer = page(&viewer, &format!("/admin/quarantine/{}", n.held_party)).await;
    assert!(!as_viewer.contains("/release\""), "a viewer decides nothing");
    assert_eq!(admin.get(&format!("/admin/quarantine/{}", n.party)).await.status, 404, "not held");
    assert_eq!(editor.get(&format!("/admin/quarantine/{}", n.held_local)).await.status, 404);

    // A user's own language: English labels, and `lang` says so.
    let csrf = viewer.csrf().await;
    assert_eq!(viewer.post("/admin/account/language", &[("csrf", &csrf), ("language", "en")]).await.status, 303);
    let english = page(&viewer, "/admin/").await;
    assert!(english.contains("<html lang=\"en\"") && english.contains("Source health"), "{english}");
    let english = page(&viewer, "/admin/articles").await;
    assert!(english.contains(">Text<") && english.contains(">held<"), "{english}");
}

async fn the_article_list_filters_and_pages_by_cursor(app: TestApp) {
    let n = newsroom(&app).await;
    let token = app.add_outlet("xjrb", json!({"name": "新疆日报", "homepage": "http://www.cjxww.cn/"})).await;
    let more: Vec<Value> = (100..155)
        .map(|i| {
            let mut article = numbered_article(i, "party-96");
            article["original_url"] = json!(format!("http://www.cjxww.cn/more?id={i}"));
            article
        })
        .collect();
    assert_eq!(app.push_batch(&token, &more).await.status(), 200);
    let admin = signed_in(&app, "wangfang", "admin", &[]).await;

    let found = page(&admin, "/admin/articles?q=%E5%A4%B4%E9%9B%81").await;
    assert_eq!(rows(&found), 1, "a search for 头雁");
    assert!(found.contains(&format!("/admin/articles/{}\"", n.party)));
    assert!(found.contains("value=\"头雁\""), "the filter stays in its field");
    let garbled = page(&admin, "/admin/articles?q=%01%E5%A4%B4%7F%EF%BF%BE%E9%9B%81").await;
    assert!(garbled.contains("value=\"头雁\""), "echoed without what no HTML may hold: {garbled}");
    let unreadable = admin.get("/admin/articles?q=%22%E5%A4%B4%E9%9B%81").await;
    assert_eq!(unreadable.status, 422, "an unclosed quote");
    check_page(&unreadable.body);
    assert!(
        unreadable.body.contains("无法理解这个搜索") && unreadable.body.contains("id=\"q-error\""),
        "{}",
        unreadable.body
    );
    assert_eq!(rows(&page(&admin, "/admin/articles?q=bet365").await), 2, "held articles by their content");
    assert_eq!(rows(&page(&admin, "/admin/articles?column=local").await), 2);
    assert_eq!(rows(&page(&admin, "/admin/articles?column=zhuanti&status=quarantined").await), 1);
    assert_eq!(rows(&page(&admin, "/admin/articles?outlet=xjrb").await), 50, "a page");
    assert_eq!(rows(&page(&admin, "/admin/articles?outlet=cjrb&status=published").await), 2);
    let none = page(&admin, "/admin/articles?status=withdrawn").await;
    assert!(none.contains("没有符合条件的文章。"));
    assert_eq!(rows(&page(&admin, "/admin/articles?from=2000-01-01&to=2000-01-31").await), 0);
    let today = chrono::Utc::now().with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    let (yesterday, tomorrow) = (today.pred_opt().unwrap(), today.succ_opt().unwrap());
    assert_eq!(rows(&page(&admin, &format!("/admin/articles?column=local&from={yesterday}&to={tomorrow}")).await), 2);
    let refused = admin.get("/admin/articles?from=31.01.2026&outlet=nobody").await;
    assert_eq!(refused.status, 422);
    check_page(&refused.body);
    assert!(refused.body.contains("日期格式应为") && refused.body.contains("id=\"outlet-error\""), "{}", refused.body);

    // 59 articles: 50, then 9, and back.
    let first = page(&admin, "/admin/articles").await;
    assert_eq!(rows(&first), 50);
    assert!(link(&first, "prev").is_none());
    let next = link(&first, "next").expect("a next page");
    let second = page(&admin, &next).await;
    assert_eq!(rows(&second), 9);
    assert!(link(&second, "next").is_none());
    let titles = |body: &str| -> Vec<String> {
        body.split("<td class=\"title\"").skip(1).map(|row| row.split("</a>").next().unwrap().to_owned()).collect()
    };
    let mut all = titles(&first);
    all.extend(titles(&second));
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 59, "every article once");
    let back = page(&admin, &link(&second, "prev").expect("a previous page")).await;
    assert_eq!(titles(&back), titles(&first));
    let filtered = page(&admin, "/admin/articles?outlet=xjrb").await;
    let onward = link(&filtered, "next").unwrap();
    assert!(onward.contains("outlet=xjrb"), "paging keeps the filters: {onward}");
    assert_eq!(rows(&page(&admin, &onward).await), 5);
}

async fn in_feed(app: &TestApp, path: &str, title: &str) -> bool {
    app.get_text(path).await.contains(title)
}

async fn withdrawing_reinstating_and_moving_in_the_console_reach_the_public_feeds(app: TestApp) {
    let n = newsroom(&app).await;
    let title = "做带领群众奔向幸福生活的头雁";
    let admin = signed_in(&app, "wangfang", "admin", &[]).await;
    let csrf = admin.csrf().await;
    let path = format!("/admin/articles/{}", n.party);
    assert!(in_feed(&app, "/feed.json", title).await);

    let withdrawn = admin.post(&format!("{path}/withdraw"), &[("csrf", &csrf)]).await;
    assert_eq!((withdrawn.status, withdrawn.location()), (303, format!("{path}?done=withdrawn").as_str()));
    let shown = page(&admin, withdrawn.location()).await;
    assert!(shown.contains("已撤回，文章不再公开。") && shown.contains("本站"), "withdrawn by this site");
    assert!(shown.contains("/reinstate\"") && !shown.contains("/withdraw\""));
    eventually("the article leaves the feed", WAIT, || async { !in_feed(&app, "/feed.json", title).await }).await;

    let reinstated = admin.post(&format!("{path}/reinstate"), &[("csrf", &csrf)]).await;
    assert_eq!((reinstated.status, reinstated.location()), (303, format!("{path}?done=reinstated").as_str()));
    eventually("the article is back in the feed", WAIT, || async { in_feed(&app, "/feed.json", title).await }).await;
    let again = admin.post(&format!("{path}/reinstate"), &[("csrf", &csrf)]).await;
    assert_eq!(again.status, 409);
    check_page(&again.body);
    assert!(again.body.contains("这篇文章没有被撤回。"), "{}", again.body);

    let none = admin.post(&format!("{path}/move"), &[("csrf", &csrf)]).await;
    assert_eq!(none.status, 422);
    assert!(none.body.contains("请至少选择一个栏目。"));
    let moved = admin.post(&format!("{path}/move"), &[("csrf", &csrf), ("column", "local")]).await;
    assert_eq!((moved.status, moved.location()), (303, format!("{path}?done=moved").as_str()));
    eventually("the article is in its new column", WAIT, || async {
        in_feed(&app, "/columns/local/feed.json", title).await
            && !in_feed(&app, "/columns/party-96/feed.json", title).await
    })
    .await;
    assert!(page(&admin, &format!("{path}?done=moved")).await.contains("栏目已调整。"));
    let gone = admin.post(&format!("{path}/move"), &[("csrf", &csrf), ("column", "no-such")]).await;
    assert_eq!(gone.status, 422, "a column that is gone");
}

async fn releasing_and_rejecting_held_articles(app: TestApp) {
    let n = newsroom(&app).await;
    let admin = signed_in(&app, "wangfang", "admin", &[]).await;
    let csrf = admin.csrf().await;
    let released = admin.post(&format!("/admin/quarantine/{}/release", n.held_party), &[("csrf", &csrf)]).await;
    assert_eq!((released.status, released.location()), (303, "/admin/quarantine?done=released"));
    assert!(page(&admin, released.location()).await.contains("已放行并发布。"));
    assert_eq!(standing(&app, n.held_party).await, "published");
    eventually("the released article is public", WAIT, || async {
        in_feed(&app, "/feed.json", "被拦截的党建稿").await
    })
    .await;
    let rejected = admin.post(&format!("/admin/quarantine/{}/reject", n.held_local), &[("csrf", &csrf)]).await;
    assert_eq!((rejected.status, rejected.location()), (303, "/admin/quarantine?done=rejected"));
    let empty = page(&admin, "/admin/quarantine?done=rejected").await;
    assert!(empty.contains("已拒绝并删除。") && empty.contains("没有待审文章。"));
    assert_eq!(standing(&app, n.held_local).await, Value::Null, "deleted");
    let twice = admin.post(&format!("/admin/quarantine/{}/reject", n.held_local), &[("csrf", &csrf)]).await;
    assert_eq!(twice.status, 404);
}

async fn refused_changes_change_nothing(app: TestApp) {
    let n = newsroom(&app).await;
    let admin = signed_in(&app, "wangfang", "admin", &[]).await;
    let editor = signed_in(&app, "lisi", "editor", &["zhuanti"]).await;
    let viewer = signed_in(&app, "zhaoliu", "viewer", &[]).await;
    let withdraw = |id: i64| format!("/admin/articles/{id}/withdraw");

    // Without the session's CSRF token.
    let csrf = admin.csrf().await;
    for fields in [vec![], vec![("csrf", "0".repeat(64))], vec![("csrf", format!("{csrf}0"))]] {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(admin.post(&withdraw(n.party), &fields).await.status, 403);
        let release = admin.post(&format!("/admin/quarantine/{}/release", n.held_party), &fields).await;
        assert_eq!(release.status, 403);
    }
    // A viewer, with its own token.
    let csrf = viewer.csrf().await;
    let refused = viewer.post(&withdraw(n.party), &[("csrf", &csrf)]).await;
    assert_eq!(refused.status, 403);
    check_page(&refused.body);
    assert!(refused.body.contains("您的角色或负责的栏目不允许这项操作"), "{}", refused.body);
    for path in [
        format!("/admin/articles/{}/move", n.party),
        format!("/admin/quarantine/{}/release", n.held_party),
        format!("/admin/quarantine/{}/reject", n.held_party),
    ] {
        assert_eq!(viewer.post(&path, &[("csrf", &csrf), ("column", "local")]).await.status, 403, "{path}");
    }
    // An editor outside its columns, and moving out of them.
    let csrf = editor.csrf().await;
    assert_eq!(editor.post(&withdraw(n.local), &[("csrf", &csrf)]).await.status, 403);
    let out = editor.post(&format!("/admin/articles/{}/move", n.party), &[("csrf", &csrf), ("column", "local")]).await;
    assert_eq!(out.status, 403);
    let release = editor.post(&format!("/admin/quarantine/{}/release", n.held_local), &[("csrf", &csrf)]).await;
    assert_eq!(release.status, 403);

    for (id, status) in [(n.party, "published"), (n.local, "published"), (n.held_party, "quarantined")] {
        assert_eq!(standing(&app, id).await, status, "article {id} unchanged");
    }
    assert_eq!(standing(&app, n.held_local).await, "quarantined");
    let filed = app.admin_get(&format!("/api/v1/admin/articles/{}", n.party)).await.json::<Value>().await.unwrap();
    assert_eq!(filed["columns"][0]["slug"], "party-96", "not moved");

    // Within its columns the editor may.
    assert_eq!(editor.post(&withdraw(n.party), &[("csrf", &csrf)]).await.status, 303);
    assert_eq!(standing(&app, n.party).await, "withdrawn");
}
