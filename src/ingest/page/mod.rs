//! HTML sources: outlets without feeds, read from their CMS pages (PHPCMS, DedeCMS,
//! 动易, TRS WCM, 博达…). A list page gives article links (`links`); each article page
//! gives one feed `Entry` (`extract_article`), which then goes through the same
//! `Pipeline::accept_entries` as a feed's, so sanitising, hidden-spam removal, policy
//! and identity are the feeds'. An operator's `PageRules` override any field; without
//! them every field is found automatically: the text by a readability-style score
//! (`readability`), the title from headings and the declared title (`title`), the
//! time, 来源 and author from the page's metadata (`meta`) or the byline line near the
//! title (`byline`), read in the outlet's time zone.
//!
//! Nothing here fetches: bytes come in (`decode_page`), values go out. Every walk is
//! iterative and bounded, and nothing panics on any input.

mod byline;
mod content;
mod decode;
mod dom;
mod links;
mod meta;
mod readability;
mod region;
mod rules;
mod summary;
mod title;

#[cfg(test)]
mod tests;

pub use decode::decode_page;
pub use links::{article_links, MAX_LINKS};
pub use rules::{PageRules, RuleError};

use crate::ingest::feed::model::{Entry, Person, Text};
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use scraper::{ElementRef, Html};
use url::Url;

/// A fetched page, as text.
#[derive(Debug, Clone)]
pub struct Page {
    /// Where it was fetched from (after redirects).
    pub url: Url,
    pub html: String,
    /// The charset it was decoded with (`GBK`, `UTF-8`).
    pub encoding: &'static str,
}

/// What an article page gives.
#[derive(Debug, Clone, PartialEq)]
pub struct Extracted {
    pub entry: Entry,
    /// The 来源 (source) as the page states it (`新华社`, `昌吉日报`).
    pub credit: Option<String>,
    /// What an operator should know: a rule that matched nothing, a time that could
    /// not be read, a canonical URL on another site that was ignored.
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    #[error("no title found on the page (no heading, og:title or <title>); set rules.title")]
    NoTitle,
    #[error("no article text found on the page; set rules.content to the element that holds it")]
    NoContent,
}

/// Reads one article page; naive times are in `zone`.
pub fn extract_article(page: &Page, rules: &PageRules, zone: Tz) -> Result<Extracted, ExtractError> {
    let document = Html::parse_document(&page.html);
    let meta = meta::read(&document);
    let base = base_url(&document, &page.url);
    let stats = readability::measure(&document);
    let mut problems = Vec::new();

    let content = match by_rule(&document, &rules.content, "rules.content", &mut problems) {
        Some(element) => Some(element),
        None => readability::best(&document, &stats),
    };
    let (title, title_element) = match by_rule(&document, &rules.title, "rules.title", &mut problems) {
        Some(element) => (dom::line(element), Some(element)),
        None => title::find(&document, &meta, content).ok_or(ExtractError::NoTitle)?,
    };
    if title.is_empty() {
        return Err(ExtractError::NoTitle);
    }
    let content = content.ok_or(ExtractError::NoContent)?;
    let leave = content::Leave { title: title_element, title_text: &title };
    let html = content::html(&document, content, &stats, &leave);
    if html.is_empty() {
        return Err(ExtractError::NoContent);
    }

    let lines = region::byline_lines(&document, title_element, content);
    let bylines: Vec<byline::Byline> = lines.iter().filter_map(|line| byline::read(line)).collect();
    let source_line_text = by_rule(&document, &rules.source_line, "rules.source_line", &mut problems).map(dom::line);
    let source_line = source_line_text.as_deref().and_then(byline::read);

    let texts = Texts { source_line: source_line_text.as_deref(), lines: &lines };
    let published = published(&document, rules, &meta, &texts, source_line.as_ref(), &bylines, zone, &mut problems);
    if published.is_none() {
        problems.push("no publication time found on the page; the time it is first seen stands in".into());
    }
    let authors = match by_rule(&document, &rules.author, "rules.author", &mut problems) {
        Some(element) => {
            let text = dom::line(element);
            byline::read(&text).map(|b| b.authors).filter(|a| !a.is_empty()).unwrap_or_else(|| byline::names(&text))
        }
        None => source_line
            .iter()
            .map(|b| b.authors.clone())
            .chain(meta.author.iter().map(|a| byline::names(a)))
            .chain(bylines.iter().map(|b| b.authors.clone()))
            .find(|a| !a.is_empty())
            .or_else(|| region::first_paragraph(content).map(|p| byline::lead_reporters(&p)))
            .unwrap_or_default(),
    };
    let credit = source_line
        .as_ref()
        .and_then(|b| b.credit.clone())
        .or_else(|| meta.source.clone())
        .or_else(|| bylines.iter().find_map(|b| b.credit.clone()));

    let summary = meta.description.clone().filter(|d| summary::is_about(d, &title, &dom::text(content)));
    let link = canonical(&meta, &base, &page.url, &mut problems);
    let absolute =
        |u: &String| base.join(u.trim()).ok().filter(|u| matches!(u.scheme(), "http" | "https")).map(String::from);
    let entry = Entry {
        id: Some(link.to_string()),
        title: Some(Text::plain(title)),
        link: Some(link.to_string()),
        published,
        authors: authors.into_iter().map(|name| Person { name: Some(name), ..Person::default() }).collect(),
        summary: summary.map(Text::plain),
        content: Some(Text::html(html)),
        image: meta.image.as_ref().and_then(absolute),
        base: Some(base.to_string()),
        ..Entry::default()
    };
    Ok(Extracted { entry, credit, problems })
}

