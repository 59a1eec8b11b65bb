//! What the extraction reads of a parsed page: the visible text of an element (without
//! scripts, styles or elements hidden by their own attributes), whether an element is a
//! block, and words' shapes. Every walk here is iterative and bounded, so a page of
//! 10,000 nested elements costs no stack.

use ego_tree::iter::Edge;
use scraper::{ElementRef, Node};

/// Characters of text any one read here collects; a title or a byline is far shorter.
pub const MAX_TEXT_CHARS: usize = 2_000;

/// Elements whose content is never text on the page.
const NOT_TEXT: &[&str] =
    &["script", "style", "noscript", "template", "iframe", "object", "svg", "head", "select", "textarea"];

/// Elements that start a new line: a paragraph's boundaries.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "center",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
    "br",
    "html",
];

pub fn is_block(name: &str) -> bool {
    BLOCKS.contains(&name)
}

pub fn is_not_text(name: &str) -> bool {
    NOT_TEXT.contains(&name)
}

/// Characters of a `style` attribute read by `hides_itself`.
const MAX_STYLE_CHARS: usize = 1_000;

/// Whether an element hides itself by its own attributes (`hidden`, `display:none`,
/// `visibility:hidden`, `aria-hidden`): such text is never taken for a title, a byline
/// or a link. (Content keeps it: the pipeline removes hidden elements and counts them.)
pub fn hides_itself(element: &scraper::node::Element) -> bool {
    if element.attr("hidden").is_some() || element.attr("aria-hidden").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        return true;
    }
    element.attr("style").is_some_and(|style| {
        let style: String = style
            .chars()
            .take(MAX_STYLE_CHARS)
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        style.contains("display:none") || style.contains("visibility:hidden")
    })
}

/// Ancestors looked at by `hidden_with_ancestors`.
const MAX_ANCESTORS: usize = 64;

/// Whether an element or one of its nearer ancestors hides itself.
pub fn hidden_with_ancestors(element: ElementRef<'_>) -> bool {
    hides_itself(element.value())
        || element.ancestors().take(MAX_ANCESTORS).filter_map(|a| a.value().as_element().map(hides_itself)).any(|h| h)
}

/// The visible text of an element, blocks separated by a line break, runs of spaces
/// made one, at most `MAX_TEXT_CHARS` characters.
pub fn text(element: ElementRef<'_>) -> String {
    let mut out = String::new();
    let mut chars = 0;
    let mut skipping: Option<ego_tree::NodeId> = None;
    for edge in element.traverse() {
        match edge {
            Edge::Open(node) if skipping.is_none() => match node.value() {
                Node::Element(e) if is_not_text(e.name()) || hides_itself(e) => skipping = Some(node.id()),
                Node::Element(e) if is_block(e.name()) => out.push('\n'),
                Node::Text(t) => {
                    for c in t.chars() {
                        if chars >= MAX_TEXT_CHARS {
                            break;
                        }
                        out.push(if c == '\u{a0}' || c == '\u{3000}' { ' ' } else { c });
                        chars += 1;
                    }
                }
                _ => {}
            },
            Edge::Close(node) if skipping == Some(node.id()) => skipping = None,
            Edge::Close(node)
                if skipping.is_none() && node.value().as_element().is_some_and(|e| is_block(e.name())) =>
            {
                out.push('\n')
            }
            _ => {}
        }
        if chars >= MAX_TEXT_CHARS {
            break;
        }
    }
    tidy(&out)
}

/// One line: a run of several spaces stays two spaces (templates separate a byline's
/// parts with `&nbsp;&nbsp;`, and its names with one), any other run becomes one.
pub fn spaced_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = 0;
    for c in text.trim().chars() {
        if c.is_whitespace() {
            run += 1;
            continue;
        }
        match run {
            0 => {}
            1 => out.push(' '),
            _ => out.push_str("  "),
        }
        run = 0;
        out.push(c);
    }
    out
}

/// Lines trimmed, runs of spaces made one, empty lines dropped.
pub fn tidy(text: &str) -> String {
    text.lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// `text` on one line.
pub fn line(element: ElementRef<'_>) -> String {
    text(element).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Characters of an element's `class` and `id` read for what they say: a real class list
/// is short, and a megabyte of one must cost nothing.
const MAX_CLASS_CHARS: usize = 200;

/// An element's `class` and `id`, lower-case, at most `MAX_CLASS_CHARS` of each.
pub fn class_and_id(element: &scraper::node::Element) -> String {
    let mut words = String::new();
    for value in [element.attr("class"), element.attr("id")].into_iter().flatten() {
        words.extend(value.chars().take(MAX_CLASS_CHARS).map(|c| c.to_ascii_lowercase()));
        words.push(' ');
    }
    words
}

/// Sentence punctuation, Latin and Chinese: how much running prose a text holds.
pub fn is_punctuation(c: char) -> bool {
    matches!(c, ',' | '.' | ';' | '!' | '?' | '，' | '。' | '；' | '！' | '？' | '、' | '：' | '“' | '”')
}
