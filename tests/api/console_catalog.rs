//! The console's catalogue pages as people use them, through the login form and the
//! pages' own forms: columns, outlets (a token shown once that then pushes), sources
//! (routing rules, poll now, refusals), partners and users; each change checked through
//! the JSON API, each refused form leaving nothing stored with its reason beside the
//! field, every page parsed (labels, `lang`), and the roles as the API has them.

use crate::browser::{add_user, check_page, signed_in, Answer, Browser, PASSWORD};
use crate::helpers::{example_article, serve_feeds, TestApp};
use crate::stories;
use serde_json::{json, Value};

stories!(
    an_admin_builds_the_column_tree_in_the_console,
    an_outlet_added_in_the_console_shows_its_token_once,
    sources_are_routed_polled_and_removed_in_the_console,
    partners_and_users_are_managed_in_the_console,
    each_role_sees_and_changes_only_what_the_api_allows,
    console_changes_are_audited_as_the_signed_in_user,
);

/// Posts a console form with the session's CSRF token.
async fn submit(browser: &Browser, path: &str, fields: &[(&str, &str)]) -> Answer {
    let csrf = browser.csrf().await;
    let mut fields = fields.to_vec();
    fields.push(("csrf", &csrf));
    browser.post(path, &fields).await
}

/// A page that must render for this user, checked for labels and `lang`.
async fn page(browser: &Browser, path: &str) -> Answer {
    let answer = browser.get(path).await;
    assert_eq!(answer.status, 200, "{path}: {}", answer.body);
    check_page(&answer.body);
    answer
}

