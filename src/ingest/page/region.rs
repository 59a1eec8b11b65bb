//! Where an article's byline is: the lines between its title and its text, then the
//! first lines of the text, then the lines just before the title (or, when the title
//! was not read from the page's body, before the text).

use super::dom;
use ego_tree::iter::Edge;
use ego_tree::NodeId;
use scraper::{ElementRef, Html, Node};
use std::collections::VecDeque;

/// Lines kept before the title (or the text), after the title, and from the start of
/// the text.
const BEFORE: usize = 12;
const AFTER_TITLE: usize = 30;
const IN_CONTENT: usize = 4;

#[derive(PartialEq)]
enum Region {
    Before,
    AfterTitle,
    Content,
}

/// Lines gathered so far, by region.
#[derive(Default)]
struct Lines {
    before: VecDeque<String>,
    after_title: Vec<String>,
    in_content: Vec<String>,
}

impl Lines {
    /// Ends the line being read, keeping it where it belongs.
    fn flush(&mut self, line: &mut String, region: &Region) {
        let text = dom::spaced_line(line);
        line.clear();
        if text.is_empty() {
            return;
        }
        match region {
            Region::Before => {
                self.before.push_back(text);
                if self.before.len() > BEFORE {
                    self.before.pop_front();
                }
            }
            Region::AfterTitle if self.after_title.len() < AFTER_TITLE => self.after_title.push(text),
            Region::Content if self.in_content.len() < IN_CONTENT => self.in_content.push(text),
            _ => {}
        }
    }
}

/// Lines that may carry the byline, nearest the title first. The title's element is
/// read too: templates put the byline inside it (PHPCMS: `<h1>标题<br><span>时间 来源</span></h1>`).
pub fn byline_lines(document: &Html, title: Option<ElementRef<'_>>, content: ElementRef<'_>) -> Vec<String> {
    let mut lines = Lines::default();
    let mut region = Region::Before;
    let mut line = String::new();
    let mut skipping: Option<NodeId> = None;
    for edge in document.tree.root().traverse() {
        match edge {
            Edge::Open(node) if skipping.is_none() => match node.value() {
                Node::Element(e) => {
                    if dom::is_not_text(e.name()) || dom::hides_itself(e) {
                        skipping = Some(node.id());
                    } else if node.id() == content.id() {
                        lines.flush(&mut line, &region);
                        region = Region::Content;
                    } else if title.is_some_and(|t| t.id() == node.id()) && region == Region::Before {
                        lines.flush(&mut line, &region);
                        region = Region::AfterTitle;
                    } else if dom::is_block(e.name()) {
                        lines.flush(&mut line, &region);
                    }
                }
                Node::Text(t) if line.len() < 4 * super::byline::MAX_BYLINE_CHARS => line.push_str(t),
                _ => {}
            },
            Edge::Close(node) if skipping == Some(node.id()) => skipping = None,
            Edge::Close(node) if skipping.is_none() => {
                if node.id() == content.id() {
                    break;
                }
                if node.value().as_element().is_some_and(|e| dom::is_block(e.name())) {
                    lines.flush(&mut line, &region);
                }
                if region == Region::Content && lines.in_content.len() >= IN_CONTENT {
                    break;
                }
            }
            _ => {}
        }
    }
    lines.flush(&mut line, &region);
    // Templates put the byline before the title too (the seed page's `2018-06-28 11:39:20
    // 来源:昌吉日报` above its headline): those lines come last, nearest first.
    let Lines { before, mut after_title, in_content } = lines;
    after_title.extend(in_content);
    after_title.extend(before.into_iter().rev());
    after_title
}

/// The first paragraph of the text with prose in it (a lead `(记者 郑丽媛)` is there).
pub fn first_paragraph(content: ElementRef<'_>) -> Option<String> {
    dom::text(content).lines().find(|line| line.chars().count() >= 20).map(str::to_owned)
}
