//! Users: accounts managed by the admin API and the command line, their personal tokens
//! acting on the admin API with their role, and every boundary of a role tried as a
//! failing request.

use crate::helpers::{numbered_article, TestApp};
use crate::stories;
use serde_json::{json, Value};
use std::io::Write;
use std::process::{Output, Stdio};

stories!(
    users_are_managed_through_the_admin_api,
    user_tokens_act_with_their_role_and_stop_when_disabled,
    an_editor_reviews_the_quarantine_of_its_columns_only,
    a_user_limited_to_columns_sees_only_those,
    an_editor_manages_the_sources_of_its_columns_only,
    a_real_name_is_one_line_without_controls_or_bidi_overrides,
);

pub const PASSWORD: &str = "长江日报 correct horse";

/// Runs `syndic ARGS` on the app's database, with `stdin` as its standard input.
pub async fn user_command(app: &TestApp, args: &[&str], stdin: &str) -> Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_syndic"));
    command.args(args).env("SYNDIC_DATABASE_URL", &app.config.database_url).env("RUST_LOG", "warn");
    let stdin = stdin.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap()
}

pub fn printed(output: &Output) -> String {
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "the command failed:\n{stdout}\n{stderr}");
    assert!(!stdout.contains(PASSWORD) && !stderr.contains(PASSWORD), "the password was echoed");
    stdout.into_owned()
}

/// Adds a user on the command line and issues their token, which is printed once.
pub async fn user_with_token(app: &TestApp, username: &str, role: &str, columns: &[&str]) -> String {
    let mut args = vec!["user", "add", username, "--name", "王芳", "--role", role, "--password-stdin"];
    for column in columns {
        args.extend(["--column", column]);
    }
    let added = printed(&user_command(app, &args, &format!("{PASSWORD}\n")).await);
    assert!(added.contains(&format!("user {username} created")), "{added}");
    let issued = printed(&user_command(app, &["user", "token", username], "").await);
    let token = issued.split_whitespace().find(|word| word.starts_with("syu_")).expect("a syu_ token").to_owned();
    assert_eq!(token.len(), 4 + 64);
    let listed = printed(&user_command(app, &["user", "list"], "").await);
    assert!(listed.contains(username) && !listed.contains(&token), "{listed}");
    token
}

pub(crate) async fn as_user(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> u16 {
    let mut request = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap().status().as_u16()
}

async fn users_are_managed_through_the_admin_api(app: TestApp) {
    app.add_column("zhuanti", "专题", None).await;
    let form =
        json!({"username": "wangfang", "name": "王芳", "role": "editor", "columns": ["zhuanti"], "password": PASSWORD});
    let response = app.admin_post("/api/v1/users", form.clone()).await;
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["location"], "/api/v1/users/wangfang");
    let created = response.text().await.unwrap();
    assert!(!created.contains(PASSWORD) && !created.contains("argon2"), "{created}");
    let created: Value = serde_json::from_str(&created).unwrap();
    assert_eq!(
        (&created["username"], &created["name"], &created["role"], &created["columns"], &created["disabled"]),
        (&json!("wangfang"), &json!("王芳"), &json!("editor"), &json!(["zhuanti"]), &json!(false))
    );
    let stored = app
        .query_number("SELECT COUNT(*) FROM users WHERE password_hash LIKE '$argon2id$v=19$m=19456,t=2,p=1$%'")
        .await;
    assert_eq!(stored, 1, "the password is kept as an argon2id hash at OWASP's parameters");

    let taken = app.admin_post("/api/v1/users", form.clone()).await;
    assert_eq!(taken.status(), 409);
    assert!(taken.json::<Value>().await.unwrap()["fields"]["username"].is_string());
    let unknown_column = app
        .admin_post(
            "/api/v1/users",
            json!({"username": "li", "name": "李", "role": "viewer",
        "columns": ["nope"], "password": PASSWORD}),
        )
        .await;
    assert_eq!(unknown_column.status(), 409);
    assert!(unknown_column.json::<Value>().await.unwrap()["fields"]["columns"].as_str().unwrap().contains("nope"));
    let malformed = app
        .admin_post(
            "/api/v1/users",
            json!({"username": "Li Ming", "name": " ", "role": "boss",
        "password": "short"}),
        )
        .await;
    assert_eq!(malformed.status(), 422);
    let fields = malformed.json::<Value>().await.unwrap()["fields"].clone();
    for field in ["username", "name", "role", "password"] {
        assert!(fields[field].is_string(), "{field} is named: {fields}");
    }

    let edited =
        app.admin_patch("/api/v1/users/wangfang", json!({"role": "viewer", "columns": null, "name": "王芳芳"})).await;
    assert_eq!(edited.status(), 200);
    let edited: Value = edited.json().await.unwrap();
    assert_eq!(
        (&edited["role"], &edited["columns"], &edited["name"]),
        (&json!("viewer"), &json!([]), &json!("王芳芳"))
    );
    assert_eq!(app.admin_patch("/api/v1/users/nobody", json!({"disabled": true})).await.status(), 404);
    for language in ["", "fr"] {
        let refused = app.admin_patch("/api/v1/users/wangfang", json!({"language": language})).await;
        assert_eq!(refused.status(), 422, "language {language:?}");
        assert!(refused.json::<Value>().await.unwrap()["fields"]["language"].is_string());
    }
    let chosen = app.admin_patch("/api/v1/users/wangfang", json!({"language": "en"})).await;
    assert_eq!(chosen.json::<Value>().await.unwrap()["language"], "en");
    let site_s = app.admin_patch("/api/v1/users/wangfang", json!({"language": null})).await;
    assert!(site_s.json::<Value>().await.unwrap()["language"].is_null(), "null: the site's language");
    let listed = app.admin_get("/api/v1/users").await.text().await.unwrap();
    let listed_users: Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(listed_users["users"].as_array().unwrap().len(), 1);
    assert!(!listed.contains("argon2") && !listed.contains("token"), "{listed}");
}

