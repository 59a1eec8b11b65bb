use crate::helpers::{example_article, TestApp};
use crate::stories;
use serde_json::{json, Value};

stories!(
    a_first_push_creates_the_article_and_says_where_it_lives,
    pushing_again_updates_only_what_changed_and_never_moves_the_repost_time,
    a_hundred_concurrent_identical_pushes_leave_one_article,
    naive_times_are_read_in_the_outlets_time_zone,
    bad_input_is_refused_with_every_field_named,
    pushes_need_the_outlets_own_token,
    oversized_and_non_json_bodies_are_refused_before_parsing,
    scripts_and_handlers_never_reach_the_output,
    nested_objects_are_objects_and_whole_numbers_may_be_written_with_a_fraction,
);

async fn a_first_push_creates_the_article_and_says_where_it_lives(app: TestApp) {
    let token = app.with_example_catalog().await;
    let response = app.push(&token, &example_article()).await;
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "created");
    assert_eq!(location, body["url"].as_str().unwrap());
    assert_eq!(location, app.url(&format!("/articles/{}", body["id"])));
    assert_eq!(
        body["original_url"], "http://www.cjxww.cn/index.php?m=content&c=index&a=show&catid=407&id=93487",
        "tracking parameters go, the identifying query stays"
    );
    assert_eq!(app.get(&location.replace(&app.base_url, "")).await.status(), 200);
}

async fn pushing_again_updates_only_what_changed_and_never_moves_the_repost_time(app: TestApp) {
    let token = app.with_example_catalog().await;
    let first: Value = app.push(&token, &example_article()).await.json().await.unwrap();

    let same = app.push(&token, &example_article()).await;
    assert_eq!(same.status(), 200);
    let same: Value = same.json().await.unwrap();
    assert_eq!(same["status"], "unchanged");
    assert_eq!((&same["id"], &same["updated_at"]), (&first["id"], &first["updated_at"]));

    // Cross a second boundary so the new updated_at is visibly later at feed precision.
    crate::helpers::next_second().await;
    let mut changed = example_article();
    changed["title"] = json!("做带领群众奔向幸福生活的“头雁”(更新)");
    changed["original_url"] = json!("HTTP://WWW.CJXWW.CN:80/index.php?m=content&c=index&a=show&catid=407&id=93487#top");
    let updated = app.push(&token, &changed).await;
    assert_eq!(updated.status(), 200);
    let updated: Value = updated.json().await.unwrap();
    assert_eq!(updated["status"], "updated");
    assert_eq!(updated["id"], first["id"], "the same normalised URL is the same article");
    assert_eq!(updated["reposted_at"], first["reposted_at"]);
    assert!(updated["updated_at"].as_str().unwrap() > first["updated_at"].as_str().unwrap());

    let feed: Value = app.get("/feed.json").await.json().await.unwrap();
    assert_eq!(feed["items"].as_array().unwrap().len(), 1);
    assert_eq!(feed["items"][0]["title"], "做带领群众奔向幸福生活的“头雁”(更新)");
    assert_eq!(feed["items"][0]["date_published"], first["reposted_at"]);
    assert_eq!(feed["items"][0]["date_modified"], updated["updated_at"]);
}

async fn a_hundred_concurrent_identical_pushes_leave_one_article(app: TestApp) {
    let token = app.with_example_catalog().await;
    let app = std::sync::Arc::new(app);
    let mut pushes = tokio::task::JoinSet::new();
    for _ in 0..100 {
        let (app, token) = (app.clone(), token.clone());
        pushes.spawn(async move { app.push(&token, &example_article()).await.status().as_u16() });
    }
    let mut statuses = Vec::new();
    while let Some(status) = pushes.join_next().await {
        statuses.push(status.unwrap());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 99, "{statuses:?}");
    let count = app.store.count_articles(&syndic::store::FeedScope::Site).await.unwrap();
    assert_eq!(count, 1);
}

async fn naive_times_are_read_in_the_outlets_time_zone(app: TestApp) {
    let token = app.with_example_catalog().await;
    let mut article = example_article();
    article["original_updated_at"] = json!("2018-06-29T08:00:00+02:00");
    assert_eq!(app.push(&token, &article).await.status(), 201);
    let feed: Value = app.get("/feed.json").await.json().await.unwrap();
    let extension = &feed["items"][0]["_syndic"];
    assert_eq!(extension["original_published_at"], "2018-06-28T03:39:20Z", "11:39:20 in Asia/Shanghai");
    assert_eq!(extension["original_updated_at"], "2018-06-29T06:00:00Z");
}

async fn bad_input_is_refused_with_every_field_named(app: TestApp) {
    let token = app.with_example_catalog().await;
    let bad = json!({
        "original_url": "javascript:alert(1)",
        "title": "   ",
        "original_published_at": "yesterday",
        "columns": ["party-96", "no-such-column"],
        "language": "not a language",
        "image": {"url": "/relative.jpg"},
        "enclosures": [{"url": "https://x.cn/a.mp3", "type": "mp3"}],
        "publishedAt": "2018-01-01"
    });
    let response = app.push(&token, &bad).await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    for field in
        ["original_url", "title", "original_published_at", "columns", "language", "image", "enclosures", "publishedAt"]
    {
        assert!(body["fields"][field].is_string(), "{field} missing from {body}");
    }
    assert!(body["fields"]["columns"].as_str().unwrap().contains("no-such-column"));

    let missing = app.push(&token, &json!({})).await;
    assert_eq!(missing.status(), 422);
    let body: Value = missing.json().await.unwrap();
    for field in ["original_url", "title", "original_published_at", "columns"] {
        assert!(body["fields"][field].is_string(), "{field} missing from {body}");
    }
    assert_eq!(body["fields"]["title"], "is required");

    let wrong_type = app.push(&token, &json!({"title": 42})).await;
    assert_eq!(wrong_type.status(), 400);
    assert!(wrong_type.json::<Value>().await.unwrap()["fields"]["title"].is_string());

    assert_eq!(app.store.count_articles(&syndic::store::FeedScope::Site).await.unwrap(), 0);
}

