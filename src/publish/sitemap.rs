//! Sitemaps (sitemaps.org 0.9): an index of urlsets, sharded so that no file exceeds
//! 50,000 URLs or 10 MB uncompressed (Baidu's limit, stricter than Google's 50 MB).
//!
//! Article shards are ranges of article ids, so a shard's URL and content stay stable
//! however the articles' dates cluster (a bulk import lands in one month).

use super::rfc3339;
use crate::store::SITEMAP_BLOCK_IDS;
use chrono::{DateTime, Utc};
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;
use std::io::Write;

pub const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
/// The sitemaps.org limit on URLs per file.
pub const MAX_URLS_PER_FILE: i64 = 50_000;
/// The strictest engine's limit on uncompressed file size (Baidu: 10 MB).
pub const MAX_FILE_BYTES: i64 = 10 * 1024 * 1024;
/// Room kept for the XML declaration and the urlset element.
const ENVELOPE_BYTES: i64 = 512;
/// The widest id an article URL can carry, in digits.
const MAX_ID_DIGITS: i64 = 19;

/// One `<url>` or `<sitemap>` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Location {
    pub loc: String,
    pub lastmod: Option<DateTime<Utc>>,
}

/// How many article ids one shard spans, so that a full shard stays within both limits
/// for this base URL (the longest article URL is the base plus `/articles/` and an id),
/// in whole blocks of the store's sitemap dates (`SITEMAP_BLOCK_IDS`).
pub fn shard_span(base_url: &str) -> i64 {
    let escaped_base = escaped_len(base_url);
    let entry = "<url><loc></loc><lastmod>2000-01-01T00:00:00Z</lastmod></url>\n".len() as i64
        + escaped_base
        + "/articles/".len() as i64
        + MAX_ID_DIGITS;
    let span = MAX_URLS_PER_FILE.min((MAX_FILE_BYTES - ENVELOPE_BYTES) / entry);
    span / SITEMAP_BLOCK_IDS * SITEMAP_BLOCK_IDS
}

/// The article ids shard `index` spans: `[index × span, (index + 1) × span)`, or `None`
/// past the largest id.
pub fn shard_ids(index: i64, span: i64) -> Option<std::ops::Range<i64>> {
    let start = index.checked_mul(span)?;
    Some(start..start.checked_add(span)?)
}

fn escaped_len(text: &str) -> i64 {
    text.chars()
        .map(|c| match c {
            '&' => 5,
            '<' | '>' => 4,
            '"' | '\'' => 6,
            c => c.len_utf8(),
        })
        .sum::<usize>() as i64
}

pub const NEWS_NS: &str = "http://www.google.com/schemas/sitemap-news/0.9";
/// Google News sitemaps list articles of the last two days, at most 1,000 per file.
pub const NEWS_WINDOW_HOURS: i64 = 48;
pub const MAX_NEWS_URLS_PER_FILE: usize = 1_000;

/// One article of a Google News sitemap.
#[derive(Debug, Clone, PartialEq)]
pub struct NewsLocation {
    pub loc: String,
    pub title: String,
    /// `news:language`: ISO 639, with `zh-cn` / `zh-tw` for Chinese.
    pub language: String,
    /// `news:publication_date`: when the article first appeared on our site.
    pub published: DateTime<Utc>,
}

/// The `news:language` code for a BCP 47 tag, as Google News spells it.
pub fn news_language(tag: &str) -> String {
    let lower = tag.to_ascii_lowercase();
    let mut parts = lower.split('-');
    let primary = parts.next().unwrap_or("en");
    if primary == "zh" {
        let traditional = parts.any(|p| matches!(p, "tw" | "hk" | "mo" | "hant"));
        return if traditional { "zh-tw".into() } else { "zh-cn".into() };
    }
    if (2..=3).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_lowercase()) {
        primary.to_owned()
    } else {
        "en".to_owned()
    }
}

/// A `<urlset>` with Google News entries, named by `publication`.
pub fn news_urlset(publication: &str, entries: &[NewsLocation]) -> String {
    let mut writer = Writer::new(Vec::with_capacity(256 + entries.len() * 400));
    let result: std::io::Result<()> = (|| {
        writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        writer.write_event(Event::Text(BytesText::from_escaped("\n")))?;
        let root = BytesStart::new("urlset").with_attributes([("xmlns", SITEMAP_NS), ("xmlns:news", NEWS_NS)]);
        writer.write_event(Event::Start(root))?;
        writer.write_event(Event::Text(BytesText::from_escaped("\n")))?;
        for entry in entries {
            writer.write_event(Event::Start(BytesStart::new("url")))?;
            text_element(&mut writer, "loc", &entry.loc)?;
            writer.write_event(Event::Start(BytesStart::new("news:news")))?;
            writer.write_event(Event::Start(BytesStart::new("news:publication")))?;
            text_element(&mut writer, "news:name", publication)?;
            text_element(&mut writer, "news:language", &entry.language)?;
            writer.write_event(Event::End(BytesEnd::new("news:publication")))?;
            text_element(&mut writer, "news:publication_date", &rfc3339(entry.published))?;
            text_element(&mut writer, "news:title", &entry.title)?;
            writer.write_event(Event::End(BytesEnd::new("news:news")))?;
            writer.write_event(Event::End(BytesEnd::new("url")))?;
            writer.write_event(Event::Text(BytesText::from_escaped("\n")))?;
        }
        writer.write_event(Event::End(BytesEnd::new("urlset")))?;
        writer.write_event(Event::Text(BytesText::from_escaped("\n")))?;
        Ok(())
    })();
    result.expect("writing XML into memory cannot fail");
    super::well_formed(String::from_utf8(writer.into_inner()).expect("the writer emits UTF-8"))
}

