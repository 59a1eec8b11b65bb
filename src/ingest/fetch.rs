//! Fetching a feed over HTTP: a conditional GET with the stored validators, redirects
//! followed by hand (at most `MAX_REDIRECTS`, so that every hop passes the SSRF guard
//! and a permanent move is noticed), and the body read up to the feed size cap. A web
//! page (`fetch_page`: an html source's list page, an article page) and an image to keep
//! (`fetch_image`, with its article as Referer) are fetched the same way, each with its
//! own size cap; a page with a shorter time limit, as a poll fetches many.

use super::feed::MAX_FEED_BYTES;
use super::guard::{self, FetchAllow, GuardedResolver, Inadmissible, Refused};
use reqwest::header::{self, HeaderMap};
use reqwest::StatusCode;
use std::time::Duration;
use url::Url;

/// Connect and whole-request time limits for one fetch.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(60);
/// Redirects followed before a fetch fails.
pub const MAX_REDIRECTS: usize = 5;
/// The largest web page read, and the time one may take (a poll fetches up to
/// `ingest::pages::MAX_PAGES_PER_POLL` of them, one after another, within its lease).
pub const MAX_PAGE_BYTES: usize = 4 * 1024 * 1024;
pub const PAGE_TIMEOUT: Duration = Duration::from_secs(20);

/// The one way syndic fetches anything from the network: an HTTP client whose resolver
/// and every hop go through the SSRF guard.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    allow: FetchAllow,
}

impl Fetcher {
    /// A fetcher whose User-Agent names syndic and the site it serves.
    pub fn new(site_base_url: &str, allow: FetchAllow) -> Fetcher {
        let client = reqwest::Client::builder()
            .user_agent(format!("syndic/{} (+{site_base_url})", env!("CARGO_PKG_VERSION")))
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(FETCH_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(GuardedResolver::new(allow.clone()))
            .build()
            .expect("the HTTP client configuration is valid");
        Fetcher { client, allow }
    }

    /// Whether a request to `url` would get past the SSRF guard now (see
    /// `guard::check_destination`): for addresses given to be used later.
    pub async fn check_destination(&self, url: &Url) -> Result<(), Inadmissible> {
        guard::check_destination(url, &self.allow).await
    }
}

/// The most of a notification's answer that is read.
const MAX_REPLY_BYTES: usize = 64 * 1024;

/// The answer to an outbound notification.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Fetcher {
    /// Sends one request to `url` after it passes the SSRF guard (redirects are not
    /// followed: a notification goes where it was addressed or nowhere) and reads the
    /// start of the answer, all within `timeout`.
    pub async fn send(
        &self,
        method: reqwest::Method,
        url: &str,
        headers: &[(&str, String)],
        body: Option<Vec<u8>>,
        timeout: Duration,
    ) -> Result<Reply, FetchError> {
        let url = Url::parse(url).map_err(|e| FetchError::new(None, format!("bad URL {url}: {e}")))?;
        guard::check_url(&url, &self.allow).map_err(FetchError::refused)?;
        let mut request = self.client.request(method, url).timeout(timeout);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        if let Some(body) = body {
            request = request.body(body);
        }
        let mut response = request
            .send()
            .await
            .map_err(|e| FetchError { refused: refused_by_guard(&e), ..FetchError::new(None, describe(&e)) })?;
        let status = response.status().as_u16();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| FetchError::new(Some(status), describe(&e)))? {
            body.extend_from_slice(&chunk[..chunk.len().min(MAX_REPLY_BYTES - body.len())]);
            if body.len() >= MAX_REPLY_BYTES {
                break;
            }
        }
        Ok(Reply { status, body })
    }
}

/// Validators from the last successful fetch.
#[derive(Debug, Clone, Default)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A completed fetch.
#[derive(Debug)]
pub struct Fetched {
    pub status: u16,
    /// Where the document was finally found: the base of its relative links.
    pub url: Url,
    /// The new address when every redirect on the way was permanent (301/308).
    pub moved_permanently_to: Option<String>,
    pub headers: HeaderMap,
    /// `None` for 304 Not Modified.
    pub body: Option<Vec<u8>>,
}

/// A failed fetch, with what the source's status should show.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct FetchError {
    pub status: Option<u16>,
    pub message: String,
    /// Seconds the server asked us to wait (Retry-After), if it did.
    pub retry_after: Option<i64>,
    /// The SSRF guard refused the address: asking again will not help.
    pub refused: bool,
    /// The body was larger than the cap: asking again will not help either.
    pub too_large: bool,
}

impl FetchError {
    fn new(status: Option<u16>, message: impl Into<String>) -> Self {
        FetchError { status, message: message.into(), retry_after: None, refused: false, too_large: false }
    }

    fn refused(refused: Refused) -> Self {
        FetchError { refused: true, ..FetchError::new(None, refused.to_string()) }
    }
}

/// GETs `url`, sending `validators` back.
pub async fn fetch(fetcher: &Fetcher, url: &str, validators: &Validators) -> Result<Fetched, FetchError> {
    let limit = Limit { bytes: MAX_FEED_BYTES, what: "feed", timeout: FETCH_TIMEOUT };
    get(fetcher, url, validators, None, limit).await
}

