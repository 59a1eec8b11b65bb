//! The test application: syndic on a random port against a fresh database of its own
//! (a SQLite file in a temporary directory, or a PostgreSQL database created for the
//! test and dropped after it).

use serde_json::{json, Value};
use std::io::Write;
use syndic::app::{self, Duties};
use syndic::config::{Config, Secret, SiteConfig};
use syndic::operations::Operations;
use syndic::store::Store;

pub const ADMIN_TOKEN: &str = "test-admin-token-0123456789";
pub const POSTGRES_ENV: &str = "SYNDIC_TEST_POSTGRES_URL";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    /// The site's base URL as configured (what feeds and topics name).
    pub base_url: String,
    /// Where the server listens now (it changes with a restart).
    pub address: std::net::SocketAddr,
    pub client: reqwest::Client,
    pub store: Store,
    pub config: Config,
    /// The server and the notifier running for it (`app::serve`).
    tasks: Vec<tokio::task::JoinHandle<()>>,
    /// Dropped after the server stops (fields drop after `Drop::drop`).
    database: TestDatabase,
}

/// A database of one test's own: a SQLite file in a temporary directory, or a
/// PostgreSQL database created for the test and dropped after it. Not migrated.
pub struct TestDatabase {
    pub url: String,
    _sqlite_dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    /// A new, empty database; `None` (after saying so on stderr) when PostgreSQL is
    /// wanted but not configured.
    pub async fn create(backend: Backend) -> Option<TestDatabase> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("syndic.db").display());
                Some(TestDatabase { url, _sqlite_dir: Some(dir), postgres: None })
            }
            Backend::Postgres => {
                let Ok(admin_url) = std::env::var(POSTGRES_ENV) else {
                    // Written straight to stderr so the test harness does not swallow it.
                    let _ = writeln!(std::io::stderr(), "SKIPPED PostgreSQL variant: {POSTGRES_ENV} is not set");
                    return None;
                };
                let name = format!("syndic_test_{}", hex_id());
                admin_execute(&admin_url, &format!("CREATE DATABASE {name}")).await;
                let url = database_url_for(&admin_url, &name);
                Some(TestDatabase { url, _sqlite_dir: None, postgres: Some((admin_url, name)) })
            }
        }
    }

    pub fn backend(&self) -> Backend {
        if self.postgres.is_some() {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// Defines each story twice: on SQLite, and on PostgreSQL when it is configured.
/// `stories!(with adjust: a, b)` runs them with the configuration changed by `adjust`,
/// a `fn(&mut Config)` of the calling module.
#[macro_export]
macro_rules! stories {
    (@story $story:ident, $spawn:expr) => {
        mod $story {
            #[tokio::test]
            async fn on_sqlite() {
                let app = ($spawn)($crate::helpers::Backend::Sqlite).await.unwrap();
                super::$story(app).await;
            }

            #[tokio::test]
            async fn on_postgres() {
                if let Some(app) = ($spawn)($crate::helpers::Backend::Postgres).await {
                    super::$story(app).await;
                }
            }
        }
    };
    (with $adjust:ident: $($story:ident),* $(,)?) => {
        $($crate::stories!(@story $story, |backend| $crate::helpers::TestApp::spawn_configured(backend, super::$adjust));)*
    };
    ($($story:ident),* $(,)?) => {
        $($crate::stories!(@story $story, $crate::helpers::TestApp::spawn);)*
    };
}

impl TestApp {
    /// Starts the app; `None` (after saying so on stderr) when PostgreSQL is wanted but
    /// not configured.
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_configured(backend, |_| {}).await
    }

    /// `spawn`, with the configuration adjusted first.
    pub async fn spawn_configured(backend: Backend, adjust: impl FnOnce(&mut Config)) -> Option<TestApp> {
        Some(Self::serve(TestDatabase::create(backend).await?, adjust).await)
    }

    /// Migrates `database` and serves it, with the configuration changed by `adjust`.
    pub async fn serve(database: TestDatabase, adjust: impl FnOnce(&mut Config)) -> TestApp {
        let database_url = database.url.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let base_url = format!("http://{address}");
        let mut config = Config {
            database_url: database_url.clone(),
            database_connect_timeout: std::time::Duration::from_secs(5),
            listen: address,
            base_url: base_url.clone(),
            admin_token: Some(Secret::new(ADMIN_TOKEN)),
            feed_items: 50,
            // The fixture feeds live on loopback; nothing else may be dialled.
            fetch_allow: syndic::ingest::guard::FetchAllow::parse("127.0.0.0/8").unwrap(),
            policy: syndic::domain::policy::ContentPolicy::new(&["bet365".into()], &["spam.example".into()]),
            rate_limit_per_minute: None,
            render_cache_bytes: syndic::config::DEFAULT_RENDER_CACHE_MB << 20,
            // Stories read right after they write, asking for nothing special: every
            // reader waits for the current document (`mixed.rs` takes the default).
            render_cache_stale: std::time::Duration::ZERO,
            render_cache_coalesce: std::time::Duration::from_millis(syndic::config::DEFAULT_RENDER_CACHE_COALESCE_MS),
            body_budget_bytes: syndic::config::DEFAULT_BODY_BUDGET_MB << 20,
            connections: syndic::config::ConnectionLimits::default(),
            sessions: syndic::domain::session::SessionLimits::default(),
            trusted_proxies: Default::default(),
            // On, in the site's language, as `Config::load` makes it by default.
            attribution: Some(syndic::publish::attribution::Template::default_for("zh-CN")),
            // Each instance gets a directory of its own when it starts (`start`).
            search_dir: std::path::PathBuf::new(),
            notify: syndic::config::NotifyConfig {
                retry_base: std::time::Duration::from_millis(100),
                max_attempts: 3,
                ..Default::default()
            },
            // Stories wait for retries: the first comes after 100 ms.
            media: syndic::config::MediaConfig {
                retry_base: std::time::Duration::from_millis(100),
                ..Default::default()
            },
            // Stories wait for renewals of leases a few seconds long.
            subscriber: syndic::config::SubscriberConfig {
                tick: std::time::Duration::from_millis(100),
                ..Default::default()
            },
            site: SiteConfig {
                name: "Test Portal".into(),
                description: "Reposts for tests".into(),
                language: "zh-CN".into(),
                timezone: chrono_tz::Asia::Shanghai,
                owner: Some("主办:测试".into()),
                copyright: Some("Copyright © test".into()),
                licence: Some("新ICP备00000000号".into()),
            },
        };
        adjust(&mut config);
        let store = Store::connect(&database_url).await.unwrap();
        store.migrate().await.unwrap();
        let tasks = start(listener, &store, &config);
        let client = reqwest::Client::builder().no_gzip().build().unwrap();
        let base_url = config.base_url.clone();
        TestApp { base_url, address, client, store, config, tasks, database }
    }

    /// Stops the server and its notifier, as a crash would: nothing in flight is finished.
    pub fn stop(&mut self) {
        for task in self.tasks.drain(..) {
            task.abort();
        }
    }

    /// Starts the server and notifier again on a new port, on the same database.
    pub async fn restart(&mut self) {
        self.stop();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        self.address = listener.local_addr().unwrap();
        self.config.listen = self.address;
        self.tasks = start(listener, &self.store, &self.config);
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// Another `syndic serve` on the same database, as a second process would be: its
    /// own pool, cache and notifier, sharing nothing in memory with this one.
    pub async fn another_instance(&self) -> Instance {
        let store = Store::connect(&self.config.database_url).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let tasks = start(listener, &store, &self.config);
        Instance { address, tasks }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn get_text(&self, path: &str) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status(), 200, "GET {path}");
        response.text().await.unwrap()
    }

    pub async fn admin_post(&self, path: &str, body: Value) -> reqwest::Response {
        self.client.post(self.url(path)).bearer_auth(ADMIN_TOKEN).json(&body).send().await.unwrap()
    }

    pub async fn admin_patch(&self, path: &str, body: Value) -> reqwest::Response {
        self.client.patch(self.url(path)).bearer_auth(ADMIN_TOKEN).json(&body).send().await.unwrap()
    }

    pub async fn admin_get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).bearer_auth(ADMIN_TOKEN).send().await.unwrap()
    }

    pub async fn admin_delete(&self, path: &str) -> reqwest::Response {
        self.client.delete(self.url(path)).bearer_auth(ADMIN_TOKEN).send().await.unwrap()
    }

    pub async fn add_column(&self, slug: &str, title: &str, parent: Option<&str>) {
        let response =
            self.admin_post("/api/v1/columns", json!({"slug": slug, "title": title, "parent": parent})).await;
        assert_eq!(response.status(), 201, "creating column {slug}: {}", response.text().await.unwrap());
    }

    /// Creates an outlet and returns its ingest token.
    pub async fn add_outlet(&self, slug: &str, extra: Value) -> String {
        let mut body =
            json!({"slug": slug, "name": format!("Outlet {slug}"), "homepage": format!("https://{slug}.example.cn/")});
        if let Value::Object(fields) = extra {
            body.as_object_mut().unwrap().extend(fields);
        }
        let response = self.admin_post("/api/v1/outlets", body).await;
        assert_eq!(response.status(), 201);
        let created: Value = response.json().await.unwrap();
        created["token"].as_str().unwrap().to_owned()
    }

    /// `POST /api/v1/articles/batch` with these articles.
    pub async fn push_batch(&self, token: &str, articles: &[Value]) -> reqwest::Response {
        let body = json!({ "articles": articles });
        self.client.post(self.url("/api/v1/articles/batch")).bearer_auth(token).json(&body).send().await.unwrap()
    }

    /// Imports a feed document into `party-96`; the status and the JSON answer.
    pub async fn import_into_party_96(&self, token: &str, content_type: &str, body: String) -> (u16, Value) {
        let response = self
            .client
            .post(self.url("/api/v1/articles?column=party-96"))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    /// Runs `sql` (one or more statements) on the app's own database, behind its back.
    pub async fn execute_sql(&self, sql: &str) {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&self.config.database_url).await.unwrap();
        sqlx::raw_sql(sql).execute(&mut conn).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
        conn.close().await.ok();
    }

    /// Reads one number with `sql` from the app's own database, behind its back.
    pub async fn query_number(&self, sql: &str) -> i64 {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&self.config.database_url).await.unwrap();
        let number = sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
        conn.close().await.ok();
        number
    }

    pub fn backend(&self) -> Backend {
        self.database.backend()
    }

    pub async fn push(&self, token: &str, article: &Value) -> reqwest::Response {
        self.client.post(self.url("/api/v1/articles")).bearer_auth(token).json(article).send().await.unwrap()
    }

    /// The example page's outlet (昌吉日报, Asia/Shanghai) and columns (专题栏目 › 庆祝建党96周年).
    pub async fn with_example_catalog(&self) -> String {
        self.add_column("zhuanti", "专题栏目", None).await;
        self.add_column("party-96", "庆祝建党96周年", Some("zhuanti")).await;
        self.add_outlet(
            "cjrb",
            json!({"name": "昌吉日报", "homepage": "http://www.cjxww.cn/", "language": "zh-CN",
                   "timezone": "Asia/Shanghai", "rights": "版权归昌吉日报所有"}),
        )
        .await
    }
}

