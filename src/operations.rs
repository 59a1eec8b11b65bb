//! The operations `http` and `cli` call: every write and every read they need, once,
//! whichever edge the request came through. Handlers and commands only parse, call and
//! shape; they never hold the `Store`.
//!
//! Beneath, articles are stored only through `ingest::Pipeline` (the content policy),
//! the catalogue is changed only through `catalog` (its validation), and public
//! documents are read only through `assemble` (`Operations::assembler`). Every write
//! names its `Actor`. A change a person makes (catalogue, users, tokens, sources,
//! partners, the quarantine, withdrawals) is recorded in the audit log in its own
//! transaction: the operation hands the write an `Audit` (`store::audit`), and the write
//! records its entry just before it commits. What the audit log leaves out (pushes,
//! imports and polls by outlets and the scheduler, which the change log records; WebSub
//! requests; the demo's articles; whole-database copies) is logged by
//! `Operations::record`. This module adds no error type: each
//! operation fails with the error of the layer that decides (`CatalogError`,
//! `IngestError`, `ImportError`, `StoreError`).

mod articles;
mod audit;
mod catalog;
mod corrections;
pub mod dashboard;
mod media;
mod partners;
mod review;
mod search;
mod sessions;
mod sources;
mod subscriptions;
mod transfer;
mod users;

pub use corrections::Edit;
pub use search::{Audience, PageQuery, SearchHit, SearchPage, SearchRequest};
pub use sessions::{LoginAttempt, LoginOutcome, Session, SessionEntry};
pub use sources::PreviewError;

use crate::assemble::Assembler;
use crate::config::Config;
use crate::domain::Actor;
use crate::ingest::fetch::Fetcher;
use crate::ingest::Pipeline;
use crate::metrics::Metrics;
use crate::publish::Site;
use crate::store::{ChangeClock, Store, StoreError};
use std::fmt::Display;
use std::sync::Arc;

/// The operations of one syndic, over its store; cheap to clone.
#[derive(Clone)]
pub struct Operations {
    store: Store,
    pipeline: Pipeline,
    fetcher: Fetcher,
    site: Arc<Site>,
    config: Arc<Config>,
    /// This instance's search index, opened on first use (`search`).
    search: Arc<tokio::sync::OnceCell<Arc<crate::search::IndexFollower>>>,
}

impl Operations {
    pub fn new(store: Store, config: Arc<Config>) -> Operations {
        let site = Arc::new(Site::new(
            &config.base_url,
            config.site.clone(),
            config.notify.websub_hub.as_deref(),
            config.attribution.clone(),
        ));
        let fetcher = Fetcher::new(&config.base_url, config.fetch_allow.clone());
        let pipeline = Pipeline::new(store.clone(), config.policy.clone());
        Operations { store, pipeline, fetcher, site, config, search: Default::default() }
    }

    /// Every public URL's shape, from the configured base URL.
    pub fn site(&self) -> &Arc<Site> {
        &self.site
    }

    pub fn config(&self) -> &Arc<Config> {
        &self.config
    }

    /// Reads what a public document shows: feeds, pages, sitemaps.
    pub fn assembler(&self) -> Assembler<'_> {
        Assembler { store: &self.store, site: &self.site, config: &self.config }
    }

    /// Where requests, ingests and polls are counted.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.pipeline.metrics
    }

    /// What the render cache follows: the change clock, and nothing else of the store.
    pub fn change_clock(&self) -> ChangeClock {
        ChangeClock::new(self.store.clone())
    }

    /// The pipeline and fetcher the poll scheduler runs with (`ingest::poll`).
    pub fn poller(&self) -> (Pipeline, Fetcher) {
        (self.pipeline.clone(), self.fetcher.clone())
    }

    /// The image keeper of this instance (`ingest::images`).
    pub fn image_keeper(&self) -> crate::ingest::images::ImageKeeper {
        crate::ingest::images::ImageKeeper::new(self.store.clone(), self.fetcher.clone(), self.config.media.clone())
    }

    /// The notifier of this instance (WebSub, IndexNow, Baidu, hub pings).
    pub fn notifier(&self) -> crate::notify::Notifier {
        crate::notify::Notifier::new(self.store.clone(), self.site.clone(), self.config.clone(), self.fetcher.clone())
    }

    /// Closes the database connections, once everything using them has stopped.
    pub async fn close(&self) {
        self.store.close().await;
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.store.ping().await
    }

    /// Database connections: open, idle, most allowed.
    pub fn pool_usage(&self) -> (u32, usize, u32) {
        self.store.pool_usage()
    }

    /// Work waiting, by queue.
    pub async fn queue_lengths(&self) -> Result<Vec<(&'static str, i64)>, StoreError> {
        self.store.queue_lengths().await
    }

    /// Logs a change the audit log leaves out, made by `actor`: `action` names what was
    /// done, `subject` to what.
    fn record(&self, actor: &Actor, action: &'static str, subject: impl Display) {
        tracing::info!(%actor, action, subject = %subject, "change made");
    }
}
