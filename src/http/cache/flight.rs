//! Single-flight renders: readers missing one document at once wait for one render of it
//! rather than each rendering their own. When a feed read by hundreds of connections is
//! superseded, they would otherwise all miss together and render the same document
//! hundreds of times, and writes would queue behind those renders.
//!
//! A flight renders one cache key from an epoch on (`RenderCache::epoch` when it began). A
//! reader joins the flight under way if it began at or after the version the reader needs
//! (the epoch of the latest change that touched the document), so a reader never gets a
//! render that may predate a change it must see; otherwise it leads a new one. Waiting is
//! bounded: a render that fails hands its failure to those waiting, and a leader that goes
//! away (its client hung up) lets them render for themselves.

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

use crate::http::representation::Prepared;

/// What a flight ended with, for the readers who waited for it.
#[derive(Clone)]
pub enum Outcome {
    /// The document, and the route that rendered it.
    Document(Arc<Prepared>, Arc<str>),
    /// The render failed: its answer, for every reader of the document.
    Failed(Arc<Failure>),
    /// Nothing the waiting readers may be given (not a document, or its leader went away):
    /// each asks for itself.
    NotShared,
}

/// A failed render's answer (an error: short, never personal).
pub struct Failure {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// How a reader got its answer.
pub enum Rendered<T> {
    /// It led the flight: its own render's result.
    Led(T),
    /// It waited for another reader's render.
    Waited(Outcome),
    /// The flight did not end in time.
    TimedOut,
}

struct Flight {
    id: u64,
    epoch: u64,
    /// Shared with the leader: when both are gone, waiters stop waiting.
    outcome: Arc<watch::Sender<Option<Outcome>>>,
}

/// The renders under way, one per cache key at most.
#[derive(Clone, Default)]
pub struct Flights {
    flights: Arc<Mutex<HashMap<Box<str>, Flight>>>,
    next_id: Arc<AtomicU64>,
}

impl Flights {
    /// The answer of a render of `key` begun at `version` or later: one under way, or
    /// `render` (given the flight's epoch, `epoch`) led by this caller. A caller waits at
    /// most `wait`.
    pub async fn render<T, F, Fut>(&self, key: &str, version: u64, epoch: u64, wait: Duration, render: F) -> Rendered<T>
    where
        F: FnOnce(u64) -> Fut,
        Fut: std::future::Future<Output = (T, Outcome)>,
    {
        let leader = {
            let mut flights = self.lock();
            match flights.get(key) {
                Some(flight) if flight.epoch >= version => Err(flight.outcome.subscribe()),
                _ => {
                    let id = self.next_id.fetch_add(1, Ordering::Relaxed);
                    let sender = Arc::new(watch::Sender::new(None));
                    flights.insert(key.into(), Flight { id, epoch, outcome: sender.clone() });
                    Ok(Leader { flights: self.clone(), key: key.into(), id, sender })
                }
            }
        };
        match leader {
            Ok(leader) => {
                let (own, outcome) = render(epoch).await;
                leader.finish(outcome);
                Rendered::Led(own)
            }
            Err(mut outcome) => {
                let ended = tokio::time::timeout(wait, outcome.wait_for(Option::is_some)).await;
                match ended {
                    Ok(Ok(outcome)) => Rendered::Waited(outcome.clone().unwrap_or(Outcome::NotShared)),
                    // The leader went away without an outcome.
                    Ok(Err(_)) => Rendered::Waited(Outcome::NotShared),
                    Err(_) => Rendered::TimedOut,
                }
            }
        }
    }

    /// Whether a render of `key` begun at `version` or later is under way.
    pub fn is_under_way(&self, key: &str, version: u64) -> bool {
        self.lock().get(key).is_some_and(|flight| flight.epoch >= version)
    }

    /// Renders under way.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().len()
    }

