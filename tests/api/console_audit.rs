//! The console's audit log as an admin reads it: newest first, each entry's time in the
//! site's zone and its fields before and after; filters (actor, action, target, since a
//! day) and paging by cursor; bad filters answered on the page (422); editors and viewers
//! refused (403) and not shown the section; and the changes made through the console's
//! own forms recorded with the signed-in user as their actor.

use crate::audit::{entries, row, summary};
use crate::browser::{check_page, signed_in, Browser};
use crate::console_articles::{link, newsroom, page};
use crate::helpers::TestApp;
use crate::stories;
use serde_json::json;

stories!(
    the_audit_log_lists_entries_newest_first_with_filters_and_pages,
    editors_and_viewers_are_refused_the_audit_log,
    changes_made_in_the_console_are_recorded_with_the_console_user_as_actor,
);

/// (action, target) of each entry the page lists, in its order.
fn listed(body: &str) -> Vec<(String, String)> {
    let cell = |row: &str, label: &str| -> String {
        let start = row.find(&format!("data-label=\"{label}\">")).unwrap_or_else(|| panic!("{label} in {row}"));
        let text = &row[start..];
        let text = text.split_once('>').unwrap().1;
        // The target is a link (to the log filtered by it); the action is plain text.
        let text = if text.starts_with("<a ") { text.split_once('>').unwrap().1 } else { text };
        text.split('<').next().unwrap().to_owned()
    };
    body.split("<td data-label=\"时间\">").skip(1).map(|row| (cell(row, "操作"), cell(row, "对象"))).collect()
}

fn pair(action: &str, target: &str) -> (String, String) {
    (action.to_owned(), target.to_owned())
}

async fn the_audit_log_lists_entries_newest_first_with_filters_and_pages(app: TestApp) {
    // 58 entries: the user added, its login, 55 columns added, one edited.
    let admin = signed_in(&app, "wangfang", "admin", &[]).await;
    for n in 0..55 {
        app.add_column(&format!("c-{n}"), &format!("栏目{n}"), None).await;
    }
    assert_eq!(app.admin_patch("/api/v1/columns/c-7", json!({"title": "建党96周年"})).await.status(), 200);

    let first = page(&admin, "/admin/audit").await;
    let shown = listed(&first);
    assert_eq!(shown.len(), 50, "a page");
    assert_eq!(shown[..2], [pair("column.edit", "column:c-7"), pair("column.add", "column:c-54")], "newest first");
    assert!(
        first.contains("<th scope=\"row\">title</th><td>栏目7</td><td>建党96周年</td>"),
        "the edit's field before and after: {first}"
    );
    let newest = &entries(&app, "limit=1").await[0];
    let at = chrono::DateTime::parse_from_rfc3339(newest["at"].as_str().unwrap()).unwrap();
    let local = at.with_timezone(&app.config.site.timezone).format("%Y-%m-%d %H:%M").to_string();
    assert!(first.contains(&format!(">{local}</time>")), "its time in the site's zone: {local}");
    assert!(first.contains("href=\"/admin/audit?actor=admin-token\""), "an actor links to its entries");
    assert!(link(&first, "prev").is_none());

    // 58 entries: 50, then 8, and back.
    let second = page(&admin, &link(&first, "next").expect("a next page")).await;
    let mut all = shown.clone();
    all.extend(listed(&second));
    assert_eq!(listed(&second).len(), 8);
    assert_eq!(all.last(), Some(&pair("user.add", "user:wangfang")), "the oldest last");
    assert!(link(&second, "next").is_none());
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 58, "every entry once");
    let back = page(&admin, &link(&second, "prev").expect("a previous page")).await;
    assert_eq!(listed(&back), shown);

    // Filters, each matched exactly, and kept by the pager's links.
    let added = page(&admin, "/admin/audit?action=column.add").await;
    assert_eq!(listed(&added).len(), 50);
    assert!(added.contains("<option value=\"column.add\" selected>"), "the choice stays selected");
    let onward = link(&added, "next").unwrap();
    assert!(onward.contains("action=column.add"), "paging keeps the filters: {onward}");
    assert_eq!(listed(&page(&admin, &onward).await).len(), 5);
    let by_user = page(&admin, "/admin/audit?actor=user%3Awangfang").await;
    assert_eq!(listed(&by_user), [pair("login", "user:wangfang")]);
    assert!(by_user.contains("value=\"user:wangfang\""), "the filter stays in its field");
    let one = page(&admin, "/admin/audit?target=column%3Ac-7").await;
    assert_eq!(listed(&one), [pair("column.edit", "column:c-7"), pair("column.add", "column:c-7")]);
    let none = page(&admin, "/admin/audit?target=column%3Ac-8&action=column.edit").await;
    assert!(listed(&none).is_empty() && none.contains("没有符合条件的记录。"), "{none}");
    let zone = app.config.site.timezone;
    let today = chrono::Utc::now().with_timezone(&zone).date_naive();
    let (yesterday, tomorrow) = (today.pred_opt().unwrap(), today.succ_opt().unwrap());
    assert!(listed(&page(&admin, &format!("/admin/audit?since={tomorrow}")).await).is_empty());
    assert_eq!(listed(&page(&admin, &format!("/admin/audit?since={yesterday}&actor=admin-token")).await).len(), 50);
    let garbage = page(&admin, "/admin/audit?cursor=garbage&trail=x.y").await;
    assert_eq!(listed(&garbage), shown, "a cursor that is not one: the first page");
    assert!(link(&garbage, "prev").is_none());

    // Filters that are not ones: the page again, each reason beside its field.
    let long = "a".repeat(201);
    let refused =
        admin.get(&format!("/admin/audit?since=31.01.2026&action=column.delete&actor=%01x&target={long}")).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    check_page(&refused.body);
    for shown in [
        "id=\"since-error\"",
        "id=\"action-error\"",
        "id=\"actor-error\"",
        "id=\"target-error\"",
        "日期格式应为",
        "至多 200 个字符",
        "value=\"31.01.2026\"",
    ] {
        assert!(refused.body.contains(shown), "{shown} in {}", refused.body);
    }
    assert!(listed(&refused.body).is_empty(), "no entries under refused filters");
}

