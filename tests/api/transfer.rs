//! Backup, restore and transfer as an operator runs them: the real `syndic` binary
//! copies a database a server is using, and a server on the copy answers byte for byte
//! as the original does. Transfer stories need PostgreSQL (SYNDIC_TEST_POSTGRES_URL);
//! without it they say so and pass.

use crate::helpers::{numbered_article, Backend, TestApp, TestDatabase};
use crate::mock::eventually;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashSet};
use std::process::Output;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use syndic::store::watermarks::Follower;

/// The base URL of every server here, so that documents from two servers can be equal.
const SITE: &str = "https://portal.example.cn";
/// Articles pushed on top of the demo content, in batches of the API's largest size.
const BULK_ARTICLES: usize = 10_000;
const BATCH: usize = 1_000;
/// Documents fetched per path shape (digits aside) when comparing two servers.
const DOCUMENTS_PER_SHAPE: usize = 40;

fn on_one_site(config: &mut syndic::config::Config) {
    config.base_url = SITE.into();
}

/// Runs the `syndic` binary with `args` to its end.
async fn syndic(args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_syndic"))
            .args(&args)
            .env("RUST_LOG", "warn")
            .env_remove("SYNDIC_DATABASE_URL")
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

fn succeeded(output: &Output, what: &str) -> String {
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{what} failed:\n{stdout}\n{stderr}");
    stdout.into_owned()
}

fn refused(output: &Output, what: &str) -> String {
    assert!(!output.status.success(), "{what} should have been refused");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(stderr.lines().count(), 1, "one line says why: {stderr}");
    stderr
}

/// A SQLite database's every table (migration bookkeeping aside, `sqlite_sequence`
/// included), as sorted rows of quoted values.
async fn sqlite_contents(url: &str) -> BTreeMap<String, Vec<String>> {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&format!("{url}?mode=ro")).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name <> '_sqlx_migrations' ORDER BY name",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut contents = BTreeMap::new();
    for table in tables {
        let columns: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info($1) ORDER BY cid")
            .bind(&table)
            .fetch_all(&mut conn)
            .await
            .unwrap();
        let quoted: Vec<String> = columns.iter().map(|c| format!("quote(\"{c}\")")).collect();
        let sql = format!("SELECT {} FROM \"{table}\" ORDER BY 1", quoted.join(" || ',' || "));
        contents.insert(table, sqlx::query_scalar(&sql).fetch_all(&mut conn).await.unwrap());
    }
    conn.close().await.ok();
    contents
}

/// A source database with a row in every table, its server caught up with it.
struct Filled {
    app: TestApp,
    /// The token of the outlet `cjrb`.
    token: String,
    partner_token: String,
    /// The highest article id handed out, whose article is no longer stored.
    rejected: i64,
}

