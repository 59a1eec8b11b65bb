//! Opening the database, and saying at once why it cannot be opened. sqlx's pool keeps
//! retrying a connection that fails until its acquire timeout, logging each failure, so
//! an unreachable server or an unwritable file would cost 30 s and a screen of raw
//! errors. One probing connection first, bounded by the connect timeout, turns the
//! failure into one line that names its cause and where.

use super::{Backend, Store, StoreError, MAX_CONNECTIONS, POSTGRES_WRITERS};
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyConnection, Connection, Executor};
use std::time::Duration;

/// How long a request for a pooled connection may wait while serving (pool contention,
/// not start-up: that is the connect timeout).
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

/// Settings every SQLite connection takes. WAL lets readers run beside the writer; FULL
/// syncs the WAL on every commit, so an acknowledged write survives a crash or power loss.
const SQLITE_PRAGMAS: [&str; 4] = [
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 10000",
];

/// SQLite's primary result codes the probe tells apart.
const SQLITE_BUSY: i64 = 5;
const SQLITE_READONLY: i64 = 8;
const SQLITE_CANTOPEN: i64 = 14;
const SQLITE_NOTADB: i64 = 26;

impl Store {
    /// Opens the database named by `url` (creating a SQLite file if it is missing),
    /// failing within `timeout` with the cause when it cannot.
    pub async fn connect_within(url: &str, timeout: Duration) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let (backend, url) = backend_url(url)?;
        let place = Place::of(backend, &url);
        match tokio::time::timeout(timeout, probe(backend, &url)).await {
            Err(_) => {
                return Err(StoreError::Unavailable(format!("no answer from {place} within {}s", timeout.as_secs())))
            }
            Ok(Err(error)) => return Err(StoreError::Unavailable(cause(&error, &place))),
            Ok(Ok(())) => {}
        }
        let pool = pool_options(backend, MAX_CONNECTIONS).connect(&url).await?;
        // Writers have connections of their own, so a write never waits for readers to
        // give one back: on SQLite the one writer (SQLite takes one at a time anyway, and
        // a queue here is fairer and quicker than its busy handler's sleeps); on
        // PostgreSQL a few, as writes queue on the change clock's row in any case.
        let writers = if backend == Backend::Sqlite { 1 } else { POSTGRES_WRITERS };
        let writer = pool_options(backend, writers).connect(&url).await?;
        Ok(Store { pool, writer, backend, url: url.into(), local_changes: Default::default() })
    }

    /// Opens the database with the default connect timeout.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        let timeout = Duration::from_secs(crate::config::DEFAULT_DATABASE_CONNECT_TIMEOUT_SECS);
        Store::connect_within(url, timeout).await
    }
}

/// A pool of at most `connections`, each SQLite connection with `SQLITE_PRAGMAS`.
fn pool_options(backend: Backend, connections: u32) -> AnyPoolOptions {
    let options = AnyPoolOptions::new().max_connections(connections).acquire_timeout(ACQUIRE_TIMEOUT);
    if backend != Backend::Sqlite {
        return options;
    }
    options.after_connect(|conn, _meta| {
        Box::pin(async move {
            for pragma in SQLITE_PRAGMAS {
                conn.execute(pragma).await?;
            }
            Ok(())
        })
    })
}

/// One connection as the pool would open it; on SQLite it also writes (the header's
/// user version, unchanged, rolled back), since a file opened read-only is only refused
/// at its first write.
async fn probe(backend: Backend, url: &str) -> Result<(), sqlx::Error> {
    let mut connection = AnyConnection::connect(url).await?;
    if backend == Backend::Sqlite {
        for pragma in SQLITE_PRAGMAS {
            connection.execute(pragma).await?;
        }
        connection.execute("PRAGMA busy_timeout = 500").await?;
        match try_write(&mut connection).await {
            Ok(()) => {}
            // Another process is writing: the file is writable.
            Err(error) if sqlite_code(&error) == Some(SQLITE_BUSY) => {}
            Err(error) => return Err(error),
        }
    }
    connection.close().await
}

async fn try_write(connection: &mut AnyConnection) -> Result<(), sqlx::Error> {
    connection.execute("BEGIN IMMEDIATE").await?;
    let version: i64 = sqlx::query_scalar("PRAGMA user_version").fetch_one(&mut *connection).await?;
    let written = connection.execute(format!("PRAGMA user_version = {version}").as_str()).await;
    connection.execute("ROLLBACK").await?;
    written.map(|_| ())
}

/// Where the database is, as the failure names it: a SQLite file's path, or a server's
/// host and port.
pub(super) struct Place(String);

impl Place {
    pub(super) fn of(backend: Backend, url: &str) -> Place {
        match backend {
            Backend::Sqlite => {
                let path = url.trim_start_matches("sqlite:").trim_start_matches("//");
                Place(path.split('?').next().unwrap_or(path).to_owned())
            }
            Backend::Postgres => Place(match url::Url::parse(url) {
                Ok(parsed) => {
                    let host = parsed.host_str().filter(|h| !h.is_empty()).unwrap_or("localhost");
                    format!("{host}:{}", parsed.port().unwrap_or(5432))
                }
                Err(_) => "the PostgreSQL server".to_owned(),
            }),
        }
    }
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One line saying why the database could not be opened.
pub(super) fn cause(error: &sqlx::Error, place: &Place) -> String {
    match error {
        sqlx::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            format!("connection refused at {place}")
        }
        sqlx::Error::Io(io) => format!("{io} at {place}"),
        sqlx::Error::Tls(tls) => format!("TLS with {place} failed: {tls}"),
        sqlx::Error::Database(_) => match sqlite_code(error) {
            Some(SQLITE_READONLY) => format!("database file is read-only: {place}"),
            Some(SQLITE_CANTOPEN) => {
                format!("cannot open database file: {place} (does its folder exist, and may syndic write in it?)")
            }
            Some(SQLITE_NOTADB) => format!("not a SQLite database: {place}"),
            _ => {
                format!("{} (at {place})", error.as_database_error().map_or(String::new(), |e| e.message().to_owned()))
            }
        },
        other => format!("{other} (at {place})"),
    }
}

/// The primary result code of a SQLite error (its extended code's low byte).
fn sqlite_code(error: &sqlx::Error) -> Option<i64> {
    let code: i64 = error.as_database_error()?.code()?.parse().ok()?;
    Some(code & 0xff)
}

/// The backend a URL names, and the URL to open: a SQLite file is created when it is
/// missing, unless the URL already says otherwise.
pub(super) fn backend_url(url: &str) -> Result<(Backend, String), StoreError> {
    if url.starts_with("sqlite:") {
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
    fn failures_name_the_file_or_the_server() {
        assert_eq!(Place::of(Backend::Sqlite, "sqlite://data/syndic.db?mode=rwc").0, "data/syndic.db");
        assert_eq!(Place::of(Backend::Postgres, "postgres://u@127.0.0.1/db").0, "127.0.0.1:5432");
        assert_eq!(Place::of(Backend::Postgres, "postgres://db.example:6543/db").0, "db.example:6543");
    }
}
