//! Editors' corrections (issue 15): an edit keeps the outlet's version, its title shown
//! as the original title (原标题) on the page, in RSS, Atom and JSON Feed and in the
//! partner API; every change audited with before and after; edits validated and
//! sanitised as pushes are; strict columns keep titles; an outlet's later correction
//! is flagged, not applied, until an editor resolves it; who may edit; the console's
//! edit form.

use crate::audit::{entries, row, summary};
use crate::browser::{check_page, signed_in};
use crate::helpers::{example_article, numbered_article, TestApp};
use crate::stories;
use crate::users::{as_user, user_with_token};
use serde_json::{json, Value};

stories!(
    an_edit_keeps_the_original_title_and_shows_it_on_the_page_in_feeds_and_to_partners,
    each_edit_is_audited_with_the_fields_before_and_after,
    invalid_fields_are_refused_by_name_and_hostile_html_is_sanitised,
    strict_columns_allow_only_punctuation_changes_to_titles_and_pass_it_down,
    an_outlet_correction_after_an_edit_is_flagged_not_applied_until_an_editor_resolves_it,
    viewers_may_not_edit_and_editors_only_within_their_columns,
    an_editor_corrects_an_article_through_the_console_form,
    a_stale_console_edit_form_is_refused_and_never_puts_back_what_the_outlet_corrected,
    an_article_with_an_edited_title_may_not_move_into_a_strict_column,
    an_outlet_push_drops_an_edited_title_a_strict_column_no_longer_allows_and_keeps_the_other_edits,
    keeping_an_edited_title_the_outlets_correction_no_longer_matches_is_refused_under_a_strict_column,
    an_edit_with_a_term_or_link_the_content_policy_blocks_is_refused_by_field,
    a_title_that_shows_nothing_is_refused_on_push_and_edit,
);

const ORIGINAL: &str = "做带领群众奔向幸福生活的“头雁”";
const EDITED: &str = "带领群众奔向幸福生活的“头雁”";

fn as_refs<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// The example article, pushed into the example catalogue; its id.
async fn example(app: &TestApp) -> (String, i64) {
    let token = app.with_example_catalog().await;
    let pushed: Value = app.push(&token, &example_article()).await.json().await.unwrap();
    (token, pushed["id"].as_i64().unwrap())
}

async fn patch(app: &TestApp, id: i64, body: Value) -> reqwest::Response {
    app.admin_patch(&format!("/api/v1/articles/{id}"), body).await
}

async fn staff(app: &TestApp, id: i64) -> Value {
    app.admin_get(&format!("/api/v1/admin/articles/{id}")).await.json().await.unwrap()
}

/// The version an article page's edit form was drawn from.
fn form_version(page: &str) -> String {
    let attribute = "name=\"version\" value=\"";
    let start = page.find(attribute).expect("the edit form's version") + attribute.len();
    page[start..].split('"').next().unwrap().to_owned()
}

async fn resolve(app: &TestApp, id: i64, take: &str) -> reqwest::Response {
    app.admin_post(&format!("/api/v1/articles/{id}/outlet-correction"), json!({"take": take})).await
}

