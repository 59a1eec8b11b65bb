//! One story from many outlets (issue 17): a wire story two local papers carry with
//! minor edits is linked to the earliest copy, shown both ways on the pages and in the
//! APIs, and listed once site-wide; different stories sharing boilerplate are not; a
//! third outlet's copy links to the earliest; nothing links across the seven-day window
//! or to the same outlet's own articles; a withdrawn original lets its duplicates show;
//! a column may hide duplicates too.

use crate::helpers::TestApp;
use crate::stories;
use serde_json::{json, Value};

stories!(
    two_outlets_carrying_one_wire_story_with_minor_edits_are_linked_both_ways_and_the_site_feed_lists_the_earliest,
    different_stories_sharing_boilerplate_and_the_reporter_line_are_not_linked,
    a_third_outlets_copy_links_to_the_earliest,
    a_copy_stored_after_the_seven_day_window_is_not_linked,
    an_outlets_own_repush_and_its_second_copy_are_never_its_duplicates,
    a_withdrawn_original_lets_its_duplicate_show_site_wide_and_a_correction_recomputes_the_link,
    a_column_hiding_duplicates_lists_only_the_earliest,
);

/// A wire story as the first paper ran it.
const WIRE: [&str; 4] = [
    "昌吉新闻网讯(记者 郑丽媛)六月清晨的木垒县大南沟乌孜别克族乡阿克喀巴克村,处处生机勃勃,绿树成荫的道路四通八达,\
     连接着一座座漂亮的牧民定居房,院落内一畦畦绿意盎然的时令蔬菜长势喜人。",
    "阿克喀巴克村牧民们的幸福生活,是在党组织的引领下一步步成为现实的。按照自治区党委安排部署,工作队进驻阿克喀巴克村\
     开展“访民情、惠民生、聚民心”工作,成为村“两委”兴村富民的“良师益友”。",
    "村党支部严格按照第一书记“七联七统”工作要求,带领党员、党小组组长、工作队员等各支力量做好值班、巡逻、入户等工作,\
     并利用周一升国旗宣讲、农牧民夜校、各类文艺活动向村民宣传党的政策方针。",
    "为兴村富民,阿克喀巴克村各党小组依据各自优势,谋划打造了一批小产业,鼓励扶持党员、先进分子和致富能手发展各个产业\
     合作社、企业,通过党员、能手示范引领,做给村民看,带领村民干。",
];

/// Another story entirely.
const OTHER: [&str; 3] = [
    "昌吉新闻网讯(记者 郑丽媛)连日来,昌吉市二六工镇、佃坝镇等地的加工番茄陆续进入坐果期,田间一片繁忙。种植户们抓住晴好\
     天气,开展滴灌追肥、打杈除草等工作,确保番茄稳产增收。",
    "为做好田间管理,市农业技术推广中心组织技术人员分片包干,走进地头讲解水肥一体化和病虫害绿色防控技术,并通过微信群及时\
     发布天气预警和管理要点。",
    "“今年苗情比去年整齐,只要后期管理跟得上,亩产有望达到8吨以上。”一位种植大户说。据了解,今年昌吉市加工番茄种植面积与\
     去年基本持平,订单全部落实到户。",
];

/// What one paper puts around everything it runs.
const FOOTER: &str =
    "本网声明:凡注明来源为本网的稿件,版权均属本网所有,未经书面授权不得转载、摘编或利用其他方式使用上述作品。\
    已经授权使用作品的,应在授权范围内使用,并注明来源。违反上述声明者,本网将追究其相关法律责任。";

fn html(paragraphs: &[&str]) -> String {
    paragraphs.iter().map(|p| format!("<p>{p}</p>")).collect()
}

/// The wire story as another paper ran it: its own 本报讯 line, one sentence changed,
/// full-width punctuation, its editor's line at the end.
fn edited_copy() -> String {
    let mut paragraphs: Vec<String> = WIRE.iter().map(|p| p.replace(',', ",")).collect();
    paragraphs[0] = paragraphs[0].replace("昌吉新闻网讯(记者 郑丽媛)", "本报讯(记者 王伟 通讯员 李强)");
    paragraphs[2] = paragraphs[2].replace("做好值班、巡逻、入户等工作", "认真做好各项日常工作");
    paragraphs.push("(责任编辑:张敏)".into());
    paragraphs.iter().map(|p| format!("<p>{p}</p>")).collect()
}

