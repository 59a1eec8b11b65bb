//! The audit log: every change people make, through the admin API or the command line,
//! recorded in the transaction of the change with who, what, to what, and the fields
//! before and after; never a secret; refused changes leave nothing; append-only down to
//! the database.

use crate::helpers::{example_article, Backend, TestApp, ADMIN_TOKEN};
use crate::stories;
use crate::users::{printed, user_command, user_with_token, PASSWORD};
use serde_json::{json, Value};
use std::sync::Arc;
use syndic::operations::Operations;

stories!(
    every_change_is_recorded_with_its_actor_action_target_and_fields,
    no_secret_appears_in_the_audit_log,
    a_refused_change_leaves_no_entry_and_an_entry_that_cannot_be_written_stops_the_change,
    filters_and_the_cursor_walk_every_entry_exactly_once,
    only_admins_read_the_audit_log,
    logins_and_failed_logins_are_recorded_without_the_password,
    reinstating_and_moving_an_article_are_recorded_by_whoever_did_them,
    the_database_refuses_to_change_or_remove_an_entry,
);

/// Every entry matching `query`, newest first (one page: fewer than 500 here).
pub async fn entries(app: &TestApp, query: &str) -> Vec<Value> {
    let response = app.admin_get(&format!("/api/v1/audit?limit=500&{query}")).await;
    assert_eq!(response.status(), 200, "{query}");
    let page: Value = response.json().await.unwrap();
    assert!(page["next_cursor"].is_null(), "{page}");
    page["items"].as_array().unwrap().clone()
}

/// (actor, action, target) of each entry, oldest first.
pub fn summary(entries: &[Value]) -> Vec<(String, String, String)> {
    let text = |v: &Value| v.as_str().unwrap().to_owned();
    entries.iter().rev().map(|e| (text(&e["actor"]), text(&e["action"]), text(&e["target"]))).collect()
}

pub fn row(actor: &str, action: &str, target: &str) -> (String, String, String) {
    (actor.to_owned(), action.to_owned(), target.to_owned())
}

/// The one entry of `action` on `target`.
fn entry<'a>(entries: &'a [Value], action: &str, target: &str) -> &'a Value {
    let found: Vec<&Value> = entries.iter().filter(|e| e["action"] == action && e["target"] == target).collect();
    assert_eq!(found.len(), 1, "{action} {target}: {entries:?}");
    found[0]
}

async fn status(request: reqwest::RequestBuilder) -> u16 {
    request.send().await.unwrap().status().as_u16()
}