async fn an_edit_keeps_the_original_title_and_shows_it_on_the_page_in_feeds_and_to_partners(app: TestApp) {
    let (token, id) = example(&app).await;
    let other: Value = app.push(&token, &numbered_article(2, "party-96")).await.json().await.unwrap();
    let partner: Value = app.admin_post("/api/v1/partners", json!({"name": "邻市新闻网"})).await.json().await.unwrap();
    let reader = partner["token"].as_str().unwrap().to_owned();
    // Read once before the edit: each document is cached, and must be evicted by it.
    let before = app.get_text("/columns/party-96/atom.xml").await;
    assert!(!before.contains("originalTitle"), "nothing edited yet");
    let page_path = format!("/articles/{id}");
    assert!(!app.get_text(&page_path).await.contains("原标题"));

    let edited = patch(&app, id, json!({"title": EDITED})).await;
    assert_eq!(edited.status(), 200);
    let edited: Value = edited.json().await.unwrap();
    assert_eq!((&edited["title"], &edited["original_title"]), (&json!(EDITED), &json!(ORIGINAL)));
    assert_eq!(edited["edited_fields"], json!(["title"]));
    assert_eq!((&edited["edited_by"], &edited["outlet_corrected_at"]), (&json!("admin-token"), &Value::Null));
    assert_eq!(edited["subtitle"], "自治州党的建设工作系列报道之二", "what the edit leaves out stays");

    let page = app.get_text(&page_path).await;
    assert!(page.contains(&format!("<h1>{EDITED}</h1>")), "the edited title shows");
    assert!(page.contains(&format!("原标题: {ORIGINAL}")), "and the original under it");
    assert!(page.contains("\"alternativeHeadline\""), "JSON-LD carries it");
    let rss = app.get_text("/columns/party-96/rss.xml").await;
    assert!(rss.contains(&format!("<syndic:originalTitle>{ORIGINAL}</syndic:originalTitle>")), "{rss}");
    assert!(rss.contains(&format!("<title>{EDITED}</title>")));
    let atom = app.get_text("/columns/party-96/atom.xml").await;
    assert!(atom.contains(&format!("<syndic:originalTitle>{ORIGINAL}</syndic:originalTitle>")), "{atom}");
    assert_ne!(atom, before, "the cached feed was evicted");
    let json_feed: Value = app.get("/columns/party-96/feed.json").await.json().await.unwrap();
    let item = |id: i64| {
        json_feed["items"].as_array().unwrap().iter().find(|i| i["url"].as_str().unwrap().ends_with(&format!("/{id}")))
    };
    let shown = item(id).unwrap();
    assert_eq!((&shown["title"], &shown["_syndic"]["original_title"]), (&json!(EDITED), &json!(ORIGINAL)));
    let unedited = item(other["id"].as_i64().unwrap()).unwrap();
    assert_eq!(unedited["_syndic"]["original_title"], Value::Null, "only where it differs");

    let changes: Value =
        app.client.get(app.url("/api/v1/articles")).bearer_auth(&reader).send().await.unwrap().json().await.unwrap();
    let items = changes["items"].as_array().unwrap();
    let article = items.iter().find(|a| a["id"] == id).unwrap();
    assert_eq!((&article["title"], &article["original_title"]), (&json!(EDITED), &json!(ORIGINAL)));
    let plain = items.iter().find(|a| a["id"] != id).unwrap();
    assert_eq!(plain["title"], plain["original_title"], "always given");

    // Set back to the outlet's title: no longer edited.
    let restored: Value = patch(&app, id, json!({"title": ORIGINAL})).await.json().await.unwrap();
    assert_eq!((&restored["edited_fields"], &restored["edited_at"]), (&json!([]), &Value::Null));
    assert!(!app.get_text(&page_path).await.contains("原标题"));
}