fn story(url: &str, title: &str, content: &str) -> Value {
    json!({
        "original_url": url,
        "title": title,
        "content_html": content,
        "original_published_at": "2018-06-28 11:39:20",
        "columns": ["news"],
    })
}

/// Three papers and a column; their tokens.
async fn papers(app: &TestApp) -> [String; 3] {
    app.add_column("news", "新闻", None).await;
    let mut tokens = Vec::new();
    for (slug, name) in [("cjrb", "昌吉日报"), ("xjrb", "新疆日报"), ("htb", "呼图壁报")] {
        tokens
            .push(app.add_outlet(slug, json!({"name": name, "homepage": format!("https://{slug}.example.cn/")})).await);
    }
    tokens.try_into().unwrap()
}

async fn push(app: &TestApp, token: &str, article: Value) -> i64 {
    let response = app.push(token, &article).await;
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert!(status.is_success(), "push: {status} {body}");
    body["id"].as_i64().unwrap()
}

async fn staff(app: &TestApp, id: i64) -> Value {
    app.admin_get(&format!("/api/v1/admin/articles/{id}")).await.json().await.unwrap()
}

async fn duplicate_of(app: &TestApp, id: i64) -> Option<i64> {
    staff(app, id).await["duplicate_of"].as_i64()
}

/// `later` is no duplicate of `earlier`, whose API and page know of no copy.
async fn assert_unlinked(app: &TestApp, earlier: i64, later: i64) {
    assert_eq!(duplicate_of(app, later).await, None);
    assert_eq!(staff(app, earlier).await["duplicates"], json!([]));
    assert!(!app.get_text(&format!("/articles/{earlier}")).await.contains("同时刊发于"));
}

/// The ids a JSON Feed lists, from their page URLs.
async fn listed(app: &TestApp, path: &str) -> Vec<i64> {
    let feed: Value = app.get(path).await.json().await.unwrap();
    feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["url"].as_str().unwrap().rsplit('/').next().unwrap().parse().unwrap())
        .collect()
}

async fn two_outlets_carrying_one_wire_story_with_minor_edits_are_linked_both_ways_and_the_site_feed_lists_the_earliest(
    app: TestApp,
) {
    let [cjrb, xjrb, _] = papers(&app).await;
    let first =
        push(&app, &cjrb, story("https://cjrb.example.cn/1", "做带领群众奔向幸福生活的“头雁”", &html(&WIRE))).await;
    let copy =
        push(&app, &xjrb, story("https://xjrb.example.cn/9", "做带领群众奔向幸福生活的头雁", &edited_copy())).await;

    assert_eq!(duplicate_of(&app, copy).await, Some(first));
    assert_eq!(duplicate_of(&app, first).await, None);
    let original = staff(&app, first).await;
    assert_eq!(original["duplicates"], json!([{"id": copy, "outlet": "xjrb"}]), "{original}");

    // Each page links to the other's: 同时刊发于.
    let first_page = app.get_text(&format!("/articles/{first}")).await;
    let copy_page = app.get_text(&format!("/articles/{copy}")).await;
    assert!(first_page.contains("同时刊发于") && first_page.contains(&format!("/articles/{copy}\"")), "{first_page}");
    assert!(first_page.contains("新疆日报"));
    assert!(copy_page.contains("同时刊发于") && copy_page.contains(&format!("/articles/{first}\"")), "{copy_page}");
    assert!(copy_page.contains("昌吉日报"));

    // Site-wide, the story is listed once; the copy's own outlet and column list it.
    assert_eq!(listed(&app, "/feed.json").await, vec![first]);
    assert!(!app.get_text("/").await.contains(&format!("/articles/{copy}\"")));
    assert_eq!(listed(&app, "/outlets/xjrb/feed.json").await, vec![copy]);
    assert_eq!(listed(&app, "/columns/news/feed.json").await, vec![copy, first]);

    // Partners see the link both ways (the admin token reads what partners read).
    let changes: Value = app.admin_get("/api/v1/articles").await.json().await.unwrap();
    let items = changes["items"].as_array().unwrap_or_else(|| panic!("{changes}"));
    let by_id = |id: i64| items.iter().find(|a| a["id"] == id).unwrap_or_else(|| panic!("{id} in {changes}"));
    assert_eq!(by_id(copy)["duplicate_of"], first);
    assert_eq!(by_id(first)["duplicates"], json!([{"id": copy, "outlet": "xjrb"}]));
}

