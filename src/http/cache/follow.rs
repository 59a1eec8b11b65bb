//! The follower: turns committed changes into evictions. It keeps the change clock
//! reading it last acted on; catching up reads the clock row and, when articles
//! changed, the change log after that reading (`ChangeClock::changes_after`), so it misses
//! nothing whichever instance or process wrote.
//!
//! Writes by this process (its API, poller, scheduled embargoes and expiries) count in
//! `ChangeClock::local_changes`; a request finding the follower behind that count catches up
//! first, so every reader here sees every write made here. Writes by other processes
//! (other instances, the CLI) are noticed by `run`: woken by PostgreSQL's NOTIFY at
//! each commit, or on SQLite by reading the one clock row a few times a second.

use super::{ArticleChanges, RenderCache};
use crate::store::{ChangeClock, ChangeRecord, ClockReading, StoreError};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How often the clock row is read when nothing wakes the follower.
const SQLITE_POLL: Duration = Duration::from_millis(250);
/// With LISTEN, a safety net for notifications lost while reconnecting.
const LISTEN_FALLBACK: Duration = Duration::from_secs(5);
/// Changes read per query while catching up.
const CHANGES_PER_READ: i64 = 1_000;

pub struct CacheFollower {
    clock: ChangeClock,
    cache: Arc<RenderCache>,
    /// The reading acted on last; `None` until the first catch-up.
    seen: tokio::sync::Mutex<Option<ClockReading>>,
    /// Whether a catch-up started by `catch_up_soon` is under way.
    catching_up: AtomicBool,
    /// `ChangeClock::local_changes` as of the last catch-up.
    caught_up: AtomicU64,
}

impl CacheFollower {
    pub fn new(clock: ChangeClock, cache: Arc<RenderCache>) -> CacheFollower {
        CacheFollower {
            clock,
            cache,
            seen: tokio::sync::Mutex::new(None),
            catching_up: AtomicBool::new(false),
            caught_up: AtomicU64::new(0),
        }
    }

    /// Whether this process committed a write the cache has not caught up with.
    pub fn is_behind(&self) -> bool {
        self.clock.local_changes() != self.caught_up.load(Ordering::Acquire)
    }

    /// Evicts what every change committed since the last catch-up touched.
    pub async fn catch_up(&self) -> Result<(), StoreError> {
        let mut guard = self.seen.lock().await;
        self.catch_up_holding(&mut guard).await
    }

    /// `catch_up`, unless another request caught up with this process's writes while
    /// this one waited for its turn.
    pub async fn catch_up_if_behind(&self) -> Result<(), StoreError> {
        let mut guard = self.seen.lock().await;
        if !self.is_behind() {
            return Ok(());
        }
        self.catch_up_holding(&mut guard).await
    }

    /// Catches up in the background, for readers who may be answered meanwhile with what
    /// is held (the freshness contract): one catch-up at a time, however many ask.
    pub fn catch_up_soon(self: &Arc<Self>) {
        if self.catching_up.swap(true, Ordering::AcqRel) {
            return;
        }
        let follower = self.clone();
        tokio::spawn(async move {
            if let Err(error) = follower.catch_up_if_behind().await {
                tracing::error!(%error, "render cache cannot read the change clock");
            }
            follower.catching_up.store(false, Ordering::Release);
        });
    }

    async fn catch_up_holding(&self, guard: &mut Option<ClockReading>) -> Result<(), StoreError> {
        // Counted before reading the clock: those writes have committed by then.
        let local = self.clock.local_changes();
        self.evict_changes_since(guard).await?;
        self.caught_up.fetch_max(local, Ordering::AcqRel);
        Ok(())
    }

    async fn evict_changes_since(&self, guard: &mut Option<ClockReading>) -> Result<(), StoreError> {
        let now = self.clock.reading().await?;
        let seen = match guard.as_mut() {
            Some(seen) if seen.catalog_version == now.catalog_version => seen,
            // The first reading, or the catalogue changed: start over from here.
            _ => {
                self.cache.clear();
                *guard = Some(now);
                return Ok(());
            }
        };
        while now.last_change > seen.last_change {
            let (changes, last) = self.clock.changes_after(seen.last_change, CHANGES_PER_READ).await?;
            self.cache.evict(touched(&changes));
            // Every clock value up to the reading has committed, so a read that finds
            // nothing more (a change to a row since deleted) may skip to it.
            seen.last_change = last.unwrap_or(now.last_change).max(seen.last_change);
            if last.is_none() {
                break;
            }
        }
        Ok(())
    }

    /// Follows changes until the process ends.
    pub async fn run(self: Arc<Self>) {
        let mut listener = match self.clock.listener().await {
            Ok(listener) => listener,
            Err(error) => {
                tracing::error!(%error, "cannot LISTEN for changes; reading the clock every {LISTEN_FALLBACK:?}");
                None
            }
        };
        loop {
            match listener.as_mut() {
                Some(listener) => {
                    // recv reconnects by itself after a lost connection; the timeout
                    // covers notifications sent while it was away.
                    let _ = tokio::time::timeout(LISTEN_FALLBACK, listener.recv()).await;
                }
                None if self.clock.is_polled() => tokio::time::sleep(SQLITE_POLL).await,
                None => tokio::time::sleep(LISTEN_FALLBACK).await,
            }
            if let Err(error) = self.catch_up().await {
                // What is cached stays served (stale-if-error); the reading it acted on
                // last did not move, so catching up later evicts all that changed.
                tracing::error!(%error, "render cache cannot follow changes");
                tokio::time::sleep(SQLITE_POLL).await;
            }
        }
    }
}

fn touched(changes: &[ChangeRecord]) -> ArticleChanges {
    let mut touched = ArticleChanges::default();
    for change in changes {
        touched.articles.insert(change.article_id);
        touched.outlets.insert(change.outlet_id);
        touched.columns.extend(change.column_ids.iter().copied());
    }
    touched
}