/// The demo content, `BULK_ARTICLES` more, and a row in every table: a withdrawal,
/// held and rejected articles (the highest id handed out is no longer held), a
/// partner, a polled source with routes and filters, a revoked token, and WebSub, ping
/// and image queues and a kept image (written behind the server's back, due long after
/// the test ends: its bytes are copied as bytes). The
/// notifier has caught up with it.
async fn filled_source() -> Filled {
    let app = TestApp::spawn_configured(Backend::Sqlite, on_one_site).await.unwrap();
    let pipeline = syndic::ingest::Pipeline::new(app.store.clone(), app.config.policy.clone());
    let demo = syndic::demo::load_if_empty(&pipeline, app.config.site.timezone, &syndic::domain::Actor::Cli)
        .await
        .unwrap()
        .expect("an empty database takes the demo");
    let token = demo.tokens.iter().find(|(slug, _)| slug == "cjrb").unwrap().1.clone();
    let mut ids = Vec::with_capacity(BULK_ARTICLES);
    for first in (0..BULK_ARTICLES).step_by(BATCH) {
        let columns = ["party-96", "local", "english-economy"];
        let articles: Vec<Value> =
            (first..first + BATCH).map(|n| numbered_article(n, columns[n % columns.len()])).collect();
        let response = app.push_batch(&token, &articles).await;
        assert_eq!(response.status(), 200);
        let answer: Value = response.json().await.unwrap();
        assert_eq!(answer["created"], BATCH, "batch from {first}: {answer}");
        ids.extend(answer["results"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()));
    }
    let withdraw = app.url(&format!("/api/v1/articles/{}", ids[BATCH / 2]));
    assert_eq!(app.client.delete(withdraw).bearer_auth(&token).send().await.unwrap().status(), 200);
    let mut held = Vec::new();
    for n in [BULK_ARTICLES, BULK_ARTICLES + 1] {
        let mut article = numbered_article(n, "party-96");
        article["content_html"] = json!("<p>买球就上 bet365</p>");
        let response = app.push(&token, &article).await;
        assert_eq!(response.status(), 202);
        held.push(response.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
    }
    assert_eq!(app.admin_post(&format!("/api/v1/quarantine/{}/reject", held[1]), json!({})).await.status(), 204);

    let partner = app.admin_post("/api/v1/partners", json!({"name": "邻市新闻网", "columns": ["zhuanti"]})).await;
    assert_eq!(partner.status(), 201);
    let partner_token = partner.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
    let user = json!({"username": "wangfang", "name": "王芳", "role": "editor", "columns": ["zhuanti"],
                      "password": "a long passphrase"});
    assert_eq!(app.admin_post("/api/v1/users", user).await.status(), 201);
    // A failed login and a console session, so that both are copied.
    for (password, status) in [("not the passphrase", 401), ("a long passphrase", 303)] {
        let form = app.get("/admin/login").await;
        let cookie = form.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
        let page = form.text().await.unwrap();
        let token = page.split("name=\"login_token\" value=\"").nth(1).unwrap().split('"').next().unwrap();
        let fields = [("username", "wangfang"), ("password", password), ("login_token", token)];
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let login = client.post(app.url("/admin/login")).header("cookie", cookie).form(&fields).send().await.unwrap();
        assert_eq!(login.status(), status);
    }
    let source = app
        .admin_post(
            "/api/v1/sources",
            json!({"outlet": "cjrb", "url": "http://127.0.0.1:9/rss.xml", "columns": ["local"],
                   "routes": [{"match": "category", "value": "基层党建", "column": "party-96"}],
                   "exclude": ["广告"]}),
        )
        .await;
    assert_eq!(source.status(), 201);
    let source_id = source.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    assert_eq!(app.admin_post(&format!("/api/v1/sources/{source_id}/poll"), json!({})).await.status(), 200);
    let issued = app.admin_post("/api/v1/outlets/cjrb/tokens", json!({})).await;
    assert_eq!(issued.status(), 201);
    let tokens: Value = app.admin_get("/api/v1/outlets/cjrb/tokens").await.json().await.unwrap();
    let token_id = tokens["tokens"].as_array().unwrap().iter().map(|t| t["id"].as_i64().unwrap()).max().unwrap();
    assert_eq!(app.admin_delete(&format!("/api/v1/outlets/cjrb/tokens/{token_id}")).await.status(), 204);

    let later = i64::MAX / 2;
    app.execute_sql(&format!(
        "INSERT INTO websub_subscriptions (id, topic, callback, secret, expires_at, created_at)
             VALUES (7, '{SITE}/atom.xml', 'https://reader.example/cb', 's3cret', {later}, 1);
         INSERT INTO websub_deliveries (subscription_id, change_seq, due_at, attempts, last_error)
             VALUES (7, 42, {later}, 2, 'timed out');
         INSERT INTO websub_requests (mode, topic, callback, lease_seconds, secret, due_at, created_at, callback_host)
             VALUES ('subscribe', '{SITE}/rss.xml', 'https://other.example/cb', 86400, NULL, {later}, 1, 'other.example');
         INSERT INTO outbound_pings (target, url, due_at, attempts) VALUES ('indexnow', '{SITE}/articles/1', {later}, 1);
         INSERT INTO media (hash, content_type, size, bytes, created_at) VALUES ('{hash}', 'image/jpeg', 6, X'FFD8FF00E0FF', 1);
         INSERT INTO article_images (article_id, url, state, media_hash, attempts, due_at, last_error)
             VALUES ({kept}, 'http://www.cjxww.cn/a.jpg', 'kept', '{hash}', 0, NULL, NULL),
                    ({pending}, 'http://www.cjxww.cn/b.jpg', 'pending', NULL, 1, {later}, 'HTTP 503');
         INSERT INTO source_subscriptions (source_id, hub, topic, callback_token, secret, state, wanted,
                 lease_seconds, lease_expires_at, verified_at, next_action_at, created_at)
             VALUES ({source_id}, 'https://hub.example/', 'http://www.cjxww.cn/rss.xml', 'tok', 'sec', 'verified', 1,
                 864000, {later}, 1, {later}, 1);
         INSERT INTO source_pages (source_id, url, stored_at) VALUES ({source_id}, 'http://www.cjxww.cn/a/1.html', 1);",
        hash = "ab".repeat(32),
        kept = ids[0],
        pending = ids[1],
    ))
    .await;
    eventually("the notifier has caught up with every change", Duration::from_secs(30), || async {
        let watermark = app.store.watermark(Follower::Notifier).await.unwrap();
        app.store.changes_after(watermark, 1).await.unwrap().1.is_none()
    })
    .await;
    Filled { app, token, partner_token, rejected: held[1] }
}

/// `SITE` URLs in a document, as paths.
fn site_paths(body: &str) -> Vec<String> {
    body.match_indices(SITE)
        .map(|(at, _)| {
            let rest = &body[at + SITE.len()..];
            let end = rest.find(|c: char| "\"'<> \n\t)".contains(c)).unwrap_or(rest.len());
            let path = rest[..end].replace("&amp;", "&");
            if path.is_empty() {
                "/".to_owned()
            } else {
                path
            }
        })
        .filter(|path| path.starts_with('/'))
        .collect()
}

/// Every document reachable from the home page, feeds and sitemaps, at most
/// `DOCUMENTS_PER_SHAPE` of each shape (paths alike but for their digits).
async fn crawl(app: &TestApp) -> Vec<String> {
    let mut queue: std::collections::VecDeque<String> =
        ["/", "/rss.xml", "/atom.xml", "/feed.json", "/sitemap.xml", "/sitemap-news.xml", "/robots.txt"]
            .map(String::from)
            .into();
    let mut seen: HashSet<String> = queue.iter().cloned().collect();
    let mut per_shape: BTreeMap<String, usize> = BTreeMap::new();
    let mut visited = Vec::new();
    while let Some(path) = queue.pop_front() {
        let body = app.get(&path).await.text().await.unwrap();
        visited.push(path);
        for link in site_paths(&body) {
            let shape: String = link.chars().filter(|c| !c.is_ascii_digit()).collect();
            let taken = per_shape.entry(shape).or_default();
            if *taken < DOCUMENTS_PER_SHAPE && seen.insert(link.clone()) {
                *taken += 1;
                queue.push_back(link);
            }
        }
    }
    visited
}

/// Asserts both servers answer every path with the same status, type and bytes.
async fn assert_same_documents(source: &TestApp, target: &TestApp, paths: &[String]) {
    for path in paths {
        let (a, b) = (source.get(path).await, target.get(path).await);
        assert_eq!(a.status(), b.status(), "GET {path}");
        assert_eq!(a.headers().get("content-type"), b.headers().get("content-type"), "GET {path}");
        assert_eq!(a.headers().get("etag"), b.headers().get("etag"), "GET {path}");
        assert!(a.bytes().await.unwrap() == b.bytes().await.unwrap(), "GET {path}: the bodies differ");
    }
}

/// Walks the partner change feed on `source`, asking `target` every page at the same
/// cursor: the same bytes, so cursors handed out before the move still work after it.
async fn assert_same_change_feed(source: &TestApp, target: &TestApp, token: &str) -> usize {
    let mut query = "limit=500".to_owned();
    let mut pages = 0;
    loop {
        let path = format!("/api/v1/articles?{query}");
        let a = source.client.get(source.url(&path)).bearer_auth(token).send().await.unwrap();
        let b = target.client.get(target.url(&path)).bearer_auth(token).send().await.unwrap();
        assert_eq!((a.status().as_u16(), b.status().as_u16()), (200, 200), "GET {path}");
        let (a, b) = (a.bytes().await.unwrap(), b.bytes().await.unwrap());
        assert!(a == b, "GET {path}: the pages differ");
        pages += 1;
        let page: Value = serde_json::from_slice(&a).unwrap();
        if !page["has_more"].as_bool().unwrap() {
            return pages;
        }
        query = format!("limit=500&cursor={}", page["next_cursor"].as_str().unwrap());
    }
}

#[tokio::test]
async fn a_transfer_to_postgresql_and_back_serves_the_same_bytes_and_keeps_every_row() {
    let Some(postgres) = TestDatabase::create(Backend::Postgres).await else { return };
    let Filled { app: source, token, partner_token, rejected } = filled_source().await;
    let original = sqlite_contents(&source.config.database_url).await;
    for (table, rows) in &original {
        assert!(!rows.is_empty(), "table {table} is empty here: give it a row, so that its copy is checked");
    }

    // A server already on the empty target, with an empty feed in its cache.
    let target = TestApp::serve(postgres, on_one_site).await;
    assert!(!target.get_text("/rss.xml").await.contains("<item>"));
    let moved = syndic(&["transfer", "--from", &source.config.database_url, "--to", &target.config.database_url]).await;
    let report = succeeded(&moved, "transfer to PostgreSQL");
    assert!(report.contains("every table's row count matches the source"), "{report}");
    let feed = source.get_text("/rss.xml").await;
    eventually("the target's cache follows the copy", Duration::from_secs(10), || async {
        target.get_text("/rss.xml").await == feed
    })
    .await;

    let paths = crawl(&source).await;
    assert!(paths.iter().any(|p| p.contains("/archive/")), "archive pages were compared: {paths:?}");
    assert!(paths.iter().any(|p| p.starts_with("/sitemaps/articles-")), "sitemap shards were compared: {paths:?}");
    assert_same_documents(&source, &target, &paths).await;
    assert!(assert_same_change_feed(&source, &target, &partner_token).await > 1);

    let back = TestDatabase::create(Backend::Sqlite).await.unwrap();
    let returned = syndic(&["transfer", "--from", &target.config.database_url, "--to", &back.url]).await;
    succeeded(&returned, "transfer back to SQLite");
    let returned = sqlite_contents(&back.url).await;
    assert_eq!(returned.keys().collect::<Vec<_>>(), original.keys().collect::<Vec<_>>());
    for (table, rows) in &original {
        assert!(returned[table] == *rows, "SQLite → PostgreSQL → SQLite changed a row of {table}");
    }

    // The outlet's token works on the copy, and the next article takes the same id on
    // both: ids handed out and deleted stay used.
    let next = numbered_article(BULK_ARTICLES + 2, "local");
    let (on_source, on_target) = (source.push(&token, &next).await, target.push(&token, &next).await);
    let (on_source, on_target): (Value, Value) = (on_source.json().await.unwrap(), on_target.json().await.unwrap());
    assert_eq!(on_source["id"], on_target["id"], "the next article's id");
    assert_eq!(on_source["id"], rejected + 1, "past the rejected article's id");
}

#[tokio::test]
async fn a_backup_taken_while_pushes_go_on_restores_every_acknowledged_article() {
    let app = Arc::new(TestApp::spawn(Backend::Sqlite).await.unwrap());
    let token = app.with_example_catalog().await;
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let pusher = {
        let (app, acknowledged, stop) = (app.clone(), acknowledged.clone(), stop.clone());
        tokio::spawn(async move {
            for n in 0.. {
                if stop.load(Ordering::SeqCst) {
                    return;
                }
                let article = numbered_article(n, "party-96");
                let response = app.push(&token, &article).await;
                assert_eq!(response.status(), 201);
                acknowledged.lock().unwrap().push(article["original_url"].as_str().unwrap().to_owned());
            }
        })
    };
    let acknowledged_count = || acknowledged.lock().unwrap().len();
    eventually("pushes are acknowledged", Duration::from_secs(30), || async { acknowledged_count() >= 100 }).await;

    // The backup is written where a test database's file would be, so it can be served.
    let copy_database = TestDatabase::create(Backend::Sqlite).await.unwrap();
    let backup = std::path::PathBuf::from(copy_database.url.strip_prefix("sqlite://").unwrap());
    let before: HashSet<String> = acknowledged.lock().unwrap().iter().cloned().collect();
    let output = syndic(&["backup", backup.to_str().unwrap(), "--database-url", &app.config.database_url]).await;
    let after = acknowledged_count();
    eventually("pushes go on after the backup", Duration::from_secs(30), || async {
        acknowledged_count() >= after + 20
    })
    .await;
    stop.store(true, Ordering::SeqCst);
    pusher.await.unwrap();
    let summary = succeeded(&output, "backup");
    assert!(summary.starts_with(&format!("backup written to {}", backup.display())), "{summary}");

    let restored = TestDatabase::create(Backend::Sqlite).await.unwrap();
    let output = syndic(&["restore", backup.to_str().unwrap(), "--database-url", &restored.url]).await;
    succeeded(&output, "restore");
    let (copy, restored_rows, live) = (
        sqlite_contents(&copy_database.url).await,
        sqlite_contents(&restored.url).await,
        sqlite_contents(&app.config.database_url).await,
    );
    assert!(copy == restored_rows, "the restored database holds the backup's every row");
    let live_articles: HashSet<&String> = live["articles"].iter().collect();
    assert!(copy["articles"].iter().all(|row| live_articles.contains(row)), "the copy holds articles as stored");
    let copied = article_urls(&copy_database.url).await;
    let lost: Vec<&String> = before.difference(&copied).collect();
    assert!(lost.is_empty(), "acknowledged before the backup started, missing from it: {lost:?}");
    let served_copy = TestApp::serve(copy_database, |_| {}).await;
    let feed = served_copy.get_text("/columns/party-96/atom.xml").await;
    assert!(feed.contains("<entry>"), "the backup file itself opens and serves its articles");
}

async fn article_urls(url: &str) -> HashSet<String> {
    use sqlx::Connection;
    let mut conn = sqlx::AnyConnection::connect(&format!("{url}?mode=ro")).await.unwrap();
    let urls = sqlx::query_scalar("SELECT original_url FROM articles").fetch_all(&mut conn).await.unwrap();
    conn.close().await.ok();
    urls.into_iter().collect()
}

#[tokio::test]
async fn restore_and_transfer_refuse_a_target_that_holds_data() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    app.with_example_catalog().await;
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("backup.db");
    succeeded(
        &syndic(&["backup", backup.to_str().unwrap(), "--database-url", &app.config.database_url]).await,
        "backup",
    );
    let before = sqlite_contents(&app.config.database_url).await;
    let error = refused(
        &syndic(&["restore", backup.to_str().unwrap(), "--database-url", &app.config.database_url]).await,
        "restore into a database with data",
    );
    assert!(error.contains("already holds data") && error.contains("empty database"), "{error}");
    let other = TestDatabase::create(Backend::Sqlite).await.unwrap();
    let filled = TestApp::serve(other, |_| {}).await;
    filled.add_column("news", "新闻", None).await;
    let error = refused(
        &syndic(&["transfer", "--from", &app.config.database_url, "--to", &filled.config.database_url]).await,
        "transfer into a database with data",
    );
    assert!(error.contains("(1 row in columns)"), "{error}");
    assert!(sqlite_contents(&app.config.database_url).await == before, "a refused restore changes nothing");

    let again = refused(
        &syndic(&["backup", backup.to_str().unwrap(), "--database-url", &app.config.database_url]).await,
        "a backup over an existing file",
    );
    assert!(again.contains("already exists"), "{again}");
}

