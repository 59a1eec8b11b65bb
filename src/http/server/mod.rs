//! The HTTP/1 server: accepts connections, serves each with hyper, and bounds what a
//! client can hold — time and descriptors. Without it one slow client per descriptor
//! (a slowloris trickling a header line every few seconds, a body that never ends, a
//! reader that never reads) keeps the service from answering anyone.
//!
//! - **Timeouts** (`ConnectionLimits`), kept by each connection's watchdog
//!   (`connection`): the request head must be complete within `header_timeout` of the
//!   connection opening or, on a kept-alive connection, of its first byte; a kept-alive
//!   connection waits `idle_timeout` for that first byte; a response left unread for
//!   `send_timeout` is abandoned and the connection reset. Request bodies are timed
//!   where the application reads them (`timed_body`): a pause of `body_timeout`, or a
//!   body slower than `body_min_rate` overall, ends the request with 408.
//! - **A cap** on connections (`max_connections`, by default half the open-file limit):
//!   a client arriving at the cap makes room by closing the connections that have waited
//!   longest for a request head (idle keep-alives, slowlorises), as nginx reuses its idle
//!   connections. When none waits, every connection is busy with a request, each bounded
//!   by the timeouts above: the newcomer is answered 503 with `Retry-After` at once,
//!   rather than closing work in flight or leaving it unseen in the listen backlog.
//!
//! Graceful shutdown: accepting stops, idle connections close, requests in flight are
//! answered, then `run` returns.
//!
//! Allocations and locks are per connection. Per request there are a few atomic counts
//! for the watchdog and a clock reading when the connection turns idle; its timer moves
//! once per idle timeout, not per request.

mod connection;
mod timed_body;

pub use timed_body::is_body_timeout;

use super::cache::CacheFront;
use crate::config::ConnectionLimits;
use connection::Shared;
use std::collections::{BinaryHeap, HashMap};
use std::io;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

/// At the cap, the oldest idle connections are closed a batch at a time, so that a flood
/// of newcomers costs one scan of the table per batch rather than per connection: a
/// 64th of the cap, at most …
const SHED_FRACTION: usize = 64;
/// … 32 at once (nginx frees up to 32 reusable connections when it runs out).
const MAX_SHED_BATCH: usize = 32;
/// Pause after `accept` fails for want of descriptors or memory (idle connections have
/// been shed meanwhile): without it the loop would spin on the same error.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(100);
/// Bytes of an arriving request read and dropped before a refused connection closes,
/// so that it ends with the 503 and a FIN rather than a reset that may lose the 503.
const REFUSED_DRAIN_BYTES: usize = 16 * 1024;
/// The answer to a client arriving when every connection is busy.
const BUSY_BODY: &str = r#"{"error":"every connection is busy; retry shortly"}"#;
/// The cap when the open-file limit cannot be read: half of 1,024, the usual soft limit.
const FALLBACK_MAX_CONNECTIONS: usize = 512;

/// Serves `app` on `listener` until `shutdown` completes, then lets requests in flight
/// finish and returns once every connection is closed.
pub async fn run(
    listener: TcpListener,
    app: CacheFront,
    connections: Arc<Connections>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            biased;
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, peer)) => connections.admit(stream, peer, &app),
            Err(error) if client_gave_up(&error) => {}
            Err(error) => {
                tracing::warn!(%error, "cannot accept connections; closing idle ones");
                connections.shed_idle();
                tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
            }
        }
    }
    drop(listener);
    connections.drain();
    connections.closed().await;
}

/// Whether `accept` failed because the client went away before its connection was taken.
fn client_gave_up(error: &io::Error) -> bool {
    matches!(error.kind(), io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset)
}

/// Every open client connection, the cap on them, and what became of those the server
/// closed (for `/metrics`).
pub struct Connections {
    limits: ConnectionLimits,
    max: usize,
    /// Idle times are kept as microseconds since this instant, in atomics.
    epoch: Instant,
    table: Mutex<Table>,
    /// Connections asked to close to make room that have not yet answered.
    shedding: AtomicUsize,
    /// Wakes `closed` when the last connection goes.
    emptied: tokio::sync::Notify,
    pub counters: ClosedCounters,
}

#[derive(Default)]
struct Table {
    next_id: u64,
    open: HashMap<u64, Arc<Shared>>,
}

/// Connections the server closed, by reason.
#[derive(Debug, Default)]
pub struct ClosedCounters {
    pub header_timeout: AtomicU64,
    pub idle_timeout: AtomicU64,
    pub body_timeout: AtomicU64,
    pub send_timeout: AtomicU64,
    /// Idle connections closed to make room at the cap.
    pub shed: AtomicU64,
    /// Newcomers answered 503 at the cap, every connection being busy.
    pub refused: AtomicU64,
}

impl Connections {
    /// Also raises the open-file limit, before connections count against it.
    pub fn new(limits: ConnectionLimits) -> Connections {
        let open_file_limit = open_file_limit();
        let max = limits
            .max_connections
            .unwrap_or_else(|| open_file_limit.map_or(FALLBACK_MAX_CONNECTIONS, |limit| (limit / 2).max(1)));
        tracing::debug!(max_connections = max, ?open_file_limit, "connection cap");
        Connections {
            limits,
            max,
            epoch: Instant::now(),
            table: Mutex::default(),
            shedding: AtomicUsize::new(0),
            emptied: tokio::sync::Notify::new(),
            counters: ClosedCounters::default(),
        }
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        self.lock().open.len()
    }

