//! Search (`GET /api/v1/search`): Chinese found by dictionary words and by names no
//! dictionary knows, English by its stems, phrases, exclusions and OR; filters by
//! column (with sub-columns), outlet and a partner's columns; paging; articles the
//! public may not see never found, a correction's new title found and not its old one; another instance's index following within 2 s; and
//! queries that cannot be read answered 400 naming `q`. The public page `/search`, its
//! box on every page and the OpenSearch description.

use crate::helpers::{example_article, numbered_article, TestApp, ADMIN_TOKEN};
use crate::mock::eventually;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

crate::stories!(
    chinese_is_found_by_words_and_by_names_no_dictionary_knows,
    english_is_stemmed_and_phrases_exclusions_and_or_work,
    columns_outlets_and_partners_narrow_the_search_and_pages_follow,
    articles_the_public_may_not_see_are_never_found_and_corrections_replace_what_is,
    a_push_on_one_instance_is_found_on_another_within_two_seconds,
    an_outlet_renamed_is_found_by_its_new_name_and_a_deleted_article_leaves_the_index,
    queries_that_cannot_be_read_are_answered_400_naming_q,
    the_search_page_marks_what_matched_and_every_page_offers_the_search,
);

const EXAMPLE_TITLE: &str = "做带领群众奔向幸福生活的“头雁”";

