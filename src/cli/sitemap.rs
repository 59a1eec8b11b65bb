//! `syndic sitemap --out`: the whole sitemap set written into a directory.

use super::progress::Progress;
use crate::assemble::SitemapExport;
use crate::operations::Operations;
use std::path::Path;

pub(super) async fn export(operations: &Operations, out: &Path, gzip: bool) -> anyhow::Result<()> {
    let export = SitemapExport { assembler: operations.assembler(), dir: out, gzip };
    let started = std::time::Instant::now();
    let mut progress = Progress::on_terminal();
    let report = export
        .run(|r| progress.show(&format!("{} URLs in {} files, {:.1} MB", r.urls, r.files, r.bytes as f64 / 1e6)))
        .await?;
    progress.clear();
    println!(
        "{} URLs in {} files ({:.1} MB) under {} in {:.2} s; index: {}",
        report.urls,
        report.files,
        report.bytes as f64 / 1e6,
        out.display(),
        started.elapsed().as_secs_f64(),
        out.join("sitemap.xml").display()
    );
    Ok(())
}
