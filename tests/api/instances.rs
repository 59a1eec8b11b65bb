//! Many instances on one database: each due source is polled by exactly one of them,
//! and a change written through one is served by the others' render caches at once
//! (PostgreSQL NOTIFY; on SQLite, the clock row read four times a second).

use crate::helpers::{numbered_article, TestApp};
use crate::mock::eventually;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use syndic::operations::Operations;
use syndic::store::Store;

crate::stories!(another_instance_sees_a_push_within_a_second, two_instances_poll_each_due_source_exactly_once);

async fn another_instance_sees_a_push_within_a_second(app: TestApp) {
    let token = app.with_example_catalog().await;
    let other = app.another_instance().await;
    let feed = other.url("/columns/zhuanti/rss.xml");
    let read = || async { app.client.get(&feed).send().await.unwrap().text().await.unwrap() };
    // Cached on the other instance before the push.
    assert!(!read().await.contains("稿件 7"));
    assert!(!read().await.contains("稿件 7"));
    let pushed = Instant::now();
    assert_eq!(app.push(&token, &numbered_article(7, "party-96")).await.status(), 201);
    eventually("the other instance shows the push", Duration::from_secs(5), || async {
        read().await.contains("稿件 7")
    })
    .await;
    eprintln!("push on one instance seen on the other after {:?}", pushed.elapsed());
}

/// Requests per feed path.
type Fetches = Arc<Mutex<HashMap<String, usize>>>;

/// Serves `/feeds/{n}.xml`, an RSS feed of three items, counting every fetch.
async fn feed_server() -> (String, Fetches) {
    let fetches = Fetches::default();
    let app = axum::Router::new()
        .route(
            "/feeds/{file}",
            axum::routing::get(|State(fetches): State<Fetches>, Path(file): Path<String>| async move {
                *fetches.lock().unwrap().entry(file.clone()).or_default() += 1;
                let n = file.trim_end_matches(".xml");
                let items: String = (0..3)
                    .map(|i| {
                        format!(
                            "<item><title>来源 {n} 第 {i} 篇</title><link>http://www.cjxww.cn/{n}/{i}</link>\
                             <pubDate>Sun, 29 Nov 2026 08:00:0{i} +0800</pubDate><description>正文</description></item>"
                        )
                    })
                    .collect();
                let body = format!(
                    "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>{n}</title>\
                    <link>http://www.cjxww.cn/</link>{items}</channel></rss>"
                );
                ([(header::CONTENT_TYPE, "application/rss+xml")], body).into_response()
            }),
        )
        .with_state(fetches.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base, fetches)
}

/// A poll scheduler as another `syndic serve` runs it (its own pool, its own state), and
/// the sender that stops it.
async fn scheduler(app: &TestApp) -> (tokio::task::JoinHandle<()>, tokio::sync::oneshot::Sender<()>) {
    let store = Store::connect(&app.config.database_url).await.unwrap();
    let (pipeline, fetcher) = Operations::new(store, std::sync::Arc::new(app.config.clone())).poller();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let shutdown = async move {
        let _ = stopped.await;
    };
    (tokio::spawn(syndic::ingest::poll::run_scheduler(pipeline, fetcher, shutdown)), stop)
}

async fn two_instances_poll_each_due_source_exactly_once(app: TestApp) {
    const SOURCES: usize = 50;
    app.with_example_catalog().await;
    let (base, fetches) = feed_server().await;
    for n in 0..SOURCES {
        let source = json!({"outlet": "cjrb", "url": format!("{base}/feeds/{n}.xml"), "columns": ["party-96"],
                            "interval_secs": 3600});
        assert_eq!(app.admin_post("/api/v1/sources", source).await.status(), 201);
    }
    let schedulers = [scheduler(&app).await, scheduler(&app).await];
    let all_polled = || async {
        let sources: Value = app.admin_get("/api/v1/sources").await.json().await.unwrap();
        sources["sources"].as_array().unwrap().iter().all(|s| !s["last_fetch_at"].is_null())
    };
    eventually("every source is polled", Duration::from_secs(60), all_polled).await;
    // Stopped, each scheduler lets its polls in flight finish: a source claimed twice
    // would have been fetched twice by now.
    for (scheduler, stop) in schedulers {
        stop.send(()).unwrap();
        scheduler.await.unwrap();
    }
    let fetches = fetches.lock().unwrap().clone();
    assert_eq!(fetches.len(), SOURCES, "every feed was fetched");
    let twice: Vec<_> = fetches.iter().filter(|(_, n)| **n != 1).collect();
    assert!(twice.is_empty(), "fetched more than once in one interval: {twice:?}");
    let feed = app.get_text("/feed.json").await;
    assert!(feed.contains("第 2 篇"), "the polled items are published");
}
