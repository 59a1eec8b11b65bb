//! A recording HTTP endpoint on a random port: a WebSub subscriber (it echoes
//! `hub.challenge`), or an IndexNow / Baidu / hub endpoint. It keeps every request and
//! answers POSTs with the status the test sets, or never. `Silent` is a TCP endpoint
//! that accepts connections and never answers on them.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use std::sync::atomic::{AtomicBool, AtomicU16, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub at: Instant,
}

impl Recorded {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn query(&self, name: &str) -> Option<String> {
        url::form_urlencoded::parse(self.uri.query().unwrap_or("").as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
    }
}

pub struct Mock {
    pub base: String,
    requests: Mutex<Vec<Recorded>>,
    post_status: AtomicU16,
    stall_posts: AtomicBool,
}

impl Mock {
    pub async fn start() -> Arc<Mock> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let mock = Arc::new(Mock {
            base,
            requests: Mutex::new(Vec::new()),
            post_status: AtomicU16::new(200),
            stall_posts: AtomicBool::new(false),
        });
        let app = axum::Router::new().fallback(record).with_state(mock.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        mock
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn answer_posts_with(&self, status: u16) {
        self.post_status.store(status, Ordering::SeqCst);
    }

    /// POSTs are recorded and then never answered: a subscriber too slow to take deliveries.
    pub fn stall_posts(&self) {
        self.stall_posts.store(true, Ordering::SeqCst);
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }

    pub fn posts(&self) -> Vec<Recorded> {
        self.requests().into_iter().filter(|r| r.method == Method::POST).collect()
    }

    /// Waits up to `timeout` for a request matching `wanted`; panics with `what` if none comes.
    pub async fn wait_for(&self, what: &str, timeout: Duration, wanted: impl Fn(&Recorded) -> bool) -> Recorded {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(found) = self.requests().into_iter().find(|r| wanted(r)) {
                return found;
            }
            assert!(Instant::now() < deadline, "no {what} within {timeout:?}; got {:#?}", self.requests());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn record(
    State(mock): State<Arc<Mock>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> axum::response::Response {
    let recorded = Recorded { method: method.clone(), uri, headers, body, at: Instant::now() };
    let challenge = recorded.query("hub.challenge");
    mock.requests.lock().unwrap().push(recorded);
    if method == Method::POST && mock.stall_posts.load(Ordering::SeqCst) {
        std::future::pending::<()>().await;
    }
    match (method, challenge) {
        (Method::GET, Some(challenge)) => (StatusCode::OK, challenge).into_response(),
        (Method::POST, _) => StatusCode::from_u16(mock.post_status.load(Ordering::SeqCst)).unwrap().into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Waits up to `timeout` for `condition` to hold.
pub async fn eventually<F, Fut>(what: &str, timeout: Duration, condition: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + timeout;
    while !condition().await {
        assert!(Instant::now() < deadline, "{what}: not within {timeout:?}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// A TCP endpoint that accepts connections and never reads or answers: the slowest
/// callback there is.
pub struct Silent {
    pub address: std::net::SocketAddr,
    accepted: Arc<AtomicUsize>,
}

impl Silent {
    pub async fn start() -> Silent {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let accepted = Arc::new(AtomicUsize::new(0));
        let counter = accepted.clone();
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((stream, _)) = listener.accept().await {
                held.push(stream);
                counter.fetch_add(1, Ordering::SeqCst);
            }
        });
        Silent { address, accepted }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// Connections accepted so far.
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}
