//! Whole-database copies for the `syndic` command: a backup of a serving SQLite
//! database (`store::backup`), and copying every table of another database into this
//! one, which must be empty (`store::transfer`: restore and transfer). A copy is the one
//! write beside the pipeline and the catalogue: it brings rows a syndic database
//! already holds, verbatim.

use super::Operations;
use crate::domain::Actor;
use crate::store::{BackupReport, StoreError, TransferProgress, TransferReport};
use std::path::Path;

impl Operations {
    /// Writes a consistent copy of this SQLite database to `dest`, which must not exist.
    pub async fn backup(&self, dest: &Path) -> Result<BackupReport, StoreError> {
        self.store.backup_into(dest).await
    }

    /// Copies every table of the database at `source_url`, opened read-only, into this
    /// one; `progress` hears after each batch.
    pub async fn copy_from(
        &self,
        actor: &Actor,
        source_url: &str,
        progress: impl FnMut(TransferProgress<'_>),
    ) -> Result<TransferReport, StoreError> {
        let report = self.store.copy_from(source_url, progress).await?;
        let source = crate::app::redact_url(source_url);
        self.record(actor, "database copied in", format!("{} rows from {source}", report.rows()));
        Ok(report)
    }
}
