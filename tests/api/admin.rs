use crate::helpers::{TestApp, ADMIN_TOKEN};
use crate::stories;
use serde_json::{json, Value};

stories!(
    columns_form_a_tree_that_can_be_listed_edited_and_removed,
    column_errors_name_the_field,
    a_column_with_articles_or_children_cannot_be_deleted,
    outlets_get_a_token_once_and_can_be_edited,
    outlet_errors_name_the_field,
    the_admin_api_requires_the_admin_token,
);

async fn columns_form_a_tree_that_can_be_listed_edited_and_removed(app: TestApp) {
    app.add_column("zhuanti", "专题栏目", None).await;
    app.add_column("party-96", "庆祝建党96周年", Some("zhuanti")).await;
    app.add_column("english", "English", None).await;

    let one: Value = app.admin_get("/api/v1/columns/party-96").await.json().await.unwrap();
    assert_eq!(one["parent"], "zhuanti");
    assert_eq!(one["feeds"]["rss"], app.url("/columns/party-96/rss.xml"));

    let edited = app
        .admin_patch(
            "/api/v1/columns/party-96",
            json!({"title": "建党96周年", "description": "专题", "parent": "english"}),
        )
        .await;
    assert_eq!(edited.status(), 200);
    let edited: Value = edited.json().await.unwrap();
    assert_eq!((edited["title"].as_str(), edited["parent"].as_str()), (Some("建党96周年"), Some("english")));

    let to_root: Value =
        app.admin_patch("/api/v1/columns/party-96", json!({"parent": null})).await.json().await.unwrap();
    assert_eq!(to_root["parent"], Value::Null);
    assert_eq!(to_root["description"], "专题", "fields left out stay as they were");

    let list: Value = app.admin_get("/api/v1/columns").await.json().await.unwrap();
    assert_eq!(list["columns"].as_array().unwrap().len(), 3);

    assert_eq!(app.admin_delete("/api/v1/columns/english").await.status(), 204);
    assert_eq!(app.admin_get("/api/v1/columns/english").await.status(), 404);
}

