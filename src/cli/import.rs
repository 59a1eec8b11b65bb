//! `syndic import`: every entry of feed documents (files or URLs), once.

use super::progress::Progress;
use super::NameMissing;
use crate::domain::source::Routing;
use crate::domain::{Actor, Outlet};
use crate::ingest::{feed, Disposition, Tally};
use crate::operations::Operations;
use anyhow::Context;

pub(super) async fn run(
    operations: &Operations,
    outlet: &str,
    columns: &[String],
    documents: &[String],
) -> anyhow::Result<()> {
    let outlet = operations.outlet(outlet).await.naming(|| format!("outlet '{outlet}'"))?;
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
        total.add(tally);
        progress.show(&format!("{}/{} documents, {} items", done + 1, documents.len(), total.items.len()));
    }
    progress.clear();
    print!("{}", summary(&total));
    Ok(())
}

/// Refused items listed one by one up to this many; beyond, by reason only.
const REFUSED_LISTED: usize = 20;

/// What an import did: counts by outcome, then why items were refused.
fn summary(total: &Tally) -> String {
    let unchanged = total
        .items
        .iter()
        .filter(|item| matches!(&item.outcome, Ok(accepted) if accepted.disposition == Disposition::Unchanged))
        .count();
    let mut out = format!(
        "{} items: {} new, {} updated, {unchanged} unchanged, {} refused, {} held in quarantine\n",
        total.items.len(),
        total.new,
        total.updated,
        total.refused,
        total.quarantined
    );
    let refused: Vec<_> =
        total.items.iter().filter_map(|item| Some((&item.link, item.outcome.as_ref().err()?))).collect();
    if refused.len() <= REFUSED_LISTED {
        for (link, reason) in refused {
            out.push_str(&format!("  refused {}: {reason}\n", link.as_deref().unwrap_or("(no link)")));
        }
    } else {
        for (reason, count) in &total.refusals {
            out.push_str(&format!("  refused {count}: {reason}\n"));
        }
    }
    out
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
