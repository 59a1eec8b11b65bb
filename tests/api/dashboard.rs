//! The dashboard's figures checked against articles pushed with known times: counts
//! per column and outlet, repost lag percentiles to the second, and source health with
//! the failing source first; a scoped user's dashboard covers only its columns.

use crate::helpers::{numbered_article, serve_feeds, TestApp, ADMIN_TOKEN};
use crate::stories;
use crate::users::user_with_token;
use serde_json::{json, Value};

stories!(the_dashboard_counts_reposts_measures_lag_and_lists_failing_sources_first,);

async fn dashboard(app: &TestApp, token: &str) -> Value {
    let response = app.client.get(app.url("/api/v1/dashboard")).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// The entry of `list` whose `key` is `value`.
fn entry<'a>(list: &'a Value, key: &str, value: &str) -> &'a Value {
    list.as_array().unwrap().iter().find(|e| e[key] == value).unwrap_or_else(|| panic!("no {key} {value} in {list}"))
}

async fn the_dashboard_counts_reposts_measures_lag_and_lists_failing_sources_first(app: TestApp) {
    let token = app.with_example_catalog().await;
    app.add_column("local", "本地新闻", None).await;
    // Lags of 60, 120, 180, 240 and 3600 seconds: by nearest rank the median is the
    // third (180 s) and the 90th percentile the fifth (3600 s).
    let lags = [60_i64, 120, 180, 240, 3600];
    for (n, lag) in lags.iter().enumerate() {
        let response = app.push(&token, &numbered_article(n, if n < 3 { "party-96" } else { "local" })).await;
        let id = response.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        app.execute_sql(&format!(
            "UPDATE articles SET original_published_at = reposted_at - {} WHERE id = {id}",
            lag * 1_000_000
        ))
        .await;
    }
    // Reposted eight days ago: outside the lag's 7 days and this week's counts.
    let old = app.push(&token, &numbered_article(9, "party-96")).await.json::<Value>().await.unwrap()["id"].clone();
    let eight_days = 8 * 86_400 * 1_000_000_i64;
    app.execute_sql(&format!(
        "UPDATE articles SET reposted_at = reposted_at - {eight_days}, original_published_at = reposted_at - {eight_days} - 1
         WHERE id = {old};
         UPDATE column_listings SET reposted_at = reposted_at - {eight_days} WHERE article_id = {old}"
    ))
    .await;

    let base =
        serve_feeds(vec![("/quiet.xml", "<rss version=\"2.0\"><channel><title>t</title></channel></rss>".into())])
            .await;
    let mut sources = Vec::new();
    for (url, column) in [("/quiet.xml", "party-96"), ("/missing.xml", "local"), ("/quiet.xml?fresh", "local")] {
        let form = json!({"outlet": "cjrb", "url": format!("{base}{url}"), "columns": [column]});
        let response = app.admin_post("/api/v1/sources", form).await;
        assert_eq!(response.status(), 201);
        let id = response.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        assert_eq!(app.admin_post(&format!("/api/v1/sources/{id}/poll"), json!({})).await.status(), 200);
        sources.push(id);
    }
    // The first has brought nothing new since it was added, eight days ago.
    app.execute_sql(&format!("UPDATE sources SET created_at = created_at - {eight_days} WHERE id = {}", sources[0]))
        .await;

    let figures = dashboard(&app, ADMIN_TOKEN).await;
    let zhuanti = entry(&figures["columns"], "column", "zhuanti");
    assert_eq!((zhuanti["today"].as_i64(), zhuanti["week"].as_i64()), (Some(3), Some(3)), "{figures}");
    assert_eq!(entry(&figures["columns"], "column", "local")["week"], 2);
    let cjrb = entry(&figures["outlets"], "outlet", "cjrb");
    assert_eq!((cjrb["today"].as_i64(), cjrb["week"].as_i64()), (Some(5), Some(5)));
    let lag = entry(&figures["repost_lag"], "outlet", "cjrb");
    assert_eq!(lag["articles"], 5, "the article reposted eight days ago is left out");
    assert_eq!((lag["median_seconds"].as_f64(), lag["p90_seconds"].as_f64()), (Some(180.0), Some(3600.0)));
    let order: Vec<(i64, &str)> = figures["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_i64().unwrap(), s["health"].as_str().unwrap()))
        .collect();
    assert_eq!(order, [(sources[1], "failing"), (sources[0], "silent"), (sources[2], "healthy")]);
    let failing = &figures["sources"][0];
    assert_eq!(failing["consecutive_failures"], 1);
    assert!(failing["last_error"].is_string() && failing["last_fetch_at"].is_string(), "{failing}");

    let editor = user_with_token(&app, "wangfang", "editor", &["local"]).await;
    let scoped = dashboard(&app, &editor).await;
    let columns: Vec<&str> =
        scoped["columns"].as_array().unwrap().iter().map(|c| c["column"].as_str().unwrap()).collect();
    assert_eq!(columns, ["local"]);
    assert_eq!(entry(&scoped["outlets"], "outlet", "cjrb")["week"], 2, "only articles filed in its columns");
    let lag = entry(&scoped["repost_lag"], "outlet", "cjrb");
    assert_eq!((lag["median_seconds"].as_f64(), lag["p90_seconds"].as_f64()), (Some(240.0), Some(3600.0)));
    let ids: Vec<i64> = scoped["sources"].as_array().unwrap().iter().map(|s| s["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [sources[1], sources[2]], "only the sources filing into its columns");
}