async fn column_errors_name_the_field(app: TestApp) {
    app.add_column("zhuanti", "专题栏目", None).await;

    let bad = app.admin_post("/api/v1/columns", json!({"slug": "Bad Slug", "parent": "nope"})).await;
    assert_eq!(bad.status(), 422);
    let body: Value = bad.json().await.unwrap();
    for field in ["slug", "title", "parent"] {
        assert!(body["fields"][field].is_string(), "{field} missing from {body}");
    }

    let duplicate = app.admin_post("/api/v1/columns", json!({"slug": "zhuanti", "title": "again"})).await;
    assert_eq!(duplicate.status(), 409);

    app.add_column("child", "Child", Some("zhuanti")).await;
    let cycle = app.admin_patch("/api/v1/columns/zhuanti", json!({"parent": "child"})).await;
    assert_eq!(cycle.status(), 409);
    assert!(cycle.json::<Value>().await.unwrap()["fields"]["parent"].is_string());

    let typo = app.admin_post("/api/v1/columns", json!({"slug": "x", "title": "X", "parnet": "zhuanti"})).await;
    assert_eq!(typo.status(), 400);
    assert!(typo.json::<Value>().await.unwrap()["fields"]["parnet"].is_string());

    let not_json = app
        .client
        .post(app.url("/api/v1/columns"))
        .bearer_auth(ADMIN_TOKEN)
        .header("content-type", "application/json")
        .body("{\"slug\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 400);
    assert!(not_json.json::<Value>().await.unwrap()["error"].as_str().unwrap().contains("JSON"));
}

async fn a_column_with_articles_or_children_cannot_be_deleted(app: TestApp) {
    let token = app.with_example_catalog().await;
    let parent = app.admin_delete("/api/v1/columns/zhuanti").await;
    assert_eq!(parent.status(), 409);
    assert!(parent.json::<Value>().await.unwrap()["error"].as_str().unwrap().contains("sub-column"));

    assert_eq!(app.push(&token, &crate::helpers::example_article()).await.status(), 201);
    assert_eq!(app.admin_delete("/api/v1/columns/party-96").await.status(), 409);
    assert_eq!(app.admin_delete("/api/v1/columns/missing").await.status(), 404);
}

async fn outlets_get_a_token_once_and_can_be_edited(app: TestApp) {
    let created = app
        .admin_post(
            "/api/v1/outlets",
            json!({"slug": "cjrb", "name": "昌吉日报", "homepage": "http://www.cjxww.cn/",
                   "language": "zh-CN", "timezone": "Asia/Shanghai", "indexing": "original"}),
        )
        .await;
    assert_eq!(created.status(), 201);
    assert_eq!(created.headers()["location"], "/api/v1/outlets/cjrb");
    let created: Value = created.json().await.unwrap();
    let token = created["token"].as_str().unwrap();
    assert!(token.starts_with("syo_") && token.len() == 68, "{token}");
    assert_eq!(created["indexing"], "original");

    let shown: Value = app.admin_get("/api/v1/outlets/cjrb").await.json().await.unwrap();
    assert!(shown.get("token").is_none(), "a token is shown only once");
    assert_eq!(shown["timezone"], "Asia/Shanghai");

    let edited: Value = app
        .admin_patch("/api/v1/outlets/cjrb", json!({"rights": "版权所有", "indexing": "noindex", "language": null}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!((edited["rights"].as_str(), edited["indexing"].as_str()), (Some("版权所有"), Some("noindex")));
    assert_eq!(edited["language"], Value::Null);

    let second: Value = app.admin_post("/api/v1/outlets/cjrb/tokens", json!({})).await.json().await.unwrap();
    assert_ne!(second["token"], created["token"]);
    let list: Value = app.admin_get("/api/v1/outlets").await.json().await.unwrap();
    assert_eq!(list["outlets"][0]["slug"], "cjrb");
}

async fn outlet_errors_name_the_field(app: TestApp) {
    let bad = app
        .admin_post(
            "/api/v1/outlets",
            json!({"slug": "x", "name": "", "homepage": "javascript:alert(1)", "timezone": "Mars/Olympus",
                   "language": "english!", "indexing": "sometimes"}),
        )
        .await;
    assert_eq!(bad.status(), 422);
    let body: Value = bad.json().await.unwrap();
    for field in ["name", "homepage", "timezone", "language", "indexing"] {
        assert!(body["fields"][field].is_string(), "{field} missing from {body}");
    }
    app.add_outlet("x", json!({})).await;
    assert_eq!(
        app.admin_post("/api/v1/outlets", json!({"slug": "x", "name": "X", "homepage": "https://x.cn/"}))
            .await
            .status(),
        409
    );
    assert_eq!(app.admin_patch("/api/v1/outlets/x", json!({"timezone": "Nowhere"})).await.status(), 422);
    assert_eq!(app.admin_patch("/api/v1/outlets/missing", json!({})).await.status(), 404);
}

async fn the_admin_api_requires_the_admin_token(app: TestApp) {
    let anonymous = app.client.get(app.url("/api/v1/columns")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(anonymous.headers()["www-authenticate"], "Bearer");
    let wrong = app.client.get(app.url("/api/v1/columns")).bearer_auth("nope").send().await.unwrap();
    assert_eq!(wrong.status(), 401);
    let token = app.add_outlet("x", json!({})).await;
    let outlet_token = app.client.get(app.url("/api/v1/outlets")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(outlet_token.status(), 401, "an outlet token is not an admin token");

    let unknown = app.admin_get("/api/v1/nothing-here").await;
    assert_eq!(unknown.status(), 404);
    assert!(unknown.json::<Value>().await.unwrap()["error"].is_string(), "API clients get JSON errors");
    assert_eq!(app.get_text("/healthz").await, "ok\n");
}

stories!(tokens_rotate_and_revoked_ones_stop_working_at_once);

async fn tokens_rotate_and_revoked_ones_stop_working_at_once(app: TestApp) {
    let old = app.with_example_catalog().await;
    let fresh: Value = app.admin_post("/api/v1/outlets/cjrb/tokens", json!({})).await.json().await.unwrap();
    let fresh = fresh["token"].as_str().unwrap().to_owned();
    let tokens: Value = app.admin_get("/api/v1/outlets/cjrb/tokens").await.json().await.unwrap();
    let listed = tokens["tokens"].as_array().unwrap();
    assert_eq!(listed.len(), 2);
    assert!(!tokens.to_string().contains("syo_"), "token values are never shown again");
    let old_id = listed[1]["id"].as_i64().unwrap();

    assert_eq!(app.admin_delete(&format!("/api/v1/outlets/cjrb/tokens/{old_id}")).await.status(), 204);
    assert_eq!(app.push(&old, &crate::helpers::example_article()).await.status(), 401);
    assert_eq!(app.push(&fresh, &crate::helpers::example_article()).await.status(), 201);
    assert_eq!(app.admin_delete(&format!("/api/v1/outlets/cjrb/tokens/{old_id}")).await.status(), 404);
}

stories!(
    names_of_missing_columns_are_409_naming_the_field,
    an_edit_refuses_null_for_what_it_cannot_clear,
    a_form_is_a_json_object,
    a_slug_holding_nul_names_no_outlet,
    a_homepage_host_must_be_a_host_name,
    a_column_a_live_partner_is_limited_to_cannot_be_deleted,
    an_outlet_without_a_time_zone_takes_the_sites,
);

async fn names_of_missing_columns_are_409_naming_the_field(app: TestApp) {
    app.add_column("zhuanti", "专题栏目", None).await;
    let orphan = app.admin_post("/api/v1/columns", json!({"slug": "x", "title": "X", "parent": "nope"})).await;
    assert_eq!(orphan.status(), 409, "a well-formed column under a parent that does not exist");
    assert!(orphan.json::<Value>().await.unwrap()["fields"]["parent"].is_string());
    let moved = app.admin_patch("/api/v1/columns/zhuanti", json!({"parent": "nope"})).await;
    assert_eq!(moved.status(), 409);
    assert!(moved.json::<Value>().await.unwrap()["fields"]["parent"].is_string());
    let partner = app.admin_post("/api/v1/partners", json!({"name": "P", "columns": ["zhuanti", "nope"]})).await;
    assert_eq!(partner.status(), 409);
    assert!(partner.json::<Value>().await.unwrap()["fields"]["columns"].is_string());
    assert_eq!(app.admin_get("/api/v1/partners").await.json::<Value>().await.unwrap()["partners"], json!([]));
    app.add_outlet("cjrb", json!({})).await;
    let feed = "https://cjrb.example.cn/rss.xml";
    let source = app.admin_post("/api/v1/sources", json!({"outlet": "nope", "url": feed, "columns": ["nope"]})).await;
    assert_eq!(source.status(), 409, "a well-formed source of an outlet and column that do not exist");
    let fields = &source.json::<Value>().await.unwrap()["fields"];
    assert!(fields["outlet"].is_string() && fields["columns"].is_string(), "{fields}");
    let source: Value = app
        .admin_post("/api/v1/sources", json!({"outlet": "cjrb", "url": feed, "columns": ["zhuanti"]}))
        .await
        .json()
        .await
        .unwrap();
    let route = json!({"routes": [{"match": "keyword", "value": "x", "column": "nope"}]});
    let rerouted = app.admin_patch(&format!("/api/v1/sources/{}", source["id"]), route).await;
    assert_eq!(rerouted.status(), 409);
    assert!(rerouted.json::<Value>().await.unwrap()["fields"]["routes"].is_string());

    let malformed_too = app.admin_post("/api/v1/columns", json!({"slug": "Bad", "title": "X", "parent": "nope"})).await;
    assert_eq!(malformed_too.status(), 422, "malformed values are 422, with every field named");
    let fields = &malformed_too.json::<Value>().await.unwrap()["fields"];
    assert!(fields["slug"].is_string() && fields["parent"].is_string(), "{fields}");
}

async fn an_edit_refuses_null_for_what_it_cannot_clear(app: TestApp) {
    app.add_column("zhuanti", "专题栏目", None).await;
    app.add_outlet("x", json!({})).await;
    for (path, field) in [
        ("/api/v1/columns/zhuanti", "title"),
        ("/api/v1/outlets/x", "name"),
        ("/api/v1/outlets/x", "homepage"),
        ("/api/v1/outlets/x", "timezone"),
        ("/api/v1/outlets/x", "indexing"),
        ("/api/v1/outlets/x", "feed_content"),
        ("/api/v1/outlets/x", "partner_content"),
    ] {
        let response = app.admin_patch(path, json!({ field: null })).await;
        assert_eq!(response.status(), 400, "{field}: null");
        assert!(response.json::<Value>().await.unwrap()["fields"][field].is_string(), "{field}");
    }
    let column: Value = app.admin_get("/api/v1/columns/zhuanti").await.json().await.unwrap();
    assert_eq!(column["title"], "专题栏目");
    let cleared =
        app.admin_patch("/api/v1/outlets/x", json!({"rights": null, "language": null, "domains": null})).await;
    assert_eq!(cleared.status(), 200, "what is optional is cleared by null");
}

async fn a_form_is_a_json_object(app: TestApp) {
    app.add_column("zhuanti", "专题栏目", None).await;
    app.add_outlet("x", json!({})).await;
    for edit in ["/api/v1/columns/zhuanti", "/api/v1/outlets/x"] {
        assert_eq!(app.admin_patch(edit, json!([])).await.status(), 400, "{edit}");
    }
    for form in ["/api/v1/columns", "/api/v1/partners"] {
        let refused = app.admin_post(form, json!(["x", "X"])).await;
        assert_eq!(refused.status(), 400, "{form}: not read as {{\"slug\": \"x\", \"title\": \"X\"}}");
        assert!(refused.json::<Value>().await.unwrap()["error"].as_str().unwrap().contains("object"));
    }
    let columns: Value = app.admin_get("/api/v1/columns").await.json().await.unwrap();
    assert_eq!(columns["columns"].as_array().unwrap().len(), 1);
}

async fn a_slug_holding_nul_names_no_outlet(app: TestApp) {
    app.add_outlet("x", json!({})).await;
    for query in ["outlet=x%00", "outlet=%00", "outlet=X"] {
        let response = app.admin_get(&format!("/api/v1/articles?{query}")).await;
        assert_eq!(response.status(), 404, "{query}");
    }
    assert_eq!(app.admin_get("/api/v1/articles?outlet=x").await.status(), 200);
}

async fn a_homepage_host_must_be_a_host_name(app: TestApp) {
    app.add_outlet("x", json!({})).await;
    for homepage in ["https://true.com*", "http://a!b.cn/", "http://a..b.cn/"] {
        let response = app.admin_patch("/api/v1/outlets/x", json!({ "homepage": homepage })).await;
        assert_eq!(response.status(), 422, "{homepage}");
        assert!(response.json::<Value>().await.unwrap()["fields"]["homepage"].is_string());
    }
    let domains = app.admin_patch("/api/v1/outlets/x", json!({"domains": ["x.example.cn*"]})).await;
    assert_eq!(domains.status(), 422);
    for homepage in ["HTTPS://News.Example.CN:8080/a b", "http://新闻.cn", "http://192.0.2.1/"] {
        let response = app.admin_patch("/api/v1/outlets/x", json!({ "homepage": homepage })).await;
        assert_eq!(response.status(), 200, "{homepage}");
    }
}

async fn a_column_a_live_partner_is_limited_to_cannot_be_deleted(app: TestApp) {
    app.add_column("zhuanti", "专题栏目", None).await;
    let partner: Value =
        app.admin_post("/api/v1/partners", json!({"name": "P", "columns": ["zhuanti"]})).await.json().await.unwrap();
    let refused = app.admin_delete("/api/v1/columns/zhuanti").await;
    assert_eq!(refused.status(), 409, "deleting it would let the partner read every column");
    assert!(refused.json::<Value>().await.unwrap()["error"].as_str().unwrap().contains("partner"));

    assert_eq!(app.admin_delete(&format!("/api/v1/partners/{}", partner["id"])).await.status(), 204);
    assert_eq!(app.admin_delete("/api/v1/columns/zhuanti").await.status(), 204);
    let listed: Value = app.admin_get("/api/v1/partners").await.json().await.unwrap();
    assert_eq!(listed["partners"][0]["columns"], json!([]));
    assert!(listed["partners"][0]["revoked_at"].is_string());
}

#[tokio::test]
async fn a_configured_rate_limit_answers_429_with_retry_after() {
    let app = TestApp::spawn_configured(crate::helpers::Backend::Sqlite, |c| c.rate_limit_per_minute = Some(3))
        .await
        .unwrap();
    let token = app.with_example_catalog().await;
    for _ in 0..3 {
        assert!(app.push(&token, &crate::helpers::example_article()).await.status().is_success());
    }
    let limited = app.push(&token, &crate::helpers::example_article()).await;
    assert_eq!(limited.status(), 429);
    let wait: u64 = limited.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=20).contains(&wait), "{wait}");
    let other = app.add_outlet("other", json!({})).await;
    let mut article = crate::helpers::example_article();
    article["original_url"] = json!("https://other.example.cn/a");
    assert_eq!(app.push(&other, &article).await.status(), 201, "each token has its own allowance");
}

#[tokio::test]
async fn the_openapi_document_describes_every_api_route() {
    let app = crate::helpers::TestApp::spawn(crate::helpers::Backend::Sqlite).await.unwrap();
    let response = app.get("/api/openapi.json").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let document: serde_json::Value = response.json().await.unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    for path in [
        "/api/v1/articles",
        "/api/v1/articles/{id}",
        "/api/v1/partners",
        "/api/v1/partners/{id}",
        "/websub",
        "/api/v1/columns",
        "/api/v1/outlets/{slug}/tokens",
        "/api/v1/sources/{id}/poll",
        "/api/v1/quarantine",
        "/columns/{slug}/archive/{page}/atom.xml",
    ] {
        assert!(document["paths"][path].is_object(), "{path} is described");
    }
    assert!(document["webhooks"]["feedUpdated"].is_object());
}

/// An outlet created without a time zone reads naive times in the site's (Asia/Shanghai
/// here), not UTC: eight hours off for a Chinese outlet on a Chinese site.
async fn an_outlet_without_a_time_zone_takes_the_sites(app: TestApp) {
    app.add_column("party-96", "庆祝建党96周年", None).await;
    let token = app.add_outlet("cjrb", json!({"homepage": "http://www.cjxww.cn/"})).await;
    let shown: Value = app.admin_get("/api/v1/outlets/cjrb").await.json().await.unwrap();
    assert_eq!(shown["timezone"], "Asia/Shanghai");
    let mut article = crate::helpers::example_article();
    article["original_published_at"] = json!("2018-06-28 11:39:20");
    assert_eq!(app.push(&token, &article).await.status(), 201);
    let feed: Value = app.get("/feed.json").await.json().await.unwrap();
    assert_eq!(feed["items"][0]["_syndic"]["original_published_at"], "2018-06-28T03:39:20Z", "{feed}");
}
