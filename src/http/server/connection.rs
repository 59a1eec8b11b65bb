//! One client connection: hyper serves it, and a watchdog beside hyper decides when the
//! client has been waited for long enough. hyper does not say where a connection
//! stands, so the socket (`Watched`), the request handed to the application
//! (`Dispatch`) and the response coming back (`Tracked`) count what passes in a few
//! atomics (`Shared`); after each poll of the connection the watchdog reads them, works
//! out what the connection waits for and since when, and arms one timer for that.
//!
//! hyper's own `header_read_timeout` is not used: its clock starts as soon as a response
//! is in the socket's buffer, so it would cut a slow reader still receiving a large
//! feed, and it cannot give an idle keep-alive a time of its own.

use super::timed_body::{BodyLimits, TimedBody};
use super::Registered;
use crate::http::cache::CacheFront;
use axum::body::{Body, Bytes, HttpBody};
use futures_util::task::AtomicWaker;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::Ordering::{self, Relaxed};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8};
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::{Instant, Sleep};

/// `Shared::signals`: make room — close if still idle.
const SHED: u8 = 1;
/// `Shared::signals`: the server is stopping — finish the request in flight and close.
const DRAIN: u8 = 2;

/// What a connection's parts record for its watchdog, and what the accept loop reads
/// and asks of it. Everything but `signals` is written from the connection's own task.
pub(super) struct Shared {
    /// Requests handed to the application.
    requests: AtomicU64,
    /// Responses hyper is done with (their bodies dropped, written or abandoned).
    responses: AtomicU64,
    /// Bytes read from the socket.
    received: AtomicU64,
    /// Bytes written to the socket.
    sent: AtomicU64,
    /// The last write found the socket's buffer full.
    write_blocked: AtomicBool,
    /// A request body stopped arriving (`TimedBody`); the connection closes after the 408.
    pub(super) body_timed_out: AtomicBool,
    /// Microseconds after the table's epoch, plus one, since when the connection has been
    /// waiting for a request head; 0 while it serves one.
    idle_since: AtomicU64,
    signals: AtomicU8,
    /// The connection's task, woken for `signals`.
    waker: AtomicWaker,
}

impl Shared {
    /// A connection accepted `idle_since` microseconds after the table's epoch.
    pub(super) fn new(idle_since: u64) -> Shared {
        Shared {
            requests: AtomicU64::new(0),
            responses: AtomicU64::new(0),
            received: AtomicU64::new(0),
            sent: AtomicU64::new(0),
            write_blocked: AtomicBool::new(false),
            body_timed_out: AtomicBool::new(false),
            idle_since: AtomicU64::new(idle_since.saturating_add(1)),
            signals: AtomicU8::new(0),
            waker: AtomicWaker::new(),
        }
    }

    /// Since when the connection has waited for a request head, if it does and has not
    /// already been asked to make room.
    pub(super) fn idle_since(&self) -> Option<u64> {
        if self.signals.load(Relaxed) & SHED != 0 {
            return None;
        }
        self.idle_since.load(Relaxed).checked_sub(1)
    }

    pub(super) fn ask_to_shed(&self) {
        self.signal(SHED);
    }

    pub(super) fn ask_to_drain(&self) {
        self.signal(DRAIN);
    }

    fn signal(&self, flag: u8) {
        self.signals.fetch_or(flag, Ordering::AcqRel);
        self.waker.wake();
    }

    /// Clears a request to make room; whether there was one.
    pub(super) fn take_shed_request(&self) -> bool {
        self.signals.fetch_and(!SHED, Ordering::AcqRel) & SHED != 0
    }
}

/// Why the server closed a connection the client had not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Timeout {
    /// No whole request head in time.
    Header,
    /// No next request on a kept-alive connection.
    Idle,
    /// The client took no response bytes.
    Send,
}

/// How a connection ended.
enum End {
    /// hyper finished with it: either side closed, or a request body timed out.
    Served(Result<(), hyper::Error>),
    TimedOut(Timeout),
    /// Closed while idle to make room at the cap.
    Shed,
}

/// Serves one accepted connection until it ends, then counts how it ended.
pub(super) async fn serve(
    stream: TcpStream,
    peer: std::net::SocketAddr,
    app: CacheFront,
    registered: Registered,
    accepted: Instant,
) {
    let limits = registered.connections.limits;
    #[cfg(unix)]
    let socket = std::os::fd::AsRawFd::as_raw_fd(&stream);
    #[cfg(target_os = "linux")]
    let stream = crate::http::zero_copy::Connection::new(stream);
    let shared = registered.shared.clone();
    let io = TokioIo::new(Watched { inner: stream, shared: shared.clone() });
    let dispatch = Dispatch { app, shared, peer, body: BodyLimits::new(&limits) };
    let mut watchdog = Watchdog::new(registered, accepted);
    // The watchdog keeps every timer (see the module's documentation).
    let connection =
        hyper::server::conn::http1::Builder::new().header_read_timeout(None).serve_connection(io, dispatch);
    let mut connection = std::pin::pin!(connection);
    let mut alarm = std::pin::pin!(tokio::time::sleep_until(watchdog.armed));
    let end = std::future::poll_fn(|cx| {
        if watchdog.drain_asked(cx) {
            connection.as_mut().graceful_shutdown();
        }
        if let Poll::Ready(result) = connection.as_mut().poll(cx) {
            return Poll::Ready(End::Served(result));
        }
        watchdog.poll_after_connection(cx, alarm.as_mut())
    })
    .await;
    #[cfg(unix)]
    if matches!(end, End::TimedOut(Timeout::Send)) {
        // `connection` still owns the socket: it is dropped on return, then `watchdog`
        // gives up the connection's place in the table.
        reset_on_close(socket);
    }
    // Counted before the client can see the connection close.
    watchdog.count(end);
}