/// Pushes the `n`th article titled `title` in `column`, with `extra` fields; its id.
async fn push(app: &TestApp, token: &str, n: usize, title: &str, column: &str, extra: Value) -> i64 {
    let mut article = numbered_article(n, column);
    article["title"] = json!(title);
    if let Value::Object(fields) = extra {
        article.as_object_mut().unwrap().extend(fields);
    }
    let response = app.push(token, &article).await;
    assert!(response.status().is_success(), "{title}: {}", response.status());
    response.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

async fn search_at(app: &TestApp, base: &str, token: &str, query: &[(&str, &str)]) -> (u16, Value) {
    let response =
        app.client.get(format!("{base}/api/v1/search")).query(query).bearer_auth(token).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn search(app: &TestApp, token: &str, query: &[(&str, &str)]) -> (u16, Value) {
    search_at(app, &app.url(""), token, query).await
}

fn titles_of(body: &Value) -> Vec<String> {
    body["items"].as_array().unwrap().iter().map(|item| item["title"].as_str().unwrap().to_owned()).collect()
}

/// The titles the admin finds for `q`, as a set.
async fn found(app: &TestApp, q: &str) -> BTreeSet<String> {
    let (status, body) = search(app, ADMIN_TOKEN, &[("q", q)]).await;
    assert_eq!(status, 200, "{q}: {body}");
    titles_of(&body).into_iter().collect()
}

fn set(titles: &[&str]) -> BTreeSet<String> {
    titles.iter().map(|t| t.to_string()).collect()
}

async fn chinese_is_found_by_words_and_by_names_no_dictionary_knows(app: TestApp) {
    let token = app.with_example_catalog().await;
    assert_eq!(app.push(&token, &example_article()).await.status(), 201);
    let other = json!({"content_html": "<p>农民专业合作社带动增收。</p>", "summary": null, "tags": [], "subtitle": null,
        "author": null});
    push(&app, &token, 2, "乡村振兴的新路子", "party-96", other).await;
    let example = set(&[EXAMPLE_TITLE]);
    // A name in quotes no dictionary holds; dictionary words as one word; the author,
    // a tag, the outlet, the content.
    assert_eq!(found(&app, "头雁").await, example);
    assert_eq!(found(&app, "带领群众").await, example);
    assert_eq!(found(&app, "郑丽媛").await, example);
    assert_eq!(found(&app, "基层党建").await, example);
    assert_eq!(found(&app, "合作社").await, set(&["乡村振兴的新路子"]));
    assert_eq!(found(&app, "昌吉日报").await.len(), 2);
    // Every word must match, in its order.
    assert!(found(&app, "头雁 合作社").await.is_empty());
    assert!(found(&app, "雁头").await.is_empty());

    let (_, body) = search(&app, ADMIN_TOKEN, &[("q", "旗帜")]).await;
    assert_eq!(body["total"], 1);
    assert_eq!(body["next_cursor"], Value::Null);
    let item = &body["items"][0];
    assert_eq!(item["title"], EXAMPLE_TITLE);
    assert_eq!(item["url"], format!("{}/articles/{}", app.base_url, item["id"]));
    assert_eq!(item["outlet"], json!({"slug": "cjrb", "name": "昌吉日报"}));
    assert_eq!(item["columns"], json!(["party-96"]));
    assert!(item["reposted_at"].as_str().unwrap().ends_with('Z'));
    assert!(item["score"].as_f64().unwrap() > 0.0);
    let snippet: Vec<char> = item["snippet"].as_str().unwrap().chars().collect();
    let highlight = &item["highlights"][0];
    let (start, end) = (highlight["start"].as_u64().unwrap() as usize, highlight["end"].as_u64().unwrap() as usize);
    assert_eq!(snippet[start..end].iter().collect::<String>(), "旗帜", "{item}");
}

async fn english_is_stemmed_and_phrases_exclusions_and_or_work(app: TestApp) {
    let token = app.with_example_catalog().await;
    let english = |body: &str| json!({"content_html": format!("<p>{body}</p>"), "language": "en"});
    push(&app, &token, 11, "Villages celebrate the harvest", "party-96", english("Farmers bring in the wheat.")).await;
    push(&app, &token, 12, "Harvest festival in the city", "party-96", english("The city holds a festival.")).await;
    push(&app, &token, 13, "Party building in rural villages", "party-96", english("Rural cadres lead.")).await;
    let (villages, festival, rural) =
        ("Villages celebrate the harvest", "Harvest festival in the city", "Party building in rural villages");
    assert_eq!(found(&app, "village").await, set(&[villages, rural]));
    assert_eq!(found(&app, "VILLAGES").await, set(&[villages, rural]));
    assert_eq!(found(&app, "celebrating").await, set(&[villages]));
    assert_eq!(found(&app, "\"harvest festival\"").await, set(&[festival]));
    assert!(found(&app, "\"festival harvest\"").await.is_empty());
    assert_eq!(found(&app, "harvest -city").await, set(&[villages]));
    assert_eq!(found(&app, "harvest -\"the city\"").await, set(&[villages]));
    assert_eq!(found(&app, "festival OR rural").await, set(&[festival, rural]));
    assert_eq!(found(&app, "wheat festival OR rural").await, BTreeSet::new());
}

async fn columns_outlets_and_partners_narrow_the_search_and_pages_follow(app: TestApp) {
    let token = app.with_example_catalog().await;
    app.add_column("local", "本地新闻", None).await;
    push(&app, &token, 1, "头雁 一", "party-96", json!({})).await;
    push(&app, &token, 2, "头雁 二", "party-96", json!({})).await;
    push(&app, &token, 3, "头雁 三", "local", json!({})).await;
    let titles = |query: &'static [(&'static str, &'static str)]| {
        let app = &app;
        async move {
            let (status, body) = search(app, ADMIN_TOKEN, query).await;
            assert_eq!(status, 200, "{query:?}: {body}");
            titles_of(&body).into_iter().collect::<BTreeSet<_>>()
        }
    };
    assert_eq!(titles(&[("q", "头雁"), ("column", "zhuanti")]).await, set(&["头雁 一", "头雁 二"]));
    assert_eq!(titles(&[("q", "头雁"), ("column", "party-96")]).await, set(&["头雁 一", "头雁 二"]));
    assert_eq!(titles(&[("q", "头雁"), ("column", "local")]).await, set(&["头雁 三"]));
    assert_eq!(titles(&[("q", "头雁"), ("outlet", "cjrb")]).await.len(), 3);
    assert!(titles(&[("q", "头雁"), ("since", "2099-01-01T00:00:00Z")]).await.is_empty());
    assert_eq!(titles(&[("q", "头雁"), ("until", "2099-01-01T00:00:00Z")]).await.len(), 3);
    assert_eq!(search(&app, ADMIN_TOKEN, &[("q", "头雁"), ("column", "nope")]).await.0, 404);
    assert_eq!(search(&app, ADMIN_TOKEN, &[("q", "头雁"), ("outlet", "nope")]).await.0, 404);

    // Newest first, a page at a time.
    let (_, first) = search(&app, ADMIN_TOKEN, &[("q", "头雁"), ("sort", "date"), ("limit", "2")]).await;
    assert_eq!(titles_of(&first), ["头雁 三", "头雁 二"]);
    assert_eq!(first["total"], 3);
    let cursor = first["next_cursor"].as_str().unwrap();
    let (_, second) =
        search(&app, ADMIN_TOKEN, &[("q", "头雁"), ("sort", "date"), ("limit", "2"), ("cursor", cursor)]).await;
    assert_eq!(titles_of(&second), ["头雁 一"]);
    assert_eq!(second["next_cursor"], Value::Null);

    // A partner searches its own columns only.
    let response = app.admin_post("/api/v1/partners", json!({"name": "邻市新闻网", "columns": ["local"]})).await;
    let partner = response.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
    let (status, body) = search(&app, &partner, &[("q", "头雁")]).await;
    assert_eq!((status, titles_of(&body)), (200, vec!["头雁 三".to_owned()]));
    assert_eq!(search(&app, &partner, &[("q", "头雁"), ("column", "zhuanti")]).await.0, 403);
    // What an outlet lets partners carry bounds what their snippets show.
    let summary_only = json!({"partner_content": "summary"});
    assert_eq!(app.admin_patch("/api/v1/outlets/cjrb", summary_only).await.status(), 200);
    let (_, body) = search(&app, &partner, &[("q", "旗帜")]).await;
    assert_eq!(body["items"][0]["snippet"], "阿克喀巴克村在党组织引领下走上幸福路。", "{body}");
    let (_, body) = search(&app, ADMIN_TOKEN, &[("q", "旗帜"), ("column", "local")]).await;
    assert!(body["items"][0]["snippet"].as_str().unwrap().contains("旗帜"), "{body}");
    assert_eq!(app.admin_patch("/api/v1/outlets/cjrb", json!({"partner_content": "none"})).await.status(), 200);
    let (_, body) = search(&app, &partner, &[("q", "头雁")]).await;
    assert_eq!((&body["items"], &body["total"]), (&json!([]), &json!(0)), "not even counted: {body}");
    assert_eq!(search(&app, &token, &[("q", "头雁")]).await.0, 401, "an outlet's token reads nothing here");
}

async fn articles_the_public_may_not_see_are_never_found_and_corrections_replace_what_is(app: TestApp) {
    let token = app.with_example_catalog().await;
    push(&app, &token, 1, "头雁 公开", "party-96", json!({})).await;
    push(&app, &token, 2, "头雁 拦截", "party-96", json!({"content_html": "<p>bet365 最新优惠</p>"})).await;
    push(&app, &token, 3, "头雁 禁发", "party-96", json!({"publish_at": "2099-01-01T00:00:00Z"})).await;
    let withdrawn = push(&app, &token, 4, "头雁 撤回", "party-96", json!({})).await;
    assert_eq!(app.admin_delete(&format!("/api/v1/articles/{withdrawn}")).await.status(), 200);
    assert_eq!(found(&app, "头雁").await, set(&["头雁 公开"]));
    let (_, body) = search(&app, ADMIN_TOKEN, &[("q", "头雁")]).await;
    assert_eq!(body["total"], 1, "{body}");
    assert!(found(&app, "bet365").await.is_empty());
    assert!(found(&app, "撤回").await.is_empty());

    // A correction replaces what is found: the new title, not the old one.
    let mut corrected = numbered_article(1, "party-96");
    corrected["title"] = json!("雁阵 更正");
    assert_eq!(app.push(&token, &corrected).await.status(), 200);
    assert_eq!(found(&app, "雁阵").await, set(&["雁阵 更正"]));
    assert!(found(&app, "头雁").await.is_empty());

    // An editor's correction: found by the title shown and by the outlet's own (原标题).
    let edited = app.admin_patch(&format!("/api/v1/articles/{withdrawn}"), json!({"title": "zebra"})).await;
    assert_eq!(edited.status(), 200, "a withdrawn article may be corrected, and is still not found");
    let first = push(&app, &token, 5, "鸿雁 原题", "party-96", json!({})).await;
    let edited = app.admin_patch(&format!("/api/v1/articles/{first}"), json!({"title": "候鸟 新题"})).await;
    assert_eq!(edited.status(), 200);
    assert_eq!(found(&app, "候鸟").await, set(&["候鸟 新题"]));
    assert_eq!(found(&app, "鸿雁").await, set(&["候鸟 新题"]), "the original title finds it too");
    assert!(found(&app, "zebra").await.is_empty());

    // Held for review: never found until approved.
    assert_eq!(app.admin_patch("/api/v1/outlets/cjrb", json!({"review": "manual"})).await.status(), 200);
    let pending = push(&app, &token, 6, "白鹭 待审", "party-96", json!({})).await;
    assert!(found(&app, "白鹭").await.is_empty());
    let approved = app.admin_post(&format!("/api/v1/articles/{pending}/approve"), json!({})).await;
    assert_eq!(approved.status(), 200);
    assert_eq!(found(&app, "白鹭").await, set(&["白鹭 待审"]));
}

async fn a_push_on_one_instance_is_found_on_another_within_two_seconds(app: TestApp) {
    let token = app.with_example_catalog().await;
    let other = app.another_instance().await;
    let base = other.url("");
    let finds = || async {
        let (status, body) = search_at(&app, &base, ADMIN_TOKEN, &[("q", "头雁")]).await;
        assert_eq!(status, 200, "{body}");
        body["total"] == 1
    };
    assert!(!finds().await);
    let pushed = Instant::now();
    assert_eq!(app.push(&token, &example_article()).await.status(), 201);
    eventually("the other instance finds the push", Duration::from_secs(2), finds).await;
    eprintln!("push on one instance found on the other after {:?}", pushed.elapsed());
}

/// A gauge of this instance's `/metrics`.
async fn gauge(app: &TestApp, name: &str) -> f64 {
    let metrics = app.admin_get("/metrics").await.text().await.unwrap();
    let line = metrics.lines().find(|line| line.split(' ').next() == Some(name));
    line.and_then(|line| line.split(' ').nth(1)).unwrap_or_else(|| panic!("{name} in {metrics}")).parse().unwrap()
}

async fn an_outlet_renamed_is_found_by_its_new_name_and_a_deleted_article_leaves_the_index(app: TestApp) {
    let token = app.with_example_catalog().await;
    let other = app.another_instance().await;
    let base = other.url("");
    let total_there = |q: &'static str| {
        let (app, base) = (&app, &base);
        async move {
            let (status, body) = search_at(app, base, ADMIN_TOKEN, &[("q", q)]).await;
            assert_eq!(status, 200, "{body}");
            body["total"].as_u64().unwrap()
        }
    };
    assert_eq!(app.push(&token, &example_article()).await.status(), 201);
    assert_eq!(found(&app, "昌吉日报").await, set(&[EXAMPLE_TITLE]));
    eventually("the other instance indexes the push", Duration::from_secs(2), || async {
        total_there("昌吉日报").await == 1
    })
    .await;

    let renamed = app.admin_patch("/api/v1/outlets/cjrb", json!({"name": "天山融媒"})).await;
    assert_eq!(renamed.status(), 200);
    assert_eq!(found(&app, "天山融媒").await, set(&[EXAMPLE_TITLE]), "the new name, here at once");
    assert!(found(&app, "昌吉日报").await.is_empty(), "and no longer the old one");
    eventually("the other instance has the new name", Duration::from_secs(2), || async {
        total_there("天山融媒").await == 1 && total_there("昌吉日报").await == 0
    })
    .await;

    // A held article is in the index (staff search it); rejected for good, it leaves.
    let held = push(&app, &token, 2, "被拦截的稿件", "party-96", json!({"content_html": "<p>bet365 优惠</p>"})).await;
    let staff_find = |q: &'static str| {
        let app = &app;
        async move {
            let response =
                app.client.get(app.url("/api/v1/admin/articles")).query(&[("q", q)]).bearer_auth(ADMIN_TOKEN);
            let body: Value = response.send().await.unwrap().json().await.unwrap();
            body["articles"].as_array().unwrap().len()
        }
    };
    assert_eq!(staff_find("bet365").await, 1);
    assert_eq!(gauge(&app, "syndic_search_documents").await, 2.0);
    let rejected = app.admin_post(&format!("/api/v1/quarantine/{held}/reject"), json!({})).await;
    assert_eq!(rejected.status(), 204);
    assert_eq!(staff_find("bet365").await, 0);
    assert_eq!(gauge(&app, "syndic_search_documents").await, 1.0, "forgotten by the index, not just unread");
    assert_eq!(gauge(&app, "syndic_search_lag_seconds").await, 0.0);
}

