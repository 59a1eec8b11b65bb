//! The content policy: terms and link domains the portal never publishes. An article
//! that matches is held in quarantine for an admin to release or reject.
//!
//! It matches what a reader sees and where links lead, not how either is spelled. Terms
//! are looked for in each field's visible text (for HTML: markup removed, character
//! references decoded, `alt` and `title` texts too), and the text and the configured
//! terms are both reduced by `fold` first, so that `bet<b></b>365`, `bet&shy;365`,
//! `bet&#8203;365` and `ＢＥＴ３６５` are all `bet365`. Hosts are compared as a resolver
//! sees them: ASCII (IDNA), lower-case, without the trailing dot of a fully qualified
//! name (`spam.example.` is `spam.example`), subdomains included.

use super::correction::Correction;
use super::ArticleDraft;
use icu_normalizer::uts46::Uts46MapperBorrowed;
use icu_properties::props::{DefaultIgnorableCodePoint, GeneralCategory};
use icu_properties::{CodePointMapData, CodePointSetData};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContentPolicy {
    /// Terms as `fold` reduces them, matched anywhere in a field's folded text.
    terms: Vec<String>,
    /// Hosts as `host_key` reduces them, matched against every link's host, subdomains included.
    domains: Vec<String>,
}

impl ContentPolicy {
    /// The policy for `terms` and `domains` as configured. A domain may be written as a
    /// host (`spam.example`, `*.spam.example`, `例え.テスト`) or as a URL on it; an entry
    /// that names no host is ignored.
    pub fn new(terms: &[String], domains: &[String]) -> ContentPolicy {
        let terms = terms.iter().map(|term| fold(term)).filter(|term| !term.is_empty()).collect();
        let domains = domains
            .iter()
            .filter_map(|domain| {
                let domain = domain.trim().trim_start_matches("*.").trim_start_matches('.');
                match url::Host::parse(domain) {
                    Ok(host) => host_key(host),
                    Err(_) => url::Url::parse(domain).ok()?.host().and_then(host_key),
                }
            })
            .collect();
        ContentPolicy { terms, domains }
    }

    /// Parses a comma-separated list, as the environment gives it.
    pub fn list(text: &str) -> Vec<String> {
        text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty() && self.domains.is_empty()
    }

    /// Why `draft` must be held, or `None` when it may be published.
    pub fn violation(&self, draft: &ArticleDraft) -> Option<String> {
        if self.is_empty() {
            return None;
        }
        let html: Vec<(&str, Rendered)> = [("summary", &draft.summary), ("content", &draft.content_html)]
            .into_iter()
            .filter_map(|(field, html)| Some((field, Rendered::of(html.as_deref()?))))
            .collect();
        self.blocked_term(draft, &html).or_else(|| self.blocked_link(draft, &html))
    }

    /// What in an editor's `correction` the policy blocks, by field as the APIs name
    /// them: a blocked term in its text or a link to a blocked domain. An editor's edit
    /// is refused for it, not held: the editor is there to change it.
    pub fn refusals(&self, correction: &Correction) -> Vec<(&'static str, String)> {
        if self.is_empty() {
            return Vec::new();
        }
        let mut refusals = Vec::new();
        let plain = [
            ("title", correction.title.as_deref()),
            ("subtitle", correction.subtitle.as_ref().and_then(Option::as_deref)),
        ];
        for (field, text) in plain {
            if let Some(term) = text.and_then(|text| self.term_in(text)) {
                refusals.push((field, format!("contains a blocked term ('{term}')")));
            }
        }
        for (field, html) in [("summary", &correction.summary), ("content_html", &correction.content_html)] {
            let Some(rendered) = html.as_ref().and_then(|html| Some(Rendered::of(html.as_deref()?))) else {
                continue;
            };
            let texts = std::iter::once(&rendered.text).chain(&rendered.captions);
            if let Some(term) = texts.into_iter().find_map(|text| self.term_in(text)) {
                refusals.push((field, format!("contains a blocked term ('{term}')")));
            } else if let Some(domain) = rendered.links.iter().find_map(|link| self.domain_of(link)) {
                refusals.push((field, format!("links to a blocked domain ('{domain}')")));
            }
        }
        if let Some(Some(image)) = &correction.image {
            let term = image.caption.as_deref().and_then(|caption| self.term_in(caption));
            if let Some(term) = term {
                refusals.push(("image", format!("its caption contains a blocked term ('{term}')")));
            } else if let Some(domain) = self.domain_of(&image.url) {
                refusals.push(("image", format!("is on a blocked domain ('{domain}')")));
            }
        }
        refusals
    }

