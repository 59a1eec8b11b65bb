//! Sanitising what outlets send before it is stored: HTML through an allowlist
//! (ammonia) after the elements readers cannot see are removed (`hidden`), plain-text
//! fields stripped of markup, and characters that XML 1.0 cannot carry removed, so
//! every output built from stored text stays well-formed.

use super::attribution::without_attribution_blocks;
use super::hidden::{self, without_hidden_elements};
use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::OnceLock;

/// `rel` given to every link in reposted content: we vouch for none of them.
pub const LINK_REL: &str = "nofollow noopener noreferrer";

/// CSS properties kept in `style` attributes: typography and alignment only. Nothing
/// that can hide, shrink, recolour or move text is kept (`display`, sizes, colours,
/// margins, positions), so a trick the hidden-element filter misses still shows.
const SAFE_STYLE_PROPERTIES: &[&str] = &[
    "border",
    "border-collapse",
    "border-style",
    "clear",
    "direction",
    "float",
    "font-family",
    "font-style",
    "font-variant",
    "font-weight",
    "padding",
    "text-align",
    "text-decoration",
    "unicode-bidi",
    "vertical-align",
    "white-space",
];

/// The only URL schemes kept in links, images, media and citations.
const WEB_SCHEMES: &[&str] = &["http", "https", "mailto"];

/// Every attribute the allowlist keeps whose value is a URL. ammonia checks schemes
/// only on its own list, which lacks `cite`; these are all checked by `web_url_only`.
const URL_ATTRIBUTES: &[&str] = &["href", "src", "cite", "poster"];

/// Cleans an HTML fragment: allowlisted elements and attributes only, no scripts or
/// event handlers, nothing hidden from readers, only http(s)/mailto URLs, relative
/// URLs resolved against `base`, and no syndic attribution block (this site adds its
/// own when it publishes: `ingest::attribution`).
pub fn html(fragment: &str, base: &url::Url) -> String {
    html_counting_hidden(fragment, base).0
}

/// `html`, also saying how many hidden elements were removed.
pub fn html_counting_hidden(fragment: &str, base: &url::Url) -> (String, u32) {
    let (visible, hidden) = without_hidden_elements(&without_attribution_blocks(&xml_safe(fragment)));
    BASE.set(Some(base.clone()));
    let mut clean = html_cleaner().clean(&visible).to_string();
    BASE.set(None);
    // The parser decoded character references (`&#x1;`) and the serialiser writes what
    // they stand for as it is: forbidden characters exist only now.
    crate::domain::text::make_xml_safe(&mut clean);
    (clean.trim().to_owned(), hidden)
}

thread_local! {
    /// The URL relative links resolve against, for the fragment this thread is cleaning.
    static BASE: RefCell<Option<url::Url>> = const { RefCell::new(None) };
}

/// The HTML allowlist, built once: relative URLs resolve against `BASE`.
fn html_cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let mut builder = ammonia::Builder::default();
        builder
            .add_tags(["audio", "video", "source"])
            .add_tag_attributes("audio", ["src", "controls"])
            .add_tag_attributes("video", ["src", "controls", "poster", "width", "height"])
            .add_tag_attributes("source", ["src", "type"])
            .add_generic_attributes(["style"])
            .add_clean_content_tags(hidden::NEVER_RENDERED)
            .filter_style_properties(SAFE_STYLE_PROPERTIES.iter().copied().collect())
            .link_rel(Some(LINK_REL))
            .url_schemes(WEB_SCHEMES.iter().copied().collect())
            .attribute_filter(web_url_only);
        builder
    })
}

/// Keeps a URL attribute only if it is an http(s) or mailto URL, a relative one made
/// absolute against `BASE` (dropped when there is none); other attributes pass.
fn web_url_only<'u>(_element: &str, attribute: &str, value: &'u str) -> Option<Cow<'u, str>> {
    if !URL_ATTRIBUTES.contains(&attribute) {
        return Some(Cow::Borrowed(value));
    }
    match url::Url::parse(value) {
        Ok(absolute) => WEB_SCHEMES.contains(&absolute.scheme()).then_some(Cow::Borrowed(value)),
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            let absolute = BASE.with_borrow(|base| base.as_ref()?.join(value).ok())?;
            WEB_SCHEMES.contains(&absolute.scheme()).then(|| Cow::Owned(absolute.into()))
        }
        Err(_) => None,
    }
}

