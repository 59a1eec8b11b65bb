//! `syndic backup`, `restore` and `transfer`: a consistent copy of a serving SQLite
//! database, and copying a whole database into an empty one (a backup into the
//! configured database; SQLite to PostgreSQL and back). The copying is the
//! operations' (`Operations::backup`, `copy_from`); this shows progress on one line
//! and reports what was copied.

use super::progress::Progress;
use crate::app::redact_url;
use crate::domain::Actor;
use crate::operations::Operations;
use crate::store::TransferProgress;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub(super) struct BackupArgs {
    /// File to write the copy to; it must not exist yet.
    dest: PathBuf,
}

#[derive(Debug, Args)]
pub(super) struct RestoreArgs {
    /// A backup file written by `syndic backup`.
    src: PathBuf,
}

#[derive(Debug, Args)]
pub(super) struct TransferArgs {
    /// Database to copy from (read in one snapshot; it may keep serving).
    #[arg(long, value_name = "DATABASE_URL")]
    pub(super) from: String,
    /// Empty database to copy into; migrated first.
    #[arg(long, value_name = "DATABASE_URL")]
    pub(super) to: String,
}

pub(super) async fn backup(operations: &Operations, args: &BackupArgs) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let report = operations.backup(&args.dest).await?;
    println!(
        "backup written to {}: {} articles, {:.1} MB, in {:.2} s",
        args.dest.display(),
        report.articles,
        report.bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Restores into the configured database (opened and migrated).
pub(super) async fn restore(operations: &Operations, args: &RestoreArgs) -> anyhow::Result<()> {
    if !args.src.is_file() {
        anyhow::bail!("no backup file at {}", args.src.display());
    }
    copy(operations, &format!("sqlite://{}", args.src.display())).await?;
    println!("restored from {}", args.src.display());
    Ok(())
}

/// Copies into `--to`, which the command root opened and migrated as the configured database.
pub(super) async fn transfer(operations: &Operations, args: &TransferArgs) -> anyhow::Result<()> {
    let (from, to) = (redact_url(&args.from), redact_url(&args.to));
    if args.from.trim() == args.to.trim() {
        anyhow::bail!("--from and --to name the same database ({from})");
    }
    copy(operations, &args.from).await?;
    println!("transferred {from} to {to}");
    Ok(())
}

/// Copies with a progress line, then lists every table's verified row count.
async fn copy(operations: &Operations, source_url: &str) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let mut progress = Progress::on_terminal();
    let report = operations
        .copy_from(&Actor::Cli, source_url, |p: TransferProgress<'_>| {
            progress.show(&format!(
                "{} rows of {} copied; {}: {} of {}",
                p.copied, p.rows, p.table, p.table_copied, p.table_rows
            ))
        })
        .await;
    progress.clear();
    let report = report?;
    let width = report.tables.iter().map(|(table, _)| table.len()).max().unwrap_or(0);
    for (table, rows) in &report.tables {
        println!("  {table:<width$}  {rows:>10}");
    }
    println!(
        "{} rows in {} tables copied in {:.2} s; every table's row count matches the source",
        report.rows(),
        report.tables.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
