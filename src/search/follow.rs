//! The index's follower: keeps this instance's index in step with the database, as the
//! render cache's follower keeps the cache (`http::cache::follow`). The index records
//! the change-clock value it holds everything up to; catching up reads the articles
//! changed after it (`SearchSource::changed_after`), whoever wrote them, and commits.
//! A missing index starts from nothing, so catching up is rebuilding it; one ahead of
//! the database (restored from an older copy) is emptied and rebuilt. Articles deleted
//! for good are forgotten by the clock value of their deletion
//! (`SearchSource::deleted_between`); an outlet's name is in each of its articles, so
//! the names the index holds are recorded with each commit, and an outlet renamed since
//! (seen when the catalogue version moves) has its articles written again.
//!
//! Writes by this process are counted (`SearchSource::local_changes`), and a search finding
//! the follower behind them catches up first, so a search here finds what was written
//! here. Other instances' writes wake `run` through PostgreSQL's NOTIFY, or, on SQLite,
//! reading the clock row four times a second.

use super::index::SearchIndex;
use super::SearchError;
use crate::store::{IndexableArticle, SearchSource};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How often the clock row is read when nothing wakes the follower.
const SQLITE_POLL: Duration = Duration::from_millis(250);
/// With LISTEN, a safety net for notifications lost while reconnecting.
const LISTEN_FALLBACK: Duration = Duration::from_secs(5);
/// Articles read per query while catching up (their whole text comes along).
const ARTICLES_PER_READ: i64 = 500;
/// Articles a catch-up writes (a build, a long absence) before it merges the segments.
const MERGE_AFTER: usize = 1_000;
/// How long a search waits for a catch-up in progress.
const SEARCH_WAITS: Duration = Duration::from_secs(1);
/// Articles written between commits while catching up far (a rebuild): each commit
/// ends segments that must be merged again, so not too often.
const ARTICLES_PER_COMMIT: usize = 100_000;

pub struct IndexFollower {
    source: SearchSource,
    index: Arc<SearchIndex>,
    /// Held while catching up, so one catch-up runs at a time.
    turn: tokio::sync::Mutex<()>,
    /// `SearchSource::local_changes` as of the last catch-up.
    caught_up: AtomicU64,
    /// The catalogue version outlets' names were last read at.
    catalog_seen: AtomicI64,
}

impl IndexFollower {
    pub fn new(source: SearchSource, index: SearchIndex) -> IndexFollower {
        IndexFollower {
            source,
            index: Arc::new(index),
            turn: tokio::sync::Mutex::new(()),
            caught_up: AtomicU64::new(0),
            catalog_seen: AtomicI64::new(i64::MIN),
        }
    }

    pub fn index(&self) -> &Arc<SearchIndex> {
        &self.index
    }

    /// How far the index is behind the database, in change-clock microseconds (0 when
    /// it holds every change).
    pub async fn lag_micros(&self) -> Result<i64, SearchError> {
        let now = self.source.reading().await?;
        let through = self.index.mark().map_or(0, |mark| mark.through);
        Ok((now.last_change - through).max(0))
    }

    /// Whether this process committed a write the index has not caught up with.
    pub fn is_behind(&self) -> bool {
        self.source.local_changes() != self.caught_up.load(Ordering::Acquire)
    }

    /// Catches up unless another caller did while this one waited for its turn. A
    /// catch-up still running after `SEARCH_WAITS` (a rebuild) is not waited for: the
    /// search reads what is indexed so far.
    pub async fn catch_up_if_behind(&self) -> Result<(), SearchError> {
        let Ok(_turn) = tokio::time::timeout(SEARCH_WAITS, self.turn.lock()).await else {
            return Ok(());
        };
        if self.is_behind() {
            self.catch_up_holding(&mut |_| {}).await?;
        }
        Ok(())
    }

    /// Indexes every change committed since the index's mark; `progress` hears how many
    /// articles have been written so far.
    pub async fn catch_up(&self, progress: &mut (dyn FnMut(usize) + Send)) -> Result<usize, SearchError> {
        let _turn = self.turn.lock().await;
        self.catch_up_holding(progress).await
    }

    /// Empties the index and indexes every article again.
    pub async fn rebuild(&self, progress: &mut (dyn FnMut(usize) + Send)) -> Result<usize, SearchError> {
        let _turn = self.turn.lock().await;
        self.blocking(|index| {
            index.clear()?;
            index.commit(0, BTreeMap::new())
        })
        .await?;
        self.catch_up_holding(progress).await
    }

    /// How many articles there are to index.
    pub async fn article_count(&self) -> Result<i64, SearchError> {
        Ok(self.source.article_count().await?)
    }