async fn each_edit_is_audited_with_the_fields_before_and_after(app: TestApp) {
    let (_, id) = example(&app).await;
    app.add_column("local", "本地新闻", None).await;
    let edit = json!({
        "subtitle": null,
        "summary": "<p>新的摘要</p>",
        "content_html": "<p>更正后的正文。</p>",
        "image": {"url": "http://www.cjxww.cn/uploads/new.jpg", "caption": "新图"},
        "columns": ["local"],
    });
    let edited = patch(&app, id, edit).await;
    assert_eq!(edited.status(), 200);
    let edited: Value = edited.json().await.unwrap();
    assert_eq!(edited["edited_fields"], json!(["subtitle", "summary", "content_html", "image"]));
    assert_eq!((&edited["subtitle"], &edited["columns"][0]["slug"]), (&Value::Null, &json!("local")));

    let target = format!("article:{id}");
    let log = entries(&app, &format!("target={target}")).await;
    assert_eq!(
        summary(&log),
        [row("admin-token", "article.edit", &target), row("admin-token", "article.move", &target)]
    );
    let edit = &log[1];
    assert_eq!(edit["before"]["subtitle"], "自治州党的建设工作系列报道之二");
    assert_eq!(edit["after"]["subtitle"], Value::Null, "edited to nothing");
    assert_eq!(edit["before"]["summary"], "阿克喀巴克村在党组织引领下走上幸福路。");
    assert_eq!(edit["after"]["summary"], "<p>新的摘要</p>");
    assert_eq!(edit["after"]["content_html"], "<p>更正后的正文。</p>");
    assert!(edit["before"]["content_html"].as_str().unwrap().contains("昌吉新闻网讯"));
    assert_eq!(edit["before"]["image"]["caption"], "阿克喀巴克村");
    assert_eq!(edit["after"]["image"], json!({"url": "http://www.cjxww.cn/uploads/new.jpg", "caption": "新图"}));
    assert!(edit["before"].get("title").is_none(), "only what changed: {edit}");
    assert_eq!(log[0]["after"], json!({"columns": ["local"]}));

    // Once more with the same values: nothing changes, nothing is recorded.
    assert_eq!(patch(&app, id, json!({"summary": "<p>新的摘要</p>"})).await.status(), 200);
    assert_eq!(entries(&app, &format!("target={target}")).await.len(), 2);
    let page = app.get_text(&format!("/articles/{id}")).await;
    assert!(page.contains("更正后的正文。") && !page.contains("自治州党的建设工作系列报道之二"), "shown as edited");
    let count = "SELECT COUNT(*) FROM articles WHERE subtitle = '自治州党的建设工作系列报道之二' \
        AND content_html LIKE '%昌吉新闻网讯%'";
    assert_eq!(app.query_number(count).await, 1, "the outlet's version is stored as it sent it");
}

async fn invalid_fields_are_refused_by_name_and_hostile_html_is_sanitised(app: TestApp) {
    let (_, id) = example(&app).await;
    let refused = patch(
        &app,
        id,
        json!({"title": "  ", "subtitle": "长".repeat(1001), "image": {"url": "javascript:alert(1)"},
               "columns": ["nowhere"]}),
    )
    .await;
    assert_eq!(refused.status(), 422);
    let body: Value = refused.json().await.unwrap();
    let named: Vec<&String> = body["fields"].as_object().unwrap().keys().collect();
    assert_eq!(named, ["columns", "image", "subtitle", "title"], "{body}");
    for malformed in [json!({"title": null}), json!({"author": "x"}), json!({"columns": null}), json!({"title": 1})] {
        assert_eq!(patch(&app, id, malformed.clone()).await.status(), 400, "{malformed}");
    }
    assert_eq!(staff(&app, id).await["edited_fields"], json!([]), "nothing refused was written");
    assert_eq!(patch(&app, id + 100, json!({"title": "x"})).await.status(), 404);

    let hostile = "<p onmouseover=\"steal()\">正文<script>alert(1)</script>\
        <a href=\"javascript:alert(1)\">点此</a><span style=\"display:none\">bet365中文</span>\
        <img src=\"/uploads/a.jpg\" onerror=\"x()\"></p>";
    let edited: Value =
        patch(&app, id, json!({"content_html": hostile, "title": "<b>头雁</b>\u{7}"})).await.json().await.unwrap();
    let content = edited["content_html"].as_str().unwrap();
    for gone in ["script", "onmouseover", "onerror", "javascript:", "bet365"] {
        assert!(!content.contains(gone), "{gone}: {content}");
    }
    assert!(content.contains("http://www.cjxww.cn/uploads/a.jpg"), "resolved against the original: {content}");
    assert_eq!(edited["title"], "头雁", "plain text, XML-safe");
    let page = app.get_text(&format!("/articles/{id}")).await;
    assert!(!page.contains("bet365") && !page.contains("alert(1)"));
}

