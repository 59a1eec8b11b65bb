//! Small validators for free-text fields shared by every input path.

/// Trims `value` and checks it is non-empty and no longer than `max` characters.
pub fn required_text(value: Option<&str>, max: usize) -> Result<String, String> {
    match value.map(str::trim) {
        None | Some("") => Err("is required".into()),
        Some(v) => bounded(v, max),
    }
}

/// Trims `value`; empty becomes `None`; longer than `max` characters is an error.
pub fn optional_text(value: Option<&str>, max: usize) -> Result<Option<String>, String> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => bounded(v, max).map(Some),
    }
}

fn bounded(value: &str, max: usize) -> Result<String, String> {
    if value.chars().count() > max {
        Err(format!("must be at most {max} characters"))
    } else {
        Ok(xml_safe(value))
    }
}

/// Removes characters XML 1.0 forbids (C0 controls other than tab/newline/return,
/// U+FFFE/U+FFFF) so that no input can make a feed or sitemap ill-formed.
pub fn xml_safe(text: &str) -> String {
    let allowed = |c: char| matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}');
    // Nearly all text is clean: find that out a byte at a time, and copy it whole.
    let clean_bytes = text.bytes().all(|b| b >= b' ' || matches!(b, b'\t' | b'\n' | b'\r'));
    if clean_bytes && !text.contains(['\u{FFFE}', '\u{FFFF}']) {
        return text.to_owned();
    }
    text.chars().filter(|&c| allowed(c)).collect()
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

/// An absolute http(s) URL, such as an outlet's homepage or an image.
pub fn http_url(value: &str) -> Result<String, String> {
    let parsed = url::Url::parse(value.trim()).map_err(|e| format!("is not a valid URL: {e}"))?;
    match parsed.scheme() {
        "http" | "https" if parsed.host_str().is_some() => Ok(parsed.to_string()),
        _ => Err("must be an absolute http or https URL".into()),
    }
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
        assert!(http_url("https://example.org/").is_ok());
        for bad in ["javascript:alert(1)", "/relative", "ftp://x.org/", "data:text/html,hi"] {
            assert!(http_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn text_fields_lose_characters_xml_cannot_carry() {
        assert_eq!(required_text(Some("a\u{0}b\u{b}c\u{FFFE}"), 10).unwrap(), "abc");
    }

    #[test]
    fn time_zones_are_iana_names() {
        assert_eq!(time_zone("Asia/Shanghai").unwrap(), chrono_tz::Asia::Shanghai);
        assert!(time_zone("China Standard Time").is_err());
    }
}