async fn every_change_is_recorded_with_its_actor_action_target_and_fields(app: TestApp) {
    let zhaolei = user_with_token(&app, "zhaolei", "admin", &[]).await;
    app.with_example_catalog().await;
    let admin_user = |request: reqwest::RequestBuilder| request.bearer_auth(&zhaolei);

    // The catalogue, by the admin token and by an admin user.
    assert_eq!(app.admin_patch("/api/v1/columns/party-96", json!({"title": "建党96周年"})).await.status(), 200);
    let local =
        admin_user(app.client.post(app.url("/api/v1/columns"))).json(&json!({"slug": "local", "title": "本地"}));
    assert_eq!(status(local).await, 201);
    assert_eq!(status(admin_user(app.client.delete(app.url("/api/v1/columns/local")))).await, 204);
    let edit = json!({"domains": ["cjxww.cn", "cjrb.cn"], "feed_content": "summary"});
    assert_eq!(app.admin_patch("/api/v1/outlets/cjrb", edit).await.status(), 200);
    let issued = app.admin_post("/api/v1/outlets/cjrb/tokens", json!({})).await;
    assert_eq!(issued.status(), 201);
    let outlet_token = issued.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
    assert_eq!(app.admin_delete("/api/v1/outlets/cjrb/tokens/1").await.status(), 204);

    // Sources, a poll asked for, partners.
    let feeds =
        crate::helpers::serve_feeds(vec![("/rss.xml", "<rss version=\"2.0\"><channel></channel></rss>".into())]).await;
    let source = app
        .admin_post(
            "/api/v1/sources",
            json!({"outlet": "cjrb", "url": format!("{feeds}/rss.xml"), "columns": ["party-96"]}),
        )
        .await;
    assert_eq!(source.status(), 201);
    let source_id = source.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    assert_eq!(
        app.admin_patch(&format!("/api/v1/sources/{source_id}"), json!({"interval_secs": 3600})).await.status(),
        200
    );
    assert_eq!(app.admin_post(&format!("/api/v1/sources/{source_id}/poll"), json!({})).await.status(), 200);
    assert_eq!(app.admin_delete(&format!("/api/v1/sources/{source_id}")).await.status(), 204);
    let partner = app.admin_post("/api/v1/partners", json!({"name": "聚合", "columns": ["zhuanti"]})).await;
    let partner_id = partner.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    assert_eq!(app.admin_delete(&format!("/api/v1/partners/{partner_id}")).await.status(), 204);

    // Users, by the admin token, and by the command line.
    let user =
        json!({"username": "wangfang", "name": "王芳", "role": "editor", "columns": ["zhuanti"], "password": PASSWORD});
    assert_eq!(app.admin_post("/api/v1/users", user).await.status(), 201);
    assert_eq!(app.admin_patch("/api/v1/users/wangfang", json!({"name": "王芳芳"})).await.status(), 200);
    assert_eq!(
        app.admin_patch("/api/v1/users/wangfang", json!({"password": "另一个 long passphrase"})).await.status(),
        200
    );
    assert_eq!(app.admin_patch("/api/v1/users/wangfang", json!({"disabled": true})).await.status(), 200);
    assert_eq!(app.admin_patch("/api/v1/users/wangfang", json!({"disabled": false})).await.status(), 200);
    let editor_token = printed(&user_command(&app, &["user", "token", "wangfang"], "").await);
    let editor_token = editor_token.split_whitespace().find(|w| w.starts_with("syu_")).unwrap().to_owned();

    // Articles: pushes are not audited; quarantine decisions and withdrawals are.
    let pushed: Value = app.push(&outlet_token, &example_article()).await.json().await.unwrap();
    let article = pushed["id"].as_i64().unwrap();
    let mut spam = example_article();
    spam["original_url"] = json!("http://www.cjxww.cn/show?id=2");
    spam["content_html"] = json!("<p>bet365 优惠</p>");
    let held = app.push(&outlet_token, &spam).await.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    spam["original_url"] = json!("http://www.cjxww.cn/show?id=3");
    let rejected = app.push(&outlet_token, &spam).await.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let release = app.client.post(app.url(&format!("/api/v1/quarantine/{held}/release"))).bearer_auth(&editor_token);
    assert_eq!(status(release.json(&json!({}))).await, 200);
    assert_eq!(app.admin_post(&format!("/api/v1/quarantine/{rejected}/reject"), json!({})).await.status(), 204);
    let by_outlet = app.client.delete(app.url(&format!("/api/v1/articles/{article}"))).bearer_auth(&outlet_token);
    assert_eq!(status(by_outlet).await, 200);
    let by_admin = app.client.delete(app.url(&format!("/api/v1/articles/{held}"))).bearer_auth(ADMIN_TOKEN);
    assert_eq!(status(by_admin).await, 200);

    let log = entries(&app, "").await;
    let source = format!("source:{source_id}");
    let partner = format!("partner:{partner_id}");
    let (article, held, rejected) =
        (format!("article:{article}"), format!("article:{held}"), format!("article:{rejected}"));
    assert_eq!(
        summary(&log),
        [
            row("cli", "user.add", "user:zhaolei"),
            row("cli", "user.token.issue", "user:zhaolei"),
            row("admin-token", "column.add", "column:zhuanti"),
            row("admin-token", "column.add", "column:party-96"),
            row("admin-token", "outlet.add", "outlet:cjrb"),
            row("admin-token", "column.edit", "column:party-96"),
            row("user:zhaolei", "column.add", "column:local"),
            row("user:zhaolei", "column.remove", "column:local"),
            row("admin-token", "outlet.edit", "outlet:cjrb"),
            row("admin-token", "outlet.token.issue", "outlet:cjrb"),
            row("admin-token", "outlet.token.revoke", "outlet:cjrb"),
            row("admin-token", "source.add", &source),
            row("admin-token", "source.edit", &source),
            row("admin-token", "source.poll", &source),
            row("admin-token", "source.remove", &source),
            row("admin-token", "partner.add", &partner),
            row("admin-token", "partner.revoke", &partner),
            row("admin-token", "user.add", "user:wangfang"),
            row("admin-token", "user.edit", "user:wangfang"),
            row("admin-token", "user.password", "user:wangfang"),
            row("admin-token", "user.disable", "user:wangfang"),
            row("admin-token", "user.enable", "user:wangfang"),
            row("cli", "user.token.issue", "user:wangfang"),
            row("user:wangfang", "quarantine.release", &held),
            row("admin-token", "quarantine.reject", &rejected),
            row("outlet:cjrb", "article.withdraw", &article),
            row("admin-token", "article.withdraw", &held),
        ]
    );

    // What each recorded: an addition its fields after, an edit only what changed, a
    // removal its fields before.
    let added = entry(&log, "column.add", "column:party-96");
    assert_eq!(added["before"], Value::Null);
    assert_eq!(
        added["after"],
        json!({"slug": "party-96", "title": "庆祝建党96周年", "description": null, "parent": "zhuanti",
               "licensed_only": false, "strict_titles": false, "hide_duplicates": false})
    );
    let edited = entry(&log, "column.edit", "column:party-96");
    assert_eq!(
        (&edited["before"], &edited["after"]),
        (&json!({"title": "庆祝建党96周年"}), &json!({"title": "建党96周年"}))
    );
    assert_eq!(entry(&log, "column.remove", "column:local")["before"]["title"], "本地");
    assert_eq!(entry(&log, "column.remove", "column:local")["after"], Value::Null);
    let outlet = entry(&log, "outlet.edit", "outlet:cjrb");
    assert_eq!(outlet["before"], json!({"domains": null, "feed_content": "full"}));
    assert_eq!(outlet["after"], json!({"domains": ["cjxww.cn", "cjrb.cn"], "feed_content": "summary"}));
    assert_eq!(entry(&log, "outlet.token.issue", "outlet:cjrb")["after"], json!({"token_id": 2}));
    assert_eq!(entry(&log, "outlet.token.revoke", "outlet:cjrb")["after"], json!({"token_id": 1}));
    let source_added = entry(&log, "source.add", &source);
    assert_eq!(
        (&source_added["after"]["outlet"], &source_added["after"]["columns"]),
        (&json!("cjrb"), &json!(["party-96"]))
    );
    let source_edited = entry(&log, "source.edit", &source);
    assert_eq!(
        (&source_edited["before"], &source_edited["after"]),
        (&json!({"interval_secs": 900}), &json!({"interval_secs": 3600}))
    );
    assert_eq!(entry(&log, "source.poll", &source)["after"]["status"], 200);
    assert_eq!(entry(&log, "source.remove", &source)["before"]["interval_secs"], 3600);
    assert_eq!(entry(&log, "partner.revoke", &partner)["after"], json!({"revoked": true}));
    assert_eq!(entry(&log, "user.edit", "user:wangfang")["after"], json!({"name": "王芳芳"}));
    assert_eq!(entry(&log, "user.password", "user:wangfang")["after"], json!({"password": "changed"}));
    assert_eq!(entry(&log, "user.disable", "user:wangfang")["after"], json!({"disabled": true}));
    assert_eq!(
        entry(&log, "quarantine.release", &held)["after"],
        json!({"status": "published", "quarantine_reason": null})
    );
    assert_eq!(entry(&log, "quarantine.reject", &rejected)["before"]["original_url"], "http://www.cjxww.cn/show?id=3");
    assert_eq!(
        entry(&log, "article.withdraw", &article)["after"],
        json!({"withdrawn": true, "withdrawn_by": "outlet"})
    );
    assert_eq!(entry(&log, "article.withdraw", &held)["after"]["withdrawn_by"], "site");
    for item in &log {
        let at = chrono::DateTime::parse_from_rfc3339(item["at"].as_str().unwrap()).unwrap();
        assert!(at <= chrono::Utc::now(), "{item}");
    }
}

