//! The attribution block: one paragraph appended to the HTML of every feed item and
//! partner API article, so that a reader sees where a repost comes from (来源, 作者,
//! 稿源 where its page names one, 原文链接, 原文发布时间, 责任编辑, and 原标题 where an editor changed the title) in whatever reader shows it, not only in extension
//! elements no reader displays.
//!
//! It is made at render time from stored fields and never stored, so rendering again
//! makes it again, never twice. It holds only `<p>` and `<a href>`, which every reader's
//! sanitiser keeps; its class is a hint, and how ingest recognises one coming back in
//! (`ingest::attribution`). Configuration cannot put markup in it: the template's text
//! and every value are escaped, and the link is an http(s) URL or nothing.
//!
//! A template is read as words separated by whitespace. A word holding a placeholder
//! ends a *part*, whose label is the words before it back to the previous part: in
//! `来源:{outlet} 作者:{author}` or `Source: {outlet} Author: {author}` each label goes
//! with its value. A part in which a placeholder has no value (no author, no editor) is
//! left out with its label; words after the last placeholder are always kept. The kept
//! words are joined by single spaces. `{{` and `}}` stand for literal braces.

use super::Site;
use crate::domain::text::is_xml_safe_char;
use crate::domain::Article;
use std::borrow::Cow;

/// The longest template accepted, in characters: a line of attribution, not an article.
pub const MAX_TEMPLATE_CHARS: usize = 1_000;

/// The class of the block's paragraph.
pub const CLASS: &str = "syndic-attribution";

/// The template for sites in Chinese (`zh*`), unless one is configured.
pub const DEFAULT_ZH: &str =
    "来源:{outlet} 稿源:{credit} 作者:{author} 原标题:{original_title} 原文链接:{link} 原文发布时间:{published} 责任编辑:{editor}";
/// The template for sites in any other language, unless one is configured.
pub const DEFAULT_EN: &str =
    "Source: {outlet} Via: {credit} Author: {author} Original title: {original_title} Original: {link} Originally published: {published} Editor: {editor}";

/// What a placeholder stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placeholder {
    /// The outlet's name.
    Outlet,
    /// The article's author.
    Author,
    /// The origin the outlet's page names (来源 there: a wire agency, another paper).
    Credit,
    /// A link to the original article, its URL as its text.
    Link,
    /// The original publication time in the site's zone, `YYYY-MM-DD HH:MM`.
    Published,
    /// The responsible editor's real name (责任编辑).
    Editor,
    /// The outlet's own title (原标题), only where an editor changed the title shown.
    OriginalTitle,
}

impl Placeholder {
    const ALL: [(&'static str, Placeholder); 7] = [
        ("outlet", Placeholder::Outlet),
        ("credit", Placeholder::Credit),
        ("author", Placeholder::Author),
        ("link", Placeholder::Link),
        ("published", Placeholder::Published),
        ("editor", Placeholder::Editor),
        ("original_title", Placeholder::OriginalTitle),
    ];

    fn named(name: &str) -> Option<Placeholder> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, p)| *p)
    }

    fn known() -> String {
        Self::ALL.iter().map(|(n, _)| format!("{{{n}}}")).collect::<Vec<_>>().join(", ")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Value(Placeholder),
}

/// A word of a template: its text and placeholders in order.
type Word = Vec<Piece>;

/// A parsed attribution template (see the module's documentation for its rule).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// Each part's words; only the last part may hold no placeholder.
    parts: Vec<Vec<Word>>,
}

impl Template {
    /// The default template for a site in `language` (BCP 47).
    pub fn default_for(language: &str) -> Template {
        let text = if language.to_ascii_lowercase().starts_with("zh") { DEFAULT_ZH } else { DEFAULT_EN };
        Template::parse(text).expect("the default templates parse")
    }

