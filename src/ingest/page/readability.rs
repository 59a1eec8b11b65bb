//! Finding the element that holds an article's text, readability-style, in one pass:
//! every block's own text is a paragraph, scored by its length and sentence
//! punctuation (Chinese `，。、` count as Latin `,.`), and its score goes to the
//! element holding it and, halved and thirded, to their ancestors. A candidate's score
//! is then cut by how much of its text is links, and raised or lowered by what its
//! class and id say (`content`, `TRS_Editor`, `zoom`, `artibody` against `nav`,
//! `footer`, `comment`, `share`…). The best candidate wins.

use super::dom;
use ego_tree::iter::Edge;
use ego_tree::NodeId;
use scraper::{ElementRef, Html, Node};
use std::collections::HashMap;

/// Elements read on one page; past them the rest of the page is ignored.
const MAX_ELEMENTS: usize = 100_000;
/// Non-space characters a block's own text needs to count as a paragraph.
const MIN_PARAGRAPH_CHARS: usize = 20;

/// Class or id words of article text.
const POSITIVE: &[&str] = &[
    "article",
    "content",
    "entry",
    "main",
    "text",
    "post",
    "story",
    "body",
    "trs_editor",
    "zoom",
    "artibody",
    "detail",
    "news_txt",
    "newstext",
    "conent",
    "cont",
    "zw",
    "wenzhang",
];
/// Class or id words of page chrome.
const NEGATIVE: &[&str] = &[
    "nav",
    "menu",
    "foot",
    "comment",
    "share",
    "sidebar",
    "side",
    "related",
    "relate",
    "copyright",
    "breadcrumb",
    "crumb",
    "banner",
    "advert",
    "sponsor",
    "header",
    "login",
    "search",
    "tool",
    "print",
    "friend",
    "link",
    "hot",
    "rank",
    "recommend",
    "tags",
    "pager",
    "pagination",
    "widget",
    "bottom",
    "weixin",
    "qrcode",
    "logo",
    "location",
    "position",
    "dh",
    "daohang",
];
/// Paragraph elements: their score goes to the element holding them.
const PARAGRAPHS: &[&str] = &["p", "pre", "blockquote", "li", "h2", "h3", "h4", "h5", "h6", "dd", "br"];

/// Text statistics of one element's subtree.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stats {
    /// Visible non-space characters.
    pub chars: usize,
    /// Of them, inside links.
    pub link_chars: usize,
    /// Sentence punctuation.
    pub punctuation: usize,
    /// Readability score gathered from paragraphs.
    pub score: f64,
}

impl Stats {
    pub fn link_density(&self) -> f64 {
        if self.chars == 0 {
            0.0
        } else {
            self.link_chars as f64 / self.chars as f64
        }
    }
}

