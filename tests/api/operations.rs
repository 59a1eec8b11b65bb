//! Operations: `/metrics` in Prometheus text format, for the admin only, counting what
//! this instance did.

use crate::helpers::{numbered_article, TestApp};

crate::stories!(metrics_count_requests_cache_hits_and_ingest);

async fn metrics_count_requests_cache_hits_and_ingest(app: TestApp) {
    let token = app.with_example_catalog().await;
    app.push(&token, &numbered_article(1, "party-96")).await;
    app.push(&token, &numbered_article(2, "party-96")).await;
    app.push(&token, &numbered_article(2, "party-96")).await;
    for _ in 0..3 {
        app.get_text("/columns/zhuanti/rss.xml").await;
    }
    assert_eq!(app.get("/metrics").await.status(), 401, "the admin token is needed");

    let response = app.admin_get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
    let text = response.text().await.unwrap();
    for line in [
        "syndic_articles_ingested_total{outcome=\"created\"} 2",
        "syndic_articles_ingested_total{outcome=\"unchanged\"} 1",
        "syndic_http_requests_total{route=\"/columns/{slug}/{file}\",method=\"GET\",status=\"200\"} 3",
        "syndic_http_requests_total{route=\"/api/v1/articles\",method=\"POST\",status=\"201\"} 2",
        "syndic_http_requests_total{route=\"/metrics\",method=\"GET\",status=\"401\"} 1",
        "syndic_render_cache_hits_total 2",
        "syndic_render_cache_documents 1",
        "syndic_queue_length{queue=\"due_sources\"} 0",
        "syndic_db_connections_max 16",
        "syndic_http_request_duration_seconds_count{route=\"/columns/{slug}/{file}\"} 3",
    ] {
        assert!(text.lines().any(|l| l == line), "no line {line:?} in\n{text}");
    }
    // Every sample line is `name{labels} value` with a number, every family typed.
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let value = line.rsplit(' ').next().unwrap();
        assert!(value.parse::<f64>().is_ok(), "{line}");
    }
    assert!(text.contains("# TYPE syndic_http_request_duration_seconds histogram"));
}