/// A `<sitemapindex>` listing the given sitemaps.
pub fn index(sitemaps: &[Location]) -> String {
    document(SitemapWriter::index(Vec::with_capacity(128 + sitemaps.len() * 120)), sitemaps)
}

/// A `<urlset>` listing the given pages.
pub fn urlset(urls: &[Location]) -> String {
    document(SitemapWriter::urlset(Vec::with_capacity(128 + urls.len() * 120)), urls)
}

fn document(writer: std::io::Result<SitemapWriter<Vec<u8>>>, locations: &[Location]) -> String {
    let written = writer.and_then(|mut writer| {
        for location in locations {
            writer.add(&location.loc, location.lastmod)?;
        }
        writer.finish()
    });
    String::from_utf8(written.expect("writing XML into memory cannot fail")).expect("the writer emits UTF-8")
}

/// A sitemap document written entry by entry into `out` (a response buffer, a file):
/// however many entries it lists, only what was written is held. Entries are written
/// as text directly: a million of them go through here in an export.
pub struct SitemapWriter<W: Write> {
    out: W,
    root: &'static str,
    entry: &'static str,
}

impl<W: Write> SitemapWriter<W> {
    pub fn urlset(out: W) -> std::io::Result<Self> {
        Self::start(out, "urlset", "url")
    }

    pub fn index(out: W) -> std::io::Result<Self> {
        Self::start(out, "sitemapindex", "sitemap")
    }

    fn start(mut out: W, root: &'static str, entry: &'static str) -> std::io::Result<Self> {
        write!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{root} xmlns=\"{SITEMAP_NS}\">\n")?;
        Ok(SitemapWriter { out, root, entry })
    }

    pub fn add(&mut self, loc: &str, lastmod: Option<DateTime<Utc>>) -> std::io::Result<()> {
        let out = &mut self.out;
        for piece in ["<", self.entry, "><loc>", &quick_xml::escape::escape(loc), "</loc>"] {
            out.write_all(piece.as_bytes())?;
        }
        if let Some(lastmod) = lastmod {
            for piece in ["<lastmod>", &rfc3339(lastmod), "</lastmod>"] {
                out.write_all(piece.as_bytes())?;
            }
        }
        for piece in ["</", self.entry, ">\n"] {
            out.write_all(piece.as_bytes())?;
        }
        Ok(())
    }

    /// Closes the document and hands back what it was written into.
    pub fn finish(mut self) -> std::io::Result<W> {
        writeln!(self.out, "</{}>", self.root)?;
        Ok(self.out)
    }
}

fn text_element(writer: &mut Writer<Vec<u8>>, name: &str, text: &str) -> std::io::Result<()> {
    writer.write_event(Event::Start(BytesStart::new(name)))?;
    writer.write_event(Event::Text(BytesText::new(text)))?;
    writer.write_event(Event::End(BytesEnd::new(name)))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_shard_of_the_longest_urls_fits_both_limits() {
        for base in ["http://127.0.0.1:8080", &format!("https://{}.example.cn", "x".repeat(150))] {
            let span = shard_span(base);
            assert!(span <= MAX_URLS_PER_FILE && span % SITEMAP_BLOCK_IDS == 0, "{span}");
            let urls: Vec<Location> = (0..span)
                .map(|i| Location { loc: format!("{base}/articles/{}", i64::MAX - i), lastmod: Some(Utc::now()) })
                .collect();
            assert!(urlset(&urls).len() as i64 <= MAX_FILE_BYTES, "{base}");
        }
    }

    #[test]
    fn news_languages_follow_google_news_spelling() {
        assert_eq!(news_language("zh-CN"), "zh-cn");
        assert_eq!(news_language("zh-Hant-TW"), "zh-tw");
        assert_eq!(news_language("en-GB"), "en");
        assert_eq!(news_language("ug"), "ug");
    }

    #[test]
    fn locations_are_escaped() {
        let xml = urlset(&[Location { loc: "https://x.cn/a?b=1&c=2".into(), lastmod: None }]);
        assert!(xml.contains("<loc>https://x.cn/a?b=1&amp;c=2</loc>"), "{xml}");
    }
}
