//! Pull ingestion against a real HTTP server on a random port serving fixture feeds.

use crate::helpers::{example_article, TestApp};
use crate::stories;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

stories!(
    a_polled_gbk_feed_lands_in_its_columns_and_the_second_poll_is_conditional,
    failing_sources_record_their_error_and_back_off,
    an_article_pushed_and_polled_stays_one_article,
    a_permanent_redirect_moves_the_source_and_duplicates_nothing,
    routing_rules_and_filters_decide_where_items_go,
    the_scheduler_polls_due_sources_and_a_failing_one_does_not_hold_up_the_rest,
    source_forms_are_read_as_described,
    feeds_name_the_outlets_own_polled_feed_as_its_source,
);

/// Not a story: it needs no database, only the fixture server on loopback.
#[tokio::test]
async fn the_fetch_guard_refuses_internal_addresses_however_written_and_at_every_hop() {
    use syndic::ingest::fetch::{fetch, Fetcher, Validators};
    use syndic::ingest::guard::FetchAllow;
    let (base, fixture) = fixture_server().await;
    let port = base.rsplit(':').next().unwrap();
    let unguarded = Fetcher::new("http://portal.test", FetchAllow::default());
    for host in ["127.0.0.1", "localhost", "[::1]", "127.1", "2130706433"] {
        let url = format!("http://{host}:{port}/gbk.xml");
        let error = fetch(&unguarded, &url, &Validators::default()).await.unwrap_err();
        assert!(error.message.contains("refused by the fetch guard"), "{url}: {}", error.message);
    }
    assert_eq!(fixture.served.load(Ordering::SeqCst), 0, "nothing was dialled");

    let loopback_only = Fetcher::new("http://portal.test", FetchAllow::parse("127.0.0.1/32").unwrap());
    let direct = fetch(&loopback_only, &format!("{base}/gbk.xml"), &Validators::default()).await.unwrap();
    assert_eq!(direct.status, 200);
    let redirected = fetch(&loopback_only, &format!("{base}/elsewhere.xml"), &Validators::default()).await.unwrap_err();
    assert!(redirected.message.contains("127.0.0.2"), "{}", redirected.message);
    assert_eq!(fixture.served.load(Ordering::SeqCst), 1, "only the allowed address was dialled");
}

const ETAG: &str = "\"feed-v1\"";

/// The example outlet's feed, in GBK, with naive local times and a relative link.
fn gbk_feed() -> Vec<u8> {
    let xml = r#"<?xml version="1.0" encoding="GBK"?>
<rss version="2.0"><channel><title>昌吉日报</title><link>http://www.cjxww.cn/</link>
<item><title>做带领群众奔向幸福生活的“头雁”</title>
<link>http://www.cjxww.cn/index.php?m=content&amp;c=index&amp;a=show&amp;catid=407&amp;id=93487</link>
<pubDate>2018-06-28 11:39:20</pubDate><category>基层党建</category><description>&lt;p&gt;昌吉新闻网讯(记者 郑丽媛)&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;</description></item>
<item><title>第二篇报道</title><link>/index.php?m=content&amp;id=2</link><pubDate>2018-06-29 08:00:00</pubDate></item>
</channel></rss>"#;
    encoding_rs::GBK.encode(xml).0.into_owned()
}

#[derive(Default)]
struct Fixture {
    not_modified: AtomicUsize,
    served: AtomicUsize,
}

/// Serves `/gbk.xml` (with an ETag), `/broken.xml` (500) and `/garbage.xml` (not a feed).
async fn fixture_server() -> (String, Arc<Fixture>) {
    let fixture = Arc::new(Fixture::default());
    let app = axum::Router::new()
        .route(
            "/gbk.xml",
            get(|State(f): State<Arc<Fixture>>, headers: HeaderMap| async move {
                if headers.get(header::IF_NONE_MATCH).is_some_and(|v| v == ETAG) {
                    f.not_modified.fetch_add(1, Ordering::SeqCst);
                    return (StatusCode::NOT_MODIFIED, [(header::ETAG, ETAG)]).into_response();
                }
                f.served.fetch_add(1, Ordering::SeqCst);
                ([(header::CONTENT_TYPE, "application/rss+xml"), (header::ETAG, ETAG)], gbk_feed()).into_response()
            }),
        )
        .route("/broken.xml", get(|| async { StatusCode::INTERNAL_SERVER_ERROR }))
        .route("/old.xml", get(|| async { (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, "/gbk.xml")]) }))
        .route("/loop.xml", get(|| async { (StatusCode::FOUND, [(header::LOCATION, "/loop.xml")]) }))
        .route(
            "/elsewhere.xml",
            get(|headers: HeaderMap| async move {
                let port = headers[header::HOST].to_str().unwrap().rsplit(':').next().unwrap().to_owned();
                (StatusCode::FOUND, [(header::LOCATION, format!("http://127.0.0.2:{port}/gbk.xml"))])
            }),
        )
        .route("/garbage.xml", get(|| async { "this is not a feed" }))
        .with_state(fixture.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base, fixture)
}

