//! Slow and idle clients: a connection that sends nothing, half a request head, a
//! header line every few hundred milliseconds, a body that stalls or trickles, or that
//! never reads its response, is closed in its own time; at the cap on connections a
//! newcomer is answered, the oldest idle connection making room for it. Everything is
//! observed from the client's side of the socket.

use crate::helpers::{numbered_article, TestApp, ADMIN_TOKEN};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use syndic::config::{Config, ConnectionLimits};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tokio::time::Instant;

crate::stories!(with impatient:
    a_connection_that_sends_nothing_is_closed,
    half_a_request_head_is_closed,
    a_stalled_body_is_answered_408_and_the_next_connection_served,
    a_body_trickling_below_the_minimum_rate_is_cut,
    an_idle_kept_alive_connection_is_closed,
    a_client_that_never_reads_its_response_is_cut_off,
);
crate::stories!(with slowloris_patience: two_thousand_slowlorises_leave_fresh_clients_answered);
crate::stories!(with capped_at_three: at_the_cap_the_longest_idle_connection_makes_room);
crate::stories!(with capped_at_one: at_the_cap_with_every_connection_busy_newcomers_are_refused_503);

const HEADER: Duration = Duration::from_millis(800);
/// Longer than `HEADER`, so that an idle close shows it is the idle timeout's.
const IDLE: Duration = Duration::from_millis(1600);
const BODY: Duration = Duration::from_millis(800);
/// Bytes per second: a byte every 200 ms earns 10 ms of waiting each.
const BODY_MIN_RATE: u64 = 100;
const SEND: Duration = Duration::from_millis(800);
/// Timers fire at their deadline or after, to the millisecond.
const TIMER_SLACK: Duration = Duration::from_millis(5);
/// A connection still open this long after its timeout was never going to be closed.
const GIVE_UP: Duration = Duration::from_secs(20);

fn impatient(config: &mut Config) {
    config.connections = ConnectionLimits {
        max_connections: None,
        header_timeout: HEADER,
        idle_timeout: IDLE,
        body_timeout: BODY,
        body_min_rate: BODY_MIN_RATE,
        send_timeout: SEND,
    };
}

async fn open(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.address).await.unwrap()
}

/// Reads until the server closes the connection (end of stream or reset); what came,
/// and how long after `since` (an instant before the server could start its clock).
async fn until_closed(stream: &mut TcpStream, since: Instant) -> (Vec<u8>, Duration) {
    let mut received = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let read = tokio::time::timeout(GIVE_UP, stream.read(&mut chunk)).await;
        match read.expect("the server never closed the connection") {
            Ok(0) | Err(_) => return (received, since.elapsed()),
            Ok(n) => received.extend_from_slice(&chunk[..n]),
        }
    }
}

/// The value of the sample `name` (with its labels) in Prometheus text.
fn metric(text: &str, name: &str) -> f64 {
    let prefix = format!("{name} ");
    let value = text.lines().find_map(|line| line.strip_prefix(&prefix));
    value.and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("no {name} in\n{text}"))
}

fn assert_closed_after(elapsed: Duration, timeout: Duration, what: &str) {
    assert!(elapsed + TIMER_SLACK >= timeout, "{what} closed after {elapsed:?}, before its timeout {timeout:?}");
}

/// Reads one response head (through its blank line); its text.
async fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let byte = tokio::time::timeout(GIVE_UP, stream.read_u8()).await.expect("a response head").unwrap();
        head.push(byte);
    }
    String::from_utf8(head).unwrap()
}

/// Reads one response with a Content-Length; its head and body.
async fn read_response(stream: &mut TcpStream) -> (String, Vec<u8>) {
    let head = read_head(stream).await;
    let length = head
        .lines()
        .find_map(|line| line.to_ascii_lowercase().strip_prefix("content-length: ").map(str::to_owned))
        .map_or(0, |n| n.parse().unwrap());
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await.unwrap();
    (head, body)
}

/// A keep-alive GET on `stream`; the response head.
async fn get(stream: &mut TcpStream, path: &str) -> String {
    stream.write_all(format!("GET {path} HTTP/1.1\r\nHost: test\r\n\r\n").as_bytes()).await.unwrap();
    read_response(stream).await.0
}

