//! An HTML page's bytes to text. The order and the fallbacks are the feeds'
//! (`feed::decode`: byte-order mark, HTTP charset, the document's own declaration, then
//! UTF-8 and statistical detection, each only when the bytes fit it); what differs is
//! where a page declares its charset: `<meta charset>` or
//! `<meta http-equiv="Content-Type" content="text/html; charset=gb2312">`, looked for
//! at the start as browsers do.

use super::Page;
use crate::ingest::feed::decode::decode_declared;

/// Bytes of the page searched for a `<meta>` charset (browsers look at 1,024; CMS
/// templates often put comments and scripts first).
const PRESCAN_WINDOW: usize = 4096;

/// Decodes a fetched page, given the HTTP `Content-Type` it came with.
pub fn decode_page(body: &[u8], content_type: Option<&str>, url: url::Url) -> Page {
    let decoded = decode_declared(body, content_type, meta_charset(body));
    let encoding = match decoded.encoding.as_str() {
        "utf-32be" => "UTF-32BE",
        "utf-32le" => "UTF-32LE",
        label => encoding_rs::Encoding::for_label(label.as_bytes()).map_or("UTF-8", |e| e.name()),
    };
    Page { url, html: decoded.text, encoding }
}

/// The charset a `<meta>` element near the start declares.
fn meta_charset(bytes: &[u8]) -> Option<String> {
    let window = String::from_utf8_lossy(&bytes[..bytes.len().min(PRESCAN_WINDOW)]).to_ascii_lowercase();
    let mut rest = window.as_str();
    while let Some(start) = rest.find("<meta") {
        let tag = &rest[start..];
        let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
        if let Some(charset) = charset_in(tag) {
            return Some(charset);
        }
        rest = &rest[start + "<meta".len()..];
    }
    None
}

/// The value after `charset=` in a tag (as an attribute or inside `content`).
fn charset_in(tag: &str) -> Option<String> {
    let after = &tag[tag.find("charset")? + "charset".len()..];
    let after = after.trim_start().strip_prefix('=')?.trim_start().trim_start_matches(['"', '\'']);
    let value: String =
        after.chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.')).collect();
    (!value.is_empty()).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url() -> url::Url {
        url::Url::parse("http://www.cjxww.cn/a.html").unwrap()
    }

    fn gbk_page(head: &str) -> Vec<u8> {
        let mut bytes = format!("<html><head>{head}</head><body><p>").into_bytes();
        bytes.extend(encoding_rs::GBK.encode("镇村道路硬化工程全面完工，群众出行更方便了").0.iter());
        bytes.extend(b"</p></body></html>");
        bytes
    }

    #[test]
    fn meta_charset_and_http_equiv_are_read() {
        for head in
            [r#"<meta charset="gbk">"#, r#"<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />"#]
        {
            let page = decode_page(&gbk_page(head), None, url());
            assert_eq!(page.encoding, "GBK", "{head}");
            assert!(page.html.contains("镇村道路硬化工程"), "{head}");
        }
    }

    #[test]
    fn the_http_charset_wins_and_undeclared_gbk_is_detected() {
        let page = decode_page(&gbk_page(r#"<meta charset="utf-8">"#), Some("text/html; charset=GB2312"), url());
        assert_eq!(page.encoding, "GBK");
        let page = decode_page(&gbk_page(""), Some("text/html"), url());
        assert!(page.html.contains("群众出行更方便了"), "{}", page.html);
        let page = decode_page("<p>中文</p>".as_bytes(), None, url());
        assert_eq!((page.encoding, page.html.as_str()), ("UTF-8", "<p>中文</p>"));
    }
}