async fn api(app: &TestApp, path: &str) -> Value {
    let response = app.admin_get(path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

/// The value of the read-only field a new token is shown in.
fn shown_token(answer: &Answer) -> String {
    let marker = "id=\"secret\" type=\"text\" readonly value=\"";
    let start = answer.body.find(marker).unwrap_or_else(|| panic!("a token shown in {}", answer.body)) + marker.len();
    answer.body[start..].split('"').next().unwrap().to_owned()
}

/// Asserts a refused form: its status, the reason beside `field`, nothing else done.
fn assert_refused_beside(answer: &Answer, status: u16, field: &str) {
    assert_eq!(answer.status, status, "{}", answer.body);
    assert!(answer.body.contains(&format!("id=\"{field}-error\"")), "reason beside {field}: {}", answer.body);
    let described = answer.body.split("aria-describedby=\"").skip(1).filter_map(|rest| rest.split('"').next());
    let error_id = format!("{field}-error");
    assert!(
        described.into_iter().any(|ids| ids.split(' ').any(|id| id == error_id))
            || field == "routes"
            || field == "columns",
        "the input of {field} described by its reason: {}",
        answer.body
    );
    check_page(&answer.body);
}

async fn an_admin_builds_the_column_tree_in_the_console(app: TestApp) {
    let admin = signed_in(&app, "wangfang", "admin", &[]).await;
    let empty = page(&admin, "/admin/columns").await;
    assert!(empty.body.contains("action=\"/admin/columns\""), "the add form");

    let added = submit(
        &admin,
        "/admin/columns",
        &[("slug", "zhuanti"), ("title", "专题栏目"), ("description", "专题"), ("parent", "")],
    )
    .await;
    assert_eq!((added.status, added.location()), (303, "/admin/columns?done=added"));
    let child = [("slug", "party-96"), ("title", "庆祝建党96周年"), ("description", ""), ("parent", "zhuanti")];
    assert_eq!(submit(&admin, "/admin/columns", &child).await.status, 303);
    assert_eq!(
        submit(&admin, "/admin/columns", &[("slug", "local"), ("title", "本地"), ("parent", "")]).await.status,
        303
    );
    let columns = api(&app, "/api/v1/columns/party-96").await;
    assert_eq!((columns["title"].as_str(), columns["parent"].as_str()), (Some("庆祝建党96周年"), Some("zhuanti")));

    let tree = page(&admin, "/admin/columns?done=added").await;
    assert!(tree.body.contains("role=\"status\""), "the notice");
    assert!(tree.body.contains("class=\"depth-1\""), "the sub-column indented: {}", tree.body);
    let (parent_at, child_at) = (tree.body.find("专题栏目").unwrap(), tree.body.find("庆祝建党96周年").unwrap());
    assert!(parent_at < child_at, "a sub-column after its parent");

    // A malformed slug, a missing title: each reason beside its field, nothing stored.
    let refused = submit(&admin, "/admin/columns", &[("slug", "Bad Slug"), ("title", " "), ("parent", "")]).await;
    assert_refused_beside(&refused, 422, "slug");
    assert_refused_beside(&refused, 422, "title");
    assert!(refused.body.contains("value=\"Bad Slug\""), "what was typed is kept");
    assert_eq!(api(&app, "/api/v1/columns").await["columns"].as_array().unwrap().len(), 3);
    let taken = submit(&admin, "/admin/columns", &[("slug", "local"), ("title", "又一个"), ("parent", "")]).await;
    assert_eq!(taken.status, 409, "{}", taken.body);

    // Edit: title, description, and a move under another parent.
    page(&admin, "/admin/columns/party-96").await;
    let moved = [("title", "建党96周年"), ("description", "纪念"), ("parent", "local")];
    assert_eq!(submit(&admin, "/admin/columns/party-96", &moved).await.location(), "/admin/columns?done=saved");
    let column = api(&app, "/api/v1/columns/party-96").await;
    assert_eq!(
        (column["title"].as_str(), column["description"].as_str(), column["parent"].as_str()),
        (Some("建党96周年"), Some("纪念"), Some("local"))
    );
    let cycle = submit(&admin, "/admin/columns/local", &[("title", "本地"), ("parent", "party-96")]).await;
    assert_refused_beside(&cycle, 409, "parent");
    assert_eq!(api(&app, "/api/v1/columns/local").await["parent"], Value::Null);

    // Removing: refused with the reason while it has a sub-column; then done.
    let refused = submit(&admin, "/admin/columns/local/remove", &[]).await;
    assert_eq!(refused.status, 409);
    assert!(refused.body.contains("sub-column"), "the reason: {}", refused.body);
    assert_eq!(app.admin_get("/api/v1/columns/local").await.status(), 200);
    let removed = submit(&admin, "/admin/columns/party-96/remove", &[]).await;
    assert_eq!(removed.location(), "/admin/columns?done=removed");
    assert_eq!(app.admin_get("/api/v1/columns/party-96").await.status(), 404);
}

async fn an_outlet_added_in_the_console_shows_its_token_once(app: TestApp) {
    app.add_column("zhuanti", "专题栏目", None).await;
    app.add_column("party-96", "庆祝建党96周年", Some("zhuanti")).await;
    let admin = signed_in(&app, "wangfang", "admin", &[]).await;
    page(&admin, "/admin/outlets").await;
    let outlet = [
        ("slug", "cjrb"),
        ("name", "昌吉日报"),
        ("homepage", "http://www.cjxww.cn/"),
        ("language", "zh-CN"),
        ("timezone", "Asia/Shanghai"),
        ("rights", "版权归昌吉日报所有"),
        ("indexing", "original"),
        ("feed_content", "summary"),
        ("partner_content", "none"),
        ("domains", "cjxww.cn, cjrb.cn"),
    ];
    let refused =
        submit(&admin, "/admin/outlets", &[&outlet[..2], &[("homepage", "ftp://x")], &outlet[3..]].concat()).await;
    assert_refused_beside(&refused, 422, "homepage");
    assert!(!refused.body.contains("id=\"secret\""));
    assert_eq!(app.admin_get("/api/v1/outlets/cjrb").await.status(), 404, "nothing stored");

    let created = submit(&admin, "/admin/outlets", &outlet).await;
    assert_eq!(created.status, 201, "the token is in this answer, not behind a redirect: {}", created.body);
    assert!(created.headers.get("location").is_none());
    assert_eq!(created.headers["cache-control"], "no-store");
    check_page(&created.body);
    let token = shown_token(&created);
    assert!(token.starts_with("syo_"), "{token}");
    let stored = api(&app, "/api/v1/outlets/cjrb").await;
    assert_eq!(
        (
            &stored["indexing"],
            &stored["feed_content"],
            &stored["partner_content"],
            &stored["domains"],
            &stored["timezone"]
        ),
        (
            &json!("original"),
            &json!("summary"),
            &json!("none"),
            &json!(["cjxww.cn", "cjrb.cn"]),
            &json!("Asia/Shanghai")
        )
    );
    assert_eq!(app.push(&token, &example_article()).await.status(), 201, "the token shown pushes");
    for later in ["/admin/outlets", "/admin/outlets/cjrb"] {
        assert!(!page(&admin, later).await.body.contains(&token), "{later} never shows it again");
    }

    let edited = [&[("name", "昌吉日报社")], &outlet[2..]].concat();
    assert_eq!(submit(&admin, "/admin/outlets/cjrb", &edited).await.location(), "/admin/outlets/cjrb?done=saved");
    assert_eq!(api(&app, "/api/v1/outlets/cjrb").await["name"], "昌吉日报社");
    let bad_zone = [&[("name", "昌吉日报社"), ("timezone", "Mars/Olympus")], &outlet[2..4], &outlet[5..]].concat();
    assert_refused_beside(&submit(&admin, "/admin/outlets/cjrb", &bad_zone).await, 422, "timezone");
    assert_eq!(api(&app, "/api/v1/outlets/cjrb").await["timezone"], "Asia/Shanghai");

    // Another token, shown once; revoking the first stops it at once.
    let issued = submit(&admin, "/admin/outlets/cjrb/tokens", &[]).await;
    assert_eq!(issued.status, 201);
    let second = shown_token(&issued);
    assert_ne!(second, token);
    let tokens = api(&app, "/api/v1/outlets/cjrb/tokens").await["tokens"].as_array().unwrap().clone();
    let first_id = tokens.iter().map(|t| t["id"].as_i64().unwrap()).min().unwrap();
    let revoked = submit(&admin, &format!("/admin/outlets/cjrb/tokens/{first_id}/revoke"), &[]).await;
    assert_eq!(revoked.location(), "/admin/outlets/cjrb?done=revoked");
    assert_eq!(app.push(&token, &example_article()).await.status(), 401);
    let mut again = example_article();
    again["title"] = json!("又一篇");
    assert_eq!(app.push(&second, &again).await.status(), 200, "the new one pushes (an update)");
}

/// An RSS document with an item of the outlet's and one from elsewhere (refused).
fn feed() -> String {
    r#"<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>昌吉</title>
    <link>http://www.cjxww.cn/</link>
    <item><title>木垒县基层党建</title><link>http://www.cjxww.cn/show?id=1</link><category>基层党建</category>
      <description>木垒县的消息</description><pubDate>Thu, 28 Jun 2018 11:39:20 +0800</pubDate></item>
    <item><title>别处的文章</title><link>http://elsewhere.example.org/a</link>
      <description>不是本媒体的</description><pubDate>Thu, 28 Jun 2018 11:39:20 +0800</pubDate></item>
    </channel></rss>"#
        .to_owned()
}

async fn sources_are_routed_polled_and_removed_in_the_console(app: TestApp) {
    app.with_example_catalog().await;
    app.add_column("local", "本地", None).await;
    let base = serve_feeds(vec![("/rss.xml", feed())]).await;
    let url = format!("{base}/rss.xml");
    let admin = signed_in(&app, "wangfang", "admin", &[]).await;
    page(&admin, "/admin/sources").await;

    let source = |url: &str, interval: &str| -> Vec<(&'static str, String)> {
        vec![
            ("outlet", "cjrb".into()),
            ("url", url.into()),
            ("column", "party-96".into()),
            ("also", "zhuanti".into()),
            ("route_match", "category".into()),
            ("route_value", "基层党建".into()),
            ("route_column", "local".into()),
            ("route_match", "keyword".into()),
            ("route_value", "".into()),
            ("route_column", "zhuanti".into()),
            ("include", "".into()),
            ("exclude", "广告\n 推广 \n".into()),
            ("interval_secs", interval.into()),
        ]
    };
    let post = |path: &str, fields: Vec<(&'static str, String)>| {
        let path = path.to_owned();
        let admin = &admin;
        async move {
            let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            submit(admin, &path, &borrowed).await
        }
    };

    let refused = post("/admin/sources", source(&url, "30")).await;
    assert_refused_beside(&refused, 422, "interval_secs");
    assert_eq!(api(&app, "/api/v1/sources").await["sources"], json!([]), "nothing stored");

    let added = post("/admin/sources", source(&url, "600")).await;
    assert_eq!(added.status, 303, "{}", added.body);
    let stored = api(&app, "/api/v1/sources").await["sources"][0].clone();
    let id = stored["id"].as_i64().unwrap();
    assert_eq!(added.location(), format!("/admin/sources/{id}?done=added"));
    assert_eq!(
        (&stored["columns"], &stored["routes"], &stored["exclude"], &stored["interval_secs"]),
        (
            &json!(["party-96", "zhuanti"]),
            &json!([{"match": "category", "value": "基层党建", "column": "local"}]),
            &json!(["广告", "推广"]),
            &json!(600)
        )
    );

    // Poll now: the outcome on the page, the refused item with its reason.
    let shown = page(&admin, &format!("/admin/sources/{id}")).await;
    assert!(shown.body.contains("value=\"基层党建\""), "the rule in the edit form");
    let polled = post(&format!("/admin/sources/{id}/poll"), vec![]).await;
    assert_eq!(polled.location(), format!("/admin/sources/{id}?done=polled"));
    let outcome = page(&admin, &format!("/admin/sources/{id}?done=polled")).await;
    assert!(outcome.body.contains("HTTP 200"), "{}", outcome.body);
    let status = api(&app, &format!("/api/v1/sources/{id}")).await;
    assert_eq!((status["items_new"].as_i64(), status["items_refused"].as_i64()), (Some(1), Some(1)));
    let reason = status["refusals"].as_object().unwrap().keys().next().unwrap().clone();
    assert!(outcome.body.contains(&maud_escaped(&reason)), "the refusal's reason {reason} shown");
    let listed = page(&admin, "/admin/sources").await;
    assert!(listed.body.contains(&url));

    // Edit: another interval, the rule gone; a column that does not exist refused beside it.
    let mut edit = source(&url, "1200");
    edit.retain(|(k, _)| *k != "outlet");
    edit[4].1 = String::new();
    assert_eq!(
        post(&format!("/admin/sources/{id}"), edit.clone()).await.location(),
        format!("/admin/sources/{id}?done=saved")
    );
    let changed = api(&app, &format!("/api/v1/sources/{id}")).await;
    assert_eq!((&changed["interval_secs"], &changed["routes"]), (&json!(1200), &json!([])));
    edit[1].1 = "no-such-column".into();
    let unknown = post(&format!("/admin/sources/{id}"), edit).await;
    assert_refused_beside(&unknown, 409, "columns");
    assert_eq!(api(&app, &format!("/api/v1/sources/{id}")).await["columns"], json!(["party-96", "zhuanti"]));

    let removed = post(&format!("/admin/sources/{id}/remove"), vec![]).await;
    assert_eq!(removed.location(), "/admin/sources?done=removed");
    assert_eq!(app.admin_get(&format!("/api/v1/sources/{id}")).await.status(), 404);
}

/// The user lisi as the users API shows it.
async fn lisi(app: &TestApp) -> Value {
    let users = api(app, "/api/v1/users").await["users"].clone();
    users.as_array().unwrap().iter().find(|u| u["username"] == "lisi").unwrap().clone()
}

/// Text as maud writes it into a page.
fn maud_escaped(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

async fn partners_and_users_are_managed_in_the_console(app: TestApp) {
    app.with_example_catalog().await;
    let admin = signed_in(&app, "wangfang", "admin", &[]).await;

    // A partner: its token shown once, reading the change feed; revoked, refused.
    page(&admin, "/admin/partners").await;
    assert_refused_beside(&submit(&admin, "/admin/partners", &[("name", "")]).await, 422, "name");
    let created = submit(&admin, "/admin/partners", &[("name", "聚合网"), ("columns", "party-96")]).await;
    assert_eq!(created.status, 201);
    check_page(&created.body);
    let token = shown_token(&created);
    let partners = api(&app, "/api/v1/partners").await["partners"].clone();
    assert_eq!((&partners[0]["name"], &partners[0]["columns"]), (&json!("聚合网"), &json!(["party-96"])));
    let read = |token: String| {
        let app = &app;
        async move {
            let client = reqwest::Client::new();
            client.get(app.url("/api/v1/articles")).bearer_auth(token).send().await.unwrap().status().as_u16()
        }
    };
    assert_eq!(read(token.clone()).await, 200);
    assert!(!page(&admin, "/admin/partners").await.body.contains(&token));
    let id = partners[0]["id"].as_i64().unwrap();
    assert_eq!(
        submit(&admin, &format!("/admin/partners/{id}/revoke"), &[]).await.location(),
        "/admin/partners?done=revoked"
    );
    assert_eq!(read(token).await, 401);

    // A user: added, edited (role, columns, language), a password set, a token, disabled.
    page(&admin, "/admin/users").await;
    let short = [("username", "lisi"), ("name", "李四"), ("role", "editor"), ("password", "short")];
    assert_refused_beside(&submit(&admin, "/admin/users", &short).await, 422, "password");
    assert_eq!(api(&app, "/api/v1/users").await["users"].as_array().unwrap().len(), 1, "nothing stored");
    let new_user =
        [("username", "lisi"), ("name", "李四"), ("role", "viewer"), ("columns", "zhuanti"), ("password", PASSWORD)];
    let added = submit(&admin, "/admin/users", &new_user).await;
    assert_eq!(added.location(), "/admin/users/lisi?done=added");
    page(&admin, "/admin/users/lisi?done=added").await;
    let edit =
        [("name", "李四四"), ("role", "editor"), ("columns", "party-96"), ("columns", "zhuanti"), ("language", "en")];
    assert_eq!(submit(&admin, "/admin/users/lisi", &edit).await.location(), "/admin/users/lisi?done=saved");
    let mut edited = lisi(&app).await;
    edited["columns"].as_array_mut().unwrap().sort_by_key(|c| c.as_str().unwrap().to_owned());
    assert_eq!(
        (&edited["name"], &edited["role"], &edited["columns"], &edited["language"]),
        (&json!("李四四"), &json!("editor"), &json!(["party-96", "zhuanti"]), &json!("en"))
    );

    let weak = submit(&admin, "/admin/users/lisi/password", &[("password", "short")]).await;
    assert_refused_beside(&weak, 422, "password");
    let new_password = "a new passphrase for lisi";
    let set = submit(&admin, "/admin/users/lisi/password", &[("password", new_password)]).await;
    assert_eq!(set.location(), "/admin/users/lisi?done=password");
    let lisi_browser = Browser::new(&app);
    assert_eq!(lisi_browser.sign_in("lisi", PASSWORD).await.status, 401);
    assert_eq!(lisi_browser.sign_in("lisi", new_password).await.status, 303);
    assert!(lisi_browser.get("/admin/account").await.body.contains("lang=\"en\""), "the language chosen for lisi");

    let issued = submit(&admin, "/admin/users/lisi/token", &[]).await;
    assert_eq!(issued.status, 201);
    let personal = shown_token(&issued);
    assert!(personal.starts_with("syu_"));
    let client = reqwest::Client::new();
    let with_token = client.get(app.url("/api/v1/columns")).bearer_auth(&personal).send().await.unwrap();
    assert_eq!(with_token.status(), 200);
    assert!(!page(&admin, "/admin/users/lisi").await.body.contains(&personal));

    assert_eq!(submit(&admin, "/admin/users/lisi/disable", &[]).await.location(), "/admin/users/lisi?done=disabled");
    assert_eq!(lisi(&app).await["disabled"], true);
    assert_eq!(lisi_browser.get("/admin/account").await.status, 303, "its session ended");
    let refused = client.get(app.url("/api/v1/columns")).bearer_auth(&personal).send().await.unwrap();
    assert_eq!(refused.status(), 401);
    assert_eq!(submit(&admin, "/admin/users/lisi/enable", &[]).await.location(), "/admin/users/lisi?done=enabled");
    assert_eq!(lisi(&app).await["disabled"], false);
}

async fn each_role_sees_and_changes_only_what_the_api_allows(app: TestApp) {
    app.with_example_catalog().await;
    app.add_column("local", "本地", None).await;
    let source =
        |columns: &[&str]| json!({"outlet": "cjrb", "url": "http://feeds.example.com/rss.xml", "columns": columns});
    let inside =
        app.admin_post("/api/v1/sources", source(&["party-96"])).await.json::<Value>().await.unwrap()["id"].clone();
    let mut outside = source(&["local"]);
    outside["url"] = json!("http://feeds.example.com/local.xml");
    let outside = app.admin_post("/api/v1/sources", outside).await.json::<Value>().await.unwrap()["id"].clone();
    let count = |path: &'static str, key: &'static str| {
        let app = &app;
        async move { api(app, path).await[key].as_array().unwrap().len() }
    };

    // A viewer: pages without a form that changes anything; every such POST 403.
    let viewer = signed_in(&app, "zhaoliu", "viewer", &[]).await;
    let inside_page = format!("/admin/sources/{inside}");
    for path in ["/admin/columns", "/admin/outlets", "/admin/sources", inside_page.as_str()] {
        let shown = page(&viewer, path).await;
        assert!(
            !shown.body.contains("<form method=\"post\" action=\"/admin/columns")
                && !shown.body.contains("action=\"/admin/outlets\"")
                && !shown.body.contains("action=\"/admin/sources")
                && !shown.body.contains("/poll\""),
            "no change form for a viewer on {path}: {}",
            shown.body
        );
    }
    assert!(
        !page(&viewer, "/admin/columns").await.body.contains("href=\"/admin/partners\""),
        "partners are the admin's"
    );
    let remove_inside = format!("/admin/sources/{inside}/remove");
    let tries: [(&str, Vec<(&str, &str)>); 6] = [
        ("/admin/columns", vec![("slug", "viewers"), ("title", "不行")]),
        ("/admin/columns/local/remove", vec![]),
        ("/admin/outlets", vec![("slug", "xx"), ("name", "X"), ("homepage", "https://x.example.cn/")]),
        ("/admin/sources", vec![("outlet", "cjrb"), ("url", "http://feeds.example.com/v.xml"), ("column", "party-96")]),
        (&remove_inside, vec![]),
        ("/admin/partners", vec![("name", "P")]),
    ];
    for (path, fields) in &tries {
        assert_eq!(submit(&viewer, path, fields).await.status, 403, "viewer POST {path}");
    }
    for path in ["/admin/users", "/admin/partners", "/admin/outlets/cjrb", "/admin/columns/local"] {
        assert_eq!(viewer.get(path).await.status, 403, "viewer GET {path}");
    }
    assert_eq!((count("/api/v1/columns", "columns").await, count("/api/v1/outlets", "outlets").await), (3, 1));
    assert_eq!((count("/api/v1/sources", "sources").await, count("/api/v1/partners", "partners").await), (2, 0));

    // An editor of zhuanti: no users, outlets or partners; sources within its columns only.
    let editor = signed_in(&app, "lisi", "editor", &["zhuanti"]).await;
    assert_eq!(editor.get("/admin/users").await.status, 403);
    let add_user = [("username", "sneaky"), ("name", "S"), ("role", "admin"), ("password", PASSWORD)];
    assert_eq!(submit(&editor, "/admin/users", &add_user).await.status, 403);
    let add_outlet = [("slug", "xx"), ("name", "X"), ("homepage", "https://x.example.cn/")];
    assert_eq!(submit(&editor, "/admin/outlets", &add_outlet).await.status, 403);
    assert_eq!(submit(&editor, "/admin/outlets/cjrb/tokens", &[]).await.status, 403);
    assert_eq!(count("/api/v1/users", "users").await, 2);
    assert_eq!(api(&app, "/api/v1/outlets/cjrb/tokens").await["tokens"].as_array().unwrap().len(), 1);

    let sources = page(&editor, "/admin/sources").await;
    assert!(
        sources.body.contains(&format!("/admin/sources/{inside}\""))
            && !sources.body.contains(&format!("/admin/sources/{outside}\""))
    );
    assert!(!sources.body.contains("value=\"local\""), "only its columns offered");
    assert_eq!(editor.get(&format!("/admin/sources/{outside}")).await.status, 404, "not seen");
    assert_eq!(submit(&editor, &format!("/admin/sources/{outside}/remove"), &[]).await.status, 403);
    let into_local =
        [("outlet", "cjrb"), ("url", "http://feeds.example.com/e.xml"), ("column", "party-96"), ("also", "local")];
    assert_eq!(submit(&editor, "/admin/sources", &into_local).await.status, 403);
    let rule_to_local = [
        ("outlet", "cjrb"),
        ("url", "http://feeds.example.com/e.xml"),
        ("column", "party-96"),
        ("route_match", "keyword"),
        ("route_value", "木垒"),
        ("route_column", "local"),
    ];
    assert_eq!(submit(&editor, "/admin/sources", &rule_to_local).await.status, 403, "a rule outside its columns");
    assert_eq!(count("/api/v1/sources", "sources").await, 2, "nothing added");
    let within = [
        ("outlet", "cjrb"),
        ("url", "http://feeds.example.com/e.xml"),
        ("column", "party-96"),
        ("interval_secs", "900"),
    ];
    assert_eq!(submit(&editor, "/admin/sources", &within).await.status, 303);
    let edit_inside = [("url", "http://feeds.example.com/rss.xml"), ("column", "zhuanti"), ("interval_secs", "900")];
    assert_eq!(submit(&editor, &format!("/admin/sources/{inside}"), &edit_inside).await.status, 303);
    assert_eq!(api(&app, &format!("/api/v1/sources/{inside}")).await["columns"], json!(["zhuanti"]));

    // Without the session's CSRF token: 403, nothing changed.
    let admin = signed_in(&app, "wangfang", "admin", &[]).await;
    let forged = admin.post("/admin/columns", &[("slug", "forged"), ("title", "伪造")]).await;
    assert_eq!(forged.status, 403);
    let wrong = admin.post("/admin/users/lisi/disable", &[("csrf", "0000")]).await;
    assert_eq!(wrong.status, 403);
    assert_eq!(app.admin_get("/api/v1/columns/forged").await.status(), 404);
    assert_eq!(lisi(&app).await["disabled"], false);
}

async fn console_changes_are_audited_as_the_signed_in_user(app: TestApp) {
    let admin = signed_in(&app, "wangfang", "admin", &[]).await;
    assert_eq!(submit(&admin, "/admin/columns", &[("slug", "zhuanti"), ("title", "专题栏目")]).await.status, 303);
    let outlet = [("slug", "cjrb"), ("name", "昌吉日报"), ("homepage", "http://www.cjxww.cn/")];
    let token = shown_token(&submit(&admin, "/admin/outlets", &outlet).await);
    add_user(&app, "lisi", "李四", "viewer").await;
    let edit = [("name", "李四"), ("role", "editor"), ("columns", "zhuanti"), ("language", "zh")];
    assert_eq!(submit(&admin, "/admin/users/lisi", &edit).await.status, 303);
    assert_eq!(
        submit(&admin, "/admin/users/lisi/password", &[("password", "another long passphrase")]).await.status,
        303
    );
    let refused = submit(&admin, "/admin/columns", &[("slug", "Bad Slug"), ("title", "x")]).await;
    assert_eq!(refused.status, 422);

    let log = api(&app, "/api/v1/audit?actor=user:wangfang&limit=500").await;
    let entries: Vec<(String, String)> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap().to_owned(), e["target"].as_str().unwrap().to_owned()))
        .collect();
    for expected in [
        ("column.add", "column:zhuanti"),
        ("outlet.add", "outlet:cjrb"),
        ("user.edit", "user:lisi"),
        ("user.password", "user:lisi"),
    ] {
        assert!(entries.contains(&(expected.0.to_owned(), expected.1.to_owned())), "{expected:?} in {entries:?}");
    }
    assert!(
        !entries.iter().any(|(_, target)| target == "column:bad slug" || target.contains("Bad")),
        "a refused form: no entry"
    );
    let edited = log["items"].as_array().unwrap().iter().find(|e| e["action"] == "user.edit").unwrap();
    assert_eq!((&edited["before"]["role"], &edited["after"]["role"]), (&json!("viewer"), &json!("editor")));
    assert_eq!(edited["after"]["language"], "zh");
    let text = log.to_string();
    assert!(!text.contains(&token) && !text.contains("another long passphrase"), "never a secret: {text}");
}