async fn user_tokens_act_with_their_role_and_stop_when_disabled(app: TestApp) {
    app.add_column("zhuanti", "专题", None).await;
    app.add_column("local", "本地", None).await;
    let admin = user_with_token(&app, "zhaolei", "admin", &[]).await;
    let editor = user_with_token(&app, "wangfang", "editor", &["zhuanti"]).await;
    let viewer = user_with_token(&app, "liming", "viewer", &[]).await;
    use reqwest::Method;

    // An admin user does what the admin token does, users included.
    assert_eq!(
        as_user(&app, &admin, Method::POST, "/api/v1/columns", Some(json!({"slug": "sport", "title": "体育"}))).await,
        201
    );
    let user = json!({"username": "sunli", "name": "孙丽", "role": "viewer", "password": PASSWORD});
    assert_eq!(as_user(&app, &admin, Method::POST, "/api/v1/users", Some(user)).await, 201);

    // An editor manages neither users nor outlets, nor changes a column outside its scope.
    let another = json!({"username": "zhoujie", "name": "周杰", "role": "admin", "password": PASSWORD});
    assert_eq!(as_user(&app, &editor, Method::POST, "/api/v1/users", Some(another.clone())).await, 403);
    assert_eq!(
        as_user(&app, &editor, Method::PATCH, "/api/v1/users/wangfang", Some(json!({"role": "admin"}))).await,
        403
    );
    assert_eq!(as_user(&app, &editor, Method::GET, "/api/v1/users", None).await, 403);
    let outlet = json!({"slug": "cjrb", "name": "昌吉日报", "homepage": "http://www.cjxww.cn/"});
    assert_eq!(as_user(&app, &editor, Method::POST, "/api/v1/outlets", Some(outlet.clone())).await, 403);
    assert_eq!(as_user(&app, &editor, Method::PATCH, "/api/v1/columns/local", Some(json!({"title": "改"}))).await, 403);
    assert_eq!(as_user(&app, &editor, Method::DELETE, "/api/v1/columns/local", None).await, 403);
    assert_eq!(as_user(&app, &editor, Method::GET, "/api/v1/columns", None).await, 200);

    // A viewer reads and changes nothing.
    assert_eq!(as_user(&app, &viewer, Method::GET, "/api/v1/columns", None).await, 200);
    assert_eq!(as_user(&app, &viewer, Method::GET, "/api/v1/outlets", None).await, 200);
    assert_eq!(
        as_user(&app, &viewer, Method::POST, "/api/v1/columns", Some(json!({"slug": "v", "title": "V"}))).await,
        403
    );
    assert_eq!(
        as_user(&app, &viewer, Method::PATCH, "/api/v1/columns/zhuanti", Some(json!({"title": "改"}))).await,
        403
    );
    assert_eq!(as_user(&app, &viewer, Method::POST, "/api/v1/outlets", Some(outlet)).await, 403);
    assert_eq!(as_user(&app, &viewer, Method::POST, "/api/v1/partners", Some(json!({"name": "P"}))).await, 403);
    assert_eq!(as_user(&app, &viewer, Method::POST, "/api/v1/users", Some(another)).await, 403);
    let titles = app.admin_get("/api/v1/columns").await.text().await.unwrap();
    assert!(!titles.contains("改") && !titles.contains("\"v\""), "nothing refused was changed: {titles}");

    // Disabled, a token is refused from the next request on; a new token replaces the old.
    assert_eq!(app.admin_patch("/api/v1/users/liming", json!({"disabled": true})).await.status(), 200);
    assert_eq!(as_user(&app, &viewer, Method::GET, "/api/v1/columns", None).await, 401);
    printed(&user_command(&app, &["user", "disable", "zhaolei"], "").await);
    assert_eq!(as_user(&app, &admin, Method::GET, "/api/v1/users", None).await, 401);
    printed(&user_command(&app, &["user", "edit", "zhaolei", "--enable"], "").await);
    assert_eq!(as_user(&app, &admin, Method::GET, "/api/v1/users", None).await, 200);
    let renewed = printed(&user_command(&app, &["user", "token", "zhaolei"], "").await);
    assert!(!renewed.contains(&admin));
    assert_eq!(as_user(&app, &admin, Method::GET, "/api/v1/users", None).await, 401, "the old token stops working");

    // The command line refuses a short password read from stdin, and a taken username.
    let short = user_command(&app, &["user", "password", "wangfang"], "short\n").await;
    assert!(!short.status.success() && String::from_utf8_lossy(&short.stderr).contains("password"));
    let taken = user_command(
        &app,
        &["user", "add", "wangfang", "--name", "X", "--role", "viewer", "--password-stdin"],
        PASSWORD,
    )
    .await;
    assert!(String::from_utf8_lossy(&taken.stderr).contains("already exists"));
}