async fn different_stories_sharing_boilerplate_and_the_reporter_line_are_not_linked(app: TestApp) {
    let [cjrb, xjrb, _] = papers(&app).await;
    let with_footer = |paragraphs: &[&str]| format!("{}<p>{FOOTER}</p>", html(paragraphs));
    let first =
        push(&app, &cjrb, story("https://cjrb.example.cn/1", "阿克喀巴克村的幸福生活", &with_footer(&WIRE))).await;
    let other =
        push(&app, &xjrb, story("https://xjrb.example.cn/2", "加工番茄进入田间管理关键期", &with_footer(&OTHER))).await;

    assert_unlinked(&app, first, other).await;
    assert_eq!(listed(&app, "/feed.json").await, vec![other, first]);
}

async fn a_third_outlets_copy_links_to_the_earliest(app: TestApp) {
    let [cjrb, xjrb, htb] = papers(&app).await;
    let first = push(&app, &cjrb, story("https://cjrb.example.cn/1", "头雁", &html(&WIRE))).await;
    let second = push(&app, &xjrb, story("https://xjrb.example.cn/1", "头雁", &edited_copy())).await;
    let third =
        push(&app, &htb, story("https://htb.example.cn/1", "头雁", &edited_copy().replace("张敏", "刘洋"))).await;

    assert_eq!(duplicate_of(&app, second).await, Some(first));
    assert_eq!(duplicate_of(&app, third).await, Some(first));
    let original = staff(&app, first).await;
    assert_eq!(original["duplicates"], json!([{"id": second, "outlet": "xjrb"}, {"id": third, "outlet": "htb"}]));
    // The second copy's page, read before the third came, shows all three papers now.
    let second_page = app.get_text(&format!("/articles/{second}")).await;
    assert!(
        second_page.contains(&format!("/articles/{first}\"")) && second_page.contains(&format!("/articles/{third}\""))
    );
    assert_eq!(listed(&app, "/feed.json").await, vec![first]);
    assert_eq!(
        app.get_text("/").await.matches("/articles/").count(),
        app.get_text("/").await.matches(&format!("/articles/{first}\"")).count()
    );
}

async fn a_copy_stored_after_the_seven_day_window_is_not_linked(app: TestApp) {
    let [cjrb, xjrb, _] = papers(&app).await;
    let first = push(&app, &cjrb, story("https://cjrb.example.cn/1", "头雁", &html(&WIRE))).await;
    let eight_days: i64 = 8 * 24 * 3_600 * 1_000_000;
    app.execute_sql(&format!(
        "UPDATE articles SET reposted_at = reposted_at - {eight_days} WHERE id = {first};
         UPDATE article_bands SET reposted_at = reposted_at - {eight_days} WHERE article_id = {first};
         UPDATE column_listings SET reposted_at = reposted_at - {eight_days} WHERE article_id = {first}"
    ))
    .await;
    let late = push(&app, &xjrb, story("https://xjrb.example.cn/1", "头雁", &edited_copy())).await;

    assert_eq!(duplicate_of(&app, late).await, None);
    assert_eq!(listed(&app, "/feed.json").await, vec![late, first]);
}