async fn strict_columns_allow_only_punctuation_changes_to_titles_and_pass_it_down(app: TestApp) {
    let (_, id) = example(&app).await;
    let marked = app.admin_patch("/api/v1/columns/zhuanti", json!({"strict_titles": true})).await;
    let marked: Value = marked.json().await.unwrap();
    assert_eq!((&marked["strict_titles"], &marked["strict_titles_by"]), (&json!(true), &json!("zhuanti")));
    let below: Value = app.admin_get("/api/v1/columns/party-96").await.json().await.unwrap();
    assert_eq!((&below["strict_titles"], &below["strict_titles_by"]), (&json!(false), &json!("zhuanti")));

    // The article is filed under 庆祝建党96周年, beneath the strict 专题栏目.
    let refused = patch(&app, id, json!({"title": EDITED})).await;
    assert_eq!(refused.status(), 422);
    let body: Value = refused.json().await.unwrap();
    let reason = body["fields"]["title"].as_str().unwrap();
    assert!(reason.contains("'zhuanti'") && reason.contains(ORIGINAL), "{body}");
    assert_eq!(staff(&app, id).await["title"], ORIGINAL);

    let punctuated = "做带领群众奔向幸福生活的「头雁」！";
    let allowed = patch(&app, id, json!({"title": punctuated})).await;
    assert_eq!(allowed.status(), 200);
    assert_eq!(allowed.json::<Value>().await.unwrap()["title"], punctuated);
    let spaced = patch(&app, id, json!({"title": "做带领群众 奔向幸福生活的 \"头雁\""})).await;
    assert_eq!(spaced.status(), 200, "ASCII for full-width punctuation, spaces");

    // Moving it out of the strict column in the same edit does not escape the rule.
    app.add_column("local", "本地新闻", None).await;
    let escaping = patch(&app, id, json!({"title": EDITED, "columns": ["local"]})).await;
    assert_eq!(escaping.status(), 422);

    // An admin frees the column in the console's column form (the box left unticked).
    let admin = signed_in(&app, "zhaolei", "admin", &[]).await;
    let form = admin.get("/admin/columns/zhuanti").await;
    assert!(form.body.contains("name=\"strict_titles\" value=\"on\" checked"), "ticked while strict");
    let csrf = admin.csrf().await;
    let saved = admin.post("/admin/columns/zhuanti", &[("csrf", csrf.as_str()), ("title", "专题栏目")]).await;
    assert_eq!(saved.status, 303);
    assert_eq!(patch(&app, id, json!({"title": EDITED})).await.status(), 200);
    let audit = entries(&app, "target=column:zhuanti").await;
    assert_eq!(audit[0]["after"], json!({"strict_titles": false}));
    assert_eq!(audit[0]["actor"], "user:zhaolei");
}

async fn an_outlet_correction_after_an_edit_is_flagged_not_applied_until_an_editor_resolves_it(app: TestApp) {
    let (token, id) = example(&app).await;
    assert_eq!(patch(&app, id, json!({"title": EDITED})).await.status(), 200);
    assert_eq!(app.push(&token, &example_article()).await.status(), 200, "the same version again");
    assert_eq!(staff(&app, id).await["outlet_corrected_at"], Value::Null, "is no correction");
    assert_eq!(resolve(&app, id, "edit").await.status(), 409, "nothing to resolve");

    let mut corrected = example_article();
    corrected["title"] = json!("做带领群众奔向幸福生活的“领头雁”");
    corrected["content_html"] = json!("<p>来源更正后的正文。</p>");
    assert_eq!(app.push(&token, &corrected).await.status(), 200);
    let flagged = staff(&app, id).await;
    assert!(flagged["outlet_corrected_at"].is_string(), "{flagged}");
    assert_eq!(
        (&flagged["title"], &flagged["original_title"]),
        (&json!(EDITED), &json!("做带领群众奔向幸福生活的“领头雁”"))
    );
    assert_eq!(flagged["content_html"], "<p>来源更正后的正文。</p>", "what was not edited follows the outlet");
    let page = app.get_text(&format!("/articles/{id}")).await;
    assert!(page.contains(&format!("<h1>{EDITED}</h1>")) && page.contains("原标题: 做带领群众奔向幸福生活的“领头雁”"));
    let listed: Value = app.admin_get("/api/v1/admin/articles?outlet_corrected=true").await.json().await.unwrap();
    assert_eq!(listed["articles"].as_array().unwrap().len(), 1);
    assert!(listed["articles"][0]["outlet_corrected_at"].is_string());
    assert_eq!(app.admin_get("/api/v1/admin/articles?outlet_corrected=maybe").await.status(), 400);
    assert_eq!(resolve(&app, id, "neither").await.status(), 422);
    let missing = app.admin_post(&format!("/api/v1/articles/{id}/outlet-correction"), json!({})).await;
    assert_eq!(missing.status(), 400);
    let missing: Value = missing.json().await.unwrap();
    assert!(missing["fields"]["take"].as_str().unwrap_or_default().contains("missing field"), "{missing}");

    let feed_before = app.get_text("/columns/party-96/feed.json").await;
    let kept: Value = resolve(&app, id, "edit").await.json().await.unwrap();
    assert_eq!((&kept["title"], &kept["outlet_corrected_at"]), (&json!(EDITED), &Value::Null));
    assert_eq!(kept["updated_at"], flagged["updated_at"], "nothing readers see changed: it does not move");
    assert_eq!(app.get_text("/columns/party-96/feed.json").await, feed_before);
    let listed: Value = app.admin_get("/api/v1/admin/articles?outlet_corrected=true").await.json().await.unwrap();
    assert!(listed["articles"].as_array().unwrap().is_empty());

    corrected["title"] = json!("做带领群众奔向幸福美好生活的“领头雁”");
    assert_eq!(app.push(&token, &corrected).await.status(), 200);
    assert!(staff(&app, id).await["outlet_corrected_at"].is_string(), "flagged again");
    let taken: Value = resolve(&app, id, "outlet").await.json().await.unwrap();
    assert_eq!(taken["title"], "做带领群众奔向幸福美好生活的“领头雁”");
    assert_eq!((&taken["edited_fields"], &taken["outlet_corrected_at"]), (&json!([]), &Value::Null));
    let page = app.get_text(&format!("/articles/{id}")).await;
    assert!(!page.contains("原标题"), "the outlet's version shows");
    assert_eq!(resolve(&app, id, "outlet").await.status(), 409);

    let target = format!("article:{id}");
    let log = entries(&app, &format!("target={target}&action=article.correction.resolve")).await;
    assert_eq!(log.len(), 2);
    assert_eq!(log[0]["before"]["outlet_corrected"], true);
    assert_eq!(log[0]["after"]["title"], "做带领群众奔向幸福美好生活的“领头雁”");
}