async fn no_secret_appears_in_the_audit_log(app: TestApp) {
    let mut secrets = vec![PASSWORD.to_owned(), ADMIN_TOKEN.to_owned()];
    secrets.push(app.with_example_catalog().await);
    let issued: Value = app.admin_post("/api/v1/outlets/cjrb/tokens", json!({})).await.json().await.unwrap();
    secrets.push(issued["token"].as_str().unwrap().to_owned());
    let partner: Value = app.admin_post("/api/v1/partners", json!({"name": "聚合"})).await.json().await.unwrap();
    secrets.push(partner["token"].as_str().unwrap().to_owned());
    let user = json!({"username": "wangfang", "name": "王芳", "role": "admin", "password": PASSWORD});
    assert_eq!(app.admin_post("/api/v1/users", user).await.status(), 201);
    let new_password = "a brand new passphrase 新密码";
    assert_eq!(app.admin_patch("/api/v1/users/wangfang", json!({"password": new_password})).await.status(), 200);
    secrets.push(new_password.to_owned());
    let issued = printed(&user_command(&app, &["user", "token", "wangfang"], "").await);
    secrets.push(issued.split_whitespace().find(|w| w.starts_with("syu_")).unwrap().to_owned());
    // What the database keeps of them: digests and hashes.
    let digests = secrets.iter().map(|s| syndic::domain::token::digest(s)).collect::<Vec<_>>();
    secrets.extend(digests);
    secrets.push("argon2".into());

    let log = app.admin_get("/api/v1/audit?limit=500").await.text().await.unwrap();
    assert!(log.contains("user.password") && log.contains("outlet.token.issue"), "{log}");
    for secret in &secrets {
        assert!(!log.contains(secret.as_str()), "{secret} is in the audit log: {log}");
    }
}