async fn a_connection_that_sends_nothing_is_closed(app: TestApp) {
    let connecting = Instant::now();
    let mut silent = open(&app).await;
    let (received, elapsed) = until_closed(&mut silent, connecting).await;
    assert!(received.is_empty(), "closed without an answer");
    assert_closed_after(elapsed, HEADER, "a silent connection");
}

async fn half_a_request_head_is_closed(app: TestApp) {
    let connecting = Instant::now();
    let mut half = open(&app).await;
    half.write_all(b"GET /healthz HTTP/1.1\r\nHost: test\r\n").await.unwrap();
    let (received, elapsed) = until_closed(&mut half, connecting).await;
    assert!(received.is_empty());
    assert_closed_after(elapsed, HEADER, "half a head");

    // On a kept-alive connection the head's clock starts at its first byte.
    let mut kept = open(&app).await;
    assert!(get(&mut kept, "/healthz").await.starts_with("HTTP/1.1 200"));
    let sending = Instant::now();
    kept.write_all(b"GET /healthz HTTP/1.1\r\n").await.unwrap();
    let (received, elapsed) = until_closed(&mut kept, sending).await;
    assert!(received.is_empty());
    assert_closed_after(elapsed, HEADER, "half a second head");
}

/// The head of an admin request creating a column, announcing a body of `length` bytes.
fn column_request_head(length: usize, expect_continue: bool) -> String {
    let expect = if expect_continue { "Expect: 100-continue\r\n" } else { "" };
    format!(
        "POST /api/v1/columns HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {ADMIN_TOKEN}\r\n\
         Content-Type: application/json\r\n{expect}Content-Length: {length}\r\n\r\n"
    )
}

/// A column's JSON, its description padded for `length` bytes in all.
fn column_body(slug: &str, length: usize) -> Vec<u8> {
    let column = |description: String| json!({"slug": slug, "title": "Kept", "description": description}).to_string();
    let bare = column(String::new()).len();
    column("x".repeat(length - bare)).into_bytes()
}

