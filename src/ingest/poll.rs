//! Polling sources: fetch (conditional, redirects checked, body capped), parse, and
//! store through `accept_entries` — so a polled article and a pushed one are the same
//! article. Failures are recorded on the source and back off exponentially, with
//! jitter, honouring Retry-After; one source failing never stops the others. A poll
//! also records the WebSub hub the feed names (`websub`); while its pushes come, the
//! source is polled at the longer fallback interval, and a hub's delivery is stored and
//! recorded here as a poll would be (`record_push`). An html source's list page and its
//! article pages, and a full-text feed's item pages, are read in `html`.

mod html;

use super::feed::{self, Context, ParsedFeed};
use super::fetch::{self, Fetcher, Validators};
use super::websub::{self, discovery::Discovery};
use super::Pipeline;
use crate::domain::source::{Source, SourceKind};
use crate::domain::subscription::poll_interval;
use crate::domain::Actor;
use crate::store::sources::PollRecord;
use crate::store::{Audit, StoreError};
use chrono::{Duration, Utc};
use rand::Rng;
use reqwest::header::{self, HeaderMap};
use std::time::Duration as StdDuration;

/// The longest a failing source waits between attempts.
pub const MAX_BACKOFF_SECS: i64 = 24 * 3600;
/// What a full-text source's hub delivery leaves on its status.
const FULL_TEXT_PUSH: &str = "its hub pushed new items: polled within a minute, for their pages' full text";
/// How often the scheduler looks for due sources when none were waiting.
pub const SCHEDULER_TICK: StdDuration = StdDuration::from_secs(1);
/// Polls running at once, per instance.
pub const MAX_CONCURRENT_POLLS: usize = 4;
/// How long a claimed source stays claimed if its poll never finishes.
pub const POLL_LEASE_SECS: i64 = 600;
/// The longest a poll may take, its pages' fetches and redirects included: well within
/// its lease, so that no other poll of the source starts while it runs.
const POLL_DEADLINE: StdDuration = StdDuration::from_secs(POLL_LEASE_SECS as u64 - 60);

/// Polls due sources until `shutdown` completes, then lets the polls in flight finish.
/// Whenever a poll slot is free it claims as many due sources as there are free slots
/// (a lease in the database, so that of many instances one polls each), and looks
/// again at once while sources keep coming.
pub async fn run_scheduler(pipeline: Pipeline, fetcher: Fetcher, shutdown: impl std::future::Future<Output = ()>) {
    let store = pipeline.store.clone();
    let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(MAX_CONCURRENT_POLLS));
    tokio::pin!(shutdown);
    loop {
        let first = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => return,
            },
            () = &mut shutdown => break,
        };
        let free = slots.available_permits() + 1;
        let due = store.claim_due_sources(free as i64, POLL_LEASE_SECS).await.unwrap_or_else(|error| {
            tracing::error!(%error, "cannot read due sources");
            Vec::new()
        });
        let more_waiting = due.len() == free;
        let mut first = Some(first);
        for source in due {
            let slot = match first.take() {
                Some(slot) => slot,
                None => match slots.clone().acquire_owned().await {
                    Ok(slot) => slot,
                    Err(_) => return,
                },
            };
            let (pipeline, fetcher) = (pipeline.clone(), fetcher.clone());
            tokio::spawn(async move {
                if let Err(error) = poll_source(&pipeline, &fetcher, &source, &Actor::Scheduler, None).await {
                    tracing::error!(source = source.id, %error, "poll could not be recorded");
                }
                drop(slot);
            });
        }
        drop(first);
        if !more_waiting {
            tokio::select! {
                () = tokio::time::sleep(SCHEDULER_TICK) => {}
                () = &mut shutdown => break,
            }
        }
    }
    let _ = slots.acquire_many(MAX_CONCURRENT_POLLS as u32).await;
}

/// What a source's status says when storing what it sent failed as a whole (the
/// database's own words go to the log, not to API clients).
const STORE_FAILED: &str = "the fetched items could not be stored (database error; see the server log)";

