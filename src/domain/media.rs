//! Images syndic keeps (issue 17): what a kept file is (its type read from its bytes,
//! never from a name or a server's word), the name it is served under, where keeping an
//! article's image stands, and where images stand in stored HTML.
//!
//! Stored HTML is always what `ingest::sanitize` serialised (html5ever's serialiser:
//! every attribute value in double quotes, `&`, `"` and no-break space escaped), so
//! finding and replacing an `<img>`'s `src` here is exact without a parser; it must
//! never be given HTML from anywhere else.

use std::borrow::Cow;

/// The image types syndic keeps. SVG is not among them: it can carry scripts, and an
/// image served from the site's own origin must not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageType {
    Jpeg,
    Png,
    Gif,
    Webp,
    Avif,
}

impl ImageType {
    pub const ALL: [ImageType; 5] = [ImageType::Jpeg, ImageType::Png, ImageType::Gif, ImageType::Webp, ImageType::Avif];

    /// The type the bytes are, by their magic number; `None` for anything else (HTML
    /// named `.jpg`, SVG, truncated files).
    pub fn sniff(bytes: &[u8]) -> Option<ImageType> {
        let avif_brand = |brand: &[u8]| brand == b"avif" || brand == b"avis";
        match bytes {
            [0xFF, 0xD8, 0xFF, ..] => Some(ImageType::Jpeg),
            [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Some(ImageType::Png),
            [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => Some(ImageType::Gif),
            [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some(ImageType::Webp),
            [_, _, _, _, b'f', b't', b'y', b'p', brand @ ..] if brand.len() >= 4 && avif_brand(&brand[..4]) => {
                Some(ImageType::Avif)
            }
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ImageType::Jpeg => "image/jpeg",
            ImageType::Png => "image/png",
            ImageType::Gif => "image/gif",
            ImageType::Webp => "image/webp",
            ImageType::Avif => "image/avif",
        }
    }

    /// The extension of its served name.
    pub fn extension(self) -> &'static str {
        match self {
            ImageType::Jpeg => "jpg",
            ImageType::Png => "png",
            ImageType::Gif => "gif",
            ImageType::Webp => "webp",
            ImageType::Avif => "avif",
        }
    }

    pub fn from_content_type(content_type: &str) -> Option<ImageType> {
        Self::ALL.into_iter().find(|t| t.content_type() == content_type)
    }

    fn from_extension(extension: &str) -> Option<ImageType> {
        Self::ALL.into_iter().find(|t| t.extension() == extension)
    }
}

/// A kept file's served name, `{sha256 hex}.{ext}` (`/media/{name}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaName {
    /// The SHA-256 of its bytes, 64 lowercase hex digits.
    pub hash: String,
    pub kind: ImageType,
}

impl MediaName {
    /// Parses a requested name; only the one spelling syndic serves is accepted.
    pub fn parse(name: &str) -> Result<MediaName, String> {
        let (hash, extension) = name.split_once('.').ok_or("has no extension")?;
        let hex = hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !hex {
            return Err("is not a SHA-256 in lowercase hex".into());
        }
        let kind = ImageType::from_extension(extension).ok_or("has no image extension syndic serves")?;
        Ok(MediaName { hash: hash.to_owned(), kind })
    }

    /// The name of bytes of `kind` whose SHA-256 is `hash`.
    pub fn of(hash: &str, kind: ImageType) -> MediaName {
        MediaName { hash: hash.to_owned(), kind }
    }

    pub fn file_name(&self) -> String {
        format!("{}.{}", self.hash, self.kind.extension())
    }
}

/// An image of an article that syndic keeps a copy of: its original URL and the copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptImage {
    pub url: String,
    pub media: MediaName,
    pub size: u64,
}

/// Where keeping one image of an article stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageState {
    /// Waiting for its (next) fetch.
    Pending,
    Kept,
    /// Not an image syndic keeps, or too large: not fetched again.
    Refused,
    /// Every attempt failed: given up.
    Failed,
}

impl ImageState {
    pub fn as_str(self) -> &'static str {
        match self {
            ImageState::Pending => "pending",
            ImageState::Kept => "kept",
            ImageState::Refused => "refused",
            ImageState::Failed => "failed",
        }
    }

    pub fn parse(raw: &str) -> Result<ImageState, String> {
        [ImageState::Pending, ImageState::Kept, ImageState::Refused, ImageState::Failed]
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| format!("unknown image state '{raw}'"))
    }
}

/// The `src` of every `<img>` in stored HTML, in order, decoded.
pub fn img_sources(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for_each_img_src(html, |value| found.push(unescape_attribute(value)));
    found
}

