//! Sitemaps: the index, the urlset of home, column and outlet pages, and the article shards
//! (ranges of ids, see `publish::sitemap::shard_span`), streamed from a database
//! cursor into the response buffer or, for a static export, into files.

use super::Assembler;
use crate::publish::sitemap::{self, Location, SitemapWriter};
use crate::store::{SitemapRow, StoreError};
use chrono::{DateTime, Utc};
use futures_util::stream::TryStreamExt;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Bytes buffered in front of each file (and of its compressor).
const BUFFER_BYTES: usize = 256 * 1024;

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportReport {
    /// Sitemap files, the index included.
    pub files: usize,
    pub urls: u64,
    pub bytes: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
}

impl Assembler<'_> {
    /// The home page, every column page and the page of every outlet with public
    /// articles that may be indexed (`Indexing::outlet_page_indexed`), each dated by the
    /// latest change it shows.
    pub async fn sitemap_pages(&self) -> Result<Vec<Location>, StoreError> {
        let tree = self.store.column_tree().await?;
        let listed_changes: HashMap<i64, DateTime<Utc>> = self.store.column_last_changes().await?;
        let mut pages = Vec::with_capacity(tree.all().len() + 1);
        let mut site_latest = tree.all().iter().map(|c| c.updated_at).max();
        for column in tree.all() {
            let latest = listed_changes.get(&column.id).copied().max(Some(column.updated_at));
            site_latest = site_latest.max(latest);
            pages.push(Location { loc: self.site.column_url(column.slug.as_str()), lastmod: latest });
        }
        pages.insert(0, Location { loc: self.site.home_url(), lastmod: site_latest });
        let outlets = self.store.outlet_pages().await?;
        pages.extend(
            outlets
                .into_iter()
                .filter(|outlet| outlet.indexing.outlet_page_indexed())
                .map(|outlet| Location { loc: self.site.outlet_url(&outlet.slug), lastmod: Some(outlet.lastmod) }),
        );
        Ok(pages)
    }

    /// The index's entries: the pages urlset, then every article shard that lists something.
    pub async fn sitemap_index(&self) -> Result<Vec<Location>, StoreError> {
        let pages_lastmod = self.sitemap_pages().await?.iter().filter_map(|p| p.lastmod).max();
        let mut entries = vec![Location { loc: self.site.sitemap_pages_url(), lastmod: pages_lastmod }];
        let shards = self.store.sitemap_shards(self.shard_span()).await?;
        entries.extend(
            shards.iter().map(|s| Location { loc: self.site.sitemap_shard_url(s.index), lastmod: Some(s.lastmod) }),
        );
        Ok(entries)
    }

    /// The last two days' indexable articles, newest first, in files of
    /// `sitemap::MAX_NEWS_URLS_PER_FILE` (the Google News sitemap).
    pub async fn news_pages(&self) -> Result<Vec<Vec<sitemap::NewsLocation>>, StoreError> {
        /// More than this in two days is beyond any portal; the rest would wait for the next days.
        const MAX_NEWS_URLS: i64 = 50_000;
        let since = Utc::now() - chrono::Duration::hours(sitemap::NEWS_WINDOW_HOURS);
        let site_language = &self.site.config.language;
        let entries: Vec<sitemap::NewsLocation> = self
            .store
            .news_entries(since, MAX_NEWS_URLS)
            .await?
            .into_iter()
            .map(|e| sitemap::NewsLocation {
                loc: self.site.article_url(e.article_id),
                language: sitemap::news_language(e.language.as_deref().unwrap_or(site_language)),
                title: e.title,
                published: e.reposted_at,
            })
            .collect();
        Ok(entries.chunks(sitemap::MAX_NEWS_URLS_PER_FILE).map(<[_]>::to_vec).collect())
    }

    /// Article shard `index` as a urlset and its latest lastmod; `None` when it lists nothing.
    pub async fn sitemap_shard(&self, index: i64) -> Result<Option<(Vec<u8>, DateTime<Utc>)>, StoreError> {
        let Some(ids) = sitemap::shard_ids(index, self.shard_span()) else { return Ok(None) };
        let mut rows = self.store.sitemap_rows(ids.start, ids.end);
        let mut writer = SitemapWriter::urlset(Vec::with_capacity(64 * 1024)).expect("writing to memory cannot fail");
        let mut latest = None;
        while let Some(row) = rows.try_next().await? {
            if row.listed {
                writer.add(&self.site.article_url(row.article_id), Some(row.lastmod)).expect("writing to memory");
                latest = latest.max(Some(row.lastmod));
            }
        }
        let body = writer.finish().expect("writing to memory cannot fail");
        Ok(latest.map(|latest| (body, latest)))
    }

    fn shard_span(&self) -> i64 {
        sitemap::shard_span(&self.site.base_url)
    }
}

/// A static export of the whole sitemap set: `sitemap.xml` and `sitemaps/*.xml` (or
/// `.xml.gz`) under a directory, at the paths the live site serves them, for static
/// hosting or a CDN. Articles are read in one pass of one cursor.
pub struct SitemapExport<'a> {
    pub assembler: Assembler<'a>,
    pub dir: &'a Path,
    pub gzip: bool,
}

/// The shard being written during an export.
struct OpenShard {
    index: i64,
    file: Option<ShardFile>,
    /// Latest change to any article of the range, listed or not (a withdrawal dates it).
    lastmod: DateTime<Utc>,
}

struct ShardFile {
    path: PathBuf,
    writer: SitemapWriter<Output>,
}

/// A file being written, compressed or not. Both buffer: the XML writer writes an
/// element at a time, and the compressor is slow on small writes.
enum Output {
    Plain(std::io::BufWriter<std::fs::File>),
    Gzip(std::io::BufWriter<flate2::write::GzEncoder<std::fs::File>>),
}