/// Polls one source now and records the outcome on it, failures included: a poll that
/// fails for any reason says so on the source and backs off. `actor` is who asked for
/// it: the scheduler when the source was due, or whoever polled it now, whose poll is
/// recorded in the audit log with what it found (`audit`; the scheduler's, many a day,
/// are not).
pub async fn poll_source(
    pipeline: &Pipeline,
    fetcher: &Fetcher,
    source: &Source,
    actor: &Actor,
    audit: Option<Audit<'_>>,
) -> Result<PollRecord, StoreError> {
    let store = &pipeline.store;
    let failed = |status, error, retry_after| PollRecord {
        status,
        error: Some(error),
        next_fetch_at: Utc::now() + backoff(source.interval_secs, source.status.consecutive_failures + 1, retry_after),
        ..PollRecord::default()
    };
    let polled = tokio::time::timeout(POLL_DEADLINE, fetch_and_ingest(pipeline, fetcher, source)).await;
    let polled = polled.unwrap_or_else(|_| {
        let error = format!("the poll took longer than {} s and was given up", POLL_DEADLINE.as_secs());
        Err(Failure::Remote { status: None, error, retry_after: None })
    });
    let (record, hub) = match polled {
        Ok(polled) => polled,
        Err(Failure::Store(error)) => {
            tracing::error!(source = source.id, %error, "polled items could not be stored");
            (failed(None, STORE_FAILED.to_owned(), None), None)
        }
        Err(Failure::Remote { status, error, retry_after }) => (failed(status, error, retry_after), None),
    };
    store.record_poll(source.id, &record, audit).await?;
    if let Some(hub) = hub {
        websub::discovered(store, source.id, hub.as_ref()).await;
    }
    let outcome = match (&record.error, record.status) {
        (Some(_), _) => "error",
        (None, Some(304)) => "not_modified",
        (None, _) => "fetched",
    };
    pipeline.metrics.polls.inc(&[outcome]);
    tracing::info!(
        source = source.id,
        url = %source.url,
        %actor,
        status = ?record.status,
        new = record.new,
        updated = record.updated,
        refused = record.refused,
        error = ?record.error,
        moved_to = ?record.moved_to,
        "source polled"
    );
    Ok(record)
}

enum Failure {
    Remote { status: Option<i64>, error: String, retry_after: Option<i64> },
    Store(StoreError),
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        Failure::Store(error)
    }
}

impl From<fetch::FetchError> for Failure {
    fn from(error: fetch::FetchError) -> Self {
        Failure::Remote { status: error.status.map(i64::from), error: error.message, retry_after: error.retry_after }
    }
}

/// Fetches and stores a source's feed: the poll's record, and — when a document was
/// read — the hub it names (`Some(None)`: none).
async fn fetch_and_ingest(
    pipeline: &Pipeline,
    fetcher: &Fetcher,
    source: &Source,
) -> Result<(PollRecord, Option<Option<Discovery>>), Failure> {
    let validators = Validators { etag: source.etag.clone(), last_modified: source.last_modified.clone() };
    if source.kind == SourceKind::Html {
        // A web page names no hub.
        return Ok((html::fetch_and_ingest(pipeline, fetcher, source, &validators).await?, None));
    }
    let fetched = fetch::fetch(fetcher, &source.url, &validators).await?;
    let now = Utc::now();
    let subscription = source.status.subscription.as_ref().filter(|s| s.pushes(now));
    // While pushes come, the fallback interval; else the source's own.
    let next_fetch_at = |pushed| now + regular_interval(poll_interval(source.interval_secs, pushed), &fetched.headers);
    let mut record = PollRecord {
        status: Some(i64::from(fetched.status)),
        moved_to: fetched.moved_permanently_to.clone(),
        next_fetch_at: next_fetch_at(subscription.is_some()),
        ..PollRecord::default()
    };
    let Some(body) = &fetched.body else {
        return Ok((record, None)); // 304: nothing new
    };
    let content_type = header_text(&fetched.headers, header::CONTENT_TYPE);
    let (parsed, waiting) =
        ingest_document(pipeline, fetcher, source, body, Some(fetched.url.clone()), content_type, &mut record).await?;
    let hub = websub::discovery::discover(&fetched.headers, &parsed, &fetched.url);
    // Pushes count only from the hub and topic the feed still names.
    let still_pushed = subscription.is_some_and(|s| hub.as_ref().is_some_and(|d| d.hub == s.hub && d.topic == s.topic));
    // Items waiting for their full text are read at the source's own interval.
    record.next_fetch_at = next_fetch_at(still_pushed && waiting == 0);
    // Items waiting for their full text: the next poll must see the whole feed again.
    record.validators = Some(match waiting {
        0 => (header_text(&fetched.headers, header::ETAG), header_text(&fetched.headers, header::LAST_MODIFIED)),
        _ => (None, None),
    });
    Ok((record, Some(hub)))
}