async fn viewers_may_not_edit_and_editors_only_within_their_columns(app: TestApp) {
    let (token, id) = example(&app).await;
    app.add_column("local", "本地新闻", None).await;
    let local: Value = app.push(&token, &numbered_article(2, "local")).await.json().await.unwrap();
    let local = local["id"].as_i64().unwrap();
    let viewer = user_with_token(&app, "liming", "viewer", &[]).await;
    let editor = user_with_token(&app, "wangfang", "editor", &["zhuanti"]).await;
    let patch = reqwest::Method::PATCH;
    let title = Some(json!({"title": EDITED}));
    assert_eq!(as_user(&app, &viewer, patch.clone(), &format!("/api/v1/articles/{id}"), title.clone()).await, 403);
    let take = Some(json!({"take": "edit"}));
    let resolve_path = format!("/api/v1/articles/{id}/outlet-correction");
    assert_eq!(as_user(&app, &viewer, reqwest::Method::POST, &resolve_path, take).await, 403);
    let outside = as_user(&app, &editor, patch.clone(), &format!("/api/v1/articles/{local}"), title.clone()).await;
    assert_eq!(outside, 403, "outside its columns");
    let moving_out = Some(json!({"columns": ["local"]}));
    assert_eq!(as_user(&app, &editor, patch.clone(), &format!("/api/v1/articles/{id}"), moving_out).await, 403);
    let outlet = app.client.patch(app.url(&format!("/api/v1/articles/{id}"))).bearer_auth(&token);
    assert_eq!(outlet.json(&json!({"title": EDITED})).send().await.unwrap().status(), 401, "not an outlet's");
    assert_eq!(staff(&app, id).await["edited_fields"], json!([]), "nothing changed");

    assert_eq!(as_user(&app, &editor, patch, &format!("/api/v1/articles/{id}"), title).await, 200);
    let log = entries(&app, &format!("target=article:{id}")).await;
    assert_eq!(summary(&log), [row("user:wangfang", "article.edit", &format!("article:{id}"))]);
}

