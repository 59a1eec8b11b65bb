//! Storage: one `Store` over sqlx's `Any` driver, so that the same queries run on the
//! embedded SQLite default and on PostgreSQL. Each backend has its own migrations
//! (`migrations/sqlite`, `migrations/postgres`), chosen by the URL scheme.
//!
//! Queries use `$N` placeholders, which both backends accept, and store timestamps as
//! integer microseconds (UTC). This module never decides policy (who may write what):
//! it answers questions and applies changes it is given.

mod archives;
mod articles;
pub mod audit;
mod backup;
mod changes;
pub mod columns;
mod connect;
pub mod dashboard;
mod duplicates;
mod listings;
pub mod media;
pub mod outbound;
pub mod outlets;
pub mod partners;
mod schema;
mod search;
pub mod sessions;
mod source_pages;
pub mod sources;
pub mod subscriptions;
mod superseded;
mod transfer;
pub mod users;
pub mod watermarks;

pub use archives::ArchiveLayout;
pub use articles::{
    ArticleStamp, EditState, EditorRef, FeedScope, HeldArticle, ListPosition, NewsEntry, PendingArticle,
    ReviewPosition, SitemapRow, SitemapShard, StaffArticle, StaffQuery, Upsert, UpsertOutcome, Withdrawal,
};
pub use audit::{Audit, AuditPage, AuditQuery, AuditRecord};
pub use backup::BackupReport;
pub use changes::{ChangeClock, ChangePosition, ChangeQuery, ChangeRecord, ChangedArticle};
pub use listings::SITEMAP_BLOCK_IDS;
pub use search::{IndexableArticle, SearchSource};
pub use transfer::{TransferProgress, TransferRefusal, TransferReport};

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::migrate::Migrator;
use sqlx::AnyPool;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// Connections for readers. SQLite serialises writers anyway; readers run in parallel.
pub const MAX_CONNECTIONS: u32 = 16;
/// Connections for write transactions on PostgreSQL (SQLite has one writer).
pub const POSTGRES_WRITERS: u32 = 4;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("unsupported database URL '{0}': use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    /// An article must be filed in at least one column: listings and counts rely on it.
    #[error("article {0} is filed in no column")]
    Unfiled(String),
    /// The database cannot be opened: why, in one line naming the file or server.
    #[error("{0}")]
    Unavailable(String),
    /// A transfer or restore that did not start, or did not commit.
    #[error(transparent)]
    Transfer(#[from] TransferRefusal),
    #[error(
        "syndic backup copies SQLite databases; back up PostgreSQL with pg_dump -Fc and restore with \
         pg_restore (README, \"Backup and moving to PostgreSQL\")"
    )]
    BackupNeedsPgDump,
    #[error("{path}: {source}")]
    File { path: String, source: std::io::Error },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// Whether the database refused the statement itself (a value it cannot hold, a
    /// constraint), rather than being unreachable: the same write would fail again, and
    /// other writes may well succeed.
    pub fn is_refusal(&self) -> bool {
        matches!(self, StoreError::Database(sqlx::Error::Database(_)))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Store {
    /// Reads, and writes of a single statement.
    pool: AnyPool,
    /// Write transactions (`begin_write`): never queued behind readers.
    writer: AnyPool,
    backend: Backend,
    /// The URL the pool was opened with, for connections outside it (LISTEN).
    url: std::sync::Arc<str>,
    /// Writes committed through this process (see `local_changes`).
    local_changes: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

/// Where the change clock stands: the last article change committed and the version of
/// the catalogue (columns and outlets). Render caches compare it with what they saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClockReading {
    pub last_change: i64,
    pub catalog_version: i64,
}

/// The PostgreSQL channel every change to the clock row notifies (migration 0007).
pub const CHANGES_CHANNEL: &str = "syndic_changes";

impl Store {
    /// Applies pending migrations of this backend, after repairing a database migrated
    /// with the first text of an edited one (`superseded`).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        superseded::repair(&self.pool, self.backend, migrator).await?;
        migrator.run(&self.pool).await?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A cheap round trip, for health checks.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Reads the change clock: one row, no lock.
    pub async fn clock_reading(&self) -> Result<ClockReading, StoreError> {
        let row = sqlx::query("SELECT last_micros, catalog_version FROM change_clock WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        use sqlx::Row;
        Ok(ClockReading { last_change: row.try_get("last_micros")?, catalog_version: row.try_get("catalog_version")? })
    }

    /// Records that the catalogue (a column or an outlet) changed; call after the change
    /// committed, so that a cache flushing on it cannot render what came before.
    async fn catalog_changed(&self) -> Result<(), StoreError> {
        bump_catalog_version(&self.pool).await?;
        self.local_changes.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        Ok(())
    }

    /// A listener woken at the commit of every change (PostgreSQL only; `None` on SQLite,
    /// where every writer shares one machine and readers poll the clock row instead).
    pub async fn change_listener(&self) -> Result<Option<sqlx::postgres::PgListener>, StoreError> {
        if self.backend != Backend::Postgres {
            return Ok(None);
        }
        let mut listener = sqlx::postgres::PgListener::connect(&self.url).await?;
        listener.listen(CHANGES_CHANNEL).await?;
        Ok(Some(listener))
    }

    /// Connections open and idle, and the most the pool opens.
    pub fn pool_usage(&self) -> (u32, usize, u32) {
        (self.pool.size(), self.pool.num_idle(), MAX_CONNECTIONS)
    }

    /// Work waiting in each queue: WebSub verifications and deliveries, search-engine
    /// pings, sources due for a poll, and images waiting to be kept.
    pub async fn queue_lengths(&self) -> Result<Vec<(&'static str, i64)>, StoreError> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM websub_requests) AS websub_verifications,
                    (SELECT COUNT(*) FROM websub_deliveries) AS websub_deliveries,
                    (SELECT COUNT(*) FROM outbound_pings) AS pings,
                    (SELECT COUNT(*) FROM sources WHERE next_fetch_at <= $1) AS due_sources,
                    (SELECT COUNT(*) FROM article_images WHERE state = 'pending') AS images",
        )
        .bind(now_micros())
        .fetch_one(&self.pool)
        .await?;
        use sqlx::Row;
        ["websub_verifications", "websub_deliveries", "pings", "due_sources", "images"]
            .into_iter()
            .map(|queue| Ok((queue, row.try_get::<i64, _>(queue)?)))
            .collect()
    }

    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
    }
}