/// What a connection is doing, as its watchdog last saw it.
#[derive(Debug, Clone, Copy)]
enum Phase {
    /// Waiting for a request head, after `responses` responses, since `since`; `head`:
    /// when its first bytes came (`received` counted bytes up to `since`).
    Waiting { responses: u64, since: Instant, received: u64, head: Option<Instant> },
    /// A request is with the application; the pauses of its body are `TimedBody`'s to judge.
    Busy,
    /// A write found the socket full at `since`, `sent` bytes into the connection.
    Sending { sent: u64, since: Instant },
}

struct Watchdog {
    registered: Registered,
    accepted: Instant,
    phase: Phase,
    /// The alarm's deadline: the connection's, or an earlier one still to be moved.
    armed: Instant,
    draining: bool,
}

impl Watchdog {
    fn new(registered: Registered, accepted: Instant) -> Watchdog {
        let armed = accepted + registered.connections.limits.header_timeout;
        let phase = Phase::Waiting { responses: 0, since: accepted, received: 0, head: None };
        Watchdog { registered, accepted, phase, armed, draining: false }
    }

    fn shared(&self) -> &Shared {
        &self.registered.shared
    }

    /// Registers the task for the accept loop's signals; true once the server stops.
    fn drain_asked(&mut self, cx: &mut Context<'_>) -> bool {
        self.shared().waker.register(cx.waker());
        if !self.draining && self.shared().signals.load(Ordering::Acquire) & DRAIN != 0 {
            self.draining = true;
            return true;
        }
        false
    }

    /// After hyper has done what it could: whether the connection has waited too long,
    /// or must make room; otherwise the alarm is set for when it will have.
    fn poll_after_connection(&mut self, cx: &mut Context<'_>, mut alarm: Pin<&mut Sleep>) -> Poll<End> {
        let due = self.look();
        if self.shared().signals.load(Ordering::Acquire) & SHED != 0 {
            if matches!(self.phase, Phase::Waiting { .. }) {
                // Its place in the table settles the count of connections leaving.
                return Poll::Ready(End::Shed);
            }
            // A request came after it was chosen: it stays.
            self.registered.settle_shed();
        }
        let Some((deadline, timeout)) = due else {
            // An earlier alarm may still wake the task once; the next look ignores it.
            return Poll::Pending;
        };
        if deadline < self.armed {
            alarm.as_mut().reset(deadline);
            self.armed = deadline;
        }
        // A later deadline (each request moves the idle one) waits until the alarm rings
        // for the earlier one: the alarm moves once per idle timeout, not per request.
        loop {
            ready!(alarm.as_mut().poll(cx));
            if self.armed >= deadline {
                return Poll::Ready(End::TimedOut(timeout));
            }
            alarm.as_mut().reset(deadline);
            self.armed = deadline;
        }
    }

    /// Reads the connection's counts: what it waits for, with the deadline and the
    /// timeout that applies; `None` while the application has its request.
    fn look(&mut self) -> Option<(Instant, Timeout)> {
        let limits = self.registered.connections.limits;
        let shared = &self.registered.shared;
        let (requests, responses) = (shared.requests.load(Relaxed), shared.responses.load(Relaxed));
        let (received, sent) = (shared.received.load(Relaxed), shared.sent.load(Relaxed));
        if shared.write_blocked.load(Relaxed) {
            let since = match self.phase {
                Phase::Sending { sent: seen, since } if seen == sent => since,
                _ => {
                    let now = Instant::now();
                    self.enter(Phase::Sending { sent, since: now });
                    now
                }
            };
            return Some((since + limits.send_timeout, Timeout::Send));
        }
        if requests != responses {
            self.enter(Phase::Busy);
            return None;
        }
        match &mut self.phase {
            Phase::Waiting { responses: seen, received: before, head, .. } if *seen == responses => {
                if head.is_none() && *before != received {
                    *head = Some(Instant::now());
                }
            }
            _ => self.enter(Phase::Waiting { responses, since: Instant::now(), received, head: None }),
        }
        let Phase::Waiting { since, head, .. } = self.phase else { unreachable!("entered above") };
        Some(match head {
            // A new connection has `header_timeout` from its opening for its first request.
            _ if responses == 0 => (self.accepted + limits.header_timeout, Timeout::Header),
            Some(head) => (head + limits.header_timeout, Timeout::Header),
            None => (since + limits.idle_timeout, Timeout::Idle),
        })
    }

