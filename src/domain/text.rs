//! Small validators for free-text fields shared by every input path.

use icu_properties::props::{DefaultIgnorableCodePoint, GeneralCategory, GeneralCategoryGroup};
use icu_properties::{CodePointMapData, CodePointSetData};

/// Trims `value` and checks it is non-empty and no longer than `max` characters, once
/// the characters XML forbids are gone (a title of control characters is no title).
pub fn required_text(value: Option<&str>, max: usize) -> Result<String, String> {
    optional_text(value, max)?.filter(|text| has_visible(text)).ok_or_else(|| "is required".into())
}

/// Whether `text` shows anything: at least one character that is not white space, a
/// separator, a mark on its own (combining characters need a base to show), a control,
/// format, private-use or unassigned character, a default-ignorable one (soft hyphen,
/// zero-width joiners, the Hangul fillers U+115F U+1160 U+3164 U+FFA0, U+034F…) or the
/// blank braille pattern U+2800. A required one-line field needs one.
pub fn has_visible(text: &str) -> bool {
    // Nearly every title starts with a visible ASCII character or ideograph.
    if text.chars().next().is_some_and(|c| c.is_ascii_graphic()) {
        return true;
    }
    let category = CodePointMapData::<GeneralCategory>::new();
    let ignorable = CodePointSetData::new::<DefaultIgnorableCodePoint>();
    let unseen = GeneralCategoryGroup::Separator.union(GeneralCategoryGroup::Mark).union(GeneralCategoryGroup::Other);
    text.chars()
        .any(|c| !c.is_whitespace() && c != '\u{2800}' && !unseen.contains(category.get(c)) && !ignorable.contains(c))
}

/// A person's name, as pages and feeds show it on one line (a user's real name, shown
/// as 责任编辑): `required_text`, but refusing rather than dropping what could break the
/// line or reorder what follows it on the page — controls (line breaks and tabs
/// included), line and paragraph separators, and format characters (bidi embeddings,
/// overrides, isolates and marks, zero-width spaces, the BOM, soft hyphens…), save the
/// zero-width joiner and non-joiner that some scripts and emoji need within a word.
pub fn one_line_name(value: Option<&str>, max: usize) -> Result<String, String> {
    if let Some(c) = value.and_then(|v| v.chars().find(|&c| breaks_a_line(c))) {
        return Err(format!(
            "must be one line of plain text: U+{:04X}, a control or format character, is not allowed",
            c as u32
        ));
    }
    required_text(value, max)
}

/// `value` without the characters `one_line_name` refuses (controls, bidi overrides and
/// other format characters): for one-line text an outlet sends, which is not refused
/// whole for them.
pub fn without_line_breakers(value: &str) -> String {
    value.chars().filter(|&c| !breaks_a_line(c)).collect()
}

/// Whether `c` is a character `one_line_name` refuses.
fn breaks_a_line(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_control();
    }
    let refused = [
        GeneralCategory::Control,
        GeneralCategory::Format,
        GeneralCategory::LineSeparator,
        GeneralCategory::ParagraphSeparator,
    ];
    !matches!(c, '\u{200C}' | '\u{200D}') && refused.contains(&CodePointMapData::<GeneralCategory>::new().get(c))
}

/// Trims `value` and drops what XML forbids; empty becomes `None`. Longer than `max`
/// characters as given (what is dropped counts: the limit is on what is sent) is an error.
pub fn optional_text(value: Option<&str>, max: usize) -> Result<Option<String>, String> {
    let Some(value) = value else { return Ok(None) };
    if value.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    match xml_safe(value).trim() {
        "" => Ok(None),
        v => Ok(Some(v.to_owned())),
    }
}

/// Whether `c` may appear in anything syndic stores or publishes: what XML 1.0 allows
/// (`Char`), less what it discourages and no reader means as text — C1 controls and DEL
/// (mis-decoded windows-1252, usually) and the Unicode noncharacters (U+FDD0–U+FDEF and
/// U+xFFFE/U+xFFFF in every plane). Lone surrogates cannot occur in a Rust string.
pub fn is_xml_safe_char(c: char) -> bool {
    match c {
        '\t' | '\n' | '\r' => true,
        '\u{0}'..='\u{1F}' | '\u{7F}'..='\u{9F}' | '\u{FDD0}'..='\u{FDEF}' => false,
        _ => (c as u32) & 0xFFFE != 0xFFFE,
    }
}