    /// Reads a template; the reason names what is wrong with it.
    pub fn parse(text: &str) -> Result<Template, String> {
        if text.chars().count() > MAX_TEMPLATE_CHARS {
            return Err(format!("is longer than {MAX_TEMPLATE_CHARS} characters"));
        }
        if let Some(c) = text.chars().find(|&c| !is_xml_safe_char(c)) {
            return Err(format!("holds U+{:04X}, a character XML forbids in feeds", c as u32));
        }
        let mut parts = Vec::new();
        let mut part = Vec::new();
        for word in text.split_whitespace() {
            let word = parse_word(word)?;
            let ends_part = word.iter().any(|p| matches!(p, Piece::Value(_)));
            part.push(word);
            if ends_part {
                parts.push(std::mem::take(&mut part));
            }
        }
        if !part.is_empty() {
            parts.push(part);
        }
        if parts.is_empty() {
            return Err("is empty (to show no attribution, set attribution.enabled = false)".to_owned());
        }
        Ok(Template { parts })
    }

    /// The template filled in: escaped text, each value as `value` gives it (already
    /// HTML), the parts with a missing value left out. Empty when every part is.
    fn fill(&self, value: impl Fn(Placeholder) -> Option<String>) -> String {
        let mut words = Vec::new();
        'parts: for part in &self.parts {
            let mut kept = Vec::with_capacity(part.len());
            for word in part {
                let mut html = String::new();
                for piece in word {
                    match piece {
                        Piece::Text(text) => html.push_str(&escape(text.as_str())),
                        Piece::Value(placeholder) => match value(*placeholder) {
                            Some(v) => html.push_str(&v),
                            None => continue 'parts,
                        },
                    }
                }
                kept.push(html);
            }
            words.extend(kept);
        }
        words.join(" ")
    }
}

/// One whitespace-free word: literal text, `{name}` placeholders, `{{` and `}}`.
/// `text` escaped for HTML text and double-quoted attributes, with the references every
/// HTML reader knows: `&amp; &lt; &gt; &quot;` and `&#39;` (HTML 4 has no `&apos;`).
fn escape(text: &str) -> Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    Cow::Owned(escaped)
}

fn parse_word(word: &str) -> Result<Word, String> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                let mut name = String::new();
                let closed = loop {
                    match chars.next() {
                        Some('}') => break true,
                        Some(c) => name.push(c),
                        None => break false,
                    }
                };
                if !closed {
                    return Err(format!("'{{' without '}}' in '{word}' (write {{{{ for a brace)"));
                }
                let placeholder = Placeholder::named(&name).ok_or_else(|| {
                    format!(
                        "unknown placeholder {{{name}}} in '{word}' (known: {}; {{{{ for a brace)",
                        Placeholder::known()
                    )
                })?;
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                pieces.push(Piece::Value(placeholder));
            }
            '}' => return Err(format!("'}}' without '{{' in '{word}' (write }}}} for a brace)")),
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    Ok(pieces)
}

/// The attribution block of `article` as `template` makes it on `site`, or `None` when
/// every part was left out.
pub fn block(template: &Template, site: &Site, article: &Article) -> Option<String> {
    let text = |value: Option<&str>| value.map(str::trim).filter(|v| !v.is_empty()).map(|v| escape(v).into_owned());
    let filled = template.fill(|placeholder| match placeholder {
        Placeholder::Outlet => text(Some(&article.outlet.name)),
        Placeholder::Author => text(article.author.as_deref()),
        Placeholder::Credit => text(article.credit.as_deref()),
        Placeholder::Editor => text(article.responsible_editor.as_deref()),
        Placeholder::OriginalTitle => text(article.original_title.as_deref()),
        Placeholder::Link => link(&article.original_url),
        Placeholder::Published => Some(
            article.original_published_at.with_timezone(&site.config.timezone).format("%Y-%m-%d %H:%M").to_string(),
        ),
    });
    (!filled.is_empty()).then(|| format!("<p class=\"{CLASS}\">{filled}</p>"))
}

/// A link to the original, its URL as its text; nothing for a URL that is not http(s)
/// (stored original URLs always are: `OriginalUrl` takes no other).
fn link(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return None;
    }
    let url = escape(url);
    Some(format!("<a href=\"{url}\">{url}</a>"))
}

