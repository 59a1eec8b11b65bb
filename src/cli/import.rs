//! `syndic import`: every entry of feed documents (files or URLs), once.

use super::progress::Progress;
use crate::domain::source::Routing;
use crate::domain::{Actor, Outlet};
use crate::ingest::{feed, Tally};
use crate::operations::Operations;
use anyhow::Context;

pub(super) async fn run(
    operations: &Operations,
    outlet: &str,
    columns: &[String],
    documents: &[String],
) -> anyhow::Result<()> {
    let outlet = operations.outlet(outlet).await.with_context(|| format!("outlet {outlet}"))?;
    let tree = operations.column_tree().await?;
    let column_ids = columns
        .iter()
        .map(|slug| tree.by_slug(slug).map(|c| c.id).ok_or_else(|| anyhow::anyhow!("unknown column '{slug}'")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let routing = Routing { columns: column_ids, ..Default::default() };
    let mut progress = Progress::on_terminal();
    let mut total = Tally::default();
    for (done, document) in documents.iter().enumerate() {
        let (bytes, context) = read_document(operations, &outlet, document).await?;
        let tally = operations.import_document(&Actor::Cli, &outlet, &routing, bytes, &context).await?;
        for warning in &tally.warnings {
            progress.println(&format!("warning, {document}: {warning}"));
        }
        for item in &tally.items {
            if let Err(reason) = &item.outcome {
                progress.println(&format!("refused {}: {reason}", item.link.as_deref().unwrap_or("(no link)")));
            }
        }
        total.add(tally);
        progress.show(&format!("{}/{} documents, {} items", done + 1, documents.len(), total.items.len()));
    }
    progress.clear();
    println!(
        "{} items: {} new, {} updated, {} refused, {} held in quarantine",
        total.items.len(),
        total.new,
        total.updated,
        total.refused,
        total.quarantined
    );
    Ok(())
}

/// A feed document from a file or an http(s) URL, with what parsing needs to know of it.
async fn read_document(
    operations: &Operations,
    outlet: &Outlet,
    document: &str,
) -> anyhow::Result<(Vec<u8>, feed::Context)> {
    if document.starts_with("http://") || document.starts_with("https://") {
        Ok(operations.fetch_document(document, outlet.timezone).await?)
    } else {
        let bytes = std::fs::read(document).with_context(|| format!("cannot read {document}"))?;
        Ok((bytes, feed::Context { document_url: None, content_type: None, zone: outlet.timezone }))
    }
}
