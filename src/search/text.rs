//! The text a reader sees in stored content, for indexing and snippets. Content is
//! stored sanitised (`ingest::sanitize`: tags from an allowlist, text escaped as
//! html5ever serialises it), so dropping the tags and undoing that escaping is enough;
//! every tag becomes a space, so paragraphs do not run into each other's words.

pub fn content_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        text.push(' ');
        rest = rest[open..].find('>').map_or("", |close| &rest[open + close + 1..]);
    }
    text.push_str(rest);
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_go_and_escaped_text_reads_as_written() {
        assert_eq!(
            content_text("<p>以党组织为旗帜。</p><p>A &amp; B &lt;tag&gt;</p>\n<img src=\"x\">end"),
            "以党组织为旗帜。 A & B <tag> end"
        );
        assert_eq!(content_text("&amp;lt;"), "&lt;");
    }
}
