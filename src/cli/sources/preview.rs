//! A source's preview as text: each item's fields on its own lines, HTML shown as the
//! length and start of its text, so that an operator tuning rules sees what was found.

use crate::ingest::preview::Preview;
use crate::ingest::sanitize::plain_text;
use std::fmt::Write;

/// Characters of an HTML field's text shown.
const EXCERPT_CHARS: usize = 120;

pub(super) fn text(preview: &Preview) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} found at {}; {} read", preview.found, preview.url, preview.items.len());
    for (n, item) in preview.items.iter().enumerate() {
        let _ = writeln!(out, "{}. {}", n + 1, item.title.as_deref().unwrap_or("(no title)"));
        let lines = [
            ("link", Some(item.link.clone())),
            ("original_url", item.original_url.clone()),
            ("published", item.published.map(crate::publish::rfc3339)),
            ("author", item.author.clone()),
            ("credit", item.credit.clone()),
            ("image", item.image.clone()),
            ("summary", item.summary.as_deref().map(excerpt)),
            ("content", item.content.as_deref().map(excerpt)),
        ];
        for (name, value) in lines {
            if let Some(value) = value {
                let _ = writeln!(out, "   {name}: {value}");
            }
        }
        if item.hidden_removed > 0 {
            let _ = writeln!(out, "   hidden elements removed: {}", item.hidden_removed);
        }
        for problem in &item.problems {
            let _ = writeln!(out, "   problem: {problem}");
        }
    }
    for warning in &preview.warnings {
        let _ = writeln!(out, "warning: {warning}");
    }
    out
}

/// The length of stored HTML's text and its start.
fn excerpt(html: &str) -> String {
    let text = plain_text(html);
    let start: String = text.chars().take(EXCERPT_CHARS).collect();
    let more = if text.chars().count() > EXCERPT_CHARS { "…" } else { "" };
    format!("{} characters: {start}{more}", text.chars().count())
}