/// The first element a rule selects; a rule that selects nothing is a problem, and the
/// field is found automatically.
fn by_rule<'a>(
    document: &'a Html,
    rule: &Option<String>,
    field: &str,
    problems: &mut Vec<String>,
) -> Option<ElementRef<'a>> {
    let selector = rules::compiled(rule)?;
    let found = document.select(&selector).next();
    if found.is_none() {
        problems.push(format!("{field} matched nothing on the page; found automatically instead"));
    }
    found
}

/// The base of the page's relative URLs: its `<base href>`, else its own URL.
fn base_url(document: &Html, url: &Url) -> Url {
    static BASE: std::sync::LazyLock<scraper::Selector> =
        std::sync::LazyLock::new(|| scraper::Selector::parse("base[href]").expect("valid"));
    document
        .select(&BASE)
        .next()
        .and_then(|b| url.join(b.value().attr("href")?.trim()).ok())
        .filter(|b| matches!(b.scheme(), "http" | "https"))
        .unwrap_or_else(|| url.clone())
}

/// The page's canonical URL when it declares one on its own site, else the fetched URL.
fn canonical(meta: &meta::Meta, base: &Url, fetched: &Url, problems: &mut Vec<String>) -> Url {
    let Some(declared) = meta.canonical.as_deref().filter(|c| !c.is_empty()) else { return fetched.clone() };
    match base.join(declared) {
        Ok(url)
            if matches!(url.scheme(), "http" | "https")
                && crate::domain::domains::registrable_domain(&url)
                    == crate::domain::domains::registrable_domain(fetched) =>
        {
            url
        }
        _ => {
            problems.push(format!("canonical URL {declared} is not on the page's site; the fetched URL is used"));
            fetched.clone()
        }
    }
}

/// The page's texts a publication time may be read from with `rules.date_format`.
struct Texts<'a> {
    source_line: Option<&'a str>,
    lines: &'a [String],
}

/// The publication time: a rule (with its `date_format`), the source line or byline
/// lines read with `date_format`, then automatically the source line, the page's
/// metadata and the byline lines near the title.
#[allow(clippy::too_many_arguments)]
fn published(
    document: &Html,
    rules: &PageRules,
    meta: &meta::Meta,
    texts: &Texts<'_>,
    source_line: Option<&byline::Byline>,
    bylines: &[byline::Byline],
    zone: Tz,
    problems: &mut Vec<String>,
) -> Option<DateTime<Utc>> {
    if let Some(element) = by_rule(document, &rules.published, "rules.published", problems) {
        let value = ["datetime", "content"]
            .iter()
            .find_map(|a| element.value().attr(a))
            .map(str::to_owned)
            .unwrap_or_else(|| dom::line(element));
        let read = match &rules.date_format {
            Some(format) => with_format(&value, format, zone),
            None => read_date(&value, zone),
        };
        match read {
            Some(time) => return Some(time),
            None => problems.push(format!("rules.published: '{value}' is not a time that could be read")),
        }
    } else if let Some(format) = &rules.date_format {
        let formatted = texts.source_line.into_iter().chain(texts.lines.iter().map(String::as_str));
        match formatted.take(MAX_FORMATTED_LINES).find_map(|text| with_format(text, format, zone)) {
            Some(time) => return Some(time),
            None => problems.push(format!("rules.date_format: no time written as '{format}' near the title")),
        }
    }
    let from_line = |b: &byline::Byline| b.date.as_deref().and_then(|d| read_date(d, zone));
    source_line
        .and_then(from_line)
        .or_else(|| meta.published.as_deref().and_then(|p| read_date(p, zone)))
        .or_else(|| bylines.iter().find_map(from_line))
}

/// Lines read with `rules.date_format` when no `rules.published` says where the time is.
const MAX_FORMATTED_LINES: usize = 12;

/// A time as pages write it, in `zone` when it has no offset.
fn read_date(text: &str, zone: Tz) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Some(time) = crate::ingest::feed::dates::parse(text, zone) {
        return Some(time);
    }
    let (start, end) = byline::find_date(text)?;
    crate::ingest::feed::dates::parse(&text[start..end].replace('.', "-"), zone)
}

/// A time read with an operator's strftime format, in `zone` unless it has an offset;
/// words before it (`发布时间：`) are passed over.
fn with_format(text: &str, format: &str, zone: Tz) -> Option<DateTime<Utc>> {
    let text = text.trim();
    text.char_indices().take(MAX_DATE_PREFIX_CHARS).find_map(|(at, _)| {
        let rest = &text[at..];
        if let Ok((time, _)) = DateTime::parse_and_remainder(rest, format) {
            return Some(time.to_utc());
        }
        let naive = NaiveDateTime::parse_and_remainder(rest, format)
            .map(|(t, _)| t)
            .or_else(|_| NaiveDate::parse_and_remainder(rest, format).map(|(d, _)| d.and_time(chrono::NaiveTime::MIN)))
            .ok()?;
        zone.from_local_datetime(&naive).earliest().map(|t| t.to_utc())
    })
}

/// Characters before a time that `with_format` passes over looking for it: a byline's.
const MAX_DATE_PREFIX_CHARS: usize = byline::MAX_BYLINE_CHARS;
