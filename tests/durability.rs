//! Crash safety: the real binary takes concurrent pushes, is killed with SIGKILL mid-
//! load, and restarts; every push that got a 2xx must still be there, and a SQLite
//! database must pass `PRAGMA integrity_check`. Runs on SQLite, and on PostgreSQL when
//! SYNDIC_TEST_POSTGRES_URL is set.

use serde_json::{json, Value};
use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ADMIN_TOKEN: &str = "durability-admin-token";
const PUSHERS: usize = 8;
/// Pushes acknowledged before the server is killed.
const ACKNOWLEDGED_BEFORE_KILL: usize = 300;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn start(database_url: &str, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_syndic"))
        .args(["serve", "--database-url", database_url, "--listen", &format!("127.0.0.1:{port}")])
        .env("SYNDIC_ADMIN_TOKEN", ADMIN_TOKEN)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the syndic binary starts")
}

async fn wait_healthy(client: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(r) = client.get(format!("{base}/healthz")).send().await {
            if r.status() == 200 {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("syndic did not become healthy at {base}");
}

/// Request-body bytes the server holds now (`/metrics`).
async fn held_body_bytes(client: &reqwest::Client, base: &str) -> f64 {
    let metrics = client.get(format!("{base}/metrics")).bearer_auth(ADMIN_TOKEN).send().await.unwrap();
    let text = metrics.text().await.unwrap();
    let line = text.lines().find(|l| l.starts_with("syndic_body_budget_bytes{state=\"held\"}")).expect("the gauge");
    line.rsplit(' ').next().unwrap().parse().unwrap()
}

/// Column `news` and outlet `wire`, created through the admin API; the outlet's token.
async fn news_and_wire(client: &reqwest::Client, base: &str) -> String {
    let admin =
        |path: &str, body: Value| client.post(format!("{base}{path}")).bearer_auth(ADMIN_TOKEN).json(&body).send();
    assert_eq!(admin("/api/v1/columns", json!({"slug": "news", "title": "News"})).await.unwrap().status(), 201);
    let outlet: Value =
        admin("/api/v1/outlets", json!({"slug": "wire", "name": "Wire", "homepage": "https://wire.example/"}))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    outlet["token"].as_str().unwrap().to_owned()
}

async fn survives_kill_9(database_url: String) {
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    let mut server = start(&database_url, port);
    wait_healthy(&client, &base).await;

    let token = news_and_wire(&client, &base).await;

    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut pushers = Vec::new();
    for worker in 0..PUSHERS {
        let (client, base, token, acknowledged) = (client.clone(), base.clone(), token.clone(), acknowledged.clone());
        pushers.push(tokio::spawn(async move {
            for n in 0.. {
                let url = format!("https://wire.example/story?worker={worker}&n={n}");
                let body = json!({"original_url": url, "title": format!("Story {worker}-{n}"),
                                  "content_html": "<p>text</p>", "original_published_at": "2026-11-29T08:00:00Z",
                                  "columns": ["news"]});
                match client.post(format!("{base}/api/v1/articles")).bearer_auth(&token).json(&body).send().await {
                    Ok(r) if r.status().is_success() => acknowledged.lock().unwrap().push(url),
                    _ => break, // the server is gone
                }
            }
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    while acknowledged.lock().unwrap().len() < ACKNOWLEDGED_BEFORE_KILL {
        assert!(Instant::now() < deadline, "the pushers were not acknowledged in time");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    server.kill().expect("SIGKILL"); // Child::kill sends SIGKILL on Unix
    server.wait().unwrap();
    for pusher in pushers {
        pusher.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() > 50, "too little load before the kill: {}", acknowledged.len());

    let mut restarted = start(&database_url, port);
    wait_healthy(&client, &base).await;
    let store = syndic::store::Store::connect(&database_url).await.unwrap();
    let mut lost = Vec::new();
    for url in &acknowledged {
        if store.original_published_at(url).await.unwrap().is_none() {
            lost.push(url.clone());
        }
    }
    if database_url.starts_with("sqlite:") {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&database_url).await.unwrap();
        let check: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&pool).await.unwrap();
        assert_eq!(check, "ok");
        pool.close().await;
    }
    restarted.kill().ok();
    restarted.wait().ok();
    let _ = writeln!(
        std::io::stderr(),
        "durability: {} acknowledged before SIGKILL, {} lost",
        acknowledged.len(),
        lost.len()
    );
    assert!(lost.is_empty(), "acknowledged but lost after kill -9: {lost:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_pushes_survive_kill_9_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    survives_kill_9(format!("sqlite://{}", dir.path().join("crash.db").display())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_pushes_survive_kill_9_on_postgres() {
    let Ok(admin_url) = std::env::var("SYNDIC_TEST_POSTGRES_URL") else {
        let _ = writeln!(std::io::stderr(), "SKIPPED PostgreSQL variant: SYNDIC_TEST_POSTGRES_URL is not set");
        return;
    };
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let name = format!("syndic_crash_{}", std::process::id());
    let mut admin = sqlx::AnyConnection::connect(&admin_url).await.unwrap();
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.unwrap();
    let mut url = url::Url::parse(&admin_url).unwrap();
    url.set_path(&format!("/{name}"));
    survives_kill_9(url.to_string()).await;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin).await.unwrap();
}

/// SIGTERM while a 1,000-article batch is being written: the batch is answered and
/// stored, the process exits cleanly, and no new connection is taken after the signal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_answers_requests_in_flight_then_exits() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("drain.db").display());
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder().timeout(Duration::from_secs(60)).build().unwrap();
    let mut server = start(&database_url, port);
    wait_healthy(&client, &base).await;
    let token = news_and_wire(&client, &base).await;
    let articles: Vec<Value> = (0..1000)
        .map(|n| {
            json!({"original_url": format!("https://wire.example/batch/{n}"), "title": format!("Story {n}"),
                   "content_html": format!("<p>{}</p>", "text ".repeat(400)),
                   "original_published_at": "2026-11-29T08:00:00Z", "columns": ["news"]})
        })
        .collect();
    let batch = {
        let request = client.post(format!("{base}/api/v1/articles/batch")).bearer_auth(&token);
        tokio::spawn(request.json(&json!({ "articles": articles })).send())
    };
    // The 8 MB body is being read (its bytes held in the body budget) when the signal
    // arrives.
    let deadline = Instant::now() + Duration::from_secs(30);
    while held_body_bytes(&client, &base).await == 0.0 {
        assert!(Instant::now() < deadline, "the batch never reached the server");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let signalled = Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap();
    assert!(signalled.success());
    let answer = batch.await.unwrap().expect("the request in flight is answered");
    assert_eq!(answer.status(), 200);
    let answer: Value = answer.json().await.unwrap();
    assert_eq!(answer["created"], 1000, "{}", answer["results"][0]);
    let deadline = Instant::now() + Duration::from_secs(35);
    let status = loop {
        if let Some(status) = server.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "still running 35 s after SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "exit status after SIGTERM: {status}");
    assert!(client.get(format!("{base}/healthz")).send().await.is_err(), "nothing listens any more");
    let store = syndic::store::Store::connect(&database_url).await.unwrap();
    assert!(store.original_published_at("https://wire.example/batch/999").await.unwrap().is_some());
}