/// An article write in progress: a transaction holding the change clock, with the
/// clock values it reserved, `first` onwards.
pub(crate) struct Change {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    first: i64,
    /// Articles written, whose column listings are brought in line at commit.
    written: Vec<i64>,
    /// Originals that articles written stopped being duplicates of (`duplicates::ripple`).
    unlinked: Vec<i64>,
    /// The audit entry of the change, written just before it commits (none for what
    /// outlets send and the scheduler polls: the change log records those).
    audit: Option<audit::Entry>,
}

impl Store {
    /// Begins an article write taking `values` change-clock values: unique, at least
    /// now, and greater than every value taken before. The clock row stays locked until
    /// the write ends, so values are handed out in commit order (see migration 0006).
    async fn begin_change(&self, values: i64) -> Result<Change, StoreError> {
        self.change_in(self.begin_write().await?, values).await
    }

    /// `begin_change` in a write transaction already begun (`begin_write`), for a write
    /// that reads first whether it changes anything readers see.
    async fn change_in(
        &self,
        mut tx: sqlx::Transaction<'static, sqlx::Any>,
        values: i64,
    ) -> Result<Change, StoreError> {
        let sql = match self.backend {
            Backend::Sqlite => {
                "UPDATE change_clock SET last_micros = MAX(last_micros + $2, $1 + $2 - 1) WHERE id = 1
                 RETURNING last_micros"
            }
            Backend::Postgres => {
                "UPDATE change_clock SET last_micros = GREATEST(last_micros + $2, $1 + $2 - 1) WHERE id = 1
                 RETURNING last_micros"
            }
        };
        let last: i64 = sqlx::query_scalar(sql).bind(now_micros()).bind(values).fetch_one(&mut *tx).await?;
        Ok(Change { tx, first: last - values + 1, written: Vec::new(), unlinked: Vec::new(), audit: None })
    }

    /// Begins a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`): a transaction that read first could not upgrade once another
    /// writer committed, and would fail rather than wait.
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        Ok(match self.backend {
            Backend::Sqlite => self.writer.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.writer.begin().await?,
        })
    }

    /// Brings the written articles' column listings in line, writes the change's audit
    /// entry, commits, and tells this process's readers (`local_changes`).
    async fn commit_change(&self, mut change: Change) -> Result<(), StoreError> {
        let shadowed_before = duplicates::ripple(&mut change.tx, &mut change.written, &change.unlinked).await?;
        listings::sync_listings(&mut change.tx, &change.written, &shadowed_before).await?;
        match change.audit {
            Some(entry) => audit::commit(change.tx, entry).await?,
            None => change.tx.commit().await?,
        }
        self.local_changes.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        Ok(())
    }

    /// How many article or catalogue writes this process has committed: a reader that
    /// has caught up with the clock after seeing this count has seen them all.
    pub fn local_changes(&self) -> u64 {
        self.local_changes.load(std::sync::atomic::Ordering::Acquire)
    }
}

/// Advances the catalogue version (see `Store::clock_reading`).
async fn bump_catalog_version<'e>(executor: impl sqlx::Executor<'e, Database = sqlx::Any>) -> Result<(), StoreError> {
    sqlx::query("UPDATE change_clock SET catalog_version = catalog_version + 1 WHERE id = 1").execute(executor).await?;
    Ok(())
}

/// Maps a unique-constraint violation to a conflict with the given message.
fn conflict_on_unique(error: sqlx::Error, message: impl FnOnce() -> String) -> StoreError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(message()),
        _ => StoreError::Database(error),
    }
}

pub(crate) fn to_micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

pub(crate) fn from_micros(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap_or_default()
}

pub(crate) fn now_micros() -> i64 {
    to_micros(Utc::now())
}

/// Reads a timestamp column.
fn time_at(row: &AnyRow, column: &str) -> Result<DateTime<Utc>, sqlx::Error> {
    use sqlx::Row;
    Ok(from_micros(row.try_get::<i64, _>(column)?))
}

fn optional_time_at(row: &AnyRow, column: &str) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    use sqlx::Row;
    Ok(row.try_get::<Option<i64>, _>(column)?.map(from_micros))
}

/// `$first, $first+1, …` for `count` values: the placeholders of an `IN (…)` list.
fn placeholders(first: usize, count: usize) -> String {
    (first..first + count).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_from_the_given_position() {
        assert_eq!(placeholders(3, 3), "$3, $4, $5");
    }
}