/// Pushes spam into `column`; the id of the held article.
async fn held_in(app: &TestApp, token: &str, n: usize, column: &str) -> i64 {
    let mut spam = numbered_article(n, column);
    spam["content_html"] = json!("<p>bet365 最新优惠</p>");
    let response = app.push(token, &spam).await;
    assert_eq!(response.status(), 202);
    response.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

async fn held_ids(app: &TestApp, token: &str) -> Vec<i64> {
    let response = app.client.get(app.url("/api/v1/quarantine")).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let listed: Value = response.json().await.unwrap();
    listed["articles"].as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap()).collect()
}

async fn an_editor_reviews_the_quarantine_of_its_columns_only(app: TestApp) {
    use reqwest::Method;
    let outlet = app.with_example_catalog().await;
    app.add_column("local", "本地", None).await;
    let (in_scope, outside) = (held_in(&app, &outlet, 1, "party-96").await, held_in(&app, &outlet, 2, "local").await);
    let editor = user_with_token(&app, "wangfang", "editor", &["zhuanti"]).await;
    let viewer = user_with_token(&app, "liming", "viewer", &[]).await;

    assert_eq!(held_ids(&app, &editor).await, [in_scope], "an editor sees the held articles of its columns");
    let mut everything = held_ids(&app, &viewer).await;
    everything.sort();
    assert_eq!(everything, [in_scope, outside]);

    let release = |id: i64| format!("/api/v1/quarantine/{id}/release");
    let reject = |id: i64| format!("/api/v1/quarantine/{id}/reject");
    assert_eq!(as_user(&app, &editor, Method::POST, &release(outside), None).await, 403);
    assert_eq!(as_user(&app, &editor, Method::POST, &reject(outside), None).await, 403);
    assert_eq!(as_user(&app, &viewer, Method::POST, &release(in_scope), None).await, 403);
    assert_eq!(as_user(&app, &viewer, Method::POST, &reject(in_scope), None).await, 403);
    let mut still_held = held_ids(&app, crate::helpers::ADMIN_TOKEN).await;
    still_held.sort();
    assert_eq!(still_held, [in_scope, outside], "nothing refused was changed");

    assert_eq!(as_user(&app, &editor, Method::POST, &release(in_scope), None).await, 200);
    assert_eq!(app.get(&format!("/articles/{in_scope}")).await.status(), 200);
    assert_eq!(held_ids(&app, crate::helpers::ADMIN_TOKEN).await, [outside]);
}