/// Whether all of `text` may be stored and published (see `is_xml_safe_char`).
pub fn is_xml_safe(text: &str) -> bool {
    // Nearly all text is printable ASCII or CJK: decide that a byte at a time, and look
    // at characters only past the first byte that could start a forbidden one.
    let suspect = |b: u8| b < b' ' || b == 0x7F || b == 0xC2 || b == 0xEF || b >= 0xF0;
    match text.bytes().position(suspect) {
        None => true,
        Some(first) => text[floor_char_boundary(text, first)..].chars().all(is_xml_safe_char),
    }
}

/// Removes every character `is_xml_safe_char` refuses, so that no input can make a feed,
/// page or sitemap ill-formed. Apply it to *decoded* text: a character reference such as
/// `&#x1;` is only a forbidden character once something has decoded it.
pub fn xml_safe(text: &str) -> String {
    if is_xml_safe(text) {
        return text.to_owned();
    }
    text.chars().filter(|&c| is_xml_safe_char(c)).collect()
}

/// In place: `xml_safe` without copying clean text.
pub fn make_xml_safe(text: &mut String) {
    if !is_xml_safe(text) {
        text.retain(is_xml_safe_char);
    }
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// Longest media type, in bytes.
pub const MAX_MEDIA_TYPE_LEN: usize = 255;

/// A media type such as `audio/mpeg`: `type/subtype`, printable ASCII (once what XML
/// forbids is dropped, as from every field).
pub fn media_type(value: &str) -> Result<String, String> {
    let cleaned = xml_safe(value);
    let mime_type = cleaned.trim();
    let well_formed = mime_type.split_once('/').is_some_and(|(a, b)| {
        !a.is_empty()
            && !b.is_empty()
            && mime_type.chars().all(|c| c.is_ascii_graphic())
            && mime_type.len() <= MAX_MEDIA_TYPE_LEN
    });
    if well_formed {
        Ok(mime_type.to_owned())
    } else {
        Err(format!("'{mime_type}' is not a media type such as 'audio/mpeg'"))
    }
}

/// A BCP 47 language tag in the simple form feeds use (`zh-CN`, `en`, `zh-Hant-TW`).
pub fn language_tag(value: &str) -> Result<String, String> {
    let tag = value.trim();
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or("");
    let primary_ok = (2..=3).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_alphabetic());
    let rest_ok = parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if primary_ok && rest_ok {
        Ok(tag.to_owned())
    } else {
        Err(format!("'{tag}' is not a language tag such as 'zh-CN' or 'en'"))
    }
}

/// An absolute http(s) URL, such as an outlet's homepage or an image, whose host is an
/// IP address or a host name (`is_host_name`).
pub fn http_url(value: &str) -> Result<String, String> {
    let parsed = url::Url::parse(value.trim()).map_err(|e| format!("is not a valid URL: {e}"))?;
    match (parsed.scheme(), parsed.host()) {
        ("http" | "https", Some(url::Host::Domain(name))) if !is_host_name(name) => {
            Err(format!("'{name}' is not a host name: letters, digits, '-' and '_' in dot-separated labels"))
        }
        ("http" | "https", Some(_)) => Ok(parsed.to_string()),
        _ => Err("must be an absolute http or https URL".into()),
    }
}

