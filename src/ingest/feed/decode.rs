//! Turning a feed's bytes into text: byte-order marks, UTF-16/32 sniffing, the HTTP
//! charset, the XML declaration, then UTF-8 and statistical detection (chardetng) as
//! fallbacks. Labels map to decoders by the WHATWG Encoding Standard (encoding_rs), so
//! `gb2312` is read with the GBK decoder, `iso-8859-1` with windows-1252.
//!
//! A declared charset that does not fit the bytes is never applied silently with
//! replacement characters: another candidate that decodes cleanly wins, and the
//! mismatch is reported.

use encoding_rs::Encoding;

/// Bytes of the document searched for an XML declaration.
const DECLARATION_WINDOW: usize = 1024;

#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub text: String,
    /// Lower-case name of the charset the text was decoded with.
    pub encoding: String,
    /// Why the document is not clean, when it is not (feedparser's "bozo").
    pub problem: Option<String>,
}

/// Decodes `bytes`, given the HTTP `Content-Type` it came with, if any.
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> Decoded {
    decode_declared(bytes, content_type, xml_declared_encoding(bytes))
}

/// `decode`, with the charset the document itself declares (`declared`) found by the
/// caller: an XML declaration for feeds, `<meta charset>` for HTML pages
/// (`ingest::page::decode`). The byte-order mark wins, then the HTTP charset, then
/// `declared`, each only if the bytes fit it.
pub fn decode_declared(bytes: &[u8], content_type: Option<&str>, declared: Option<String>) -> Decoded {
    if let Some(decoded) = by_byte_order(bytes) {
        return decoded;
    }
    let http = content_type.and_then(charset_parameter);
    let mut candidates: Vec<(&'static Encoding, bool)> = Vec::new();
    for label in [http.as_deref(), declared.as_deref()].into_iter().flatten() {
        if let Some(encoding) = Encoding::for_label(label.trim().as_bytes()) {
            candidates.push((encoding, true));
        }
    }
    candidates.push((encoding_rs::UTF_8, false));
    candidates.push((detect(bytes), false));
    let first_declared = candidates.iter().find(|(_, declared)| *declared).map(|(e, _)| *e);
    for (encoding, _) in &candidates {
        if let Some(text) = encoding.decode_without_bom_handling_and_without_replacement(bytes) {
            let problem = match first_declared {
                Some(wanted) if wanted != *encoding => Some(format!(
                    "declared charset {} does not fit the bytes; read as {}",
                    wanted.name(),
                    encoding.name()
                )),
                _ => None,
            };
            return Decoded { text: text.into_owned(), encoding: encoding.name().to_ascii_lowercase(), problem };
        }
    }
    // Nothing decodes cleanly: the best guess, with replacement characters, and say so.
    let guess = first_declared.unwrap_or_else(|| detect(bytes));
    let (text, _) = guess.decode_without_bom_handling(bytes);
    Decoded {
        text: text.into_owned(),
        encoding: guess.name().to_ascii_lowercase(),
        problem: Some(format!("bytes are not valid {}", guess.name())),
    }
}

/// Byte-order marks, and UTF-16/32 recognised by how `<?` is laid out without one.
fn by_byte_order(bytes: &[u8]) -> Option<Decoded> {
    let utf32 = |big_endian: bool, skip: usize, name: &str| {
        let text = decode_utf32(&bytes[skip..], big_endian);
        Some(Decoded { text, encoding: name.to_owned(), problem: None })
    };
    let with = |encoding: &'static Encoding, skip: usize| {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[skip..]);
        Some(Decoded {
            text: text.into_owned(),
            encoding: encoding.name().to_ascii_lowercase(),
            problem: had_errors.then(|| format!("bytes are not valid {}", encoding.name())),
        })
    };
    match bytes {
        [0x00, 0x00, 0xFE, 0xFF, ..] => utf32(true, 4, "utf-32be"),
        [0xFF, 0xFE, 0x00, 0x00, ..] => utf32(false, 4, "utf-32le"),
        [0xEF, 0xBB, 0xBF, ..] => with(encoding_rs::UTF_8, 3),
        [0xFE, 0xFF, ..] => with(encoding_rs::UTF_16BE, 2),
        [0xFF, 0xFE, ..] => with(encoding_rs::UTF_16LE, 2),
        [0x00, 0x00, 0x00, 0x3C, ..] => utf32(true, 0, "utf-32be"),
        [0x3C, 0x00, 0x00, 0x00, ..] => utf32(false, 0, "utf-32le"),
        [0x00, 0x3C, 0x00, 0x3F, ..] => with(encoding_rs::UTF_16BE, 0),
        [0x3C, 0x00, 0x3F, 0x00, ..] => with(encoding_rs::UTF_16LE, 0),
        _ => None,
    }
}

