//! Request bodies that keep the client to time. The application reads them as any body;
//! only the time spent waiting for the client counts (not the time the application takes
//! between reads). A body may pause for `body_timeout` at most, and in all keep the
//! server waiting `body_timeout` plus a second for every `body_min_rate` bytes it has
//! delivered (Apache's `RequestReadTimeout ... MinRate`): a client sending at a useful
//! rate is never cut, a trickle of a byte every few seconds is, after about
//! `body_timeout`. The read that waits too long fails with `BodyTimedOut`, which
//! `http::body` answers with 408; hyper then closes the connection, the body unread.

use super::connection::Shared;
use crate::config::ConnectionLimits;
use axum::body::{Bytes, HttpBody};
use axum::BoxError;
use http_body::Frame;
use hyper::body::Incoming;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;
use tokio::time::{Instant, Sleep};

/// A request body waited for longer than the connection limits allow.
#[derive(Debug, thiserror::Error)]
#[error("the request body stopped arriving")]
pub struct BodyTimedOut;

/// Whether `error`, or an error it wraps, is a request body that timed out.
pub fn is_body_timeout(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(error) = current {
        if error.is::<BodyTimedOut>() {
            return true;
        }
        current = error.source();
    }
    false
}

/// The body parts of `ConnectionLimits`.
#[derive(Debug, Clone, Copy)]
pub(super) struct BodyLimits {
    pause: Duration,
    min_rate: u64,
}

impl BodyLimits {
    pub(super) fn new(limits: &ConnectionLimits) -> BodyLimits {
        BodyLimits { pause: limits.body_timeout, min_rate: limits.body_min_rate }
    }

    /// How long the next wait may last, after `received` bytes and `waited` in waits.
    fn allowance(&self, received: u64, waited: Duration) -> Duration {
        if self.min_rate == 0 {
            return self.pause;
        }
        let earned = Duration::from_micros(received.saturating_mul(1_000_000) / self.min_rate);
        self.pause.min(self.pause.saturating_add(earned).saturating_sub(waited))
    }
}

/// A request body with a clock on the client.
pub(super) struct TimedBody {
    incoming: Incoming,
    limits: BodyLimits,
    /// Where a timeout is noted, for the connection's count.
    shared: Arc<Shared>,
    received: u64,
    /// Time spent in waits before the current one.
    waited: Duration,
    /// When the current wait began.
    waiting_since: Option<Instant>,
    /// Allocated at the first wait: most bodies arrive with their head.
    alarm: Option<Pin<Box<Sleep>>>,
}

impl TimedBody {
    pub(super) fn new(incoming: Incoming, limits: BodyLimits, shared: Arc<Shared>) -> TimedBody {
        TimedBody { incoming, limits, shared, received: 0, waited: Duration::ZERO, waiting_since: None, alarm: None }
    }

    /// Waits for the client until its allowance runs out.
    fn poll_wait(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let since = *self.waiting_since.get_or_insert_with(Instant::now);
        let deadline = since + self.limits.allowance(self.received, self.waited);
        let alarm = self.alarm.get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        if alarm.deadline() != deadline {
            alarm.as_mut().reset(deadline);
        }
        ready!(alarm.as_mut().poll(cx));
        self.shared.body_timed_out.store(true, Relaxed);
        Poll::Ready(Some(Err(BodyTimedOut.into())))
    }
}

impl HttpBody for TimedBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        let Poll::Ready(frame) = Pin::new(&mut this.incoming).poll_frame(cx) else {
            return this.poll_wait(cx);
        };
        if let Some(since) = this.waiting_since.take() {
            this.waited += since.elapsed();
        }
        if let Some(data) = frame.as_ref().and_then(|frame| frame.as_ref().ok()).and_then(Frame::data_ref) {
            this.received += data.len() as u64;
        }
        Poll::Ready(frame.map(|frame| frame.map_err(BoxError::from)))
    }

    fn is_end_stream(&self) -> bool {
        self.incoming.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.incoming.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_earns_waiting_time_by_what_it_delivers() {
        let limits = BodyLimits { pause: Duration::from_secs(10), min_rate: 1000 };
        assert_eq!(limits.allowance(0, Duration::ZERO), Duration::from_secs(10));
        // A trickle: 5 bytes in 9 s of waiting leaves a second and 5 ms.
        assert_eq!(limits.allowance(5, Duration::from_secs(9)), Duration::from_millis(1005));
        assert_eq!(limits.allowance(5, Duration::from_secs(11)), Duration::ZERO);
        // A fast body has earned more than a pause, but one pause is all it gets.
        assert_eq!(limits.allowance(1 << 20, Duration::from_secs(60)), Duration::from_secs(10));
        let no_rate = BodyLimits { min_rate: 0, ..limits };
        assert_eq!(no_rate.allowance(0, Duration::from_secs(3600)), Duration::from_secs(10));
    }

    #[test]
    fn timeouts_are_found_inside_the_errors_that_wrap_them() {
        let wrapped = axum::Error::new(BoxError::from(BodyTimedOut));
        assert!(is_body_timeout(&wrapped));
        assert!(!is_body_timeout(&axum::Error::new(BoxError::from("other"))));
    }
}