    /// Moves to `phase`, telling the accept loop whether the connection is now idle.
    fn enter(&mut self, phase: Phase) {
        let idle_since = match phase {
            Phase::Waiting { since, .. } => self.registered.connections.micros_since_epoch(since).saturating_add(1),
            Phase::Busy | Phase::Sending { .. } => 0,
        };
        if !matches!((self.phase, phase), (Phase::Busy, Phase::Busy)) {
            self.shared().idle_since.store(idle_since, Relaxed);
        }
        self.phase = phase;
    }

    /// Counts a connection the server closed, by why.
    fn count(&self, end: End) {
        let counters = &self.registered.connections.counters;
        let counter = match end {
            End::Served(_) if self.shared().body_timed_out.load(Relaxed) => &counters.body_timeout,
            End::Served(Ok(())) => return,
            End::Served(Err(error)) => {
                tracing::debug!(%error, "connection ended");
                return;
            }
            End::TimedOut(Timeout::Header) => &counters.header_timeout,
            End::TimedOut(Timeout::Idle) => &counters.idle_timeout,
            End::TimedOut(Timeout::Send) => &counters.send_timeout,
            End::Shed => &counters.shed,
        };
        counter.fetch_add(1, Relaxed);
    }
}

/// Makes closing the socket reset the connection: what the kernel still holds for a
/// client that stopped reading is dropped at once, rather than offered for minutes.
#[cfg(unix)]
fn reset_on_close(socket: std::os::fd::RawFd) {
    let linger = libc::linger { l_onoff: 1, l_linger: 0 };
    // SAFETY: the caller keeps `socket` open; the option value is a `linger` of its size.
    let set = unsafe {
        libc::setsockopt(
            socket,
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&linger as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        )
    };
    if set != 0 {
        tracing::debug!(error = %io::Error::last_os_error(), "SO_LINGER not set");
    }
}

/// The socket, counting the bytes that pass and whether writing is blocked.
struct Watched<T> {
    inner: T,
    shared: Arc<Shared>,
}

impl<T> Watched<T> {
    fn count_write(&self, written: Poll<io::Result<usize>>) -> Poll<io::Result<usize>> {
        match &written {
            Poll::Pending => self.shared.write_blocked.store(true, Relaxed),
            Poll::Ready(Ok(n)) => {
                self.shared.sent.fetch_add(*n as u64, Relaxed);
                self.shared.write_blocked.store(false, Relaxed);
            }
            Poll::Ready(Err(_)) => {}
        }
        written
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Watched<T> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let read = Pin::new(&mut self.inner).poll_read(cx, buf);
        let received = buf.filled().len() - before;
        if received > 0 {
            self.shared.received.fetch_add(received as u64, Relaxed);
        }
        read
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Watched<T> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let written = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.count_write(written)
    }

    // Vectored writes pass through whole: `zero_copy` finds mapped bodies among them.
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let written = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.count_write(written)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Hands hyper's requests to the application, counting them, with bodies that keep the
/// client to time.
struct Dispatch {
    app: CacheFront,
    shared: Arc<Shared>,
    /// The client's address, which handlers read as axum's `ConnectInfo` (login throttling).
    peer: std::net::SocketAddr,
    body: BodyLimits,
}

impl hyper::service::Service<hyper::Request<Incoming>> for Dispatch {
    type Response = hyper::Response<Tracked>;
    type Error = Infallible;
    type Future = Responding;

    fn call(&self, request: hyper::Request<Incoming>) -> Responding {
        self.shared.requests.fetch_add(1, Relaxed);
        let mut request = request.map(|body| {
            if body.is_end_stream() {
                Body::new(body)
            } else {
                Body::new(TimedBody::new(body, self.body, self.shared.clone()))
            }
        });
        request.extensions_mut().insert(axum::extract::ConnectInfo(self.peer));
        // The application is cloned for each request, as axum's own server does.
        let answer = tower::ServiceExt::oneshot(self.app.clone(), request);
        Responding { answer, shared: Some(self.shared.clone()) }
    }
}

/// The application's answer, its body counted when hyper is done with it.
struct Responding {
    answer: tower::util::Oneshot<CacheFront, axum::extract::Request>,
    shared: Option<Arc<Shared>>,
}

impl Future for Responding {
    type Output = Result<hyper::Response<Tracked>, Infallible>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let Ok(response) = ready!(Pin::new(&mut self.answer).poll(cx));
        let shared = self.shared.take().expect("a response is produced once");
        Poll::Ready(Ok(response.map(|body| Tracked { body, shared })))
    }
}

/// A response body that counts itself done when hyper drops it.
pub(super) struct Tracked {
    body: Body,
    shared: Arc<Shared>,
}

impl HttpBody for Tracked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.shared.responses.fetch_add(1, Relaxed);
    }
}
