//! The identity of an article: its original link, normalised so that the same article
//! reached through a share button, a tracking redirect or a differently-cased host is
//! recognised as the same article.
//!
//! The rule: only absolute `http://` and `https://` URLs; scheme and host lower-cased
//! (IDNA), the trailing dot of a fully qualified host, the default port, the fragment and
//! known tracking parameters dropped; percent-encoded unreserved characters decoded in
//! the path and query (RFC 3986 §6.2.2.2: `%63ontent` is `content`); every other query
//! parameter and every other escape kept verbatim and in order, and a trailing slash kept
//! (servers may answer `/a` and `/a/` differently). Query strings often *are* the
//! identity on news sites (`index.php?…&id=93487`), so nothing else in the query is touched.
//!
//! Rows stored before a rule was added keep the URL they were stored under; see
//! README, "Identity".

use std::borrow::Cow;
use std::fmt;
use url::Url;

/// Longest original URL accepted, the de-facto limit of browsers and crawlers.
pub const MAX_URL_LEN: usize = 2048;

/// Query parameter names (compared case-insensitively) that only track a click and never
/// identify content. Names ending in `*` are prefixes.
pub const TRACKING_PARAMETERS: &[&str] = &[
    "utm_*",  // Google Analytics campaign tags
    "fbclid", // Facebook click id
    "gclid",  // Google Ads click id
    "dclid",  // Google Display click id
    "gbraid", // Google Ads (iOS) click ids
    "wbraid",
    "msclkid", // Microsoft Ads click id
    "yclid",   // Yandex click id
    "igshid",  // Instagram share id
    "mc_cid",  // Mailchimp campaign / member ids
    "mc_eid",
    "_hsenc", // HubSpot
    "_hsmi",
    "mkt_tok", // Marketo
    "spm",     // Alibaba / Taobao / UC "super position model" tracking
    "scm",     // its companion
    "share_token",
    "wt_mc", // Webtrekk
];

/// A normalised absolute http(s) URL identifying an article.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OriginalUrl(String);