async fn an_editor_corrects_an_article_through_the_console_form(app: TestApp) {
    let (token, id) = example(&app).await;
    let editor = signed_in(&app, "wangfang", "editor", &["zhuanti"]).await;
    let path = format!("/admin/articles/{id}");
    let page = editor.get(&path).await;
    assert_eq!(page.status, 200);
    check_page(&page.body);
    assert!(page.body.contains("action=\"/admin/articles/") && page.body.contains("/edit\""), "the edit form");

    let no_csrf = editor.post(&format!("{path}/edit"), &[("title", EDITED)]).await;
    assert_eq!(no_csrf.status, 403);
    let csrf = editor.csrf().await;
    let version = form_version(&page.body);
    // The form as a browser sends it: every field, the text areas' lines ended by CR LF.
    let content = "<p>昌吉新闻网讯(记者 郑丽媛)六月清晨的木垒县……</p><p>以党组织为旗帜。</p>";
    let fields = |title: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("version", version.clone()),
            ("title", title.to_owned()),
            ("subtitle", "自治州党的建设工作系列报道之二".to_owned()),
            ("summary", "阿克喀巴克村在党组织引领下走上幸福路。\r\n".to_owned()),
            ("content_html", content.to_owned()),
            ("image_url", "http://www.cjxww.cn/uploads/toutou.jpg".to_owned()),
            ("image_caption", "阿克喀巴克村".to_owned()),
        ]
    };
    let refused = editor.post(&format!("{path}/edit"), &as_refs(&fields(" "))).await;
    assert_eq!(refused.status, 422);
    check_page(&refused.body);
    assert!(refused.body.contains("id=\"title-error\""), "the reason beside the title");
    assert_eq!(staff(&app, id).await["edited_fields"], json!([]), "nothing changed");

    let saved = editor.post(&format!("{path}/edit"), &as_refs(&fields(EDITED))).await;
    assert_eq!(saved.status, 303);
    assert_eq!(saved.location(), format!("{path}?done=edited"));
    let shown = staff(&app, id).await;
    assert_eq!(shown["edited_fields"], json!(["title"]), "only what the editor changed: {shown}");
    assert_eq!(shown["edited_by"], "user:wangfang");
    let after = editor.get(saved.location()).await;
    check_page(&after.body);
    assert!(after.body.contains("修改已保存") && after.body.contains(ORIGINAL), "the notice and 原标题");
    assert!(app.get_text(&format!("/articles/{id}")).await.contains(&format!("原标题: {ORIGINAL}")));

    // The outlet corrects it: the page shows the flag and both resolutions.
    let mut corrected = example_article();
    corrected["content_html"] = json!("<p>来源更正后的正文。</p>");
    assert_eq!(app.push(&token, &corrected).await.status(), 200);
    let flagged = editor.get(&path).await;
    check_page(&flagged.body);
    assert!(flagged.body.contains("来源已更正") && flagged.body.contains("value=\"outlet\""), "{}", flagged.body);
    let list = editor.get("/admin/articles?corrected=on").await;
    assert!(list.body.contains(&path) && list.body.contains("badge corrected"), "the list's filter and badge");
    let taken = editor.post(&format!("{path}/outlet-correction"), &[("csrf", csrf.as_str()), ("take", "outlet")]).await;
    assert_eq!(taken.status, 303);
    assert_eq!(staff(&app, id).await["title"], ORIGINAL, "the outlet's version shows");
    let again = editor.post(&format!("{path}/outlet-correction"), &[("csrf", csrf.as_str()), ("take", "edit")]).await;
    assert_eq!(again.status, 409);
    let log = entries(&app, &format!("target=article:{id}")).await;
    let actions: Vec<_> = summary(&log).into_iter().map(|(actor, action, _)| (actor, action)).collect();
    let by = |action: &str| ("user:wangfang".to_owned(), action.to_owned());
    assert_eq!(actions, [by("article.edit"), by("article.correction.resolve")]);
}

