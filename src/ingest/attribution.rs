//! Attribution blocks coming back in. A feed of another syndic, or our own feed polled
//! back, ends each item with an attribution block (`publish::attribution`); it is
//! removed from incoming HTML before sanitising, since this site adds its own when it
//! publishes the article: stored, it would be shown twice, and then again at every
//! round trip. Only a `<p>` whose class list holds `syndic-attribution` goes.

use super::hidden::dom::{Children, Handle, NodeData};
use super::hidden::parse;
use crate::publish::attribution::CLASS;
use html5ever::{local_name, ns};
use std::borrow::Cow;

/// `fragment` without the attribution blocks it holds, anywhere in it.
pub fn without_attribution_blocks(fragment: &str) -> Cow<'_, str> {
    if !fragment.contains(CLASS) {
        return Cow::Borrowed(fragment);
    }
    let dom = parse(fragment);
    let root = dom.document.children.borrow()[0].clone();
    if !remove_blocks(&root) {
        return Cow::Borrowed(fragment);
    }
    let mut html = Vec::with_capacity(fragment.len());
    html5ever::serialize(&mut html, &Children(root), Default::default()).expect("serialising to memory cannot fail");
    Cow::Owned(String::from_utf8(html).expect("html5ever serialises UTF-8"))
}

/// Removes every attribution block under `root`; whether there was one.
fn remove_blocks(root: &Handle) -> bool {
    let mut removed = false;
    let mut stack = vec![root.clone()];
    while let Some(parent) = stack.pop() {
        parent.children.borrow_mut().retain(|child| {
            let block = is_block(child);
            removed |= block;
            !block
        });
        stack.extend(parent.children.borrow().iter().cloned());
    }
    removed
}

fn is_block(node: &Handle) -> bool {
    let NodeData::Element { name, attrs, .. } = &node.data else { return false };
    name.ns == ns!(html)
        && name.local == local_name!("p")
        && attrs
            .borrow()
            .iter()
            .any(|a| a.name.local == local_name!("class") && a.value.split_ascii_whitespace().any(|c| c == CLASS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_block_goes_wherever_it_is_and_nothing_else_does() {
        let block =
            "<p class=\"syndic-attribution\">来源:昌吉日报 原文链接:<a href=\"http://a.cn/\">http://a.cn/</a></p>";
        assert_eq!(without_attribution_blocks(&format!("<p>正文</p>{block}")), "<p>正文</p>");
        let nested = format!("<div><p>a</p><p class=\"note syndic-attribution\">x</p></div>{block}");
        assert_eq!(without_attribution_blocks(&nested), "<div><p>a</p></div>");
        assert_eq!(without_attribution_blocks(block), "");
        for kept in [
            "<p>syndic-attribution is a class name</p>",
            "<div class=\"syndic-attribution\">a div is not ours</div>",
            "<p class=\"syndic-attribution-x\">nor a longer class</p>",
        ] {
            assert_eq!(without_attribution_blocks(kept), kept);
        }
    }
}