/// UTF-32, which the WHATWG standard (and so encoding_rs) leaves out.
fn decode_utf32(bytes: &[u8], big_endian: bool) -> String {
    bytes
        .chunks_exact(4)
        .map(|c| {
            let unit = if big_endian {
                u32::from_be_bytes([c[0], c[1], c[2], c[3]])
            } else {
                u32::from_le_bytes([c[0], c[1], c[2], c[3]])
            };
            char::from_u32(unit).unwrap_or('\u{FFFD}')
        })
        .collect()
}

/// `charset=` of a Content-Type header.
fn charset_parameter(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|parameter| {
        let (name, value) = parameter.split_once('=')?;
        name.trim().eq_ignore_ascii_case("charset").then(|| value.trim().trim_matches(['"', '\'']).to_owned())
    })
}

/// The `encoding` pseudo-attribute of an XML declaration near the start.
fn xml_declared_encoding(bytes: &[u8]) -> Option<String> {
    let window = &bytes[..bytes.len().min(DECLARATION_WINDOW)];
    let text = String::from_utf8_lossy(window);
    let start = text.find("<?xml")?;
    let end = start + text[start..].find("?>")?;
    let declaration = &text[start..end];
    let after = &declaration[declaration.find("encoding")? + "encoding".len()..];
    let after = after.trim_start().strip_prefix('=')?.trim_start();
    let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &after[1..];
    Some(value[..value.find(quote)?].to_owned())
}

fn detect(bytes: &[u8]) -> &'static Encoding {
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    detector.guess(None, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gbk(text: &str) -> Vec<u8> {
        encoding_rs::GBK.encode(text).0.into_owned()
    }

    #[test]
    fn a_declared_gbk_feed_is_read_as_gbk() {
        let mut bytes = b"<?xml version=\"1.0\" encoding=\"GBK\"?><rss><title>".to_vec();
        bytes.extend(gbk("昌吉日报"));
        let decoded = decode(&bytes, None);
        assert!(decoded.text.contains("昌吉日报"));
        assert_eq!((decoded.encoding.as_str(), decoded.problem), ("gbk", None));
    }

    #[test]
    fn the_http_charset_wins_over_the_declaration() {
        let mut bytes = b"<?xml version=\"1.0\" encoding=\"utf-8\"?><t>".to_vec();
        bytes.extend(gbk("新闻"));
        let decoded = decode(&bytes, Some("text/xml; charset=\"gb2312\""));
        assert!(decoded.text.contains("新闻"));
        assert_eq!(decoded.encoding, "gbk");
    }

    #[test]
    fn a_wrong_declaration_falls_back_without_mojibake() {
        let mut bytes = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss><title>".to_vec();
        bytes.extend(gbk("镇村道路硬化工程全面完工，群众出行更方便了"));
        let decoded = decode(&bytes, None);
        assert!(decoded.text.contains("镇村道路硬化工程全面完工"), "{}", decoded.text);
        assert!(!decoded.text.contains('\u{FFFD}'));
        assert!(decoded.problem.is_some());
    }

    #[test]
    fn byte_order_marks_and_utf16_without_one() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend("<a>é</a>".as_bytes());
        assert_eq!(decode(&bytes, None).text, "<a>é</a>");
        let utf16: Vec<u8> = "<?xml version='1.0'?><a/>".encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        assert_eq!(decode(&utf16, None).text, "<?xml version='1.0'?><a/>");
        let utf32: Vec<u8> = "<a/>".chars().flat_map(|c| (c as u32).to_be_bytes()).collect();
        assert_eq!(decode(&utf32, None).encoding, "utf-32be");
    }
}