    /// Readers waiting for the render of `key` under way.
    #[cfg(test)]
    fn waiting(&self, key: &str) -> usize {
        self.lock().get(key).map_or(0, |flight| flight.outcome.receiver_count())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Box<str>, Flight>> {
        // Every update is a single insert or remove: a poisoned map is still consistent.
        self.flights.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The reader rendering for a flight. Dropped, finished or not (its client hung up), it
/// takes the flight off the map; the waiting readers then see its outcome, or none.
struct Leader {
    flights: Flights,
    key: Box<str>,
    id: u64,
    sender: Arc<watch::Sender<Option<Outcome>>>,
}

impl Leader {
    fn finish(self, outcome: Outcome) {
        self.sender.send_replace(Some(outcome));
    }
}

impl Drop for Leader {
    fn drop(&mut self) {
        let mut flights = self.flights.lock();
        if flights.get(&self.key).is_some_and(|flight| flight.id == self.id) {
            flights.remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::representation::Representation;
    use std::sync::atomic::AtomicUsize;

    const WAIT: Duration = Duration::from_secs(5);

    fn document(body: &str) -> Outcome {
        Outcome::Document(Arc::new(Representation::new("text/plain", body, 60).prepare()), "/test".into())
    }

    /// `n` readers missing `key` at once, each needing `version`; renders counted.
    async fn readers(flights: &Flights, renders: &Arc<AtomicUsize>, n: usize, version: u64) -> Vec<Rendered<u64>> {
        let gate = Arc::new(tokio::sync::Barrier::new(n));
        let tasks: Vec<_> = (0..n)
            .map(|_| {
                let (flights, renders, gate) = (flights.clone(), renders.clone(), gate.clone());
                tokio::spawn(async move {
                    gate.wait().await;
                    let waiters = flights.clone();
                    flights
                        .render("/rss.xml", version, version, WAIT, |epoch| async move {
                            renders.fetch_add(1, Ordering::SeqCst);
                            // Runs until every other reader waits for it.
                            while waiters.waiting("/rss.xml") < n - 1 {
                                tokio::task::yield_now().await;
                            }
                            (epoch, document("feed"))
                        })
                        .await
                })
            })
            .collect();
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.unwrap());
        }
        results
    }

    #[tokio::test]
    async fn concurrent_misses_wait_for_one_render() {
        let (flights, renders) = (Flights::default(), Arc::new(AtomicUsize::new(0)));
        let results = readers(&flights, &renders, 32, 7).await;
        assert_eq!(renders.load(Ordering::SeqCst), 1, "one render for 32 readers");
        let led = results.iter().filter(|r| matches!(r, Rendered::Led(7))).count();
        let waited = results.iter().filter(|r| matches!(r, Rendered::Waited(Outcome::Document(..)))).count();
        assert_eq!((led, waited), (1, 31));
        assert_eq!(flights.len(), 0, "the flight is over");
        readers(&flights, &renders, 4, 8).await;
        assert_eq!(renders.load(Ordering::SeqCst), 2, "a later version is rendered again, once");
    }

    #[tokio::test]
    async fn a_flight_older_than_the_version_needed_is_not_joined() {
        let flights = Flights::default();
        let (started, release) = (Arc::new(tokio::sync::Notify::new()), Arc::new(tokio::sync::Notify::new()));
        let old = tokio::spawn({
            let (flights, started, release) = (flights.clone(), started.clone(), release.clone());
            async move {
                flights
                    .render("/rss.xml", 1, 1, WAIT, |_| async move {
                        started.notify_one();
                        release.notified().await;
                        ((), document("old"))
                    })
                    .await
            }
        });
        started.notified().await;
        assert!(flights.is_under_way("/rss.xml", 1) && !flights.is_under_way("/rss.xml", 2));
        let newer = flights.render("/rss.xml", 2, 2, WAIT, |_| async { ("own", document("new")) }).await;
        assert!(matches!(newer, Rendered::Led("own")), "a change came after the flight began");
        release.notify_one();
        assert!(matches!(old.await.unwrap(), Rendered::Led(())));
    }

    #[tokio::test]
    async fn waiters_get_the_failure_or_give_up_in_time() {
        let flights = Flights::default();
        let failing = tokio::spawn({
            let (flights, watched) = (flights.clone(), flights.clone());
            async move {
                flights
                    .render("/a", 0, 0, WAIT, |_| async move {
                        while watched.waiting("/a") < 1 {
                            tokio::task::yield_now().await;
                        }
                        let failure = Failure {
                            status: StatusCode::SERVICE_UNAVAILABLE,
                            headers: HeaderMap::new(),
                            body: Bytes::from_static(b"{}"),
                        };
                        ((), Outcome::Failed(Arc::new(failure)))
                    })
                    .await
            }
        });
        tokio::task::yield_now().await;
        while !flights.is_under_way("/a", 0) {
            tokio::task::yield_now().await;
        }
        let waited = flights.render("/a", 0, 0, WAIT, |_| async { ((), document("never")) }).await;
        let Rendered::Waited(Outcome::Failed(failure)) = waited else { panic!("the leader's failure") };
        assert_eq!(failure.status, StatusCode::SERVICE_UNAVAILABLE);
        failing.await.unwrap();

        // A leader that never ends: its waiters stop waiting; a leader that goes away: they
        // ask for themselves.
        let stuck = tokio::spawn({
            let flights = flights.clone();
            async move { flights.render("/b", 0, 0, WAIT, |_| std::future::pending::<((), Outcome)>()).await }
        });
        while !flights.is_under_way("/b", 0) {
            tokio::task::yield_now().await;
        }
        let short = Duration::from_millis(50);
        assert!(matches!(
            flights.render("/b", 0, 0, short, |_| async { ((), document("x")) }).await,
            Rendered::TimedOut
        ));
        let waiter = tokio::spawn({
            let flights = flights.clone();
            async move { flights.render("/b", 0, 0, WAIT, |_| async { ((), document("x")) }).await }
        });
        while flights.waiting("/b") < 1 {
            tokio::task::yield_now().await;
        }
        stuck.abort();
        assert!(matches!(waiter.await.unwrap(), Rendered::Waited(Outcome::NotShared)));
        assert_eq!(flights.len(), 0);
    }
}