async fn a_stalled_body_is_answered_408_and_the_next_connection_served(app: TestApp) {
    let mut stalled = open(&app).await;
    let sending = Instant::now();
    stalled.write_all(column_request_head(1000, false).as_bytes()).await.unwrap();
    stalled.write_all(b"{").await.unwrap();
    let (received, elapsed) = until_closed(&mut stalled, sending).await;
    let answer = String::from_utf8_lossy(&received);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.to_ascii_lowercase().contains("connection: close"), "{answer}");
    assert!(answer.contains(r#""error":"the request body stopped arriving"#), "{answer}");
    assert_closed_after(elapsed, BODY, "a stalled body");

    let mut next = open(&app).await;
    assert!(get(&mut next, "/healthz").await.starts_with("HTTP/1.1 200"));
    let column = column_body("next", 1000);
    next.write_all(column_request_head(column.len(), false).as_bytes()).await.unwrap();
    next.write_all(&column).await.unwrap();
    let (head, answer) = read_response(&mut next).await;
    assert!(head.starts_with("HTTP/1.1 201"), "{head}{}", String::from_utf8_lossy(&answer));
    let metrics = app.admin_get("/metrics").await.text().await.unwrap();
    assert_eq!(metric(&metrics, "syndic_http_connections_closed_total{reason=\"body_timeout\"}"), 1.0, "{metrics}");
}

/// A byte every 200 ms never pauses for `BODY`, but earns 10 ms per 200 ms waited.
async fn a_body_trickling_below_the_minimum_rate_is_cut(app: TestApp) {
    let body = column_body("trickle", 1000);
    let (mut reader, mut writer) = open(&app).await.into_split();
    let started = Instant::now();
    writer.write_all(column_request_head(body.len(), false).as_bytes()).await.unwrap();
    let trickle = tokio::spawn(async move {
        for byte in body {
            if writer.write_all(&[byte]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    let mut received = Vec::new();
    let read = tokio::time::timeout(GIVE_UP, reader.read_to_end(&mut received)).await;
    let elapsed = started.elapsed();
    trickle.abort();
    read.expect("the trickle was never cut").ok();
    let answer = String::from_utf8_lossy(&received);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert_closed_after(elapsed, BODY, "a trickling body");
}

async fn an_idle_kept_alive_connection_is_closed(app: TestApp) {
    let mut kept = open(&app).await;
    let asking = Instant::now();
    assert!(get(&mut kept, "/healthz").await.starts_with("HTTP/1.1 200"));
    let (received, elapsed) = until_closed(&mut kept, asking).await;
    assert!(received.is_empty());
    assert_closed_after(elapsed, IDLE, "an idle keep-alive");
}

/// A feed of several megabytes — more than the kernel buffers on both sides hold — asked
/// for through a small receive window and never read.
async fn a_client_that_never_reads_its_response_is_cut_off(app: TestApp) {
    let token = app.with_example_catalog().await;
    let paragraph = format!("<p>{}</p>", "昌吉新闻网讯 木垒县阿克喀巴克村。".repeat(100));
    for n in 0..6 {
        let mut article = numbered_article(n, "party-96");
        article["content_html"] = json!(paragraph.repeat(280));
        assert_eq!(app.push(&token, &article).await.status(), 201);
    }
    let whole = app.get("/rss.xml").await.bytes().await.unwrap().len();
    assert!(whole > 6_000_000, "a feed of {whole} bytes is too small to fill the buffers");

    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut unread = socket.connect(app.address).await.unwrap();
    let started = Instant::now();
    unread.write_all(b"GET /rss.xml HTTP/1.1\r\nHost: test\r\n\r\n").await.unwrap();
    let counted = "syndic_http_connections_closed_total{reason=\"send_timeout\"} 1\n";
    while !app.admin_get("/metrics").await.text().await.unwrap().contains(counted) {
        assert!(started.elapsed() < GIVE_UP, "the unread response is still being offered");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_closed_after(started.elapsed(), SEND, "an unread response");
    let (received, _) = until_closed(&mut unread, started).await;
    assert!(received.len() < whole, "the whole feed was delivered ({} bytes)", received.len());
}

/// Long enough for 2,000 connections to open on a loaded machine before the first is cut.
const SLOWLORIS_HEADER: Duration = Duration::from_secs(4);
const SLOWLORISES: usize = 2_000;
/// Each sends a header line this often: never idle, never done.
const TRICKLE: Duration = Duration::from_millis(300);
/// Connections being opened at once: more would overflow the listen backlog (1,024).
const OPENING_AT_ONCE: usize = 100;

fn slowloris_patience(config: &mut Config) {
    config.connections.header_timeout = SLOWLORIS_HEADER;
}

/// The soft limit on open files raised to the hard one; both ends of every connection
/// live in this process.
fn raise_open_file_limit() -> u64 {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit/setrlimit with a valid struct.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit), 0);
        limit.rlim_cur = limit.rlim_max;
        libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit);
    }
    limit.rlim_cur
}

/// Opens a connection (one of `OPENING_AT_ONCE`), starts a request head and sends a
/// header line every `TRICKLE` until the server closes the connection; how long it
/// stayed open.
async fn slowloris(address: std::net::SocketAddr, opening: Arc<Semaphore>) -> Duration {
    let permit = opening.acquire_owned().await.unwrap();
    let started = Instant::now();
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream.write_all(b"GET / HTTP/1.1\r\nHost: test\r\n").await.unwrap();
    drop(permit);
    let mut chunk = [0u8; 64];
    loop {
        tokio::select! {
            read = stream.read(&mut chunk) => match read {
                Ok(0) | Err(_) => return started.elapsed(),
                Ok(_) => panic!("a slowloris got an answer: {}", String::from_utf8_lossy(&chunk)),
            },
            () = tokio::time::sleep(TRICKLE) => {
                if stream.write_all(b"X-Slow: 1\r\n").await.is_err() {
                    return started.elapsed();
                }
            }
        }
    }
}

async fn two_thousand_slowlorises_leave_fresh_clients_answered(app: TestApp) {
    let descriptors = raise_open_file_limit();
    // Both ends of each connection, for this story and its twin on the other backend.
    assert!(descriptors >= 5 * SLOWLORISES as u64, "RLIMIT_NOFILE {descriptors} is too low for this test");
    let opening = Arc::new(Semaphore::new(OPENING_AT_ONCE));
    let slowlorises: Vec<_> = (0..SLOWLORISES).map(|_| tokio::spawn(slowloris(app.address, opening.clone()))).collect();
    let started = Instant::now();
    let open_now =
        || async { metric(&app.admin_get("/metrics").await.text().await.unwrap(), "syndic_http_connections") };
    while open_now().await < SLOWLORISES as f64 {
        assert!(started.elapsed() < SLOWLORIS_HEADER, "the slowlorises did not all open in time");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let fresh = reqwest::Client::new();
    let asked = Instant::now();
    let response = fresh.get(app.url("/metrics")).bearer_auth(ADMIN_TOKEN).send().await.unwrap();
    let answered = asked.elapsed();
    assert_eq!(response.status(), 200);
    assert!(answered < Duration::from_secs(1), "a fresh client waited {answered:?}");
    let open_then = metric(&response.text().await.unwrap(), "syndic_http_connections");
    assert!(open_then > SLOWLORISES as f64, "{open_then} connections open while the slowlorises trickle");

    let lifetimes = tokio::time::timeout(GIVE_UP, futures_util::future::join_all(slowlorises))
        .await
        .expect("slowlorises still open");
    for lifetime in lifetimes {
        assert_closed_after(lifetime.unwrap(), SLOWLORIS_HEADER, "a slowloris");
    }
    let metrics = app.admin_get("/metrics").await.text().await.unwrap();
    let closed = metric(&metrics, "syndic_http_connections_closed_total{reason=\"header_timeout\"}");
    assert_eq!(closed, SLOWLORISES as f64, "closed by the header timeout");
}

fn capped_at_three(config: &mut Config) {
    config.connections.max_connections = Some(3);
}

fn capped_at_one(config: &mut Config) {
    config.connections.max_connections = Some(1);
}

/// A connection whose request is with the application, its body still coming.
async fn busy_connection(app: &TestApp, body: &[u8]) -> TcpStream {
    let mut busy = open(app).await;
    busy.write_all(column_request_head(body.len(), true).as_bytes()).await.unwrap();
    let interim = read_head(&mut busy).await;
    assert!(interim.starts_with("HTTP/1.1 100"), "the application reads the body: {interim}");
    busy.write_all(&body[..1]).await.unwrap();
    busy
}

/// Sends the rest of `body` on `busy`; the answer's head.
async fn finish(busy: &mut TcpStream, body: &[u8]) -> String {
    busy.write_all(&body[1..]).await.unwrap();
    read_response(busy).await.0
}

async fn at_the_cap_the_longest_idle_connection_makes_room(app: TestApp) {
    let body = column_body("kept", 200);
    let mut busy = busy_connection(&app, &body).await;
    // Opened before `silent`, but has waited for a request only since its answer.
    let mut kept_alive = open(&app).await;
    let mut silent = open(&app).await;
    assert!(get(&mut kept_alive, "/healthz").await.starts_with("HTTP/1.1 200"));

    let mut newcomer = open(&app).await;
    assert!(get(&mut newcomer, "/healthz").await.starts_with("HTTP/1.1 200"), "the newcomer is answered");
    let (received, _) = until_closed(&mut silent, Instant::now()).await;
    assert!(received.is_empty(), "the longest idle connection made room");
    assert!(get(&mut kept_alive, "/healthz").await.starts_with("HTTP/1.1 200"), "the others stay");
    assert!(finish(&mut busy, &body).await.starts_with("HTTP/1.1 201"), "the request in flight is answered");
    // Asking for the metrics is one more newcomer at the cap: it may make room too.
    let metrics = app.admin_get("/metrics").await.text().await.unwrap();
    assert_eq!(metric(&metrics, "syndic_http_connections_max"), 3.0);
    assert!(metric(&metrics, "syndic_http_connections_closed_total{reason=\"shed\"}") >= 1.0, "{metrics}");
}

async fn at_the_cap_with_every_connection_busy_newcomers_are_refused_503(app: TestApp) {
    let body = column_body("kept", 200);
    let mut busy = busy_connection(&app, &body).await;
    let mut refused = open(&app).await;
    let (received, _) = until_closed(&mut refused, Instant::now()).await;
    let answer = String::from_utf8_lossy(&received);
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("retry-after: 1\r\n") && answer.contains(r#"{"error":"#), "{answer}");

    assert!(finish(&mut busy, &body).await.starts_with("HTTP/1.1 201"), "the busy one was left alone");
    // Idle now: it makes room for the next newcomer.
    let mut next = open(&app).await;
    assert!(get(&mut next, "/healthz").await.starts_with("HTTP/1.1 200"));
    assert!(until_closed(&mut busy, Instant::now()).await.0.is_empty());
    drop(next);
    let metrics = app.admin_get("/metrics").await.text().await.unwrap();
    assert_eq!(metric(&metrics, "syndic_http_connections_closed_total{reason=\"refused\"}"), 1.0);
}