/// The example article as the `n`th of many distinct ones, in `column`.
pub fn numbered_article(n: usize, column: &str) -> Value {
    let mut article = example_article();
    article["original_url"] = json!(format!("http://www.cjxww.cn/show?id={n}"));
    article["title"] = json!(format!("稿件 {n}"));
    article["columns"] = json!([column]);
    article
}

/// A further instance serving the same database (see `TestApp::another_instance`).
pub struct Instance {
    pub address: std::net::SocketAddr,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Instance {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        for task in self.tasks.drain(..) {
            task.abort();
        }
    }
}

/// Serves the app on `listener` as `syndic serve` does, but for the poll scheduler:
/// stories poll sources when they choose (`POST /api/v1/sources/{id}/poll`).
/// Each start has a search index directory of its own, as each instance has; it goes
/// with the server, and a restart builds the index anew from the database.
fn start(listener: tokio::net::TcpListener, store: &Store, config: &Config) -> Vec<tokio::task::JoinHandle<()>> {
    let index_dir = tempfile::tempdir().unwrap();
    let config = Config { search_dir: index_dir.path().to_owned(), ..config.clone() };
    let operations = Operations::new(store.clone(), std::sync::Arc::new(config));
    let duties = Duties { poll_sources: false };
    vec![tokio::spawn(async move {
        let _index_dir = index_dir;
        app::serve(listener, operations, duties, std::future::pending()).await
    })]
}