#[tokio::test]
async fn a_table_the_target_lacks_stops_the_transfer_before_anything_is_copied() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    app.with_example_catalog().await;
    app.execute_sql("CREATE TABLE review_notes (id INTEGER PRIMARY KEY, what TEXT NOT NULL)").await;
    let target = TestDatabase::create(Backend::Sqlite).await.unwrap();
    let error = refused(
        &syndic(&["transfer", "--from", &app.config.database_url, "--to", &target.url]).await,
        "a transfer that would leave a table behind",
    );
    assert!(error.contains("table review_notes exists only in the source database"), "{error}");
    let untouched = sqlite_contents(&target.url).await;
    assert!(untouched["outlets"].is_empty() && untouched["columns"].is_empty(), "nothing was copied");
}

#[tokio::test]
async fn backup_of_postgresql_is_refused_with_the_pg_dump_advice() {
    let Some(postgres) = TestDatabase::create(Backend::Postgres).await else { return };
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("backup.db");
    let error = refused(
        &syndic(&["backup", backup.to_str().unwrap(), "--database-url", &postgres.url]).await,
        "backup of PostgreSQL",
    );
    assert!(error.contains("pg_dump -Fc") && error.contains("pg_restore"), "{error}");
    assert!(!backup.exists(), "no file is written");
}