impl Write for Output {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        match self {
            Output::Plain(out) => out.write(bytes),
            Output::Gzip(out) => out.write(bytes),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Output::Plain(out) => out.flush(),
            Output::Gzip(out) => out.flush(),
        }
    }
}

impl Output {
    /// Writes what is buffered (and the gzip trailer) to the file.
    fn complete(self) -> std::io::Result<()> {
        match self {
            Output::Plain(mut out) => out.flush(),
            Output::Gzip(out) => out.into_inner().map_err(|e| e.into_error())?.finish()?.flush(),
        }
    }
}

impl SitemapExport<'_> {
    /// Writes everything; `progress` hears the URLs written so far, now and then.
    pub async fn run(&self, mut progress: impl FnMut(&ExportReport)) -> Result<ExportReport, ExportError> {
        let shards_dir = self.dir.join("sitemaps");
        std::fs::create_dir_all(&shards_dir)
            .map_err(|source| ExportError::Write { path: shards_dir.clone(), source })?;
        let mut report = ExportReport::default();
        let mut index = Vec::new();
        let pages = self.assembler.sitemap_pages().await?;
        let pages_path = shards_dir.join(self.file_name("pages"));
        let mut pages_file = self.create(&pages_path)?;
        for page in &pages {
            pages_file.writer.add(&page.loc, page.lastmod).map_err(|e| write_error(&pages_path, e))?;
        }
        self.close(pages_file, &mut report)?;
        index.push(Location { loc: self.url_of("pages"), lastmod: pages.iter().filter_map(|p| p.lastmod).max() });

        let span = self.assembler.shard_span();
        let mut rows = self.assembler.store.sitemap_rows(0, i64::MAX);
        let mut open: Option<OpenShard> = None;
        while let Some(row) = rows.try_next().await? {
            let shard = row.article_id / span;
            if open.as_ref().is_some_and(|o| o.index != shard) {
                self.finish_shard(open.take(), &mut index, &mut report)?;
                progress(&report);
            }
            let current = open.get_or_insert(OpenShard { index: shard, file: None, lastmod: row.lastmod });
            self.add_row(current, &row, &mut report)?;
        }
        self.finish_shard(open, &mut index, &mut report)?;
        let index_path = self.dir.join("sitemap.xml");
        let index_out = Output::Plain(open_plain(&index_path)?);
        let mut writer = SitemapWriter::index(index_out).map_err(|e| write_error(&index_path, e))?;
        for entry in &index {
            writer.add(&entry.loc, entry.lastmod).map_err(|e| write_error(&index_path, e))?;
        }
        self.close(ShardFile { path: index_path, writer }, &mut report)?;
        progress(&report);
        Ok(report)
    }

    fn add_row(&self, shard: &mut OpenShard, row: &SitemapRow, report: &mut ExportReport) -> Result<(), ExportError> {
        shard.lastmod = shard.lastmod.max(row.lastmod).max(row.outlet_changed);
        if !row.listed {
            return Ok(());
        }
        if shard.file.is_none() {
            let name = format!("articles-{}", shard.index);
            shard.file = Some(self.create(&self.dir.join("sitemaps").join(self.file_name(&name)))?);
        }
        let file = shard.file.as_mut().expect("opened above");
        let loc = self.assembler.site.article_url(row.article_id);
        file.writer.add(&loc, Some(row.lastmod)).map_err(|e| write_error(&file.path, e))?;
        report.urls += 1;
        Ok(())
    }

    /// Closes a shard that listed something and names it in the index.
    fn finish_shard(
        &self,
        shard: Option<OpenShard>,
        index: &mut Vec<Location>,
        report: &mut ExportReport,
    ) -> Result<(), ExportError> {
        let Some(OpenShard { index: number, file: Some(file), lastmod }) = shard else { return Ok(()) };
        self.close(file, report)?;
        index.push(Location { loc: self.url_of(&format!("articles-{number}")), lastmod: Some(lastmod) });
        Ok(())
    }

    fn file_name(&self, stem: &str) -> String {
        if self.gzip {
            format!("{stem}.xml.gz")
        } else {
            format!("{stem}.xml")
        }
    }

    fn url_of(&self, stem: &str) -> String {
        format!("{}/sitemaps/{}", self.assembler.site.base_url, self.file_name(stem))
    }

    fn create(&self, path: &Path) -> Result<ShardFile, ExportError> {
        let out = if self.gzip {
            let file = std::fs::File::create(path).map_err(|e| write_error(path, e))?;
            let gzip = flate2::write::GzEncoder::new(file, flate2::Compression::default());
            Output::Gzip(std::io::BufWriter::with_capacity(BUFFER_BYTES, gzip))
        } else {
            Output::Plain(open_plain(path)?)
        };
        let writer = SitemapWriter::urlset(out).map_err(|e| write_error(path, e))?;
        Ok(ShardFile { path: path.to_owned(), writer })
    }

    fn close(&self, file: ShardFile, report: &mut ExportReport) -> Result<(), ExportError> {
        let out = file.writer.finish().map_err(|e| write_error(&file.path, e))?;
        out.complete().map_err(|e| write_error(&file.path, e))?;
        report.files += 1;
        report.bytes += std::fs::metadata(&file.path).map_err(|e| write_error(&file.path, e))?.len();
        Ok(())
    }
}

fn open_plain(path: &Path) -> Result<std::io::BufWriter<std::fs::File>, ExportError> {
    let file = std::fs::File::create(path).map_err(|e| write_error(path, e))?;
    Ok(std::io::BufWriter::with_capacity(BUFFER_BYTES, file))
}

fn write_error(path: &Path, source: std::io::Error) -> ExportError {
    ExportError::Write { path: path.to_owned(), source }
}
