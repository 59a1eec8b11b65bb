//! `syndic search reindex`: empties this instance's search index and indexes every
//! article again, showing progress. `serve` keeps the index current by itself; this is
//! for an index known to be wrong, or to time a full build.

use super::progress::Progress;
use crate::operations::Operations;

#[derive(Debug, clap::Subcommand)]
pub(super) enum SearchCommand {
    /// Rebuild this instance's search index from the database (stop `serve` first:
    /// the index has one writer).
    Reindex,
}

pub(super) async fn run(operations: &Operations, command: SearchCommand) -> anyhow::Result<()> {
    match command {
        SearchCommand::Reindex => reindex(operations).await,
    }
}

async fn reindex(operations: &Operations) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let total = operations.indexable_count().await?;
    let mut progress = Progress::on_terminal();
    let indexed = operations.reindex(&mut |done| progress.show(&format!("indexed {done} of {total} articles"))).await?;
    progress.clear();
    let dir = operations.config().search_dir.display().to_string();
    let text = operations.indexed_text_bytes().await?;
    println!(
        "indexed {indexed} articles ({text} bytes of text) into {dir} in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
