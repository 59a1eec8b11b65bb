//! Polling sources: a conditional GET (the stored ETag / Last-Modified sent back, 304
//! read as "nothing new"), the body read up to a cap, parsed and turned into drafts
//! stored through `ingest::accept` — so a polled article and a pushed one are the same
//! article. Failures are recorded on the source and back off exponentially, with
//! jitter, honouring Retry-After; one source failing never stops the others.

use super::feed::{self, Context};
use super::items::{draft_from_entry, Refusal};
use super::{accept, Disposition, IngestError};
use crate::domain::source::Source;
use crate::store::sources::PollRecord;
use crate::store::{Store, StoreError};
use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use reqwest::header::{self, HeaderMap};
use std::time::Duration as StdDuration;

/// Connect and whole-request time limits for one fetch.
pub const CONNECT_TIMEOUT: StdDuration = StdDuration::from_secs(10);
pub const FETCH_TIMEOUT: StdDuration = StdDuration::from_secs(60);
/// Redirects followed before a fetch fails.
pub const MAX_REDIRECTS: usize = 5;
/// The longest a failing source waits between attempts.
pub const MAX_BACKOFF_SECS: i64 = 24 * 3600;

/// The HTTP client every poll uses; its User-Agent names syndic and the site it serves.
pub fn http_client(site_base_url: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(format!("syndic/{} (+{site_base_url})", env!("CARGO_PKG_VERSION")))
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(FETCH_TIMEOUT)
        .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
        .build()
        .expect("the HTTP client configuration is valid")
}

/// How often the scheduler looks for due sources.
pub const SCHEDULER_TICK: StdDuration = StdDuration::from_secs(5);
/// Polls running at once, per instance.
pub const MAX_CONCURRENT_POLLS: usize = 4;
/// How long a claimed source stays claimed if its poll never finishes.
pub const POLL_LEASE_SECS: i64 = 600;

/// Polls due sources until the process ends: every tick it claims the sources that are
/// due and polls them, a bounded number at a time.
pub async fn run_scheduler(store: Store, client: reqwest::Client) {
    let permits = std::sync::Arc::new(tokio::sync::Semaphore::new(MAX_CONCURRENT_POLLS));
    loop {
        match store.claim_due_sources(MAX_CONCURRENT_POLLS as i64 * 4, POLL_LEASE_SECS).await {
            Ok(due) => {
                for source in due {
                    let Ok(permit) = permits.clone().acquire_owned().await else { return };
                    let (store, client) = (store.clone(), client.clone());
                    tokio::spawn(async move {
                        if let Err(error) = poll_source(&store, &client, &source).await {
                            tracing::error!(source = source.id, %error, "poll could not be recorded");
                        }
                        drop(permit);
                    });
                }
            }
            Err(error) => tracing::error!(%error, "cannot read due sources"),
        }
        tokio::time::sleep(SCHEDULER_TICK).await;
    }
}

/// What a poll did, as recorded on the source.
pub type PollReport = PollRecord;

/// Polls one source now and records the outcome on it.
pub async fn poll_source(store: &Store, client: &reqwest::Client, source: &Source) -> Result<PollReport, StoreError> {
    let record = match fetch_and_ingest(store, client, source).await {
        Ok(record) => record,
        Err(PollFailure::Store(e)) => return Err(e),
        Err(PollFailure::Remote { status, error, retry_after }) => {
            let failures = source.status.consecutive_failures + 1;
            PollRecord {
                status,
                error: Some(error),
                next_fetch_at: Utc::now() + backoff(source.interval_secs, failures, retry_after),
                ..PollRecord::default()
            }
        }
    };
    store.record_poll(source.id, &record).await?;
    tracing::info!(
        source = source.id,
        url = %source.url,
        status = ?record.status,
        new = record.new,
        updated = record.updated,
        refused = record.refused,
        error = ?record.error,
        "source polled"
    );
    Ok(record)
}

enum PollFailure {
    Remote { status: Option<i64>, error: String, retry_after: Option<i64> },
    Store(StoreError),
}