async fn pushes_need_the_outlets_own_token(app: TestApp) {
    let token = app.with_example_catalog().await;
    // Both may publish on cjxww.cn (the admin said so): the article is whoever's was first.
    let other = app.add_outlet("other", json!({"domains": ["cjxww.cn"]})).await;

    let anonymous = app.client.post(app.url("/api/v1/articles")).json(&example_article()).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(app.push("syo_not-a-real-token", &example_article()).await.status(), 401);
    // Valid tokens of another kind are told what pushes need.
    let partner: Value = app.admin_post("/api/v1/partners", json!({"name": "P"})).await.json().await.unwrap();
    for (kind, wrong) in [("admin", crate::helpers::ADMIN_TOKEN), ("partner", partner["token"].as_str().unwrap())] {
        let refused = app.push(wrong, &example_article()).await;
        assert_eq!(refused.status(), 403, "{kind}");
        let error = refused.json::<Value>().await.unwrap()["error"].as_str().unwrap().to_owned();
        assert!(error.contains(kind) && error.contains("pushes need an outlet's ingest token"), "{error}");
    }

    assert_eq!(app.push(&token, &example_article()).await.status(), 201);
    let stolen = app.push(&other, &example_article()).await;
    assert_eq!(stolen.status(), 403);
    assert!(stolen.json::<Value>().await.unwrap()["error"].is_string());

    let feed: Value = app.get("/feed.json").await.json().await.unwrap();
    assert_eq!(feed["items"][0]["_syndic"]["outlet"]["slug"], "cjrb", "the owner's article is untouched");
}

async fn oversized_and_non_json_bodies_are_refused_before_parsing(app: TestApp) {
    let token = app.with_example_catalog().await;
    let mut huge = example_article();
    huge["content_html"] = json!("x".repeat(3 * 1024 * 1024));
    let too_large = app.push(&token, &huge).await;
    assert_eq!(too_large.status(), 413);
    assert!(too_large.json::<Value>().await.unwrap()["error"].as_str().unwrap().contains("exceeds"));

    let form = app
        .client
        .post(app.url("/api/v1/articles"))
        .bearer_auth(&token)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("title=x")
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 415);
}

async fn scripts_and_handlers_never_reach_the_output(app: TestApp) {
    let token = app.with_example_catalog().await;
    let mut article = example_article();
    article["title"] = json!("<b>头雁</b><script>alert('t')</script>");
    article["content_html"] = json!(
        r#"<p onmouseover="steal()">正文<script>alert(1)</script><a href="javascript:alert(2)">x</a> <a href="/rel.html">rel</a></p>"#
    );
    assert_eq!(app.push(&token, &article).await.status(), 201);
    for path in ["/rss.xml", "/atom.xml", "/feed.json", "/articles/1", "/columns/party-96"] {
        let text = app.get_text(path).await.to_lowercase();
        for bad in ["<script>alert", "onmouseover", "javascript:", "&lt;script"] {
            assert!(!text.contains(bad), "{bad} in {path}");
        }
    }
    let feed: Value = app.get("/feed.json").await.json().await.unwrap();
    assert_eq!(feed["items"][0]["title"], "头雁");
    assert!(feed["items"][0]["content_html"].as_str().unwrap().contains(r#"href="http://www.cjxww.cn/rel.html""#));
}

/// What the description says of nested objects and whole numbers holds: an image or an
/// enclosure given as an array of its fields' values is refused (serde alone took it),
/// and a length written `2.0`, an integer to JSON Schema, is taken.
async fn nested_objects_are_objects_and_whole_numbers_may_be_written_with_a_fraction(app: TestApp) {
    let token = app.with_example_catalog().await;
    for (field, value) in [
        ("image", json!(["https://www.cjxww.cn/a.jpg", null])),
        ("enclosures", json!([["https://www.cjxww.cn/a.mp3", "audio/mpeg", 1]])),
    ] {
        let mut article = example_article();
        article[field] = value;
        let response = app.push(&token, &article).await;
        assert_eq!(response.status(), 400, "{field}");
        let body: Value = response.json().await.unwrap();
        assert!(body["fields"].as_object().unwrap().keys().any(|k| k.starts_with(field)), "{body}");
    }
    let mut article = example_article();
    article["enclosures"] = json!([{"url": "https://www.cjxww.cn/a.mp3", "type": "audio/mpeg", "length": 2.0}]);
    assert_eq!(app.push(&token, &article).await.status(), 201);
    let feed: Value = app.get("/feed.json").await.json().await.unwrap();
    assert_eq!(feed["items"][0]["attachments"][0]["size_in_bytes"], 2, "{feed}");
}
