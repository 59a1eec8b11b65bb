use crate::helpers::{example_article, TestApp, ADMIN_TOKEN};
use crate::stories;
use serde_json::{json, Value};

stories!(a_withdrawn_article_leaves_every_output_and_its_page_is_gone);

async fn a_withdrawn_article_leaves_every_output_and_its_page_is_gone(app: TestApp) {
    let token = app.with_example_catalog().await;
    let other = app.add_outlet("other", json!({})).await;
    let pushed: Value = app.push(&token, &example_article()).await.json().await.unwrap();
    let id = pushed["id"].as_i64().unwrap();
    let page = format!("/articles/{id}");
    assert!(!app.get_text(&page).await.contains("更新时间"), "no correction yet");
    let url = pushed["url"].as_str().unwrap().to_owned();

    let stranger =
        app.client.delete(app.url(&format!("/api/v1/articles/{id}"))).bearer_auth(&other).send().await.unwrap();
    assert_eq!(stranger.status(), 404, "another outlet cannot withdraw it, nor learn that it exists");
    let anonymous = app.client.delete(app.url(&format!("/api/v1/articles/{id}"))).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);

    let original = "http://www.cjxww.cn/index.php?m=content&c=index&a=show&catid=407&id=93487&utm_source=x";
    let withdrawn = app
        .client
        .delete(app.url("/api/v1/articles"))
        .query(&[("original_url", original)])
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(withdrawn.status(), 200);
    assert_eq!(withdrawn.json::<Value>().await.unwrap()["status"], "withdrawn");

    let gone = app.get(&page).await;
    assert_eq!(gone.status(), 410);
    assert!(gone.text().await.unwrap().contains("该文章已被来源媒体撤回"), "the outlet withdrew it");
    for path in ["/feed.json", "/columns/zhuanti/rss.xml", "/sitemaps/pages.xml", "/sitemap-news.xml", "/"] {
        assert!(!app.get_text(path).await.contains(&url), "{url} still in {path}");
    }
    assert_eq!(app.get("/sitemaps/articles-0.xml").await.status(), 404);

    // The outlet publishes it again: it is back, as the same article.
    let mut corrected = example_article();
    corrected["title"] = json!("做带领群众奔向幸福生活的“头雁”(更正)");
    let back: Value = app.push(&token, &corrected).await.json().await.unwrap();
    assert_eq!((back["id"].as_i64(), back["status"].as_str()), (Some(id), Some("updated")));
    let html = app.get_text(&page).await;
    assert!(html.contains("更新时间: <time"), "a correction shows when it was made");

    let admin =
        app.client.delete(app.url(&format!("/api/v1/articles/{id}"))).bearer_auth(ADMIN_TOKEN).send().await.unwrap();
    assert_eq!(admin.status(), 200, "the admin may withdraw any article");
    let gone = app.get(&page).await;
    assert_eq!(gone.status(), 410);
    let said = gone.text().await.unwrap();
    assert!(said.contains("该文章已被本站撤回") && !said.contains("来源媒体"), "this site withdrew it: {said}");
    // Withdrawn before the withdrawer was recorded: said neutrally.
    app.execute_sql(&format!("UPDATE articles SET withdrawn_by = NULL WHERE id = {id}")).await;
    let said = app.get(&page).await.text().await.unwrap();
    assert!(said.contains("该文章已撤回") && !said.contains("本站"), "{said}");
    assert_eq!(
        app.client.delete(app.url("/api/v1/articles/999")).bearer_auth(ADMIN_TOKEN).send().await.unwrap().status(),
        404
    );
}