/// Whether a domain, as the URL standard writes it (lower case, IDNA in ASCII), is a name
/// hosts can have: dot-separated labels of letters, digits, `-` and `_`, with the
/// trailing dot of a fully qualified name allowed. The standard itself lets a host hold
/// `*`, `!`, `$`, `'`, `,`… and empty labels, which no name in the DNS has.
pub fn is_host_name(name: &str) -> bool {
    let labels = name.strip_suffix('.').unwrap_or(name);
    labels
        .split('.')
        .all(|label| !label.is_empty() && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
}

/// An IANA time zone name such as `Asia/Shanghai`.
pub fn time_zone(value: &str) -> Result<chrono_tz::Tz, String> {
    value
        .trim()
        .parse::<chrono_tz::Tz>()
        .map_err(|_| format!("'{}' is not an IANA time zone such as 'Asia/Shanghai'", value.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_required_field_must_show_something() {
        for invisible in [
            "\u{200B}\u{200D}\u{2060}",
            "\u{3164}",
            "\u{115F}\u{1160}",
            "\u{FFA0}",
            "\u{2800}",
            "\u{034F}",
            "\u{00AD}",
            "\u{202E}",
            "\u{0301}\u{0308}",
            "\u{3000} \u{FE0F}",
        ] {
            assert_eq!(required_text(Some(invisible), 100), Err("is required".into()), "{invisible:?}");
        }
        for shown in ["头雁", "\u{200B}a", "\u{3164}头", "é", "🎉", "\u{202E}abc"] {
            assert!(required_text(Some(shown), 100).is_ok(), "{shown:?}");
        }
    }

    #[test]
    fn a_name_is_one_line_without_controls_or_bidi_overrides() {
        for refused in [
            "王\n芳",
            "王芳\r\n",
            "王\t芳",
            "\u{202E}王芳",
            "王芳\u{202C}",
            "\u{2067}王芳\u{2069}",
            "王\u{200F}芳",
            "王\u{061C}芳",
            "王\u{200B}芳",
            "王\u{FEFF}芳",
            "王\u{00AD}芳",
            "王\u{2028}芳",
            "王\u{2029}芳",
            "王\u{0085}芳",
            "王\u{0}芳",
            "王\u{E0041}芳",
        ] {
            let refusal = one_line_name(Some(refused), 100).unwrap_err();
            assert!(refusal.starts_with("must be one line"), "{refused:?}: {refusal}");
        }
        assert!(one_line_name(Some("\u{202E}"), 100).unwrap_err().contains("U+202E"));
        for kept in
            ["王芳", " 王芳 ", "Anne-Marie O'Neil", "ئابدۇرېھىم", "मी\u{200D}ना", "می\u{200C}خواهم", "👩\u{200D}💻"]
        {
            assert_eq!(one_line_name(Some(kept), 100).as_deref(), Ok(kept.trim()), "{kept:?}");
        }
        assert_eq!(one_line_name(Some(" "), 100), Err("is required".into()));
        assert_eq!(one_line_name(None, 100), Err("is required".into()));
    }

    #[test]
    fn language_tags_in_feed_form_are_accepted() {
        for ok in ["en", "zh-CN", "zh-Hant-TW", "ug"] {
            assert!(language_tag(ok).is_ok(), "{ok}");
        }
        for bad in ["", "e", "english!", "zh_CN", "zh-"] {
            assert!(language_tag(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_absolute_web_urls_pass() {
        for ok in ["https://example.org/", "http://新闻.cn/a?b#c", "http://127.0.0.1:8080/", "http://a_b.example.cn./"]
        {
            assert!(http_url(ok).is_ok(), "{ok}");
        }
        for bad in ["javascript:alert(1)", "/relative", "ftp://x.org/", "data:text/html,hi"] {
            assert!(http_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_url_host_must_be_a_host_name() {
        for bad in ["https://true.com*", "http://a!b.cn/", "http://a..b.cn/", "http://a%2Ab.cn/", "http://a,b.cn/"] {
            assert!(http_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn text_fields_lose_characters_xml_cannot_carry() {
        assert_eq!(required_text(Some("a\u{0}b\u{b}c\u{FFFE}"), 10).unwrap(), "abc");
        assert_eq!(required_text(Some(" \u{1}\u{7f} "), 10).unwrap_err(), "is required");
        assert_eq!(optional_text(Some("\u{0} x \u{0}"), 10).unwrap().as_deref(), Some("x"));
        assert!(optional_text(Some(&format!("\u{1}{}", "x".repeat(10))), 10).is_err(), "the limit is on what is sent");
    }

    #[test]
    fn every_forbidden_character_is_found_and_dropped() {
        let forbidden: Vec<char> = (0u32..0x20)
            .filter(|c| ![0x9, 0xA, 0xD].contains(c))
            .chain(0x7F..=0x9F)
            .chain(0xFDD0..=0xFDEF)
            .chain((0..=0x10).flat_map(|plane| [plane * 0x10000 + 0xFFFE, plane * 0x10000 + 0xFFFF]))
            .map(|c| char::from_u32(c).unwrap())
            .collect();
        for c in forbidden {
            let text = format!("中{c}文");
            assert!(!is_xml_safe(&text), "U+{:04X} is found", c as u32);
            assert_eq!(xml_safe(&text), "中文", "U+{:04X} is dropped", c as u32);
        }
        for kept in ["tab\tnew\nline\r", "中文 ¡ é ￮ \u{FFFD} 😀 \u{10FFFD}", "\u{A0}\u{FDCF}\u{FDF0}\u{EFFFD}"]
        {
            assert!(is_xml_safe(kept), "{kept:?}");
            assert_eq!(xml_safe(kept), kept);
        }
        let mut text = String::from("a\u{1}b\u{85}c");
        make_xml_safe(&mut text);
        assert_eq!(text, "abc");
    }

    #[test]
    fn time_zones_are_iana_names() {
        assert_eq!(time_zone("Asia/Shanghai").unwrap(), chrono_tz::Asia::Shanghai);
        assert!(time_zone("China Standard Time").is_err());
    }
}