async fn an_outlets_own_repush_and_its_second_copy_are_never_its_duplicates(app: TestApp) {
    let [cjrb, _, _] = papers(&app).await;
    let first = push(&app, &cjrb, story("https://cjrb.example.cn/1", "头雁", &html(&WIRE))).await;
    let again = push(&app, &cjrb, story("https://cjrb.example.cn/1", "头雁", &edited_copy())).await;
    let second = push(&app, &cjrb, story("https://cjrb.example.cn/2", "头雁", &html(&WIRE))).await;

    assert_eq!(again, first, "a re-push updates the same article");
    assert_eq!(duplicate_of(&app, first).await, None);
    assert_eq!(duplicate_of(&app, second).await, None);
    assert_eq!(listed(&app, "/feed.json").await, vec![second, first]);
}

async fn a_withdrawn_original_lets_its_duplicate_show_site_wide_and_a_correction_recomputes_the_link(app: TestApp) {
    let [cjrb, xjrb, _] = papers(&app).await;
    let first = push(&app, &cjrb, story("https://cjrb.example.cn/1", "头雁", &html(&WIRE))).await;
    let copy = push(&app, &xjrb, story("https://xjrb.example.cn/1", "头雁", &edited_copy())).await;
    assert_eq!(listed(&app, "/feed.json").await, vec![first]);
    assert!(app.get_text(&format!("/articles/{copy}")).await.contains(&format!("/articles/{first}\"")));

    let withdrawn = app.admin_delete(&format!("/api/v1/articles/{first}")).await;
    assert!(withdrawn.status().is_success(), "{}", withdrawn.status());
    assert_eq!(listed(&app, "/feed.json").await, vec![copy], "the duplicate shows once its original is gone");
    assert!(app.get_text("/").await.contains(&format!("/articles/{copy}\"")));
    assert!(!app.get_text(&format!("/articles/{copy}")).await.contains("同时刊发于"), "no link to a withdrawn page");

    // The original comes back; then the copy's outlet corrects it into another story.
    let reinstated = app.admin_post(&format!("/api/v1/articles/{first}/reinstate"), json!({})).await;
    assert!(reinstated.status().is_success(), "{}", reinstated.status());
    assert_eq!(listed(&app, "/feed.json").await, vec![first]);
    push(&app, &xjrb, story("https://xjrb.example.cn/1", "番茄", &html(&OTHER))).await;
    assert_unlinked(&app, first, copy).await;
    assert_eq!(listed(&app, "/feed.json").await, vec![copy, first]);
}

async fn a_column_hiding_duplicates_lists_only_the_earliest(app: TestApp) {
    let [cjrb, xjrb, _] = papers(&app).await;
    let changed = app.admin_patch("/api/v1/columns/news", json!({"hide_duplicates": true})).await;
    assert_eq!(changed.status(), 200, "{}", changed.text().await.unwrap());
    let column: Value = app.admin_get("/api/v1/columns/news").await.json().await.unwrap();
    assert_eq!(column["hide_duplicates"], true);
    let refused = app.admin_patch("/api/v1/columns/news", json!({"hide_duplicates": "yes"})).await;
    assert_eq!(refused.status().as_u16() / 100, 4);

    let first = push(&app, &cjrb, story("https://cjrb.example.cn/1", "头雁", &html(&WIRE))).await;
    let copy = push(&app, &xjrb, story("https://xjrb.example.cn/1", "头雁", &edited_copy())).await;
    assert_eq!(listed(&app, "/columns/news/feed.json").await, vec![first]);
    assert!(!app.get_text("/columns/news").await.contains(&format!("/articles/{copy}\"")));
    assert_eq!(listed(&app, "/outlets/xjrb/feed.json").await, vec![copy], "outlet pages list every article");

    // Withdrawn, the original no longer hides its copy in the column either.
    app.admin_delete(&format!("/api/v1/articles/{first}")).await;
    assert_eq!(listed(&app, "/columns/news/feed.json").await, vec![copy]);

    // Turned off, the column lists both again.
    app.admin_post(&format!("/api/v1/articles/{first}/reinstate"), json!({})).await;
    assert_eq!(listed(&app, "/columns/news/feed.json").await, vec![first]);
    app.admin_patch("/api/v1/columns/news", json!({"hide_duplicates": false})).await;
    assert_eq!(listed(&app, "/columns/news/feed.json").await, vec![copy, first]);
}