    /// The first blocked term in `text`, folded.
    fn term_in(&self, text: &str) -> Option<&str> {
        let folded = fold(text);
        self.terms.iter().find(|term| folded.contains(term.as_str())).map(String::as_str)
    }

    /// The blocked domain `link` is on, if it is.
    fn domain_of(&self, link: &str) -> Option<&str> {
        let host = host_key(url::Url::parse(link).ok()?.host()?)?;
        self.domains.iter().find(|d| host == **d || host.ends_with(&format!(".{d}"))).map(String::as_str)
    }

    fn blocked_term(&self, draft: &ArticleDraft, html: &[(&str, Rendered)]) -> Option<String> {
        if self.terms.is_empty() {
            return None;
        }
        let plain = [
            ("title", Some(draft.title.as_str())),
            ("subtitle", draft.subtitle.as_deref()),
            ("author", draft.author.as_deref()),
            ("credit", draft.credit.as_deref()),
            ("rights", draft.rights.as_deref()),
            ("image caption", draft.image.as_ref().and_then(|i| i.caption.as_deref())),
        ];
        let texts = plain
            .into_iter()
            .filter_map(|(field, text)| Some((field, text?)))
            .chain(draft.tags.iter().map(|tag| ("tags", tag.as_str())))
            .chain(html.iter().flat_map(|(field, rendered)| {
                std::iter::once(rendered.text.as_str())
                    .chain(rendered.captions.iter().map(String::as_str))
                    .map(|t| (*field, t))
            }));
        texts.into_iter().find_map(|(field, text)| Some(format!("blocked term '{}' in {field}", self.term_in(text)?)))
    }

    fn blocked_link(&self, draft: &ArticleDraft, html: &[(&str, Rendered)]) -> Option<String> {
        let mut links: Vec<(&str, &str)> = vec![("original_url", draft.original_url.as_str())];
        links.extend(draft.image.iter().map(|i| ("image", i.url.as_str())));
        links.extend(draft.enclosures.iter().map(|e| ("enclosure", e.url.as_str())));
        for (field, rendered) in html {
            links.extend(rendered.links.iter().map(|link| (*field, link.as_str())));
        }
        links
            .into_iter()
            .find_map(|(field, link)| Some(format!("blocked domain '{}' in {field} ({link})", self.domain_of(link)?)))
    }
}

/// A host as the policy compares it: the url crate gives domains in IDNA's ASCII form,
/// lower-cased; the trailing dots of a fully qualified name go. `None` for an empty name.
fn host_key<S: AsRef<str>>(host: url::Host<S>) -> Option<String> {
    let key = match host {
        url::Host::Domain(domain) => domain.as_ref().trim_end_matches('.').to_owned(),
        address => address.to_string(),
    };
    (!key.is_empty()).then_some(key)
}