impl From<StoreError> for PollFailure {
    fn from(error: StoreError) -> Self {
        PollFailure::Store(error)
    }
}

fn remote(status: Option<i64>, error: impl Into<String>) -> PollFailure {
    PollFailure::Remote { status, error: error.into(), retry_after: None }
}

async fn fetch_and_ingest(store: &Store, client: &reqwest::Client, source: &Source) -> Result<PollRecord, PollFailure> {
    let mut request = client.get(&source.url);
    if let Some(etag) = &source.etag {
        request = request.header(header::IF_NONE_MATCH, etag);
    }
    if let Some(modified) = &source.last_modified {
        request = request.header(header::IF_MODIFIED_SINCE, modified);
    }
    let response = request.send().await.map_err(|e| remote(None, describe(&e)))?;
    let status = response.status();
    let code = Some(i64::from(status.as_u16()));
    let headers = response.headers().clone();
    let next_regular = Utc::now() + regular_interval(source.interval_secs, &headers);
    if status == reqwest::StatusCode::NOT_MODIFIED {
        return Ok(PollRecord { status: code, next_fetch_at: next_regular, ..PollRecord::default() });
    }
    if !status.is_success() {
        return Err(PollFailure::Remote {
            status: code,
            error: format!("HTTP {status}"),
            retry_after: retry_after(&headers),
        });
    }
    let final_url = response.url().clone();
    let body = read_capped(response).await.map_err(|e| remote(code, e))?;
    let outlet = store.outlet_by_slug(&source.outlet_slug).await?;
    let context = Context {
        document_url: Some(final_url),
        content_type: headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned),
        zone: outlet.timezone,
    };
    let parsed = feed::parse_document(&body, &context).map_err(|e| remote(code, e.to_string()))?;
    let mut record = PollRecord {
        status: code,
        validators: Some((header_text(&headers, header::ETAG), header_text(&headers, header::LAST_MODIFIED))),
        seen: parsed.entries.len() as i64,
        next_fetch_at: next_regular,
        ..PollRecord::default()
    };
    let now = Utc::now();
    for entry in &parsed.entries {
        let mut draft = match draft_from_entry(entry, &outlet, &source.column_ids, now) {
            Ok(draft) => draft,
            Err(Refusal::NoLink(_) | Refusal::NoTitle) => {
                record.refused += 1;
                continue;
            }
        };
        if entry.published.is_none() && entry.updated.is_none() {
            // An undated item keeps the time it was first seen, so re-polling changes nothing.
            if let Some(first_seen) = store.original_published_at(draft.original_url.as_str()).await? {
                draft.original_published_at = first_seen;
            }
        }
        match accept(store, &outlet, &draft).await {
            Ok(accepted) => match accepted.disposition {
                Disposition::Created => record.new += 1,
                Disposition::Updated => record.updated += 1,
                Disposition::Unchanged => {}
            },
            Err(IngestError::OwnedByOtherOutlet) => record.refused += 1,
            Err(IngestError::Store(e)) => return Err(e.into()),
        }
    }
    Ok(record)
}

/// Reads the body, failing once it passes the feed size cap.
async fn read_capped(mut response: reqwest::Response) -> Result<Vec<u8>, String> {
    if response.content_length().is_some_and(|l| l > feed::MAX_FEED_BYTES as u64) {
        return Err(format!("feed is larger than {} bytes", feed::MAX_FEED_BYTES));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| describe(&e))? {
        if body.len() + chunk.len() > feed::MAX_FEED_BYTES {
            return Err(format!("feed is larger than {} bytes", feed::MAX_FEED_BYTES));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
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

/// Retry-After in seconds, from either of its forms.
fn retry_after(headers: &HeaderMap) -> Option<i64> {
    let value = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim().to_owned();
    value
        .parse::<i64>()
        .ok()
        .or_else(|| DateTime::parse_from_rfc2822(&value).ok().map(|at| (at.to_utc() - Utc::now()).num_seconds().max(0)))
}

/// A fetch error with its cause chain, for the source's status.
fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
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
