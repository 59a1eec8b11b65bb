//! Backing up a SQLite database while it serves. `VACUUM INTO` writes a consistent
//! snapshot (one read transaction: writers carry on beside it in WAL mode) as a
//! complete database file, migrations table included, that `syndic serve` opens as it
//! is and `syndic restore` copies from. The copy is written under a temporary name,
//! synced and renamed, so a file at the destination is always a whole backup. For
//! PostgreSQL, `pg_dump` does this job and better; the store refuses and says so.

use super::{Backend, Store, StoreError};
use sqlx::Row;
use std::path::{Path, PathBuf};

/// What a backup holds, read back from the file written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    pub bytes: u64,
    pub articles: i64,
}

impl Store {
    /// Writes a consistent copy of this SQLite database to `dest`, which must not exist.
    pub async fn backup_into(&self, dest: &Path) -> Result<BackupReport, StoreError> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::BackupNeedsPgDump);
        }
        if dest.exists() {
            return Err(StoreError::Conflict(format!("{} already exists; a backup never overwrites", dest.display())));
        }
        let partial = partial_path(dest);
        match std::fs::remove_file(&partial) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => return Err(file_error(&partial)(error)),
            _ => {}
        }
        let name = partial.to_str().ok_or_else(|| {
            StoreError::Conflict(format!("{}: SQLite takes only UTF-8 file names", partial.display()))
        })?;
        sqlx::query("VACUUM INTO $1").bind(name).execute(&self.pool).await?;
        // Durable before it takes the name: a crash leaves the old state or the whole file.
        std::fs::File::open(&partial).and_then(|file| file.sync_all()).map_err(file_error(&partial))?;
        std::fs::rename(&partial, dest).map_err(file_error(dest))?;
        let directory = dest.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::File::open(directory).and_then(|dir| dir.sync_all()).map_err(file_error(directory))?;
        let bytes = std::fs::metadata(dest).map_err(file_error(dest))?.len();
        let articles = check_backup(dest).await?;
        Ok(BackupReport { bytes, articles })
    }
}

/// Names the file a failed file operation was on.
fn file_error(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError {
    let path = path.display().to_string();
    move |source| StoreError::File { path, source }
}

/// `DEST.partial`, beside the destination, so the rename stays on one file system.
fn partial_path(dest: &Path) -> PathBuf {
    let mut name = dest.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

/// Opens the backup read-only, checks its structure and counts its articles.
async fn check_backup(path: &Path) -> Result<i64, StoreError> {
    let copy = Store::open_read_only(&format!("sqlite://{}", path.display())).await?;
    let verdict: String = sqlx::query("PRAGMA quick_check").fetch_one(&copy.pool).await?.try_get(0)?;
    if verdict != "ok" {
        return Err(StoreError::Corrupt(format!("the backup {} fails its check: {verdict}", path.display())));
    }
    let articles = sqlx::query_scalar("SELECT COUNT(*) FROM articles").fetch_one(&copy.pool).await?;
    copy.close().await;
    Ok(articles)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_copy_is_written_beside_its_destination() {
        assert_eq!(partial_path(Path::new("/var/backups/syndic.db")), Path::new("/var/backups/syndic.db.partial"));
        assert_eq!(partial_path(Path::new("b.db")), Path::new("b.db.partial"));
    }
}