/// Text reduced to what a reader tells apart, so that spellings that look the same
/// match the same terms:
/// - format characters (general category Cf: soft hyphen, zero-width space and joiners,
///   word joiner, byte-order mark, bidi controls…) and other default-ignorable code
///   points (variation selectors, fillers) are removed: they show nothing;
/// - UTS 46's mapping applies NFKC with full case folding, as IDNA compares names
///   (`ＢＥＴ３６５` → `bet365`, `ﬁ` → `fi`, `ᾈ` → `ἀι`);
/// - the two letters that mapping keeps for IDNA's sake are folded as full case folding
///   does (`ß` → `ss`, `ς` → `σ`), and what it disallows (controls, private use,
///   unassigned code points: nothing with an agreed appearance) is removed;
/// - white space is collapsed to single spaces.
pub fn fold(text: &str) -> String {
    let category = CodePointMapData::<GeneralCategory>::new();
    let ignorable = CodePointSetData::new::<DefaultIgnorableCodePoint>();
    // ASCII has neither format nor default-ignorable characters: most text skips the lookups.
    let shown =
        text.chars().filter(|&c| c.is_ascii() || category.get(c) != GeneralCategory::Format && !ignorable.contains(c));
    let mut folded = String::with_capacity(text.len());
    let mut space = false;
    for c in Uts46MapperBorrowed::new().map_normalize(shown) {
        if c.is_whitespace() {
            space = !folded.is_empty();
            continue;
        }
        if std::mem::take(&mut space) {
            folded.push(' ');
        }
        match c {
            'ß' => folded.push_str("ss"),
            'ς' => folded.push('σ'),
            char::REPLACEMENT_CHARACTER => {}
            c => folded.push(c),
        }
    }
    folded
}

/// Attributes whose value is a URL the page loads or links to.
const URL_ATTRIBUTES: &[&str] = &["href", "src", "cite", "poster"];
/// Attributes whose value readers see: in place of an image, or on hover.
const TEXT_ATTRIBUTES: &[&str] = &["alt", "title"];

/// What a reader of sanitised HTML sees, and where it links.
#[derive(Debug, Default)]
struct Rendered {
    /// The text, markup removed and character references decoded.
    text: String,
    /// Values of `TEXT_ATTRIBUTES`.
    captions: Vec<String>,
    /// Values of `URL_ATTRIBUTES`.
    links: Vec<String>,
}

impl Rendered {
    /// Reads the allowlist's output, html5ever's serialisation of sanitised HTML: a `<`
    /// in text is always escaped, so each one opens a tag; attribute values are
    /// double-quoted, with `"` escaped; comments, scripts and styles are gone. A linear
    /// scan reads it exactly, at a fraction of the cost of parsing it again (this runs for
    /// every article of a batch).
    fn of(html: &str) -> Rendered {
        let mut rendered = Rendered::default();
        let mut rest = html;
        while let Some(open) = rest.find('<') {
            push_decoded(&mut rendered.text, &rest[..open]);
            let tag = &rest[open + 1..];
            let end = tag_end(tag);
            rendered.read_attributes(&tag[..end]);
            rest = tag.get(end + 1..).unwrap_or("");
        }
        push_decoded(&mut rendered.text, rest);
        rendered
    }

    /// Keeps the values of the attributes of `tag` (the text between `<` and `>`) that
    /// readers see or follow: `name="value"` pairs after the element's name.
    fn read_attributes(&mut self, tag: &str) {
        let mut rest = tag.trim_start_matches(|c: char| !c.is_ascii_whitespace());
        while let Some(equals) = rest.find("=\"") {
            let name = rest[..equals].trim().to_ascii_lowercase();
            let value = &rest[equals + 2..];
            let end = value.find('"').unwrap_or(value.len());
            let target = if URL_ATTRIBUTES.contains(&name.as_str()) {
                Some(&mut self.links)
            } else if TEXT_ATTRIBUTES.contains(&name.as_str()) {
                Some(&mut self.captions)
            } else {
                None
            };
            if let Some(target) = target {
                let mut decoded = String::with_capacity(end);
                push_decoded(&mut decoded, &value[..end]);
                target.push(decoded);
            }
            rest = value.get(end + 1..).unwrap_or("");
        }
    }
}