/// Reduces an HTML fragment (or text that may contain markup) to the plain text a
/// reader sees: hidden elements go, as in `html` (uncounted: a title has no count).
pub fn plain_text(fragment: &str) -> String {
    static TEXT_ONLY: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    let cleaner = TEXT_ONLY.get_or_init(|| {
        let mut builder = ammonia::Builder::empty();
        builder.clean_content_tags(hidden::NEVER_RENDERED.iter().copied().collect());
        builder
    });
    let (visible, _) = without_hidden_elements(&xml_safe(fragment));
    let escaped = cleaner.clean(&visible).to_string();
    // Decoded only now, references included: check what they decoded to.
    collapse_whitespace(&xml_safe(&unescape_serialised_html(&escaped)))
}

pub use crate::domain::text::xml_safe;

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
    fn hidden_link_spam_goes_with_its_content() {
        let dirty = r#"<p>新闻</p><div style="display: none"><a href="http://spam.example/">bet365</a></div><span style="POSITION:absolute;LEFT:-9999px">bet365中文</span><p hidden>x</p><span style="font-size:0">casino</span><p style="color:red">可见</p>"#;
        let clean = html(dirty, &base());
        for gone in ["spam.example", "bet365", "casino", ">x<"] {
            assert!(!clean.contains(gone), "{gone} survived in {clean}");
        }
        assert!(clean.contains("新闻") && clean.contains("可见"), "{clean}");
    }

    #[test]
    fn every_kept_url_attribute_keeps_only_web_urls() {
        // Every attribute HTML defines as holding URLs.
        const HTML_URL_ATTRIBUTES: &[&str] = &[
            "action",
            "archive",
            "background",
            "cite",
            "classid",
            "codebase",
            "data",
            "formaction",
            "href",
            "icon",
            "itemtype",
            "longdesc",
            "manifest",
            "ping",
            "poster",
            "profile",
            "src",
            "srcset",
            "usemap",
            "xlink:href",
        ];
        let cleaner = html_cleaner();
        let generic = cleaner.clone_generic_attributes();
        let mut kept: Vec<(&str, &str)> = cleaner
            .clone_tag_attributes()
            .into_iter()
            .flat_map(|(tag, attributes)| attributes.into_iter().map(move |a| (tag, a)))
            .collect();
        kept.extend(cleaner.clone_tags().into_iter().flat_map(|tag| generic.iter().map(move |a| (tag, *a))));
        for (tag, attribute) in kept.into_iter().filter(|(_, a)| HTML_URL_ATTRIBUTES.contains(a)) {
            assert!(URL_ATTRIBUTES.contains(&attribute), "{attribute} on <{tag}> is kept but its scheme not checked");
            for hostile in ["javascript:alert(1)", " JAVA&#x09;SCRIPT&colon;alert(1)", "data:text/html,x", "vbscript:x"]
            {
                let clean = html(&format!(r#"<{tag} {attribute}="{hostile}">x</{tag}>"#), &base());
                assert!(!clean.contains(&format!("{attribute}=")), "<{tag} {attribute}> kept {hostile}: {clean}");
            }
        }
        let quote =
            html(r#"<blockquote cite="../src/1.html">q</blockquote><q cite="mailto:a@b.example">x</q>"#, &base());
        assert!(
            quote.contains(r#"cite="http://www.cjxww.cn/src/1.html""#) && quote.contains("mailto:a@b.example"),
            "{quote}"
        );
    }

    #[test]
    fn relative_links_resolve_against_the_original_and_get_nofollow() {
        let clean = html(r#"<a href="/news/2.html">next</a><img src="pic.jpg">"#, &base());
        assert!(clean.contains(r#"href="http://www.cjxww.cn/news/2.html""#), "{clean}");
        assert!(clean.contains(r#"rel="nofollow noopener noreferrer""#), "{clean}");
        assert!(clean.contains(r#"src="http://www.cjxww.cn/pic.jpg""#), "{clean}");
    }

    #[test]
    fn each_fragment_resolves_against_its_own_base_on_any_thread() {
        let cleaned = |base: &'static str| {
            std::thread::spawn(move || {
                let base = url::Url::parse(base).unwrap();
                (0..50).map(|_| html(r#"<a href="next.html">n</a>"#, &base)).collect::<Vec<_>>()
            })
        };
        let (first, second) = (cleaned("http://a.example/news/1.html"), cleaned("https://b.example/x/y/2.html"));
        assert!(first.join().unwrap().iter().all(|c| c.contains(r#"href="http://a.example/news/next.html""#)));
        assert!(second.join().unwrap().iter().all(|c| c.contains(r#"href="https://b.example/x/y/next.html""#)));
        let other = html(r#"<a href="next.html">n</a>"#, &url::Url::parse("http://c.example/").unwrap());
        assert!(other.contains(r#"href="http://c.example/next.html""#), "{other}");
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