/// Stored HTML with each `<img>`'s `src` replaced by what `replacement` gives for it
/// (decoded); those it gives nothing for stay.
pub fn with_img_sources<'h>(html: &'h str, replacement: impl Fn(&str) -> Option<String>) -> Cow<'h, str> {
    let mut spans = Vec::new();
    for_each_img_src_span(html, |start, end| {
        if let Some(new) = replacement(&unescape_attribute(&html[start..end])) {
            spans.push((start, end, escape_attribute(&new)));
        }
    });
    if spans.is_empty() {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len());
    let mut last = 0;
    for (start, end, new) in spans {
        out.push_str(&html[last..start]);
        out.push_str(&new);
        last = end;
    }
    out.push_str(&html[last..]);
    Cow::Owned(out)
}

fn for_each_img_src(html: &str, mut each: impl FnMut(&str)) {
    for_each_img_src_span(html, |start, end| each(&html[start..end]));
}

/// Calls `each` with the byte range of every `<img>`'s `src` value. Text never holds a
/// raw `<`, and attribute values never a raw `"`, in serialised HTML.
fn for_each_img_src_span(html: &str, mut each: impl FnMut(usize, usize)) {
    let mut from = 0;
    while let Some(found) = html[from..].find("<img") {
        let mut at = from + found + "<img".len();
        from = at;
        if !html[at..].starts_with([' ', '>', '/']) {
            continue;
        }
        // Attributes: ` name="value"` until the tag's end.
        loop {
            let rest = &html[at..];
            let trimmed = rest.trim_start();
            at += rest.len() - trimmed.len();
            let Some(name_end) = trimmed.find(['=', '>', ' ']) else { return };
            if !trimmed[name_end..].starts_with("=\"") {
                break;
            }
            let value_start = at + name_end + 2;
            let Some(value_len) = html[value_start..].find('"') else { return };
            if &trimmed[..name_end] == "src" {
                each(value_start, value_start + value_len);
            }
            at = value_start + value_len + 1;
        }
        from = at;
    }
}

fn unescape_attribute(value: &str) -> String {
    value.replace("&quot;", "\"").replace("&nbsp;", "\u{a0}").replace("&amp;", "&")
}

fn escape_attribute(value: &str) -> String {
    value.replace('&', "&amp;").replace('\u{a0}', "&nbsp;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_known_by_their_magic_numbers_alone() {
        assert_eq!(ImageType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]), Some(ImageType::Jpeg));
        assert_eq!(ImageType::sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some(ImageType::Png));
        assert_eq!(ImageType::sniff(b"GIF89a\x01\0"), Some(ImageType::Gif));
        assert_eq!(ImageType::sniff(b"GIF87a\x01\0"), Some(ImageType::Gif));
        assert_eq!(ImageType::sniff(b"RIFF\x24\0\0\0WEBPVP8 "), Some(ImageType::Webp));
        assert_eq!(ImageType::sniff(b"\0\0\0\x1cftypavif\0\0\0\0"), Some(ImageType::Avif));
        for not_kept in [
            &b"<!DOCTYPE html><title>404</title>"[..],
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
            b"<?xml version=\"1.0\"?><svg/>",
            b"RIFF\x24\0\0\0WAVEfmt ",
            b"\0\0\0\x1cftypisom",
            b"\xFF\xD8",
            b"",
        ] {
            assert_eq!(ImageType::sniff(not_kept), None, "{not_kept:?}");
        }
    }

    #[test]
    fn only_the_served_spelling_of_a_media_name_parses() {
        let hash = "a".repeat(64);
        let name = MediaName::parse(&format!("{hash}.jpg")).unwrap();
        assert_eq!((name.kind, name.file_name()), (ImageType::Jpeg, format!("{hash}.jpg")));
        for bad in [
            format!("{hash}.svg"),
            format!("{hash}.JPG"),
            format!("{}.png", "A".repeat(64)),
            format!("{}.png", "a".repeat(63)),
            format!("{hash}"),
            format!("../{hash}.png"),
            format!("{hash}.png.png"),
        ] {
            assert!(MediaName::parse(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn img_sources_are_found_and_replaced_in_serialised_html() {
        let html = "<p>a &lt;img src=\"x\"&gt;</p><img alt=\"one\" src=\"http://a.example/1.jpg?x=1&amp;y=2\">\
                    <p><img src=\"http://a.example/2.png\" width=\"3\"></p><image src=\"http://a.example/no\">";
        assert_eq!(img_sources(html), ["http://a.example/1.jpg?x=1&y=2", "http://a.example/2.png"]);
        let replaced =
            with_img_sources(html, |url| (url == "http://a.example/1.jpg?x=1&y=2").then(|| "https://s/m/1.jpg".into()));
        assert_eq!(
            replaced,
            "<p>a &lt;img src=\"x\"&gt;</p><img alt=\"one\" src=\"https://s/m/1.jpg\">\
             <p><img src=\"http://a.example/2.png\" width=\"3\"></p><image src=\"http://a.example/no\">"
        );
        assert!(matches!(with_img_sources(html, |_| None), Cow::Borrowed(_)));
    }
}