async fn a_stale_console_edit_form_is_refused_and_never_puts_back_what_the_outlet_corrected(app: TestApp) {
    let (token, id) = example(&app).await;
    let editor = signed_in(&app, "wangfang", "editor", &["zhuanti"]).await;
    let path = format!("/admin/articles/{id}");
    let opened = editor.get(&path).await;
    let csrf = editor.csrf().await;
    let version = form_version(&opened.body);
    let shown = staff(&app, id).await;
    let text = |field: &str| shown[field].as_str().unwrap_or_default().to_owned();
    // The form as it was drawn, its title changed by the editor.
    let stale = [
        ("csrf", csrf.clone()),
        ("version", version),
        ("title", EDITED.to_owned()),
        ("subtitle", text("subtitle")),
        ("summary", text("summary")),
        ("content_html", text("content_html")),
        ("image_url", shown["image"]["url"].as_str().unwrap_or_default().to_owned()),
        ("image_caption", shown["image"]["caption"].as_str().unwrap_or_default().to_owned()),
    ];

    // Meanwhile the outlet corrects its summary and content.
    let mut corrected = example_article();
    corrected["summary"] = json!("来源更正后的摘要。");
    corrected["content_html"] = json!("<p>来源更正后的正文。</p>");
    assert_eq!(app.push(&token, &corrected).await.status(), 200);

    let refused = editor.post(&format!("{path}/edit"), &as_refs(&stale)).await;
    assert_eq!(refused.status, 409);
    check_page(&refused.body);
    assert!(refused.body.contains("打开此表单后稿件已有变化"), "says why: {}", refused.body);
    let now = staff(&app, id).await;
    assert_eq!((&now["title"], &now["edited_fields"]), (&json!(ORIGINAL), &json!([])), "nothing saved");
    assert_eq!(now["content_html"], "<p>来源更正后的正文。</p>", "the outlet's correction stands");
    assert_eq!(now["summary"], "来源更正后的摘要。");
    let again = editor.post(&format!("{path}/edit"), &as_refs(&stale)).await;
    assert_eq!(again.status, 409, "the refused form keeps its old version: only a reload saves");

    // Reloaded, the same change saves, over the outlet's corrected version.
    let reloaded = editor.get(&path).await;
    let mut fresh = stale.clone();
    fresh[1].1 = form_version(&reloaded.body);
    fresh[4].1 = "来源更正后的摘要。".to_owned();
    fresh[5].1 = "<p>来源更正后的正文。</p>".to_owned();
    assert_eq!(editor.post(&format!("{path}/edit"), &as_refs(&fresh)).await.status, 303);
    let saved = staff(&app, id).await;
    assert_eq!((&saved["title"], &saved["edited_fields"]), (&json!(EDITED), &json!(["title"])));
    assert_eq!(saved["content_html"], "<p>来源更正后的正文。</p>");
}

/// Marks the example catalogue's 专题栏目 (above the example article's column) strict.
async fn make_strict(app: &TestApp) {
    let marked = app.admin_patch("/api/v1/columns/zhuanti", json!({"strict_titles": true})).await;
    assert_eq!(marked.status(), 200);
}

async fn an_article_with_an_edited_title_may_not_move_into_a_strict_column(app: TestApp) {
    let (_, id) = example(&app).await;
    make_strict(&app).await;
    app.add_column("local", "本地新闻", None).await;
    let columns = format!("/api/v1/articles/{id}/columns");
    let put =
        |body: Value| app.client.put(app.url(&columns)).bearer_auth(crate::helpers::ADMIN_TOKEN).json(&body).send();
    assert_eq!(put(json!({"columns": ["local"]})).await.unwrap().status(), 200);
    assert_eq!(patch(&app, id, json!({"title": EDITED})).await.status(), 200, "local is free");

    let refused = put(json!({"columns": ["party-96"]})).await.unwrap();
    assert_eq!(refused.status(), 422);
    let body: Value = refused.json().await.unwrap();
    let reason = body["fields"]["columns"].as_str().unwrap_or_default();
    assert!(reason.contains("'zhuanti'") && reason.contains("title"), "{body}");
    assert_eq!(staff(&app, id).await["columns"][0]["slug"], "local", "not moved");

    // With the outlet's title back, it may.
    assert_eq!(patch(&app, id, json!({"title": ORIGINAL})).await.status(), 200);
    assert_eq!(put(json!({"columns": ["party-96"]})).await.unwrap().status(), 200);
}