async fn a_refused_change_leaves_no_entry_and_an_entry_that_cannot_be_written_stops_the_change(app: TestApp) {
    app.with_example_catalog().await;
    let before = entries(&app, "").await.len();
    let duplicate = app.admin_post("/api/v1/columns", json!({"slug": "zhuanti", "title": "again"})).await;
    assert_eq!(duplicate.status(), 409);
    assert_eq!(app.admin_post("/api/v1/columns", json!({"slug": "Bad Slug", "title": "x"})).await.status(), 422);
    assert_eq!(app.admin_delete("/api/v1/columns/zhuanti").await.status(), 409, "it has a sub-column");
    assert_eq!(app.admin_patch("/api/v1/columns/zhuanti", json!({"parent": "party-96"})).await.status(), 409);
    assert_eq!(app.admin_delete("/api/v1/outlets/cjrb/tokens/99").await.status(), 404);
    assert_eq!(app.admin_post("/api/v1/quarantine/99/release", json!({})).await.status(), 404);
    assert_eq!(entries(&app, "").await.len(), before, "refused changes left entries");

    // An entry the database will not take: the change it records does not happen either.
    let refuse = match app.backend() {
        Backend::Sqlite => {
            "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'no'); END;"
        }
        Backend::Postgres => {
            "CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no'; END; $$;
             CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_audit();"
        }
    };
    app.execute_sql(refuse).await;
    assert_eq!(app.admin_post("/api/v1/columns", json!({"slug": "local", "title": "本地"})).await.status(), 500);
    assert_eq!(app.admin_patch("/api/v1/columns/zhuanti", json!({"title": "改"})).await.status(), 500);
    assert_eq!(app.admin_patch("/api/v1/outlets/cjrb", json!({"name": "改"})).await.status(), 500);
    let columns: Value = app.admin_get("/api/v1/columns").await.json().await.unwrap();
    let titles: Vec<&str> =
        columns["columns"].as_array().unwrap().iter().map(|c| c["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["专题栏目", "庆祝建党96周年"], "no column added or renamed");
    let outlet: Value = app.admin_get("/api/v1/outlets/cjrb").await.json().await.unwrap();
    assert_eq!(outlet["name"], "昌吉日报");
}

async fn filters_and_the_cursor_walk_every_entry_exactly_once(app: TestApp) {
    let zhaolei = user_with_token(&app, "zhaolei", "admin", &[]).await;
    for n in 0..7 {
        app.add_column(&format!("c{n}"), &format!("栏目 {n}"), None).await;
    }
    let started = chrono::Utc::now();
    for n in 0..3 {
        let body = json!({"title": format!("改 {n}")});
        let edit = app.client.patch(app.url("/api/v1/columns/c1")).bearer_auth(&zhaolei).json(&body);
        assert_eq!(status(edit).await, 200);
    }
    let all = entries(&app, "").await;
    assert_eq!(all.len(), 2 + 7 + 3);
    let ids: Vec<i64> = all.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");

    // Pages of 5 walk every entry once, newest first, and the last page says so.
    let mut walked = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let query = cursor.as_ref().map_or("limit=5".to_owned(), |c| format!("limit=5&cursor={c}"));
        let page: Value = app.admin_get(&format!("/api/v1/audit?{query}")).await.json().await.unwrap();
        let items = page["items"].as_array().unwrap();
        assert!(!items.is_empty() && items.len() <= 5, "{page}");
        walked.extend(items.iter().map(|e| e["id"].as_i64().unwrap()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(walked, ids);

    // Each filter, alone and together.
    let by_user = entries(&app, "actor=user%3Azhaolei").await;
    assert_eq!(by_user.len(), 3);
    assert!(by_user.iter().all(|e| e["actor"] == "user:zhaolei" && e["action"] == "column.edit"));
    assert_eq!(entries(&app, "target=column%3Ac1").await.len(), 1 + 3);
    assert_eq!(entries(&app, "action=column.add").await.len(), 7);
    assert_eq!(entries(&app, "action=column.add&target=column%3Ac1&actor=admin-token").await.len(), 1);
    assert_eq!(entries(&app, "actor=nobody").await.len(), 0);
    let since = started.to_rfc3339_opts(chrono::SecondsFormat::Micros, true).replace('+', "%2B");
    assert_eq!(entries(&app, &format!("since={since}")).await.len(), 3);
    assert_eq!(entries(&app, "since=2999-01-01T00:00:00Z").await.len(), 0);
    let filtered_pages: Value = app.admin_get("/api/v1/audit?action=column.add&limit=4").await.json().await.unwrap();
    let next = filtered_pages["next_cursor"].as_str().unwrap();
    let rest = entries(&app, &format!("action=column.add&cursor={next}")).await;
    assert_eq!(rest.len(), 3, "the cursor keeps the filter's order");

    // Each parameter that is not one is named.
    for (query, name) in [
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=many", "limit"),
        ("cursor=garbage", "cursor"),
        ("since=yesterday", "since"),
        ("action=column.delete", "action"),
        ("actor=", "actor"),
        ("target=a%00b", "target"),
    ] {
        let response = app.admin_get(&format!("/api/v1/audit?{query}")).await;
        assert_eq!(response.status(), 400, "{query}");
        let body: Value = response.json().await.unwrap();
        assert!(body["fields"][name].is_string(), "{query}: {body}");
    }
}

async fn only_admins_read_the_audit_log(app: TestApp) {
    app.add_column("zhuanti", "专题", None).await;
    let editor = user_with_token(&app, "wangfang", "editor", &[]).await;
    let viewer = user_with_token(&app, "liming", "viewer", &[]).await;
    let admin = user_with_token(&app, "zhaolei", "admin", &[]).await;
    let read = |token: &str| app.client.get(app.url("/api/v1/audit")).bearer_auth(token.to_owned());
    assert_eq!(status(read(&editor)).await, 403);
    assert_eq!(status(read(&viewer)).await, 403);
    assert_eq!(status(read("not-a-token")).await, 401);
    assert_eq!(status(app.client.get(app.url("/api/v1/audit"))).await, 401);
    let as_admin = read(&admin).send().await.unwrap();
    assert_eq!(as_admin.status(), 200);
    assert!(!as_admin.json::<Value>().await.unwrap()["items"].as_array().unwrap().is_empty());
    // Nothing deletes or changes an entry through the API.
    for method in [reqwest::Method::DELETE, reqwest::Method::PATCH, reqwest::Method::PUT, reqwest::Method::POST] {
        let tried = app.client.request(method.clone(), app.url("/api/v1/audit")).bearer_auth(ADMIN_TOKEN);
        assert_eq!(status(tried).await, 405, "{method}");
    }
}

async fn logins_and_failed_logins_are_recorded_without_the_password(app: TestApp) {
    let operations = Operations::new(app.store.clone(), Arc::new(app.config.clone()));
    operations.audit_login("wangfang", "203.0.113.9").await.unwrap();
    operations.audit_failed_login("wangfang\0<script>", "198.51.100.7").await.unwrap();
    let log = entries(&app, "").await;
    assert_eq!(
        summary(&log),
        [
            row("user:wangfang", "login", "user:wangfang"),
            row("visitor:198.51.100.7", "login.failed", "user:wangfang<script>")
        ]
    );
    assert_eq!(log[1]["after"], json!({"address": "203.0.113.9"}));
    assert_eq!(log[0]["after"], json!({"username": "wangfang<script>", "address": "198.51.100.7"}));
    assert_eq!(entries(&app, "action=login.failed&actor=visitor%3A198.51.100.7").await.len(), 1);
}

async fn the_database_refuses_to_change_or_remove_an_entry(app: TestApp) {
    app.add_column("zhuanti", "专题", None).await;
    for sql in ["UPDATE audit_log SET actor = 'someone-else'", "DELETE FROM audit_log"] {
        use sqlx::Connection;
        let mut conn = sqlx::AnyConnection::connect(&app.config.database_url).await.unwrap();
        let refused = sqlx::raw_sql(sql).execute(&mut conn).await.expect_err(sql);
        assert!(refused.to_string().contains("append-only"), "{sql}: {refused}");
        conn.close().await.ok();
    }
    if app.backend() == Backend::Postgres {
        use sqlx::Connection;
        let mut conn = sqlx::AnyConnection::connect(&app.config.database_url).await.unwrap();
        assert!(sqlx::raw_sql("TRUNCATE audit_log").execute(&mut conn).await.is_err(), "TRUNCATE");
    }
    let log = entries(&app, "").await;
    assert_eq!(summary(&log), [row("admin-token", "column.add", "column:zhuanti")]);
}

async fn reinstating_and_moving_an_article_are_recorded_by_whoever_did_them(app: TestApp) {
    let outlet_token = app.with_example_catalog().await;
    app.add_column("local", "本地", None).await;
    let editor = user_with_token(&app, "wangfang", "editor", &[]).await;
    let pushed: Value = app.push(&outlet_token, &example_article()).await.json().await.unwrap();
    let id = pushed["id"].as_i64().unwrap();
    let by_admin = app.client.delete(app.url(&format!("/api/v1/articles/{id}"))).bearer_auth(ADMIN_TOKEN);
    assert_eq!(status(by_admin).await, 200);
    let reinstate = app.client.post(app.url(&format!("/api/v1/articles/{id}/reinstate"))).bearer_auth(&editor);
    assert_eq!(status(reinstate).await, 200);
    let again = app.client.post(app.url(&format!("/api/v1/articles/{id}/reinstate"))).bearer_auth(&editor);
    assert_eq!(status(again).await, 409, "not withdrawn any more: refused, and not recorded");
    let columns = json!({"columns": ["local", "party-96"]});
    let moved = app.client.put(app.url(&format!("/api/v1/articles/{id}/columns"))).bearer_auth(&editor);
    assert_eq!(status(moved.json(&columns)).await, 200);

    let target = format!("article:{id}");
    let log = entries(&app, &format!("target={target}")).await;
    assert_eq!(
        summary(&log),
        [
            row("admin-token", "article.withdraw", &target),
            row("user:wangfang", "article.reinstate", &target),
            row("user:wangfang", "article.move", &target),
        ]
    );
    assert_eq!(log[1]["before"], json!({"withdrawn": true, "withdrawn_by": "site"}));
    assert_eq!(log[1]["after"], json!({"withdrawn": false, "withdrawn_by": null}));
    assert_eq!(log[0]["before"], json!({"columns": ["party-96"]}));
    assert_eq!(log[0]["after"], json!({"columns": ["local", "party-96"]}));
}