    /// The cap.
    pub fn max(&self) -> usize {
        self.max
    }

    /// Serves `stream`, making room for it at the cap; refuses it when nothing can give way.
    fn admit(self: &Arc<Self>, stream: TcpStream, peer: std::net::SocketAddr, app: &CacheFront) {
        let accepted = Instant::now();
        let registered = {
            let mut table = self.lock();
            let full = table.open.len().saturating_sub(self.shedding.load(Ordering::Acquire)) >= self.max;
            if full && self.shed_oldest_idle(&table) == 0 {
                None
            } else {
                let shared = Arc::new(Shared::new(self.micros_since_epoch(accepted)));
                let id = table.next_id;
                table.next_id += 1;
                table.open.insert(id, shared.clone());
                Some(Registered { connections: self.clone(), id, shared })
            }
        };
        let Some(registered) = registered else {
            refuse(stream);
            self.counters.refused.fetch_add(1, Ordering::Relaxed);
            return;
        };
        // As nginx does on keep-alive connections: the last, partial segment of a
        // response leaves at once, not after the client's delayed ACK of the one before
        // (up to 40 ms). Headers still share a segment with the body (MSG_MORE).
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "TCP_NODELAY not set");
        }
        tokio::spawn(connection::serve(stream, peer, app.clone(), registered, accepted));
    }

    /// Asks a batch of the connections that have waited longest for a request head to
    /// close; returns how many were asked.
    fn shed_oldest_idle(&self, table: &Table) -> usize {
        let batch = (self.max / SHED_FRACTION).clamp(1, MAX_SHED_BATCH);
        // The `batch` smallest idle times: a max-heap whose top is the youngest kept.
        let mut oldest = BinaryHeap::with_capacity(batch + 1);
        for (id, shared) in &table.open {
            if let Some(since) = shared.idle_since() {
                oldest.push((since, *id));
                if oldest.len() > batch {
                    oldest.pop();
                }
            }
        }
        for (_, id) in &oldest {
            // Counted before it is asked, so that its answer never finds the count at 0.
            self.shedding.fetch_add(1, Ordering::AcqRel);
            table.open[id].ask_to_shed();
        }
        oldest.len()
    }

    /// Sheds idle connections whatever their number: descriptors ran out below the cap.
    fn shed_idle(&self) {
        let table = self.lock();
        self.shed_oldest_idle(&table);
    }

    /// Asks every connection to finish its request in flight, if any, and close.
    fn drain(&self) {
        for shared in self.lock().open.values() {
            shared.ask_to_drain();
        }
    }

    /// Completes when no connection is open.
    async fn closed(&self) {
        loop {
            let emptied = self.emptied.notified();
            let mut emptied = std::pin::pin!(emptied);
            emptied.as_mut().enable();
            if self.lock().open.is_empty() {
                return;
            }
            emptied.await;
        }
    }

    fn micros_since_epoch(&self, at: Instant) -> u64 {
        u64::try_from(at.saturating_duration_since(self.epoch).as_micros()).unwrap_or(u64::MAX)
    }

    // Every change to the table is one insert or remove: a poisoned table is consistent.
    fn lock(&self) -> MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A connection's place in the table, given up when it is dropped.
struct Registered {
    connections: Arc<Connections>,
    id: u64,
    shared: Arc<Shared>,
}

impl Registered {
    /// Answers a request to close made room for (or notes that there was none): it no
    /// longer counts as on its way out.
    fn settle_shed(&self) {
        if self.shared.take_shed_request() {
            self.connections.shedding.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        let mut table = self.connections.lock();
        table.open.remove(&self.id);
        self.settle_shed();
        if table.open.is_empty() {
            self.connections.emptied.notify_waiters();
        }
    }
}

/// Answers 503 to a connection arriving when every other one is busy, and closes it.
/// Best effort and without waiting: a fresh socket's send buffer takes the answer.
fn refuse(stream: TcpStream) {
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 1\r\n\
         connection: close\r\ncontent-length: {}\r\n\r\n{BUSY_BODY}",
        BUSY_BODY.len()
    );
    let _ = stream.try_write(answer.as_bytes());
    let mut scratch = [0u8; 4096];
    let mut drained = 0;
    while drained < REFUSED_DRAIN_BYTES {
        match stream.try_read(&mut scratch) {
            Ok(n) if n > 0 => drained += n,
            _ => break,
        }
    }
    tracing::debug!("connection refused: every connection is busy");
}

/// The open-file limit, raised to its hard limit the first time it is asked for (as
/// nginx and Go do), before connections and mapped bodies count against it; `None` when
/// it cannot be read.
#[cfg(unix)]
pub(crate) fn open_file_limit() -> Option<usize> {
    static LIMIT: std::sync::OnceLock<Option<usize>> = std::sync::OnceLock::new();
    *LIMIT.get_or_init(|| {
        let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        // SAFETY: getrlimit/setrlimit with a valid struct.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
                return None;
            }
            if limit.rlim_cur < limit.rlim_max {
                let raised = libc::rlimit { rlim_cur: limit.rlim_max, rlim_max: limit.rlim_max };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                    limit = raised;
                }
            }
        }
        Some(usize::try_from(limit.rlim_cur).unwrap_or(usize::MAX))
    })
}

#[cfg(not(unix))]
pub(crate) fn open_file_limit() -> Option<usize> {
    None
}
