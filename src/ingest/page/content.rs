//! The article's HTML as the pipeline takes it: the content element's markup, as the
//! page has it (unsanitised: `Pipeline::accept_entries` sanitises it and removes hidden
//! spam, counting it, as for feeds), without the page's chrome that templates put
//! inside it: the title and byline again, share and print toolbars, `责任编辑` lines,
//! forms and scripts. `<style>` elements of the page's body go first, so that spam
//! hidden by a class (`<style>.x{display:none}</style><div class="x">`) is still seen
//! as hidden when the pipeline reads the fragment.

use super::byline;
use super::dom;
use super::readability::{class_weight, Stats};
use ego_tree::iter::Edge;
use ego_tree::NodeId;
use scraper::{ElementRef, Html, Node};
use std::collections::HashMap;

/// Elements that are never part of an article's text.
const CHROME: &[&str] = &[
    "script", "noscript", "template", "form", "button", "input", "select", "textarea", "nav", "aside", "footer", "menu",
];
/// Elements with no end tag.
const VOID: &[&str] =
    &["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"];
/// Words of toolbars and editor lines, in short elements.
const TOOLBAR_WORDS: &[&str] = &[
    "责任编辑",
    "责编",
    "编辑:",
    "编辑：",
    "【打印",
    "【关闭",
    "打印本页",
    "关闭窗口",
    "分享到",
    "字号",
    "【字体",
    "扫一扫",
];
/// Short elements read to see whether they are chrome: a toolbar is short.
const SHORT_CHARS: usize = 80;
/// Elements examined as possible chrome per article; past them the rest is kept as is.
const MAX_EXAMINED: usize = 500;
/// `<style>` elements of the page looked at, and bytes of them carried along with the content.
const MAX_STYLES: usize = 32;
const MAX_STYLE_BYTES: usize = 32 * 1024;

/// What to leave out besides chrome: the title's element, wherever it is.
pub struct Leave<'a> {
    pub title: Option<ElementRef<'a>>,
    pub title_text: &'a str,
}

/// The content element's markup without chrome, preceded by the body's `<style>`s.
pub fn html(document: &Html, content: ElementRef<'_>, stats: &HashMap<NodeId, Stats>, leave: &Leave<'_>) -> String {
    let mut out = String::new();
    body_styles(document, content, &mut out);
    let mut skipping: Option<NodeId> = None;
    let mut examined = 0;
    for edge in content.traverse() {
        match edge {
            Edge::Open(node) if skipping.is_none() => match node.value() {
                Node::Element(e) => {
                    let element = ElementRef::wrap(node).expect("an element");
                    let is_root = node.id() == content.id();
                    if !is_root && (CHROME.contains(&e.name()) || leave.title.is_some_and(|t| t.id() == node.id())) {
                        skipping = Some(node.id());
                        continue;
                    }
                    if !is_root && examined < MAX_EXAMINED && dom::is_block(e.name()) {
                        examined += 1;
                        if is_chrome(element, stats.get(&node.id()), leave) {
                            skipping = Some(node.id());
                            continue;
                        }
                    }
                    if !is_root {
                        open_tag(e, &mut out);
                    }
                }
                Node::Text(text) => match node.parent().and_then(|p| p.value().as_element().map(|e| e.name())) {
                    Some("style") => out.push_str(text),
                    _ => escape(text, false, &mut out),
                },
                _ => {}
            },
            Edge::Close(node) if skipping == Some(node.id()) => skipping = None,
            Edge::Close(node) if skipping.is_none() && node.id() != content.id() => {
                if let Some(e) = node.value().as_element() {
                    if !VOID.contains(&e.name()) {
                        out.push_str("</");
                        out.push_str(e.name());
                        out.push('>');
                    }
                }
            }
            _ => {}
        }
    }
    out.trim().to_owned()
}

/// Whether a block inside the content is template chrome.
fn is_chrome(element: ElementRef<'_>, stats: Option<&Stats>, leave: &Leave<'_>) -> bool {
    let Some(stats) = stats else { return false };
    if dom::hides_itself(element.value()) {
        // Hidden spam is the pipeline's to remove and count.
        return false;
    }
    let weight = class_weight(element.value());
    if weight < 0.0 && weight + 25.0 <= 0.0 && (stats.link_density() > 0.3 || stats.chars < SHORT_CHARS) {
        return true;
    }
    if stats.chars == 0 || stats.chars > byline::MAX_BYLINE_CHARS {
        return false;
    }
    let text = dom::line(element);
    if text == leave.title_text {
        return true;
    }
    if stats.chars < SHORT_CHARS && TOOLBAR_WORDS.iter().any(|w| text.contains(w)) {
        return true;
    }
    byline::read(&text)
        .is_some_and(|b| b.credit.is_some() || usize::from(b.date.is_some()) + usize::from(!b.authors.is_empty()) >= 2)
}

/// The `<style>` elements of the page's body outside the content (inside it they come
/// along; the head's are the site's design, not a way to hide spam), the first
/// `MAX_STYLES` of them.
fn body_styles(document: &Html, content: ElementRef<'_>, out: &mut String) {
    let Some(body) = document.root_element().child_elements().find(|e| e.value().name() == "body") else { return };
    let styles = body.descendent_elements().filter(|e| e.value().name() == "style").take(MAX_STYLES);
    for style in styles {
        if style.ancestors().any(|a| a.id() == content.id()) {
            continue;
        }
        let css: String = style.text().collect();
        if out.len() + css.len() > MAX_STYLE_BYTES {
            break;
        }
        out.push_str("<style>");
        out.push_str(&css);
        out.push_str("</style>");
    }
}

/// Attributes in which lazy-loading scripts keep an image's real address.
const LAZY_SOURCES: &[&str] = &["data-src", "data-original", "data-lazy-src", "data-echo", "data-url"];

/// Whether an image's `src` is a stand-in a script replaces (a spacer, a spinner, a data
/// URI), or missing.
fn is_placeholder(src: Option<&str>) -> bool {
    src.is_none_or(|src| {
        let src = src.trim().to_ascii_lowercase();
        src.is_empty()
            || src.starts_with("data:")
            || ["blank", "loading", "placeholder", "spacer", "grey.gif", "lazy"].iter().any(|w| src.contains(w))
    })
}

fn open_tag(e: &scraper::node::Element, out: &mut String) {
    out.push('<');
    out.push_str(e.name());
    // A lazily loaded image is written with its real address, which readers of the
    // reposted page have no script to put back.
    let lazy = (e.name() == "img" && is_placeholder(e.attr("src")))
        .then(|| LAZY_SOURCES.iter().find_map(|a| e.attr(a)).filter(|s| !s.trim().is_empty()))
        .flatten();
    if let Some(real) = lazy {
        out.push_str(" src=\"");
        escape(real, true, out);
        out.push('"');
    }
    for (name, value) in e.attrs().filter(|(name, _)| lazy.is_none() || *name != "src") {
        out.push(' ');
        out.push_str(name);
        out.push_str("=\"");
        escape(value, true, out);
        out.push('"');
    }
    out.push('>');
}

fn escape(text: &str, attribute: bool, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' if attribute => out.push_str("&quot;"),
            '<' if !attribute => out.push_str("&lt;"),
            '>' if !attribute => out.push_str("&gt;"),
            '\u{a0}' => out.push_str("&nbsp;"),
            c => out.push(c),
        }
    }
}