/// A user limited to some columns lists those and their sub-columns, and finds no other.
async fn a_user_limited_to_columns_sees_only_those(app: TestApp) {
    app.with_example_catalog().await;
    app.add_column("local", "本地新闻", None).await;
    let token = user_with_token(&app, "wangfang", "viewer", &["zhuanti"]).await;
    let listed: Value =
        app.client.get(app.url("/api/v1/columns")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    let slugs: Vec<&str> = listed["columns"].as_array().unwrap().iter().map(|c| c["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs, ["zhuanti", "party-96"], "its column and the sub-column under it");
    assert_eq!(as_user(&app, &token, reqwest::Method::GET, "/api/v1/columns/party-96", None).await, 200);
    assert_eq!(as_user(&app, &token, reqwest::Method::GET, "/api/v1/columns/local", None).await, 404);
    let everything: Value = app.admin_get("/api/v1/columns").await.json().await.unwrap();
    assert_eq!(everything["columns"].as_array().unwrap().len(), 3, "the admin token sees every column");
}

/// An editor adds, edits, polls and removes sources filing only into its columns; any
/// other source, or one routed outside its columns, is refused (403) and left as it was.
async fn an_editor_manages_the_sources_of_its_columns_only(app: TestApp) {
    use reqwest::Method;
    app.with_example_catalog().await;
    app.add_column("local", "本地新闻", None).await;
    let base = crate::helpers::serve_feeds(vec![("/a.xml", "<rss version=\"2.0\"><channel/></rss>".into())]).await;
    let editor = user_with_token(&app, "wangfang", "editor", &["zhuanti"]).await;
    let viewer = user_with_token(&app, "liming", "viewer", &[]).await;
    let form =
        |path: &str, columns: Value| json!({"outlet": "cjrb", "url": format!("{base}{path}"), "columns": columns});
    let outside: Value =
        app.admin_post("/api/v1/sources", form("/local.xml", json!(["local"]))).await.json().await.unwrap();
    let outside = outside["id"].as_i64().unwrap();

    let post =
        |token: &str, body: Value| app.client.post(app.url("/api/v1/sources")).bearer_auth(token).json(&body).send();
    assert_eq!(post(&editor, form("/x.xml", json!(["local"]))).await.unwrap().status(), 403);
    let mut routed_out = form("/y.xml", json!(["party-96"]));
    routed_out["routes"] = json!([{"match": "keyword", "value": "天气", "column": "local"}]);
    assert_eq!(post(&editor, routed_out).await.unwrap().status(), 403, "a rule filing outside its columns");
    assert_eq!(post(&viewer, form("/z.xml", json!(["party-96"]))).await.unwrap().status(), 403);
    let created = post(&editor, form("/a.xml", json!(["party-96"]))).await.unwrap();
    assert_eq!(created.status(), 201);
    let inside = created.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

    let listed = app.client.get(app.url("/api/v1/sources")).bearer_auth(&editor).send().await.unwrap();
    let listed: Value = listed.json().await.unwrap();
    let ids: Vec<i64> = listed["sources"].as_array().unwrap().iter().map(|s| s["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [inside], "an editor sees the sources of its columns");
    let source = |id: i64| format!("/api/v1/sources/{id}");
    let poll = |id: i64| format!("/api/v1/sources/{id}/poll");
    assert_eq!(as_user(&app, &editor, Method::GET, &source(outside), None).await, 404);
    assert_eq!(as_user(&app, &editor, Method::PATCH, &source(outside), Some(json!({"interval_secs": 600}))).await, 403);
    assert_eq!(as_user(&app, &editor, Method::POST, &poll(outside), None).await, 403);
    assert_eq!(as_user(&app, &editor, Method::DELETE, &source(outside), None).await, 403);
    let move_out = Some(json!({"columns": ["local"]}));
    assert_eq!(as_user(&app, &editor, Method::PATCH, &source(inside), move_out).await, 403);
    assert_eq!(as_user(&app, &viewer, Method::POST, &poll(inside), None).await, 403);
    let untouched: Value = app.admin_get(&source(outside)).await.json().await.unwrap();
    assert_eq!((untouched["interval_secs"].as_i64(), untouched["last_fetch_at"].is_null()), (Some(900), true));
    assert_eq!(app.admin_get(&source(inside)).await.json::<Value>().await.unwrap()["columns"], json!(["party-96"]));

    assert_eq!(as_user(&app, &editor, Method::PATCH, &source(inside), Some(json!({"interval_secs": 600}))).await, 200);
    assert_eq!(as_user(&app, &editor, Method::POST, &poll(inside), None).await, 200);
    assert_eq!(as_user(&app, &editor, Method::DELETE, &source(inside), None).await, 204);
    assert_eq!(app.admin_get(&source(outside)).await.status(), 200);
}

/// A real name is shown as 责任编辑 on pages and in feeds: a line break, or a bidi
/// override that reverses what follows it, is refused by the API, the command line and
/// the console alike, naming the field.
async fn a_real_name_is_one_line_without_controls_or_bidi_overrides(app: TestApp) {
    let refused =
        ["王芳\n主编", "王\t芳", "\u{202E}芳王", "王芳\u{2066}", "王\u{200F}芳", "王\u{2028}芳", "王\u{FEFF}芳"];
    for name in refused {
        let form = json!({"username": "wangfang", "name": name, "role": "editor", "password": PASSWORD});
        let answer = app.admin_post("/api/v1/users", form).await;
        assert_eq!(answer.status(), 422, "{name:?}");
        let body: Value = answer.json().await.unwrap();
        assert!(body["fields"]["name"].as_str().unwrap().contains("one line"), "{name:?}: {body}");
    }
    assert_eq!(app.query_number("SELECT COUNT(*) FROM users").await, 0, "nothing stored");
    let form = json!({"username": "wangfang", "name": "王芳", "role": "editor", "password": PASSWORD});
    assert_eq!(app.admin_post("/api/v1/users", form).await.status(), 201);
    for name in refused {
        let answer = app.admin_patch("/api/v1/users/wangfang", json!({"name": name})).await;
        assert_eq!(answer.status(), 422, "{name:?}");
        assert!(answer.json::<Value>().await.unwrap()["fields"]["name"].is_string());
    }
    let joined = app.admin_patch("/api/v1/users/wangfang", json!({"name": "  می\u{200C}خواهم  "})).await;
    assert_eq!(joined.status(), 200, "a joiner within a word is part of the name");
    assert_eq!(joined.json::<Value>().await.unwrap()["name"], "می\u{200C}خواهم");

    let args = ["user", "add", "lisi", "--name", "\u{202E}四李", "--role", "editor", "--password-stdin"];
    let added = user_command(&app, &args, &format!("{PASSWORD}\n")).await;
    assert!(!added.status.success());
    let said = String::from_utf8_lossy(&added.stderr);
    assert!(said.contains("name") && said.contains("one line"), "{said}");
    let edited = user_command(&app, &["user", "edit", "wangfang", "--name", "王芳\n主编"], "").await;
    assert!(!edited.status.success(), "{}", String::from_utf8_lossy(&edited.stdout));

    let admin = crate::browser::signed_in(&app, "zhaolei", "admin", &[]).await;
    let csrf = admin.csrf().await;
    let fields =
        [("username", "lisi"), ("name", "李\r\n四"), ("role", "viewer"), ("password", PASSWORD), ("csrf", &csrf)];
    let answer = admin.post("/admin/users", &fields).await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(answer.body.contains("id=\"name-error\""), "the reason beside the name: {}", answer.body);
    let answer =
        admin.post("/admin/users/wangfang", &[("name", "\u{202E}芳王"), ("role", "editor"), ("csrf", &csrf)]).await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    let users: Value = app.admin_get("/api/v1/users").await.json().await.unwrap();
    let names: Vec<&str> = users["users"].as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 2, "{users}");
    assert!(names.iter().all(|n| !n.contains(['\n', '\r', '\u{202E}'])), "{names:?}");
}
