//! The freshness contract: what a reader may be answered with while articles pour in.
//!
//! Every change supersedes the documents it touches, but re-rendering each one for every
//! change would make readers wait on writes and writes wait on renders. So a document
//! superseded less than `stale` ago (`render_cache_stale_ms`, 500 ms by default) is still
//! served while its successor renders, whole and under its own validators (ETag,
//! Last-Modified, Content-Length of the bytes sent, gzip variant included): never a body
//! under another body's ETag. Its successor renders once `coalesce` has passed since it was
//! superseded (`render_cache_coalesce_ms`, 100 ms), so the changes of a burst are followed
//! by one render rather than one each.
//!
//! A reader that must see the current document says so as HTTP says it
//! (`Cache-Control: no-cache` or `max-age=0`, `Pragma: no-cache`): it waits for a render
//! begun after every change this process has committed, so a client that pushed reads its
//! own write. With `stale` zero, every reader does.

use axum::http::{header, HeaderMap};
use std::time::Duration;

/// How stale an answer may be, and how long changes gather before a render.
#[derive(Debug, Clone, Copy)]
pub struct Freshness {
    pub stale: Duration,
    pub coalesce: Duration,
}

impl Freshness {
    /// Never stale: every reader waits for the current document.
    pub const CURRENT: Freshness = Freshness { stale: Duration::ZERO, coalesce: Duration::ZERO };
}

/// Whether the request asks for the current document (RFC 9111 §5.2.1: `no-cache`,
/// `max-age=0`; §5.4: `Pragma: no-cache` without Cache-Control).
pub fn wants_current(request: &HeaderMap) -> bool {
    let mut cache_control = request.get_all(header::CACHE_CONTROL).iter().filter_map(|v| v.to_str().ok()).peekable();
    if cache_control.peek().is_none() {
        return request
            .get_all(header::PRAGMA)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.split(',').any(|d| d.trim().eq_ignore_ascii_case("no-cache")));
    }
    cache_control.flat_map(|v| v.split(',')).any(|directive| {
        let directive = directive.trim();
        let (name, value) = directive.split_once('=').unwrap_or((directive, ""));
        let name = name.trim();
        name.eq_ignore_ascii_case("no-cache")
            || (name.eq_ignore_ascii_case("max-age") && value.trim().trim_matches('"').parse::<u64>() == Ok(0))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn only_no_cache_and_max_age_zero_ask_for_the_current_document() {
        assert!(wants_current(&headers(&[("cache-control", "no-cache")])));
        assert!(wants_current(&headers(&[("cache-control", "public, Max-Age=0")])));
        assert!(wants_current(&headers(&[("pragma", "no-cache")])));
        assert!(!wants_current(&headers(&[])));
        assert!(!wants_current(&headers(&[("cache-control", "max-age=10")])));
        assert!(!wants_current(&headers(&[("cache-control", "max-age=0010"), ("pragma", "no-cache")])));
        assert!(!wants_current(&headers(&[("cache-control", "no-store-ish")])));
    }
}
