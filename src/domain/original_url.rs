//! The identity of an article: its original link, normalised so that the same article
//! reached through a share button, a tracking redirect or a differently-cased host is
//! recognised as the same article.
//!
//! The rule: scheme and host lower-cased, default port, fragment and known tracking
//! parameters dropped, every other query parameter kept verbatim and in order. Query
//! strings often *are* the identity on news sites (`index.php?…&id=93487`), so nothing
//! else in the query is touched.

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
        // The url crate lower-cases scheme and host and drops default ports for us.
        let mut url = Url::parse(input).map_err(|e| format!("is not a valid URL: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err("must be an http or https URL".into());
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err("must have a host".into());
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("must not contain credentials".into());
        }
        url.set_fragment(None);
        let kept = url.query().map(without_tracking_parameters);
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