/// Where a tag's text ends: at its first `>` outside a quoted attribute value.
fn tag_end(tag: &str) -> usize {
    let mut quoted = false;
    for (i, byte) in tag.bytes().enumerate() {
        match byte {
            b'"' => quoted = !quoted,
            b'>' if !quoted => return i,
            _ => {}
        }
    }
    tag.len()
}

/// Appends `text` with the character references html5ever writes decoded (`&amp;`,
/// `&lt;`, `&gt;`, `&quot;`, `&nbsp;`: the only ones in its output).
fn push_decoded(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let reference = &rest[amp..];
        let decoded = [("&amp;", '&'), ("&lt;", '<'), ("&gt;", '>'), ("&quot;", '"'), ("&nbsp;", '\u{a0}')]
            .into_iter()
            .find(|(name, _)| reference.starts_with(name));
        let (skip, c) = decoded.map_or((1, '&'), |(name, c)| (name.len(), c));
        out.push(c);
        rest = &reference[skip..];
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::OriginalUrl;

    fn draft(content: &str) -> ArticleDraft {
        ArticleDraft {
            original_url: OriginalUrl::parse("http://www.cjxww.cn/a?id=1").unwrap(),
            title: "新闻".into(),
            subtitle: None,
            author: None,
            credit: None,
            summary: None,
            content_html: Some(content.into()),
            language: None,
            tags: vec![],
            rights: None,
            image: None,
            enclosures: vec![],
            original_published_at: chrono::Utc::now(),
            original_updated_at: None,
            column_ids: vec![1],
            hidden_removed: 0,
            schedule: Default::default(),
        }
    }

    #[test]
    fn an_edit_is_refused_by_field_for_a_blocked_term_or_domain() {
        let policy = ContentPolicy::new(&["bet365".into()], &["spam.example".into()]);
        let correction = Correction {
            title: Some("头雁".into()),
            subtitle: Some(Some("ＢＥＴ３６５".into())),
            content_html: Some(Some("<p>bet\u{AD}365</p>".into())),
            summary: Some(Some(r#"<a href="http://www.spam.example/">链</a>"#.into())),
            ..Correction::default()
        };
        let refused: Vec<&str> = policy.refusals(&correction).into_iter().map(|(field, _)| field).collect();
        assert_eq!(refused, ["subtitle", "summary", "content_html"]);
        assert!(policy.refusals(&Correction { title: Some("头雁".into()), ..Correction::default() }).is_empty());
    }

    #[test]
    fn blocked_terms_match_case_insensitively_anywhere() {
        let policy = ContentPolicy::new(&["BET365".into()], &[]);
        assert_eq!(policy.violation(&draft("<p>Bet365中文</p>")).unwrap(), "blocked term 'bet365' in content");
        assert_eq!(policy.violation(&draft("<p>干净</p>")), None);
    }

    #[test]
    fn blocked_domains_match_their_subdomains_in_any_link() {
        let policy = ContentPolicy::new(&[], &["spam.example".into()]);
        let hit = policy.violation(&draft(r#"<a href="http://www.SPAM.example/x?a=1&amp;b=2">x</a>"#)).unwrap();
        assert!(hit.starts_with("blocked domain 'spam.example' in content"), "{hit}");
        assert_eq!(policy.violation(&draft(r#"<a href="http://notspam.example/">x</a>"#)), None);
        assert_eq!(policy.violation(&draft(r#"<img src="http://spam.example.org/a.png">"#)), None);
    }

    #[test]
    fn terms_match_what_a_reader_sees_however_it_is_spelled() {
        let policy = ContentPolicy::new(&["Bet365".into(), "博彩\u{200B}网".into()], &[]);
        for spelling in [
            "<p>bet<b></b>365</p>",
            "<p>b<span>e</span>t3<i>6</i>5</p>",
            "<p>bet\u{AD}365</p>",
            "<p>bet\u{200B}\u{200C}\u{200D}\u{2060}\u{FEFF}365</p>",
            "<p>bet\u{202E}365\u{202C}</p>",
            "<p>b\u{FE0F}et\u{180E}365</p>",
            "<p>ＢＥＴ３６５</p>",
            "<p>BET365</p>",
            "<p>ｂｅｔ<em>３</em>65</p>",
            "<p>bet\u{E000}365</p>",
            r#"<p><img src="http://x.cn/a.png" alt="BET&amp;365 bet365"></p>"#,
            r#"<p><a href="http://x.cn/" title="bet&nbsp;bet365">link</a></p>"#,
        ] {
            let hit = policy.violation(&draft(spelling));
            assert_eq!(hit.as_deref(), Some("blocked term 'bet365' in content"), "{spelling:?}");
        }
        assert!(policy.violation(&draft("<p>博彩网</p>")).unwrap().contains("博彩网"), "terms are folded too");
        for innocent in ["<p>bet 365</p>", "<p>bet</p><p>36</p>", r#"<p><a href="http://bet365.example/">x</a></p>"#] {
            assert_eq!(policy.violation(&draft(innocent)), None, "{innocent:?}");
        }
    }

    #[test]
    fn folding_is_nfkc_with_full_case_folding_and_no_invisible_characters() {
        assert_eq!(fold("  Straße\u{AD}  ΣΟΦΟΣ\tσοφος ﬁ  "), "strasse σοφοσ σοφοσ fi");
        assert_eq!(fold("ᾈ Ꭰ ꭰ ①"), "ἀι Ꭰ Ꭰ 1");
        assert_eq!(fold("新闻\u{3000}\u{200B}稿件"), "新闻 稿件");
        assert_eq!(fold("\u{200B}\u{FEFF}"), "");
    }

    #[test]
    fn rendered_html_gives_its_text_captions_and_links() {
        let rendered = Rendered::of(
            r#"<p class="a>b">AT&amp;T &lt;b&gt;<a href="http://x.cn/?a=1&amp;b=2" title="t &quot;q&quot;">x</a></p><img alt="" src="http://y.cn/i.png"><video controls="" poster="http://z.cn/p.jpg"></video>"#,
        );
        assert_eq!(rendered.text, "AT&T <b>x");
        assert_eq!(rendered.captions, ["t \"q\"", ""]);
        assert_eq!(rendered.links, ["http://x.cn/?a=1&b=2", "http://y.cn/i.png", "http://z.cn/p.jpg"]);
    }

    #[test]
    fn hosts_match_without_their_trailing_dot_in_any_case_or_script() {
        let policy =
            ContentPolicy::new(&[], &["spam.example.".into(), "*.例え.テスト".into(), "https://BAD.example/x".into()]);
        for link in [
            "http://spam.example./x",
            "http://WWW.SPAM.EXAMPLE../",
            "https://spam.example.:443/x",
            "http://xn--r8jz45g.xn--zckzah/",
            "http://a.例え.テスト./",
            "http://bad.example/",
        ] {
            let html = format!(r#"<a href="{link}">x</a>"#);
            assert!(policy.violation(&draft(&html)).is_some(), "{link}");
        }
        for link in ["http://spam.example.org./", "http://notspam.example/", "http://example./"] {
            assert_eq!(policy.violation(&draft(&format!(r#"<a href="{link}">x</a>"#))), None, "{link}");
        }
        let mut enclosed = draft("<p>x</p>");
        enclosed.enclosures.push(crate::domain::Enclosure {
            url: "http://media.spam.example./a.mp3".into(),
            mime_type: "audio/mpeg".into(),
            length: Some(1),
        });
        assert!(policy.violation(&enclosed).unwrap().contains("in enclosure"));
    }

    #[test]
    fn an_empty_policy_holds_nothing() {
        assert!(ContentPolicy::default().violation(&draft("bet365")).is_none());
    }
}