async fn an_outlet_push_drops_an_edited_title_a_strict_column_no_longer_allows_and_keeps_the_other_edits(app: TestApp) {
    let (token, id) = example(&app).await;
    let edit = json!({"title": EDITED, "summary": "编辑改写的摘要。"});
    assert_eq!(patch(&app, id, edit).await.status(), 200, "the column is not strict yet");
    make_strict(&app).await;

    let mut corrected = example_article();
    corrected["content_html"] = json!("<p>来源更正后的正文。</p>");
    assert_eq!(app.push(&token, &corrected).await.status(), 200);
    let shown = staff(&app, id).await;
    assert_eq!(shown["title"], ORIGINAL, "the outlet's title shows in a strict column: {shown}");
    assert_eq!(shown["edited_fields"], json!(["summary"]), "the other edits are kept");
    assert_eq!(shown["summary"], "编辑改写的摘要。");
    assert!(shown["outlet_corrected_at"].is_string(), "flagged for an editor");
    let page = app.get_text(&format!("/articles/{id}")).await;
    assert!(page.contains(&format!("<h1>{ORIGINAL}</h1>")) && !page.contains("原标题"), "{page}");
}

async fn keeping_an_edited_title_the_outlets_correction_no_longer_matches_is_refused_under_a_strict_column(
    app: TestApp,
) {
    let (token, id) = example(&app).await;
    assert_eq!(patch(&app, id, json!({"title": EDITED})).await.status(), 200, "the column is not strict yet");
    let mut corrected = example_article();
    corrected["title"] = json!("做带领群众奔向幸福生活的“领头雁”");
    assert_eq!(app.push(&token, &corrected).await.status(), 200);
    make_strict(&app).await;

    let refused = resolve(&app, id, "edit").await;
    assert_eq!(refused.status(), 422);
    let body: Value = refused.json().await.unwrap();
    assert!(body["fields"]["title"].as_str().unwrap_or_default().contains("'zhuanti'"), "{body}");
    let still = staff(&app, id).await;
    assert!(still["outlet_corrected_at"].is_string(), "still to decide: {still}");
    let taken: Value = resolve(&app, id, "outlet").await.json().await.unwrap();
    assert_eq!(taken["title"], "做带领群众奔向幸福生活的“领头雁”");
}

async fn an_edit_with_a_term_or_link_the_content_policy_blocks_is_refused_by_field(app: TestApp) {
    let (_, id) = example(&app).await;
    let refused = patch(
        &app,
        id,
        json!({
            "title": "头雁 ＢＥＴ３６５",
            "content_html": "<p>bet&shy;365 最新优惠</p>",
            "summary": "<a href=\"http://www.spam.example/x\">链接</a>",
        }),
    )
    .await;
    assert_eq!(refused.status(), 422);
    let body: Value = refused.json().await.unwrap();
    for field in ["title", "content_html", "summary"] {
        let reason = body["fields"][field].as_str().unwrap_or_default();
        assert!(reason.contains("blocked"), "{field}: {body}");
    }
    let shown = staff(&app, id).await;
    assert_eq!((&shown["title"], &shown["edited_fields"]), (&json!(ORIGINAL), &json!([])), "nothing saved");
    assert_eq!(shown["status"], "published", "not held either");
}

async fn a_title_that_shows_nothing_is_refused_on_push_and_edit(app: TestApp) {
    let (token, id) = example(&app).await;
    for (n, invisible) in
        ["\u{200B}\u{200D}\u{2060}", "\u{3164}", "\u{2800}", "\u{034F}", "\u{00AD}", "\u{202E}"].into_iter().enumerate()
    {
        let mut pushed = numbered_article(10 + n, "party-96");
        pushed["title"] = json!(invisible);
        let refused = app.push(&token, &pushed).await;
        assert_eq!(refused.status(), 422, "push {invisible:?}");
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["fields"]["title"], "is required", "{body}");

        let refused = patch(&app, id, json!({"title": invisible})).await;
        assert_eq!(refused.status(), 422, "edit {invisible:?}");
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["fields"]["title"], "is required", "{body}");
    }
    assert_eq!(staff(&app, id).await["title"], ORIGINAL);
}