    async fn catch_up_holding(&self, progress: &mut (dyn FnMut(usize) + Send)) -> Result<usize, SearchError> {
        // Counted before reading the clock: those writes have committed by then.
        let local = self.source.local_changes();
        let now = self.source.reading().await?;
        let mark = self.index.mark().unwrap_or_default();
        let (mut through, indexed_names) = (mark.through, mark.outlet_names);
        if through > now.last_change {
            tracing::warn!(through, clock = now.last_change, "search index is ahead of the database: rebuilding it");
            self.blocking(|index| {
                index.clear()?;
                index.commit(0, BTreeMap::new())
            })
            .await?;
            through = 0;
        }
        let building = through == 0;
        // Outlets' names read before their articles, so an article read after shows a
        // name at least as new; read again only when the catalogue changed.
        let names = match building || self.catalog_seen.load(Ordering::Acquire) != now.catalog_version {
            true => Some(self.source.outlet_names().await?),
            false => None,
        };
        let indexed = if building { BTreeMap::new() } else { indexed_names };
        let deleted = self.source.deleted_between(through, now.last_change).await?;
        if !deleted.is_empty() {
            self.blocking(move |index| Ok(index.delete(&deleted))).await?;
        }
        let (mut written, mut uncommitted) = (0, 0);
        while now.last_change > through {
            let (articles, last) = self.source.changed_after(through, ARTICLES_PER_READ).await?;
            // Every clock value up to the reading has committed, so a read that finds
            // nothing more (a change to a row since deleted) may skip to it.
            through = last.unwrap_or(now.last_change).max(through);
            written += articles.len();
            uncommitted += articles.len();
            let commit = last.is_none() || uncommitted >= ARTICLES_PER_COMMIT || through >= now.last_change;
            self.write(articles, commit.then(|| (through, indexed.clone()))).await?;
            if commit {
                uncommitted = 0;
            }
            progress(written);
            if last.is_none() {
                break;
            }
        }
        if let Some(names) = names {
            // Renamed outlets (or new ones, whose articles may have been read under an
            // earlier name) have their articles written again; in a build every article
            // was just read under the names read first.
            let renamed: Vec<i64> = match building {
                true => Vec::new(),
                false => names.iter().filter(|&(id, name)| indexed.get(id) != Some(name)).map(|(&id, _)| id).collect(),
            };
            for outlet_id in renamed {
                let mut after = 0;
                loop {
                    let articles = self.source.outlet_articles(outlet_id, after, ARTICLES_PER_READ).await?;
                    let Some(last) = articles.last() else { break };
                    after = last.id;
                    written += articles.len();
                    self.write(articles, None).await?;
                    progress(written);
                }
            }
            self.write(Vec::new(), Some((through.max(now.last_change), names))).await?;
            self.catalog_seen.store(now.catalog_version, Ordering::Release);
        }
        if written >= MERGE_AFTER {
            self.blocking(|index| index.merge_segments()).await?;
        }
        self.caught_up.fetch_max(local, Ordering::AcqRel);
        Ok(written)
    }

    /// Writes `articles`, then, with `commit`, commits up to its clock value and outlet names.
    async fn write(
        &self,
        articles: Vec<IndexableArticle>,
        commit: Option<(i64, BTreeMap<i64, String>)>,
    ) -> Result<(), SearchError> {
        self.blocking(move |index| {
            index.write(&articles)?;
            match commit {
                Some((through, names)) => index.commit(through, names),
                None => Ok(()),
            }
        })
        .await
    }

    /// Runs index work (file I/O, CPU) off the async threads.
    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&SearchIndex) -> Result<T, SearchError> + Send + 'static,
    ) -> Result<T, SearchError> {
        let index = self.index.clone();
        tokio::task::spawn_blocking(move || work(&index)).await.map_err(|e| SearchError::Task(e.to_string()))?
    }

    /// Follows changes until the process ends.
    pub async fn run(self: Arc<Self>) {
        let mut listener = match self.source.listener().await {
            Ok(listener) => listener,
            Err(error) => {
                tracing::error!(%error, "cannot LISTEN for changes; reading the clock every {LISTEN_FALLBACK:?}");
                None
            }
        };
        let mut first = true;
        loop {
            if !first {
                match listener.as_mut() {
                    Some(listener) => {
                        let _ = tokio::time::timeout(LISTEN_FALLBACK, listener.recv()).await;
                    }
                    None if self.source.is_polled() => tokio::time::sleep(SQLITE_POLL).await,
                    None => tokio::time::sleep(LISTEN_FALLBACK).await,
                }
            }
            first = false;
            match self.catch_up(&mut |_| {}).await {
                Ok(0) => {}
                Ok(written) => tracing::debug!(written, "search index caught up"),
                Err(error) => {
                    // Searches go on over what is indexed; the mark did not move, so the
                    // next catch-up indexes everything this one missed.
                    tracing::error!(%error, "search index cannot follow changes");
                    tokio::time::sleep(SQLITE_POLL).await;
                }
            }
        }
    }
}