/// Parses a feed document for `source` (relative links against `document_url`) and
/// stores its entries through the pipeline with the source's routing and review,
/// counting what became of them in `record` — a full-text source's with each new
/// item's page read for its content. The document without its entries, and how many
/// items wait for their page.
async fn ingest_document(
    pipeline: &Pipeline,
    fetcher: &Fetcher,
    source: &Source,
    body: &[u8],
    document_url: Option<url::Url>,
    content_type: Option<String>,
    record: &mut PollRecord,
) -> Result<(ParsedFeed, usize), Failure> {
    let outlet = pipeline.store.outlet_by_slug(&source.outlet_slug).await?;
    let context = Context { document_url, content_type, zone: outlet.timezone };
    let mut parsed = feed::parse_document(body, &context).map_err(|e| Failure::Remote {
        status: record.status,
        error: e.to_string(),
        retry_after: None,
    })?;
    let entries = std::mem::take(&mut parsed.entries);
    record.seen = entries.len() as i64;
    let mut warnings = std::mem::take(&mut parsed.problems);
    let read = match source.full_text {
        true => html::full_text(pipeline, fetcher, source, &outlet, entries, &mut warnings).await?,
        false => html::FullText { entries, credits: Vec::new(), waiting: 0 },
    };
    let tally =
        pipeline.accept_credited_entries(&outlet, &source.routing, source.review, &read.entries, &read.credits).await?;
    count(record, tally);
    record.warnings = warnings;
    Ok((parsed, read.waiting))
}

/// Puts on `record` what storing a poll's entries did.
fn count(record: &mut PollRecord, tally: super::Tally) {
    record.new = tally.new;
    record.updated = tally.updated;
    record.refused = tally.refused;
    record.refusals = tally.refusals;
    record.quarantined = tally.quarantined;
    record.hidden_removed = tally.hidden_removed;
}

/// Stores a document a source's hub pushed (`websub::callback`), and records it on the
/// source: its counts, or why it could not be read — never as a poll (the last poll's
/// status, validators, failures and next poll stand). A failure to store it is the
/// caller's error, so that the hub sends it again. A full-text source's delivery is not
/// stored as sent (its items' pages are to be read, which a hub does not wait for): the
/// source's next poll is brought forward instead (`Store::hasten_source`).
pub async fn record_push(
    pipeline: &Pipeline,
    fetcher: &Fetcher,
    source: &Source,
    topic: Option<url::Url>,
    content_type: Option<String>,
    body: &[u8],
) -> Result<(), StoreError> {
    let mut record = PollRecord::default();
    if source.full_text {
        pipeline.store.hasten_source(source.id, POLL_LEASE_SECS).await?;
        record.warnings.push(FULL_TEXT_PUSH.to_owned());
    } else {
        match ingest_document(pipeline, fetcher, source, body, topic, content_type, &mut record).await {
            Ok(_) => {}
            Err(Failure::Store(error)) => return Err(error),
            Err(Failure::Remote { error, .. }) => record.error = Some(error),
        }
    }
    pipeline.store.record_delivery(source.id, &record).await?;
    pipeline.metrics.polls.inc(&[if record.error.is_some() { "push_error" } else { "pushed" }]);
    tracing::info!(
        source = source.id,
        new = record.new,
        updated = record.updated,
        refused = record.refused,
        error = ?record.error,
        "WebSub delivery stored"
    );
    Ok(())
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

/// The source's interval, stretched to the response's `max-age` when that is longer,
/// with up to 10% jitter so that sources do not align.
fn regular_interval(interval_secs: i64, headers: &HeaderMap) -> Duration {
    let max_age = headers
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').find_map(|d| d.trim().strip_prefix("max-age=")?.parse::<i64>().ok()))
        .unwrap_or(0);
    let base = interval_secs.max(max_age.min(crate::domain::source::MAX_INTERVAL_SECS));
    Duration::seconds(base + rand::rng().random_range(0..=base / 10))
}

/// Exponential backoff from the interval, capped, with jitter; Retry-After when longer.
fn backoff(interval_secs: i64, failures: i64, retry_after: Option<i64>) -> Duration {
    let exponential = interval_secs.saturating_mul(1_i64 << failures.clamp(0, 16)).min(MAX_BACKOFF_SECS);
    let secs = exponential.max(retry_after.unwrap_or(0)).min(MAX_BACKOFF_SECS);
    Duration::seconds(secs + rand::rng().random_range(0..=secs / 10))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_caps_and_honours_retry_after() {
        let secs = |d: Duration| d.num_seconds();
        assert!((1800..=1980).contains(&secs(backoff(900, 1, None))));
        assert!((3600..=3960).contains(&secs(backoff(900, 2, None))));
        assert!(secs(backoff(900, 40, None)) <= MAX_BACKOFF_SECS + MAX_BACKOFF_SECS / 10);
        assert!(secs(backoff(60, 1, Some(7200))) >= 7200);
    }
}