/// Serves each document at its path (as RSS) on a loopback port, for sources to poll;
/// returns the base URL.
pub async fn serve_feeds(documents: Vec<(&'static str, String)>) -> String {
    let mut router = axum::Router::new();
    for (path, body) in documents {
        router = router
            .route(path, axum::routing::get(move || async move { ([("content-type", "application/rss+xml")], body) }));
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    base
}

/// The example page's article as an outlet would push it.
pub fn example_article() -> Value {
    json!({
        "original_url": "http://www.cjxww.cn/index.php?m=content&c=index&a=show&catid=407&id=93487&utm_source=wx",
        "title": "做带领群众奔向幸福生活的“头雁”",
        "subtitle": "自治州党的建设工作系列报道之二",
        "author": "郑丽媛",
        "summary": "阿克喀巴克村在党组织引领下走上幸福路。",
        "content_html": "<p>昌吉新闻网讯(记者 郑丽媛)六月清晨的木垒县……</p><p>以党组织为旗帜。</p>",
        "original_published_at": "2018-06-28 11:39:20",
        "columns": ["party-96"],
        "tags": ["基层党建"],
        "image": {"url": "http://www.cjxww.cn/uploads/toutou.jpg", "caption": "阿克喀巴克村"},
        "enclosures": [{"url": "http://www.cjxww.cn/audio/93487.mp3", "type": "audio/mpeg", "length": 1024}]
    })
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.postgres.take() else { return };
        // Async work in drop: on a runtime of its own, with a connection of its own (the
        // test's runtime is blocked here, so its pool cannot be awaited). FORCE ends the
        // server's connections that are still open.
        std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async move {
                admin_execute(&admin_url, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
            })
        })
        .join()
        .ok();
    }
}

async fn admin_execute(admin_url: &str, sql: &str) {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(admin_url).await.expect("PostgreSQL reachable");
    sqlx::query(sql).execute(&mut conn).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    conn.close().await.ok();
}

/// The admin URL with its database name replaced.
fn database_url_for(admin_url: &str, database: &str) -> String {
    let mut url = url::Url::parse(admin_url).expect("SYNDIC_TEST_POSTGRES_URL is a URL");
    url.set_path(&format!("/{database}"));
    url.to_string()
}

fn hex_id() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 8];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Returns once the wall clock has entered a later second than when it was called: for
/// stories that compare times written with whole seconds (RSS dates, sitemap lastmods).
pub async fn next_second() {
    let start = chrono::Utc::now().timestamp();
    while chrono::Utc::now().timestamp() == start {
        let into_second = chrono::Utc::now().timestamp_subsec_micros();
        tokio::time::sleep(std::time::Duration::from_micros(u64::from(1_000_000 - into_second.min(999_999)))).await;
    }
}
