//! Polling pages. An html source: its list page fetched conditionally, the article pages
//! it links that the source has not stored yet fetched (at most `MAX_PAGES_PER_POLL` a
//! poll, the rest at the next), each read by extraction and stored as a feed's entries
//! are. A full-text feed: each new item's page fetched (within the same bound) for its
//! content. A page that cannot be fetched or read is a warning on the source and costs
//! only itself; while pages wait or failed, the list's validators are forgotten, so the
//! next poll sees the list (or feed) again and takes them up.

use super::{count, header_text, regular_interval, Failure};
use crate::domain::source::Source;
use crate::domain::{OriginalUrl, Outlet};
use crate::ingest::feed::Entry;
use crate::ingest::fetch::{self, Fetcher, Validators};
use crate::ingest::pages::{self, Listed, MAX_PAGES_PER_POLL};
use crate::ingest::Pipeline;
use crate::store::sources::PollRecord;
use chrono::Utc;
use reqwest::header;

pub(super) async fn fetch_and_ingest(
    pipeline: &Pipeline,
    fetcher: &Fetcher,
    source: &Source,
    validators: &Validators,
) -> Result<PollRecord, Failure> {
    let fetched = fetch::fetch_page(fetcher, &source.url, validators).await?;
    let mut record = PollRecord {
        status: Some(i64::from(fetched.status)),
        moved_to: fetched.moved_permanently_to.clone(),
        next_fetch_at: Utc::now() + regular_interval(source.interval_secs, &fetched.headers),
        ..PollRecord::default()
    };
    let Some(list) = pages::decoded(&fetched) else {
        return Ok(record); // 304: nothing new
    };
    let outlet = pipeline.store.outlet_by_slug(&source.outlet_slug).await?;
    let rules = pages::rules_of(source);
    let links = pages::listed_links(&list, &rules);
    drop(list);
    let mut warnings = Vec::new();
    if links.is_empty() {
        warnings.push(pages::NO_LINKS.to_owned());
    }
    // Pages the outlet may not publish are never fetched: a list page (or its rules)
    // cannot make syndic crawl other sites.
    let (links, foreign): (Vec<Listed>, Vec<Listed>) =
        links.into_iter().partition(|l| outlet_may_publish(&outlet, &l.key));
    if let Some(first) = foreign.first() {
        warnings.push(format!("{} links outside the outlet's domains left out, such as {}", foreign.len(), first.url));
    }
    let keys: Vec<String> = links.iter().map(|l| l.key.clone()).collect();
    let unstored_keys = pipeline.store.unstored_pages(source.id, outlet.id, &keys).await?;
    let unstored: Vec<&Listed> = links.iter().filter(|l| unstored_keys.contains(&l.key)).collect();
    let (mut read, mut failed) = (Vec::new(), 0);
    for link in unstored.iter().take(MAX_PAGES_PER_POLL) {
        match pages::read_article(fetcher, link, &rules, outlet.timezone).await {
            Ok(article) => {
                warnings.extend(article.problems.iter().cloned());
                read.push(article);
            }
            Err(problem) => {
                failed += 1;
                warnings.push(problem);
            }
        }
    }
    let waiting = unstored.len().saturating_sub(MAX_PAGES_PER_POLL);
    if waiting > 0 {
        warnings
            .push(format!("{waiting} more article pages wait for the next poll (at most {MAX_PAGES_PER_POLL} a poll)"));
    }
    let credits: Vec<Option<String>> = read.iter().map(|a| a.credit.clone()).collect();
    let entries: Vec<Entry> = read
        .iter()
        .map(|a| Entry { link: a.entry.link.clone().or_else(|| Some(a.link.clone())), ..a.entry.clone() })
        .collect();
    let tally = pipeline.accept_credited_entries(&outlet, &source.routing, source.review, &entries, &credits).await?;
    // A page read is not fetched again, whether it was stored or refused (by the filters,
    // the outlet's domains…: reading it again would decide the same).
    let read_links: Vec<String> = read.into_iter().map(|a| a.link).collect();
    pipeline.store.record_stored_pages(source.id, &read_links).await?;
    record.validators = Some(match waiting == 0 && failed == 0 {
        true => (header_text(&fetched.headers, header::ETAG), header_text(&fetched.headers, header::LAST_MODIFIED)),
        false => (None, None),
    });
    record.seen = (links.len() + foreign.len()) as i64;
    count(&mut record, tally);
    record.warnings = warnings;
    Ok(record)
}

/// A full-text feed's new entries (those the source has not stored) with the content of
/// their pages. Entries already stored are left out: the feed's own shorter text would
/// otherwise replace the full text (and the credit) stored from the page, so an item is
/// read once, and later changes to it in the feed are not followed.
pub(super) struct FullText {
    pub entries: Vec<Entry>,
    /// The origin each entry's page names, by position.
    pub credits: Vec<Option<String>>,
    /// New entries left for the next poll (past `MAX_PAGES_PER_POLL`): they are not stored
    /// before their page is read.
    pub waiting: usize,
}

/// Reads the pages of `entries` that are new to the source; a page that cannot be read
/// leaves its entry as the feed gave it, with a warning. Stored entries are dropped.
pub(super) async fn full_text(
    pipeline: &Pipeline,
    fetcher: &Fetcher,
    source: &Source,
    outlet: &Outlet,
    entries: Vec<Entry>,
    warnings: &mut Vec<String>,
) -> Result<FullText, Failure> {
    let rules = pages::rules_of(source);
    let links: Vec<Option<Listed>> = entries.iter().map(|e| e.link.as_deref().and_then(Listed::of)).collect();
    let known: Vec<String> = links.iter().flatten().map(|l| l.key.clone()).collect();
    let unstored = pipeline.store.unstored_pages(source.id, outlet.id, &known).await?;
    let mut read = FullText { entries: Vec::with_capacity(entries.len()), credits: Vec::new(), waiting: 0 };
    let mut pages_fetched = 0;
    for (entry, link) in entries.into_iter().zip(links) {
        if link.as_ref().is_some_and(|l| !unstored.contains(&l.key)) {
            continue; // stored with its full text (or the feed's, when its page failed)
        }
        let Some(link) = link.filter(|l| outlet_may_publish(outlet, &l.key)) else {
            // No page to read (the pipeline refuses a link outside the outlet's domains).
            read.credits.push(None);
            read.entries.push(entry);
            continue;
        };
        if pages_fetched == MAX_PAGES_PER_POLL {
            read.waiting += 1;
            continue;
        }
        pages_fetched += 1;
        match pages::read_article(fetcher, &link, &rules, outlet.timezone).await {
            Ok(page) => {
                warnings.extend(page.problems.iter().cloned());
                read.credits.push(page.credit.clone());
                read.entries.push(pages::with_full_text(entry, page));
            }
            Err(problem) => {
                warnings.push(format!("full text not read, the feed's own text kept: {problem}"));
                read.credits.push(None);
                read.entries.push(entry);
            }
        }
    }
    if read.waiting > 0 {
        warnings.push(format!(
            "{} more new items wait for their full text until the next poll (at most {MAX_PAGES_PER_POLL} pages a poll)",
            read.waiting
        ));
    }
    Ok(read)
}

/// Whether `link` (a normalised original URL) lies within the outlet's domains.
fn outlet_may_publish(outlet: &Outlet, link: &str) -> bool {
    OriginalUrl::parse(link).is_ok_and(|url| outlet.may_publish(&url))
}