/// `html` followed by `block`; the block alone when `html` is blank.
pub fn appended(html: &str, block: Option<&str>) -> String {
    match block {
        Some(block) if html.trim().is_empty() => block.to_owned(),
        Some(block) => format!("{html}{block}"),
        None => html.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(template: &str, values: &[(Placeholder, &str)]) -> String {
        let template = Template::parse(template).unwrap();
        template.fill(|p| values.iter().find(|(q, _)| *q == p).map(|(_, v)| (*v).to_owned()))
    }

    #[test]
    fn a_part_without_its_value_goes_with_its_label() {
        use Placeholder::*;
        let all = [(Outlet, "昌吉日报"), (Author, "郑丽媛"), (Editor, "李明")];
        assert_eq!(
            filled("来源:{outlet} 作者:{author} 责任编辑:{editor}", &all),
            "来源:昌吉日报 作者:郑丽媛 责任编辑:李明"
        );
        let no_author = [(Outlet, "昌吉日报"), (Editor, "李明")];
        assert_eq!(filled("来源:{outlet} 作者:{author} 责任编辑:{editor}", &no_author), "来源:昌吉日报 责任编辑:李明");
        let english = "Source: {outlet}  Author: {author}\tEditor: {editor}.";
        assert_eq!(filled(english, &[(Outlet, "Daily")]), "Source: Daily", "a part ends at its value's word");
        assert_eq!(filled("From {outlet} (by {author}) — thanks!", &[(Outlet, "Daily")]), "From Daily — thanks!");
        assert_eq!(filled("{author}", &[]), "", "every part left out");
    }

    #[test]
    fn template_text_is_escaped_and_braces_are_doubled() {
        let text = filled("<b>{{src}}</b>:{outlet}&amp;", &[(Placeholder::Outlet, "X")]);
        assert_eq!(text, "&lt;b&gt;{src}&lt;/b&gt;:X&amp;amp;");
    }

    #[test]
    fn unknown_placeholders_and_stray_braces_are_refused_with_a_reason() {
        let unknown = Template::parse("来源:{source}").unwrap_err();
        assert!(unknown.contains("{source}") && unknown.contains("{outlet}"), "{unknown}");
        assert!(Template::parse("来源:{outlet").unwrap_err().contains("'{' without '}'"));
        assert!(Template::parse("a } b").unwrap_err().contains("'}'"));
        assert!(Template::parse("{}").is_err());
        assert!(Template::parse(" \n ").unwrap_err().contains("enabled = false"));
    }

    #[test]
    fn characters_xml_forbids_and_overlong_templates_are_refused() {
        for forbidden in ["来源:{outlet}\u{1}", "来源:{outlet}\u{FFFE}", "\u{FDD0}{outlet}", "{outlet}\u{1F}"] {
            let reason = Template::parse(forbidden).unwrap_err();
            assert!(reason.contains("XML forbids"), "{forbidden:?}: {reason}");
        }
        let long = format!("{{outlet}}{}", "长".repeat(MAX_TEMPLATE_CHARS));
        assert!(Template::parse(&long).unwrap_err().contains("longer than"));
        assert!(Template::parse(&format!("{{outlet}}{}", "长".repeat(MAX_TEMPLATE_CHARS - 8))).is_ok());
    }

    #[test]
    fn apostrophes_are_escaped_as_every_html_reader_knows() {
        let text = filled("O'Brien's:{outlet}", &[(Placeholder::Outlet, "X")]);
        assert_eq!(text, "O&#39;Brien&#39;s:X");
        assert_eq!(escape("a'b\"c"), "a&#39;b&quot;c");
    }

    #[test]
    fn the_defaults_follow_the_site_language() {
        assert_eq!(Template::default_for("zh-CN"), Template::parse(DEFAULT_ZH).unwrap());
        assert_eq!(Template::default_for("en-GB"), Template::parse(DEFAULT_EN).unwrap());
    }

    #[test]
    fn links_are_web_urls_escaped() {
        assert_eq!(
            link("http://a.cn/?a=1&b=\"2\"").unwrap(),
            "<a href=\"http://a.cn/?a=1&amp;b=&quot;2&quot;\">http://a.cn/?a=1&amp;b=&quot;2&quot;</a>"
        );
        assert_eq!(link("javascript:alert(1)"), None);
        assert_eq!(link("data:text/html,x"), None);
    }

    fn site(language: &str, timezone: chrono_tz::Tz) -> Site {
        let config = crate::config::SiteConfig {
            name: "Portal".into(),
            description: "News".into(),
            language: language.into(),
            timezone,
            owner: None,
            copyright: None,
            licence: None,
        };
        Site::new("http://portal.example", config, None, None)
    }

    fn article(author: Option<&str>, editor: Option<&str>) -> Article {
        use crate::domain::{OutletRef, Slug};
        let at = chrono::DateTime::parse_from_rfc3339("2018-06-28T03:39:20Z").unwrap().to_utc();
        Article {
            id: 1,
            outlet: OutletRef {
                id: 1,
                slug: Slug::parse("cjrb").unwrap(),
                name: "昌吉<b>日报</b>".into(),
                homepage: "http://www.cjxww.cn/".into(),
                rights: None,
                indexing: Default::default(),
                grants: Default::default(),
                feed_url: None,
                repost_terms: None,
            },
            original_url: "http://www.cjxww.cn/index.php?m=content&id=93487".into(),
            title: "头雁".into(),
            subtitle: None,
            author: author.map(str::to_owned),
            credit: None,
            summary: None,
            content_html: None,
            language: None,
            tags: Vec::new(),
            rights: None,
            image: None,
            enclosures: Vec::new(),
            original_published_at: at,
            original_updated_at: None,
            reposted_at: at,
            updated_at: at,
            columns: Vec::new(),
            original_title: None,
            responsible_editor: editor.map(str::to_owned),
            kept_images: Vec::new(),
            duplicate_of: None,
            copies: Vec::new(),
        }
    }

    #[test]
    fn the_block_names_outlet_author_link_time_and_editor_escaped() {
        let zh = site("zh-CN", chrono_tz::Asia::Shanghai);
        let block = block(&Template::default_for("zh-CN"), &zh, &article(Some("郑丽媛"), Some("李明"))).unwrap();
        assert_eq!(
            block,
            "<p class=\"syndic-attribution\">来源:昌吉&lt;b&gt;日报&lt;/b&gt; 作者:郑丽媛 原文链接:\
             <a href=\"http://www.cjxww.cn/index.php?m=content&amp;id=93487\">\
             http://www.cjxww.cn/index.php?m=content&amp;id=93487</a> 原文发布时间:2018-06-28 11:39 责任编辑:李明</p>"
        );
        let en = site("en", chrono_tz::UTC);
        let block = super::block(&Template::default_for("en"), &en, &article(None, Some(" "))).unwrap();
        assert!(block.contains("Originally published: 2018-06-28 03:39</p>"), "in the site's zone: {block}");
        assert!(!block.contains("Author") && !block.contains("Editor"), "blank is no value: {block}");
        let edited = Article {
            original_title: Some("做带领群众奔向幸福生活的\"头雁\"".into()), ..article(None, None)
        };
        let block = super::block(&Template::default_for("zh-CN"), &zh, &edited).unwrap();
        assert!(block.contains(" 原标题:做带领群众奔向幸福生活的&quot;头雁&quot; 原文链接:"), "{block}");
        let nothing = Template::parse("作者:{author}").unwrap();
        assert_eq!(super::block(&nothing, &en, &article(None, None)), None);
    }

    #[test]
    fn the_block_follows_the_html_or_stands_alone() {
        assert_eq!(appended("<p>x</p>", Some("<p>b</p>")), "<p>x</p><p>b</p>");
        assert_eq!(appended("  ", Some("<p>b</p>")), "<p>b</p>");
        assert_eq!(appended("<p>x</p>", None), "<p>x</p>");
    }
}
