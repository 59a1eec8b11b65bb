//! One running syndic, wired once: the database opened and migrated, the operations
//! over it, and `serve`'s parts (the HTTP server with its render cache and follower, the
//! notifier, the image keeper, the WebSub subscriber, the poll scheduler, the search index's
//! follower) started and stopped together. `syndic serve` and the integration tests
//! start the same server through here.

use crate::config::Config;
use crate::http::{self, AppState};
use crate::operations::Operations;
use crate::store::Store;
use anyhow::Context;
use std::future::Future;
use std::sync::Arc;

/// How long polls and deliveries in flight may take to finish at shutdown.
pub const DRAIN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Opens the configured database, applies pending migrations, and gives the operations
/// over it.
pub async fn open(config: Config) -> anyhow::Result<Operations> {
    let store = Store::connect_within(&config.database_url, config.database_connect_timeout)
        .await
        .with_context(|| format!("cannot open database {}", redact_url(&config.database_url)))?;
    store.migrate().await.context("database migration failed")?;
    Ok(Operations::new(store, Arc::new(config)))
}

/// What a `serve` does beside answering requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Duties {
    /// Poll sources when they are due. Off, sources are polled only when asked to
    /// (`POST /api/v1/sources/{id}/poll`), as tests that count fetches need.
    pub poll_sources: bool,
}

impl Duties {
    /// Everything `syndic serve` does.
    pub const ALL: Duties = Duties { poll_sources: true };
}

/// Serves on `listener` until `shutdown` completes, with the notifier (and the poll
/// scheduler, per `duties`) beside it; then lets in-flight requests finish, and polls
/// and deliveries for up to `DRAIN_TIMEOUT`. Dropping this future (aborting its task)
/// stops everything it started, as a crash would.
pub async fn serve(
    listener: tokio::net::TcpListener,
    operations: Operations,
    duties: Duties,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let stopped = move || {
        let mut stopping = stopping.clone();
        async move {
            let _ = stopping.wait_for(|stop| *stop).await;
        }
    };
    let mut background = tokio::task::JoinSet::new();
    if duties.poll_sources {
        let (pipeline, fetcher) = operations.poller();
        background.spawn(crate::ingest::poll::run_scheduler(pipeline, fetcher, stopped()));
    }
    background.spawn(operations.notifier().run(stopped()));
    background.spawn(operations.image_keeper().run(stopped()));
    background.spawn(operations.subscriber().run(stopped()));
    // Apart: it has nothing to drain (a stopped follower catches up at the next start),
    // and a JoinSet stops its tasks when dropped, as when this future is.
    let mut following = tokio::task::JoinSet::new();
    let search = operations.clone();
    following.spawn(async move { search.follow_search().await });
    http::serve(listener, AppState::new(operations), shutdown).await;
    let _ = stop.send(true);
    following.abort_all();
    let drained = tokio::time::timeout(DRAIN_TIMEOUT, async { while background.join_next().await.is_some() {} });
    if drained.await.is_err() {
        tracing::warn!(
            "polls or deliveries still running after {DRAIN_TIMEOUT:?}; their leases let another run retry them"
        );
    }
}

/// A database URL with any password replaced, for messages.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}