async fn queries_that_cannot_be_read_are_answered_400_naming_q(app: TestApp) {
    let long = "头雁".repeat(2_000);
    for q in ["", "   ", "\"头雁", "“头雁", "头雁 OR", "OR", "-头雁", "。，！", long.as_str()] {
        let (status, body) = search(&app, ADMIN_TOKEN, &[("q", q)]).await;
        assert_eq!(status, 400, "{q:.20}: {body}");
        assert!(body["fields"]["q"].is_string(), "{q:.20}: {body}");
    }
    let (status, body) = search(&app, ADMIN_TOKEN, &[]).await;
    assert_eq!((status, body["fields"]["q"].is_string()), (400, true), "{body}");
    for (field, value) in [("limit", "0"), ("limit", "51"), ("cursor", "nope"), ("sort", "best"), ("since", "today")] {
        let (status, body) = search(&app, ADMIN_TOKEN, &[("q", "头雁"), (field, value)]).await;
        assert_eq!(status, 400, "{field}={value}: {body}");
        assert!(body["fields"][field].is_string(), "{field}: {body}");
    }
    let anonymous = app.client.get(app.url("/api/v1/search?q=x")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
}

async fn the_search_page_marks_what_matched_and_every_page_offers_the_search(app: TestApp) {
    let token = app.with_example_catalog().await;
    assert_eq!(app.push(&token, &example_article()).await.status(), 201);
    let hostile = json!({"content_html": "<p>&lt;script&gt;alert(1)&lt;/script&gt; 旗帜鲜明</p>"});
    push(&app, &token, 2, "另一面旗帜", "party-96", hostile).await;

    let home = app.get_text("/").await;
    let box_at = format!("<form class=\"search\" action=\"{}/search\" method=\"get\" role=\"search\">", app.base_url);
    assert!(home.contains(&box_at), "{home}");
    let described = format!(
        "<link rel=\"search\" type=\"application/opensearchdescription+xml\" title=\"Test Portal\" href=\"{}/opensearch.xml\">",
        app.base_url
    );
    assert!(home.contains(&described), "{home}");

    let response = app.get("/search?q=%E6%97%97%E5%B8%9C").await;
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    assert!(page.contains("<mark>旗帜</mark>"), "{page}");
    assert!(page.contains("找到 2 篇"), "{page}");
    assert!(page.contains("<meta name=\"robots\" content=\"noindex\">"), "{page}");
    assert!(page.contains("&lt;script&gt;alert(1)") && !page.contains("<script>alert"), "escaped: {page}");
    assert!(page.contains("sort=date"), "offers newest first: {page}");

    let newest = app.get_text("/search?q=%E6%97%97%E5%B8%9C&sort=date").await;
    let (second, first) = (newest.find("另一面旗帜").unwrap(), newest.find(EXAMPLE_TITLE).unwrap());
    assert!(second < first, "newest first");
    let in_column = app.get_text("/search?q=%E6%97%97%E5%B8%9C&column=zhuanti").await;
    assert!(in_column.contains("找到 2 篇"), "{in_column}");
    assert!(!app.get_text("/search").await.contains("<mark>"));

    let echoed = app.get("/search?q=%E6%97%97%01%E5%B8%9C%00").await;
    assert_eq!(echoed.status(), 200, "what XML forbids is not echoed back");
    let refused = app.get("/search?q=%22%E5%A4%B4%E9%9B%81").await;
    assert_eq!(refused.status(), 400);
    assert!(refused.text().await.unwrap().contains("无法理解这个搜索"));
    for missing in
        ["/search?q=x&column=nope", "/search?q=%E6%97%97%E5%B8%9C&page=0", "/search?q=%E6%97%97%E5%B8%9C&page=9"]
    {
        assert_eq!(app.get(missing).await.status(), 404, "{missing}");
    }

    let response = app.get("/opensearch.xml").await;
    assert_eq!(response.headers()["content-type"], "application/opensearchdescription+xml");
    let description = response.text().await.unwrap();
    assert!(description.contains("<OpenSearchDescription xmlns=\"http://a9.com/-/spec/opensearch/1.1/\">"));
    let template = format!("template=\"{}/search?q={{searchTerms}}\"", app.base_url);
    assert!(description.contains(&template), "{description}");
}