async fn add_source(app: &TestApp, url: &str) -> i64 {
    let response =
        app.admin_post("/api/v1/sources", json!({"outlet": "cjrb", "url": url, "columns": ["party-96"]})).await;
    assert_eq!(response.status(), 201);
    response.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

async fn poll(app: &TestApp, id: i64) -> Value {
    let response = app.admin_post(&format!("/api/v1/sources/{id}/poll"), json!({})).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn a_polled_gbk_feed_lands_in_its_columns_and_the_second_poll_is_conditional(app: TestApp) {
    app.with_example_catalog().await;
    let (base, fixture) = fixture_server().await;
    let id = add_source(&app, &format!("{base}/gbk.xml")).await;

    let first = poll(&app, id).await;
    assert_eq!((first["last_status"].as_i64(), first["items_new"].as_i64()), (Some(200), Some(2)), "{first}");
    assert_eq!(first["last_error"], Value::Null);

    let feed: Value = app.get("/columns/zhuanti/feed.json").await.json().await.unwrap();
    let items = feed["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "the parent column includes the source's column");
    let example = items.iter().find(|i| i["title"] == "做带领群众奔向幸福生活的“头雁”").expect("GBK title decoded");
    assert_eq!(example["_syndic"]["original_published_at"], "2018-06-28T03:39:20Z");
    assert!(!example["content_html"].as_str().unwrap().contains("script"));
    let second = items.iter().find(|i| i["title"] == "第二篇报道").unwrap();
    assert_eq!(second["external_url"], "http://www.cjxww.cn/index.php?m=content&id=2", "relative link resolved");

    let again = poll(&app, id).await;
    assert_eq!(again["last_status"].as_i64(), Some(304), "{again}");
    assert_eq!(fixture.not_modified.load(Ordering::SeqCst), 1, "the stored ETag was sent back");
    assert_eq!(again["items_new"].as_i64(), Some(0));

    let listed: Value = app.admin_get("/api/v1/sources").await.json().await.unwrap();
    assert_eq!(listed["sources"][0]["columns"], json!(["party-96"]));
    assert!(
        listed["sources"][0]["next_fetch_at"].as_str().unwrap()
            > listed["sources"][0]["last_fetch_at"].as_str().unwrap()
    );
}

async fn failing_sources_record_their_error_and_back_off(app: TestApp) {
    app.with_example_catalog().await;
    let (base, _) = fixture_server().await;
    let broken = add_source(&app, &format!("{base}/broken.xml")).await;
    let garbage = add_source(&app, &format!("{base}/garbage.xml")).await;
    let good = add_source(&app, &format!("{base}/gbk.xml")).await;

    let failed = poll(&app, broken).await;
    assert_eq!(failed["last_status"].as_i64(), Some(500));
    assert!(failed["last_error"].as_str().unwrap().contains("500"));
    assert_eq!(failed["consecutive_failures"].as_i64(), Some(1));
    let twice = poll(&app, broken).await;
    assert_eq!(twice["consecutive_failures"].as_i64(), Some(2));
    let next = chrono::DateTime::parse_from_rfc3339(twice["next_fetch_at"].as_str().unwrap()).unwrap();
    let fetched = chrono::DateTime::parse_from_rfc3339(twice["last_fetch_at"].as_str().unwrap()).unwrap();
    assert!((next - fetched).num_seconds() >= 4 * 15 * 60 - 1, "backs off beyond the interval: {twice}");

    let not_a_feed = poll(&app, garbage).await;
    let error = not_a_feed["last_error"].as_str().unwrap();
    assert_eq!(error, "not a feed: neither XML nor JSON; it begins \"this is not a feed\"", "{not_a_feed}");

    let fine = poll(&app, good).await;
    assert_eq!(fine["items_new"].as_i64(), Some(2), "one failing source does not stop the others");
}

async fn an_article_pushed_and_polled_stays_one_article(app: TestApp) {
    let token = app.with_example_catalog().await;
    let pushed: Value = app.push(&token, &example_article()).await.json().await.unwrap();
    let (base, _) = fixture_server().await;
    let id = add_source(&app, &format!("{base}/gbk.xml")).await;
    let polled = poll(&app, id).await;
    assert_eq!(polled["items_new"].as_i64(), Some(1), "{polled}");
    assert_eq!(polled["items_updated"].as_i64(), Some(1), "the pushed article is updated, not duplicated");
    assert_eq!(app.store.count_articles(&syndic::store::FeedScope::Site).await.unwrap(), 2);
    let feed: Value = app.get("/feed.json").await.json().await.unwrap();
    let ids: Vec<&str> = feed["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&pushed["url"].as_str().unwrap()));
    let again = poll(&app, id).await;
    assert_eq!((again["items_new"].as_i64(), again["items_updated"].as_i64()), (Some(0), Some(0)));
    assert_eq!(app.store.count_articles(&syndic::store::FeedScope::Site).await.unwrap(), 2);
}

async fn a_permanent_redirect_moves_the_source_and_duplicates_nothing(app: TestApp) {
    app.with_example_catalog().await;
    let (base, _) = fixture_server().await;
    let id = add_source(&app, &format!("{base}/old.xml")).await;
    let first = poll(&app, id).await;
    assert_eq!(first["url"], format!("{base}/gbk.xml"), "301 updates the stored URL: {first}");
    assert_eq!(first["items_new"].as_i64(), Some(2));
    let again = poll(&app, id).await;
    assert_eq!(again["items_new"].as_i64(), Some(0));
    assert_eq!(app.store.count_articles(&syndic::store::FeedScope::Site).await.unwrap(), 2);

    let looping = add_source(&app, &format!("{base}/loop.xml")).await;
    let failed = poll(&app, looping).await;
    assert!(failed["last_error"].as_str().unwrap().contains("redirects"), "{failed}");
}

async fn routing_rules_and_filters_decide_where_items_go(app: TestApp) {
    app.with_example_catalog().await;
    app.add_column("local", "本地新闻", None).await;
    let (base, _) = fixture_server().await;
    let created = app
        .admin_post(
            "/api/v1/sources",
            json!({"outlet": "cjrb", "url": format!("{base}/gbk.xml"), "columns": ["party-96"],
                   "routes": [{"match": "category", "value": "基层党建", "column": "local"}],
                   "exclude": ["第二篇"]}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let id = created.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let polled = poll(&app, id).await;
    assert_eq!(polled["items_new"].as_i64(), Some(1), "{polled}");
    assert_eq!(polled["refusals"]["left out by the source's keyword filters"].as_i64(), Some(1), "{polled}");
    let local: Value = app.get("/columns/local/feed.json").await.json().await.unwrap();
    assert_eq!(local["items"].as_array().unwrap().len(), 1, "routed by its category");

    let bad = app
        .admin_patch(
            &format!("/api/v1/sources/{id}"),
            json!({"routes": [{"match": "tag", "value": "x", "column": "nope"}]}),
        )
        .await;
    assert_eq!(bad.status(), 422);
    let edited: Value = app
        .admin_patch(&format!("/api/v1/sources/{id}"), json!({"exclude": [], "interval_secs": 3600}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!((edited["exclude"].clone(), edited["interval_secs"].as_i64()), (json!([]), Some(3600)));
    assert_eq!(edited["routes"][0]["column"], "local", "routes not given stay");
    assert_eq!(poll(&app, id).await["items_new"].as_i64(), Some(1), "the filter no longer leaves the second item out");
}

async fn the_scheduler_polls_due_sources_and_a_failing_one_does_not_hold_up_the_rest(app: TestApp) {
    app.with_example_catalog().await;
    let (base, _) = fixture_server().await;
    let broken = add_source(&app, &format!("{base}/broken.xml")).await;
    let good = add_source(&app, &format!("{base}/gbk.xml")).await;
    let fetcher = syndic::ingest::fetch::Fetcher::new(
        &app.base_url,
        syndic::ingest::guard::FetchAllow::parse("127.0.0.0/8").unwrap(),
    );
    let pipeline = syndic::ingest::Pipeline::new(app.store.clone(), Default::default());
    let scheduler = tokio::spawn(syndic::ingest::poll::run_scheduler(pipeline, fetcher, std::future::pending()));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let (b, g) = (app.store.source(broken).await.unwrap().unwrap(), app.store.source(good).await.unwrap().unwrap());
        if b.status.consecutive_failures >= 1 && g.status.items_new == 2 {
            assert!(b.status.next_fetch_at > chrono::Utc::now() + chrono::Duration::minutes(15), "backing off");
            assert_eq!(g.status.last_status, Some(200));
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the scheduler did not poll both sources in time");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    scheduler.abort();
    let feed: Value = app.get("/columns/party-96/feed.json").await.json().await.unwrap();
    assert_eq!(feed["items"].as_array().unwrap().len(), 2);
}

fn source_form(outlet: &str, columns: Value, extra: Value) -> Value {
    let mut form = json!({"outlet": outlet, "url": "http://www.cjxww.cn/rss.xml", "columns": columns});
    form.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    form
}

/// What the description says of source forms holds: a route given as an array of its
/// fields' values is refused, as is a form given as one (serde alone took both), and an
/// interval written `900.0`, an integer to JSON Schema, is taken.
async fn source_forms_are_read_as_described(app: TestApp) {
    app.with_example_catalog().await;
    for form in [
        source_form("cjrb", json!(["party-96"]), json!({"routes": [["keyword", "x", "zhuanti"]]})),
        json!(["cjrb", "http://www.cjxww.cn/rss.xml", ["party-96"]]),
    ] {
        assert_eq!(app.admin_post("/api/v1/sources", form.clone()).await.status(), 400, "{form}");
    }
    let created = app
        .admin_post("/api/v1/sources", source_form("cjrb", json!(["party-96"]), json!({"interval_secs": 900.0})))
        .await;
    assert_eq!(created.status(), 201);
    let id = created.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let edited: Value =
        app.admin_patch(&format!("/api/v1/sources/{id}"), json!({"interval_secs": 3600.0})).await.json().await.unwrap();
    assert_eq!(edited["interval_secs"], 3600);
}

/// RSS `<source url>`, the Atom `source` and JSON Feed's `_syndic.outlet.feed_url` name
/// the outlet's first source, as it is added, moved by a permanent redirect, edited and
/// removed; without one, our feed of the outlet.
async fn feeds_name_the_outlets_own_polled_feed_as_its_source(app: TestApp) {
    let token = app.with_example_catalog().await;
    app.push(&token, &example_article()).await;
    let ours = app.url("/outlets/cjrb/rss.xml");
    assert_sources_name(&app, &ours).await;

    let (base, _) = fixture_server().await;
    let first = add_source(&app, &format!("{base}/old.xml")).await;
    assert_sources_name(&app, &format!("{base}/old.xml")).await;
    let second = add_source(&app, &format!("{base}/broken.xml")).await;
    assert_sources_name(&app, &format!("{base}/old.xml")).await; // the first source's

    poll(&app, first).await; // 301 to /gbk.xml
    assert_sources_name(&app, &format!("{base}/gbk.xml")).await;

    let edited =
        app.admin_patch(&format!("/api/v1/sources/{first}"), json!({"url": format!("{base}/garbage.xml")})).await;
    assert_eq!(edited.status(), 200);
    assert_sources_name(&app, &format!("{base}/garbage.xml")).await;

    assert_eq!(app.admin_delete(&format!("/api/v1/sources/{first}")).await.status(), 204);
    assert_sources_name(&app, &format!("{base}/broken.xml")).await;
    assert_eq!(app.admin_delete(&format!("/api/v1/sources/{second}")).await.status(), 204);
    assert_sources_name(&app, &ours).await;
}

/// Every feed format names `feed` as the outlet's feed, and the admin API shows it.
async fn assert_sources_name(app: &TestApp, feed: &str) {
    let escaped = feed.replace('&', "&amp;");
    let rss = app.get_text("/rss.xml").await;
    assert!(rss.contains(&format!("<source url=\"{escaped}\">昌吉日报</source>")), "RSS names {feed}: {rss}");
    let atom = app.get_text("/atom.xml").await;
    assert!(atom.contains(&format!("<id>{escaped}</id>")), "Atom names {feed}: {atom}");
    let json: Value = app.get("/feed.json").await.json().await.unwrap();
    assert_eq!(json["items"][0]["_syndic"]["outlet"]["feed_url"], feed);
    let outlet: Value = app.admin_get("/api/v1/outlets/cjrb").await.json().await.unwrap();
    let listed = if feed.starts_with(&app.url("/outlets/")) { Value::Null } else { json!(feed) };
    assert_eq!(outlet["feed_url"], listed, "{outlet}");
}