/// GETs a web page (a list page, an article page), sending `validators` back.
pub async fn fetch_page(fetcher: &Fetcher, url: &str, validators: &Validators) -> Result<Fetched, FetchError> {
    let limit = Limit { bytes: MAX_PAGE_BYTES, what: "page", timeout: PAGE_TIMEOUT };
    get(fetcher, url, validators, None, limit).await
}

/// GETs an image to keep, with `referer` (its article's own URL, which hotlink
/// protection accepts) and a body of at most `max_bytes`; the bytes.
pub async fn fetch_image(fetcher: &Fetcher, url: &str, referer: &str, max_bytes: usize) -> Result<Vec<u8>, FetchError> {
    let limit = Limit { bytes: max_bytes, what: "image", timeout: FETCH_TIMEOUT };
    let fetched = get(fetcher, url, &Validators::default(), Some(referer), limit).await?;
    fetched.body.ok_or_else(|| FetchError::new(Some(fetched.status), "HTTP 304 to an unconditional request"))
}

/// The most of a body read, and what it is, for the error past it; the time each request
/// may take.
#[derive(Debug, Clone, Copy)]
struct Limit {
    bytes: usize,
    what: &'static str,
    timeout: Duration,
}

async fn get(
    fetcher: &Fetcher,
    url: &str,
    validators: &Validators,
    referer: Option<&str>,
    limit: Limit,
) -> Result<Fetched, FetchError> {
    let mut current = Url::parse(url).map_err(|e| FetchError::new(None, format!("bad URL {url}: {e}")))?;
    let mut all_permanent = true;
    for _ in 0..=MAX_REDIRECTS {
        guard::check_url(&current, &fetcher.allow).map_err(FetchError::refused)?;
        let mut request = fetcher.client.get(current.clone()).timeout(limit.timeout);
        if let Some(etag) = &validators.etag {
            request = request.header(header::IF_NONE_MATCH, etag);
        }
        if let Some(modified) = &validators.last_modified {
            request = request.header(header::IF_MODIFIED_SINCE, modified);
        }
        if let Some(referer) = referer {
            request = request.header(header::REFERER, referer);
        }
        let response = request.send().await.map_err(|e| FetchError::new(None, describe(&e)))?;
        let status = response.status();
        if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
            let location =
                response.headers().get(header::LOCATION).and_then(|l| l.to_str().ok()).ok_or_else(|| {
                    FetchError::new(Some(status.as_u16()), format!("HTTP {status} without a Location"))
                })?;
            let next = current
                .join(location)
                .map_err(|e| FetchError::new(Some(status.as_u16()), format!("bad redirect to {location}: {e}")))?;
            all_permanent &= matches!(status, StatusCode::MOVED_PERMANENTLY | StatusCode::PERMANENT_REDIRECT);
            current = next;
            continue;
        }
        let headers = response.headers().clone();
        let moved_permanently_to = (all_permanent && current.as_str() != url).then(|| current.to_string());
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Fetched { status: 304, url: current, moved_permanently_to, headers, body: None });
        }
        if !status.is_success() {
            return Err(FetchError {
                status: Some(status.as_u16()),
                message: format!("HTTP {status}"),
                retry_after: retry_after(&headers),
                refused: false,
                too_large: false,
            });
        }
        let body = read_capped(response, limit)
            .await
            .map_err(|(too_large, e)| FetchError { too_large, ..FetchError::new(Some(status.as_u16()), e) })?;
        return Ok(Fetched { status: status.as_u16(), url: current, moved_permanently_to, headers, body: Some(body) });
    }
    Err(FetchError::new(None, format!("more than {MAX_REDIRECTS} redirects")))
}

/// Reads the body, failing once it passes the size cap (`true` with the message then).
async fn read_capped(mut response: reqwest::Response, limit: Limit) -> Result<Vec<u8>, (bool, String)> {
    let too_large = || (true, format!("{} is larger than {} bytes", limit.what, limit.bytes));
    if response.content_length().is_some_and(|l| l > limit.bytes as u64) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| (false, describe(&e)))? {
        if body.len() + chunk.len() > limit.bytes {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Retry-After in seconds, from either of its forms.
fn retry_after(headers: &HeaderMap) -> Option<i64> {
    let value = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim().to_owned();
    value.parse::<i64>().ok().or_else(|| {
        chrono::DateTime::parse_from_rfc2822(&value)
            .ok()
            .map(|at| (at.to_utc() - chrono::Utc::now()).num_seconds().max(0))
    })
}

/// Whether the guarded resolver refused every address of the host.
fn refused_by_guard(error: &reqwest::Error) -> bool {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if cause.is::<Refused>() {
            return true;
        }
        source = cause.source();
    }
    false
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

    #[tokio::test]
    async fn notifications_to_internal_addresses_are_refused_and_say_so() {
        let fetcher = Fetcher::new("http://test.example", FetchAllow::default());
        for url in ["http://169.254.169.254/latest", "http://localhost:9/cb"] {
            let error = fetcher.send(reqwest::Method::GET, url, &[], None, Duration::from_secs(2)).await.unwrap_err();
            assert!(error.refused, "{url}: {error}");
        }
    }
}