async fn editors_and_viewers_are_refused_the_audit_log(app: TestApp) {
    let admin = signed_in(&app, "wangfang", "admin", &[]).await;
    let editor = signed_in(&app, "lisi", "editor", &[]).await;
    let viewer = signed_in(&app, "zhaoliu", "viewer", &[]).await;
    assert!(page(&admin, "/admin/").await.contains("href=\"/admin/audit\""), "the section, for an admin");
    for (who, browser) in [("editor", &editor), ("viewer", &viewer)] {
        for path in ["/admin/audit", "/admin/audit?action=login&cursor=AAAAAAAAAAA"] {
            let refused = browser.get(path).await;
            assert_eq!(refused.status, 403, "{who} {path}");
            check_page(&refused.body);
            assert!(refused.body.contains("您的角色或负责的栏目不允许"), "{}", refused.body);
            assert!(!refused.body.contains("user:wangfang"), "no entry shown");
        }
        assert!(!page(browser, "/admin/").await.contains("href=\"/admin/audit\""), "no such section for the {who}");
    }
    let anonymous = Browser::new(&app).get("/admin/audit").await;
    assert_eq!((anonymous.status, anonymous.location()), (303, "/admin/login?next=%2Fadmin%2Faudit"));
}

async fn changes_made_in_the_console_are_recorded_with_the_console_user_as_actor(app: TestApp) {
    let n = newsroom(&app).await;
    let admin = signed_in(&app, "wangfang", "admin", &[]).await;
    let csrf = admin.csrf().await;
    let article = |verb: &str| format!("/admin/articles/{}/{verb}", n.party);
    let held = |id: i64, verb: &str| format!("/admin/quarantine/{id}/{verb}");
    for (path, fields) in [
        (article("withdraw"), vec![("csrf", csrf.as_str())]),
        (article("reinstate"), vec![("csrf", &csrf)]),
        (article("move"), vec![("csrf", &csrf), ("column", "local")]),
        (held(n.held_party, "release"), vec![("csrf", &csrf)]),
        (held(n.held_local, "reject"), vec![("csrf", &csrf)]),
    ] {
        let done = admin.post(&path, &fields).await;
        assert_eq!(done.status, 303, "{path}: {}", done.body);
    }

    let (party, released, rejected) =
        (format!("article:{}", n.party), format!("article:{}", n.held_party), format!("article:{}", n.held_local));
    let log = entries(&app, "actor=user%3Awangfang").await;
    assert_eq!(
        summary(&log),
        [
            row("user:wangfang", "login", "user:wangfang"),
            row("user:wangfang", "article.withdraw", &party),
            row("user:wangfang", "article.reinstate", &party),
            row("user:wangfang", "article.move", &party),
            row("user:wangfang", "quarantine.release", &released),
            row("user:wangfang", "quarantine.reject", &rejected),
        ]
    );
    assert_eq!(
        (&log[2]["before"], &log[2]["after"]),
        (&json!({"columns": ["party-96"]}), &json!({"columns": ["local"]}))
    );

    // The console's page shows the same, newest first, with the fields that changed.
    let shown = page(&admin, "/admin/audit?actor=user%3Awangfang").await;
    let expected: Vec<_> = summary(&log).into_iter().rev().map(|(_, action, target)| (action, target)).collect();
    assert_eq!(listed(&shown), expected);
    assert!(
        shown.contains("<th scope=\"row\">columns</th><td><code>[&quot;party-96&quot;]</code></td><td><code>[&quot;local&quot;]</code></td>"),
        "{shown}"
    );
}