impl OriginalUrl {
    pub fn parse(input: &str) -> Result<OriginalUrl, String> {
        let input = input.trim();
        if input.is_empty() {
            return Err("is required".into());
        }
        if input.len() > MAX_URL_LEN {
            return Err(format!("must be at most {MAX_URL_LEN} characters"));
        }
        let (scheme, rest) = input.split_once(':').unwrap_or_default();
        if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
            return Err("must be an absolute http or https URL".into());
        }
        // The URL standard repairs `http:host/a`, `http:/host/a` and backslashes; a link
        // written that way (or `//host/a`, which needs a base) is not an absolute URL.
        if !rest.starts_with("//") || rest[2..].starts_with(['/', '\\']) {
            return Err("must be an absolute URL: scheme://host/path".into());
        }
        // The url crate lower-cases scheme and host and drops default ports for us.
        let mut url = Url::parse(input).map_err(|e| format!("is not a valid URL: {e}"))?;
        if let Some(url::Host::Domain(domain)) = url.host() {
            let fully_qualified = domain.trim_end_matches('.').to_owned();
            if fully_qualified.is_empty() {
                return Err("must have a host".into());
            }
            url.set_host(Some(&fully_qualified)).map_err(|e| format!("is not a valid URL: {e}"))?;
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err("must have a host".into());
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("must not contain credentials".into());
        }
        url.set_fragment(None);
        let path = decode_unreserved(url.path()).into_owned();
        url.set_path(&path);
        let kept = url.query().map(|query| without_tracking_parameters(&decode_unreserved(query)));
        url.set_query(kept.as_deref().filter(|q| !q.is_empty()));
        // Percent-encoding triples non-ASCII bytes: the limit holds for what is stored
        // (PostgreSQL cannot index a URL much longer).
        if url.as_str().len() > MAX_URL_LEN {
            return Err(format!("must be at most {MAX_URL_LEN} bytes once percent-encoded"));
        }
        Ok(OriginalUrl(url.into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OriginalUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Decodes the percent-encoded unreserved characters (RFC 3986 §2.3: ALPHA, DIGIT, `-`,
/// `.`, `_`, `~`), which mean the same decoded, in either case of hex digit; every other
/// escape means something else decoded (`%2F` is not a path separator), so it stays.
/// The url crate has already resolved dot segments, `%2E` ones included, so a decoded
/// dot never makes a new one.
fn decode_unreserved(text: &str) -> Cow<'_, str> {
    if !text.contains('%') {
        return Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| Some(hex_value(*bytes.get(i + 1)?)? * 16 + hex_value(*bytes.get(i + 2)?)?))
            .flatten()
            .filter(|b| b.is_ascii_alphanumeric() || b"-._~".contains(b));
        match escaped {
            Some(unreserved) => {
                decoded.push(unreserved);
                i += 3;
            }
            None => {
                decoded.push(bytes[i]);
                i += 1;
            }
        }
    }
    // Only ASCII escapes were replaced, by ASCII: what was UTF-8 still is.
    Cow::Owned(String::from_utf8(decoded).expect("UTF-8 stays UTF-8"))
}

fn hex_value(digit: u8) -> Option<u8> {
    char::from(digit).to_digit(16).map(|v| v as u8)
}

/// Removes tracking pairs from a raw query string, leaving the others byte for byte.
fn without_tracking_parameters(query: &str) -> String {
    query.split('&').filter(|pair| !pair.is_empty() && !is_tracking_parameter(pair)).collect::<Vec<_>>().join("&")
}

fn is_tracking_parameter(pair: &str) -> bool {
    let name = pair.split('=').next().unwrap_or("").to_ascii_lowercase();
    TRACKING_PARAMETERS.iter().any(|pattern| match pattern.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => name == *pattern,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        OriginalUrl::parse(s).unwrap().as_str().to_owned()
    }

    #[test]
    fn the_example_pages_link_keeps_its_identifying_query() {
        let link = "http://www.cjxww.cn/index.php?m=content&c=index&a=show&catid=407&id=93487";
        assert_eq!(norm(link), link);
    }

    #[test]
    fn case_default_port_and_fragment_do_not_change_identity() {
        assert_eq!(
            norm("HTTP://WWW.CJXWW.CN:80/index.php?m=content&id=93487#comments"),
            "http://www.cjxww.cn/index.php?m=content&id=93487"
        );
        assert_eq!(norm("https://Example.org:443"), "https://example.org/");
    }

    #[test]
    fn tracking_parameters_go_and_the_rest_keep_their_order() {
        assert_eq!(
            norm("https://x.cn/a?utm_source=wx&id=2&UTM_Medium=s&fbclid=1&spm=a.b&b=1&a=2&gclid=z"),
            "https://x.cn/a?id=2&b=1&a=2"
        );
        assert_eq!(norm("https://x.cn/a?utm_source=wx"), "https://x.cn/a");
        assert_eq!(norm("https://x.cn/a?"), "https://x.cn/a");
    }

    #[test]
    fn parameters_that_merely_look_like_tracking_are_kept() {
        assert_eq!(norm("https://x.cn/a?utmost=1&spmx=2"), "https://x.cn/a?utmost=1&spmx=2");
    }

    #[test]
    fn escaped_unreserved_characters_and_the_trailing_dot_do_not_change_identity() {
        let canonical = "http://www.cjxww.cn/content/a_b-c.~d?id=1&x=%2F%20";
        for spelling in [
            "http://www.cjxww.cn/%63ontent/a_b-c.~d?id=1&x=%2F%20",
            "http://www.cjxww.cn./content/a_b-c.~d?id=1&x=%2F%20",
            "http://WWW.CJXWW.CN.:80/%63ont%65nt/a%5Fb%2dc%2E%7ed?%69d=%31&x=%2F%20",
        ] {
            assert_eq!(norm(spelling), canonical, "{spelling}");
        }
        assert_eq!(
            norm("https://x.cn/a?utm%5Fsource=wx&id=2"),
            "https://x.cn/a?id=2",
            "decoded before tracking is dropped"
        );
        assert_eq!(
            norm("https://x.cn/%E6%96%B0%e9%97%bb"),
            "https://x.cn/%E6%96%B0%e9%97%bb",
            "other escapes stay as written"
        );
        assert_eq!(norm("https://x.cn/a%2e%2E/b/%2E"), "https://x.cn/a../b/", "no new dot segments");
        assert_eq!(norm("https://x.cn/a%"), "https://x.cn/a%");
        assert_eq!(norm("https://x.cn/a%4"), "https://x.cn/a%4");
    }

    #[test]
    fn a_trailing_slash_is_another_address() {
        assert_ne!(norm("https://x.cn/a/"), norm("https://x.cn/a"));
    }

    #[test]
    fn urls_that_are_not_absolute_are_refused() {
        for relative in [
            "//www.cjxww.cn/a",
            "http:www.cjxww.cn/a",
            "http:/www.cjxww.cn/a",
            "http:///www.cjxww.cn/a",
            "http:\\\\www.cjxww.cn\\a",
            "https:/\\x.cn/",
            "www.cjxww.cn/a",
            "http://./a",
        ] {
            assert!(OriginalUrl::parse(relative).is_err(), "{relative:?} should be refused");
        }
    }

    #[test]
    fn non_web_and_malformed_urls_are_refused() {
        for bad in [
            "",
            "javascript:alert(1)",
            "mailto:a@b.c",
            "ftp://x.cn/a",
            "/relative/path",
            "http://",
            "https://user:pw@x.cn/",
            "data:text/html,<script>",
        ] {
            assert!(OriginalUrl::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(OriginalUrl::parse(&format!("https://x.cn/{}", "a".repeat(MAX_URL_LEN))).is_err());
    }
}
