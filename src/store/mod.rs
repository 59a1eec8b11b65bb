//! Storage: one `Store` over sqlx's `Any` driver, so that the same queries run on the
//! embedded SQLite default and on PostgreSQL. Each backend has its own migrations
//! (`migrations/sqlite`, `migrations/postgres`), chosen by the URL scheme.
//!
//! Queries use `$N` placeholders, which both backends accept, and store timestamps as
//! integer microseconds (UTC). This module never decides policy (who may write what):
//! it answers questions and applies changes it is given.

mod archives;
mod articles;
mod changes;
pub mod columns;
pub mod outbound;
pub mod outlets;
pub mod partners;
pub mod sources;

pub use archives::ArchiveLayout;
pub use articles::{
    ArticleStamp, FeedScope, HeldArticle, NewsEntry, SitemapEntry, SitemapShard, UpsertOutcome, Withdrawal,
};
pub use changes::{ChangePosition, ChangeQuery, ChangeRecord, ChangedArticle};

use chrono::{DateTime, Utc};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};
use std::time::Duration;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// Connections per pool. SQLite serialises writers anyway; readers run in parallel.
pub const MAX_CONNECTIONS: u32 = 16;

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
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl Store {
    /// Opens the database named by `url`, creating a SQLite file if it is missing.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let (backend, url) = backend_url(url)?;
        let mut options =
            AnyPoolOptions::new().max_connections(MAX_CONNECTIONS).acquire_timeout(Duration::from_secs(30));
        if backend == Backend::Sqlite {
            options = options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    // WAL lets readers run beside the writer; FULL syncs the WAL on every
                    // commit, so an acknowledged write survives a crash or power loss.
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA synchronous = FULL").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    Ok(())
                })
            });
        }
        let pool = options.connect(&url).await?;
        Ok(Store { pool, backend })
    }

    /// Applies pending migrations of this backend.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
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

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

fn backend_url(url: &str) -> Result<(Backend, String), StoreError> {
    if url.starts_with("sqlite:") {
        // Create the file when it is missing, unless the URL already says otherwise.
        let url = if url.contains("mode=") || url.contains(":memory:") {
            url.to_owned()
        } else if url.contains('?') {
            format!("{url}&mode=rwc")
        } else {
            format!("{url}?mode=rwc")
        };
        Ok((Backend::Sqlite, url))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok((Backend::Postgres, url.to_owned()))
    } else {
        Err(StoreError::UnsupportedUrl(url.to_owned()))
    }
}

/// Takes the next value of the change clock inside `tx`: unique, at least `now`, and
/// greater than every value taken before. The clock row stays locked until `tx` ends,
/// so values are handed out in commit order (see migration 0006).
async fn next_change(tx: &mut sqlx::Transaction<'_, sqlx::Any>, backend: Backend) -> Result<i64, StoreError> {
    let sql = match backend {
        Backend::Sqlite => {
            "UPDATE change_clock SET last_micros = MAX(last_micros + 1, $1) WHERE id = 1 RETURNING last_micros"
        }
        Backend::Postgres => {
            "UPDATE change_clock SET last_micros = GREATEST(last_micros + 1, $1) WHERE id = 1 RETURNING last_micros"
        }
    };
    Ok(sqlx::query_scalar(sql).bind(now_micros()).fetch_one(&mut **tx).await?)
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
    fn sqlite_urls_create_missing_files_by_default() {
        assert_eq!(backend_url("sqlite://syndic.db").unwrap().1, "sqlite://syndic.db?mode=rwc");
        assert_eq!(backend_url("sqlite://a.db?mode=ro").unwrap().1, "sqlite://a.db?mode=ro");
        assert_eq!(backend_url("postgres://x/y").unwrap().0, Backend::Postgres);
        assert!(backend_url("mysql://x/y").is_err());
    }

    #[test]
    fn placeholders_number_from_the_given_position() {
        assert_eq!(placeholders(3, 3), "$3, $4, $5");
    }
}