/// Every element's statistics, in one walk.
pub fn measure(document: &Html) -> HashMap<NodeId, Stats> {
    struct Frame {
        id: NodeId,
        total: Stats,
        /// Text not inside a nested block.
        own: Stats,
        block: bool,
        paragraph: bool,
    }
    let mut stats: HashMap<NodeId, Stats> = HashMap::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut links = 0usize;
    let mut skipping: Option<NodeId> = None;
    let mut elements = 0;
    for edge in document.tree.root().traverse() {
        match edge {
            Edge::Open(node) if skipping.is_none() => match node.value() {
                Node::Element(e) => {
                    elements += 1;
                    if elements > MAX_ELEMENTS || dom::is_not_text(e.name()) || dom::hides_itself(e) {
                        skipping = Some(node.id());
                        continue;
                    }
                    links += usize::from(e.name() == "a");
                    stack.push(Frame {
                        id: node.id(),
                        total: Stats::default(),
                        own: Stats::default(),
                        block: dom::is_block(e.name()),
                        paragraph: PARAGRAPHS.contains(&e.name()),
                    });
                }
                Node::Text(text) => {
                    let chars = text.chars().filter(|c| !c.is_whitespace()).count();
                    let punctuation = text.chars().filter(|c| dom::is_punctuation(*c)).count();
                    // The innermost block holds this text as its own.
                    if let Some(frame) = stack.iter_mut().rev().find(|f| f.block) {
                        frame.own.chars += chars;
                        frame.own.punctuation += punctuation;
                        frame.own.link_chars += if links > 0 { chars } else { 0 };
                    }
                    if let Some(frame) = stack.last_mut() {
                        frame.total.chars += chars;
                        frame.total.punctuation += punctuation;
                        frame.total.link_chars += if links > 0 { chars } else { 0 };
                    }
                }
                _ => {}
            },
            Edge::Close(node) if skipping == Some(node.id()) => skipping = None,
            Edge::Close(node) if skipping.is_none() && node.value().is_element() => {
                let Some(frame) = stack.pop() else { continue };
                if node.value().as_element().is_some_and(|e| e.name() == "a") {
                    links = links.saturating_sub(1);
                }
                let own = frame.own;
                let mut total =
                    stats.remove(&frame.id).map_or(frame.total, |s| Stats { score: s.score, ..frame.total });
                if frame.block && own.chars >= MIN_PARAGRAPH_CHARS && own.link_density() < 0.5 {
                    let score = 1.0 + own.punctuation.min(60) as f64 + (own.chars as f64 / 100.0).min(3.0);
                    // A `<p>` gives its score to what holds it; a `<div>` or `<td>` of bare
                    // text (`<br>` between its lines) is itself what holds the text.
                    let mut shares = [1.0, 0.5, 1.0 / 6.0].into_iter();
                    if !frame.paragraph {
                        total.score += score * shares.next().unwrap_or_default();
                    }
                    for (ancestor, share) in stack.iter().rev().zip(shares) {
                        stats.entry(ancestor.id).or_default().score += score * share;
                    }
                }
                if let Some(parent) = stack.last_mut() {
                    parent.total.chars += total.chars;
                    parent.total.link_chars += total.link_chars;
                    parent.total.punctuation += total.punctuation;
                }
                stats.insert(frame.id, total);
            }
            _ => {}
        }
    }
    stats
}

/// What an element's class and id say of it: positive for article text, negative for chrome.
pub fn class_weight(element: &scraper::node::Element) -> f64 {
    let words = dom::class_and_id(element);
    if words.trim().is_empty() {
        return 0.0;
    }
    let mut weight = 0.0;
    if POSITIVE.iter().any(|w| words.contains(w)) {
        weight += 25.0;
    }
    if NEGATIVE.iter().any(|w| words.split(|c: char| !c.is_ascii_alphanumeric()).any(|part| part.starts_with(w))) {
        weight -= 25.0;
    }
    weight
}

/// The element most likely to hold the article's text, if any element holds prose.
pub fn best<'a>(document: &'a Html, stats: &HashMap<NodeId, Stats>) -> Option<ElementRef<'a>> {
    let mut best: Option<(f64, ElementRef<'a>)> = None;
    // In document order, so that of two equal candidates the first wins, every time.
    for element in document.root_element().descendent_elements().take(MAX_ELEMENTS) {
        let Some(s) = stats.get(&element.id()).filter(|s| s.score > 0.0) else { continue };
        let tag = match element.value().name() {
            "article" | "main" => 10.0,
            "div" | "section" => 5.0,
            "td" | "blockquote" | "pre" => 3.0,
            "form" | "ul" | "ol" | "dl" | "li" | "address" => -3.0,
            "body" | "html" => -5.0,
            _ => 0.0,
        };
        let score = (s.score + tag + class_weight(element.value())) * (1.0 - s.link_density());
        if best.as_ref().is_none_or(|(b, _)| score > *b) {
            best = Some((score, element));
        }
    }
    best.map(|(_, element)| element)
}
