//! Sanitising what outlets send before it is stored: HTML through an allowlist
//! (ammonia), plain-text fields stripped of markup, and characters that XML 1.0 cannot
//! carry removed, so every output built from stored text stays well-formed.

use std::sync::OnceLock;

/// `rel` given to every link in reposted content: we vouch for none of them.
pub const LINK_REL: &str = "nofollow noopener noreferrer";

/// Cleans an HTML fragment: allowlisted elements and attributes only, no scripts or
/// event handlers, only http(s)/mailto URLs, relative URLs resolved against `base`.
pub fn html(fragment: &str, base: &url::Url) -> String {
    let mut builder = ammonia::Builder::default();
    builder
        .link_rel(Some(LINK_REL))
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .url_relative(ammonia::UrlRelative::RewriteWithBase(base.clone()));
    builder.clean(&xml_safe(fragment)).to_string().trim().to_owned()
}

/// Reduces an HTML fragment (or text that may contain markup) to plain text.
pub fn plain_text(fragment: &str) -> String {
    static TEXT_ONLY: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    let cleaner = TEXT_ONLY.get_or_init(|| {
        let mut builder = ammonia::Builder::empty();
        builder.clean_content_tags(["script", "style", "template"].into_iter().collect());
        builder
    });
    let escaped = cleaner.clean(&xml_safe(fragment)).to_string();
    collapse_whitespace(&unescape_serialised_html(&escaped))
}

/// Removes characters XML 1.0 forbids (C0 controls other than tab/newline/return,
/// U+FFFE/U+FFFF) so that no input can make a feed or sitemap ill-formed.
pub fn xml_safe(text: &str) -> String {
    text.chars()
        .filter(|&c| matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}'))
        .collect()
}

/// Undoes the escaping html5ever's serialiser applies to text.
fn unescape_serialised_html(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> url::Url {
        url::Url::parse("http://www.cjxww.cn/index.php?id=1").unwrap()
    }

    #[test]
    fn scripts_handlers_and_javascript_links_are_removed() {
        let dirty = r#"<p onclick="x()">Hi<script>alert(1)</script><a href="javascript:alert(2)">x</a><iframe src="http://e.vil"></iframe></p>"#;
        let clean = html(dirty, &base());
        for bad in ["<script", "onclick", "javascript:", "<iframe", "alert(1)"] {
            assert!(!clean.contains(bad), "{bad} survived in {clean}");
        }
        assert!(clean.starts_with("<p>Hi"));
    }

    #[test]
    fn relative_links_resolve_against_the_original_and_get_nofollow() {
        let clean = html(r#"<a href="/news/2.html">next</a><img src="pic.jpg">"#, &base());
        assert!(clean.contains(r#"href="http://www.cjxww.cn/news/2.html""#), "{clean}");
        assert!(clean.contains(r#"rel="nofollow noopener noreferrer""#), "{clean}");
        assert!(clean.contains(r#"src="http://www.cjxww.cn/pic.jpg""#), "{clean}");
    }

    #[test]
    fn plain_text_strips_markup_but_keeps_literal_characters() {
        assert_eq!(plain_text("<b>AT&amp;T</b>  <i>news</i>"), "AT&T news");
        assert_eq!(plain_text("a < b & c"), "a < b & c");
        assert_eq!(plain_text("x<script>alert(1)</script>y"), "xy");
    }

    #[test]
    fn xml_forbidden_characters_are_dropped() {
        assert_eq!(xml_safe("a\u{0}b\u{b}c\u{FFFE}d\te"), "abcd\te");
    }
}
