//! Removing what readers of an outlet's page never see, before the allowlist
//! (`sanitize`) drops the styles that hid it and so would reveal it: injected link spam
//! hides in elements that are `display:none`, off-screen, transparent, tiny, clipped,
//! coloured like their background, or hidden by a `<style>` rule of the same fragment.
//!
//! The fragment is parsed by html5ever exactly as the allowlist parses it (so character
//! references in attributes are decoded as a browser decodes them, and elements end
//! where a browser ends them); each element's cascade is computed from its `style`
//! attribute, the fragment's `<style>` rules and presentational attributes (`cascade`,
//! `stylesheet`, read with a real CSS tokenizer), and the element goes, with all it
//! contains, when it cannot be seen (`verdict`). Whatever cannot be evaluated counts as
//! hiding; the page around the fragment counts as ordinary.
//!
//! This module only removes: it never adds, rewrites or reveals anything.

mod cascade;
pub(super) mod dom;
mod stylesheet;
mod values;
mod verdict;

use cascade::{Candidate, Cascaded, Declaration, Rank, Reading, Tier};
use dom::{Children, Dom, Handle, NodeData};
use html5ever::tendril::TendrilSink;
use html5ever::{local_name, ns, QualName};
use std::rc::Rc;
use stylesheet::{Match, Stylesheet};
use verdict::Inherited;

/// Elements whose content a browser never shows as text on the page (scripts, style
/// sheets, templates, an iframe's fallback text, `<noscript>` where scripts run). The
/// allowlist drops them with their content; they are not a way of hiding spam, so they
/// are not counted.
pub const NEVER_RENDERED: &[&str] = &["script", "style", "template", "iframe", "noscript"];

/// Elements every browser's default style sheet hides, whose text the allowlist would
/// otherwise keep (it drops the tags, not their text). A closed `<dialog>` is too.
const HIDDEN_BY_DEFAULT: &[&str] = &["title", "datalist", "noembed", "noframes"];

/// Text that must appear (in any case) in a fragment for anything in it to be hidden:
/// a `style` attribute or element, the `hidden` attribute, a `bgcolor` behind
/// `<font color>`, or an element hidden by default. Without any, the fragment is not
/// parsed here.
const MARKERS: &[&str] = &["style", "hidden", "bgcolor", "<title", "<datalist", "<noembed", "<noframes", "<dialog"];

/// The fragment without the elements its readers cannot see, and how many were removed
/// (an element inside a removed one is not counted again).
pub fn without_hidden_elements(fragment: &str) -> (String, u32) {
    let lowered = fragment.to_ascii_lowercase();
    if !MARKERS.iter().any(|marker| lowered.contains(marker)) {
        return (fragment.to_owned(), 0);
    }
    let dom = parse(fragment);
    let root = dom.document.children.borrow()[0].clone();
    let removed = remove_hidden(&root);
    if removed == 0 {
        return (fragment.to_owned(), 0);
    }
    let mut html = Vec::with_capacity(fragment.len());
    html5ever::serialize(&mut html, &Children(root), Default::default()).expect("serialising to memory cannot fail");
    (String::from_utf8(html).expect("html5ever serialises UTF-8"), removed)
}

/// Parses a fragment as the allowlist does: as the content of a `<div>`.
pub(super) fn parse(fragment: &str) -> Dom {
    let context = QualName::new(None, ns!(html), local_name!("div"));
    html5ever::parse_fragment(Dom::default(), Default::default(), context, Vec::new(), false).one(fragment)
}

/// Removes every hidden element under `root`; returns how many.
fn remove_hidden(root: &Handle) -> u32 {
    let sheet = Stylesheet::collect(root);
    let page = Rc::new(Inherited::page(Rc::new(sheet.registered.clone())));
    // Decide everything before removing anything: selectors look at siblings and
    // ancestors as the page has them.
    let mut hidden: Vec<(Handle, Vec<usize>)> = Vec::new();
    let mut stack = vec![(root.clone(), page)];
    while let Some((parent, inherited)) = stack.pop() {
        let mut gone = Vec::new();
        for (n, child) in parent.children.borrow().iter().enumerate() {
            let NodeData::Element { name, .. } = &child.data else { continue };
            // SVG and MathML are dropped whole by the allowlist, as are elements never rendered.
            if name.ns != ns!(html) || NEVER_RENDERED.contains(&&*name.local) {
                continue;
            }
            match visible(child, &inherited, &sheet) {
                Some(passed_on) => stack.push((child.clone(), passed_on)),
                None => gone.push(n),
            }
        }
        if !gone.is_empty() {
            hidden.push((parent, gone));
        }
    }
    let mut removed = 0;
    for (parent, gone) in hidden {
        removed += gone.len() as u32;
        let mut n = 0;
        parent.children.borrow_mut().retain(|_| {
            n += 1;
            gone.binary_search(&(n - 1)).is_err()
        });
    }
    removed
}

/// What `element` hands its children, or `None` when it is hidden.
fn visible(element: &Handle, parent: &Rc<Inherited>, sheet: &Stylesheet) -> Option<Rc<Inherited>> {
    let NodeData::Element { name, attrs, .. } = &element.data else { return Some(parent.clone()) };
    let attrs = attrs.borrow();
    let attr = |wanted: &str| attrs.iter().find(|a| &*a.name.local == wanted).map(|a| &*a.value);
    let tag = &*name.local;
    if attr("hidden").is_some() || HIDDEN_BY_DEFAULT.contains(&tag) || (tag == "dialog" && attr("open").is_none()) {
        return None;
    }

    let hints = presentational_hints(tag, &attr);
    let inline = attr("style").map(cascade::declarations).unwrap_or_default();
    let rules = sheet.matching(element);
    if hints.is_empty() && inline.is_empty() && rules.is_empty() {
        return Some(parent.clone());
    }

    let mut candidates = Vec::new();
    let ranked = |tier, specificity, order| Rank { tier, specificity, order };
    for (n, declaration) in hints.iter().enumerate() {
        candidates.push(Candidate { declaration, rank: ranked(Tier::Hint, (0, 0, 0), n as u32), uncertain: false });
    }
    for (rule, found, specificity) in &rules {
        for (n, declaration) in rule.declarations.iter().enumerate() {
            candidates.push(Candidate {
                declaration,
                rank: ranked(Tier::of(Tier::Sheet, declaration.important), *specificity, rule.order + n as u32),
                uncertain: !rule.certain || *found == Match::Maybe || cascade::unprefixed(&declaration.name).1,
            });
        }
    }
    for (n, declaration) in inline.iter().enumerate() {
        candidates.push(Candidate {
            declaration,
            rank: ranked(Tier::of(Tier::Inline, declaration.important), (0, 0, 0), n as u32),
            uncertain: cascade::unprefixed(&declaration.name).1,
        });
    }
    // An animation may end on, or keep returning to, a frame that hides.
    let animated: Vec<&Declaration> = candidates
        .iter()
        .filter(|c| matches!(cascade::unprefixed(&c.declaration.name).0, "animation" | "animation-name"))
        .flat_map(|c| cascade::animation_names(&c.declaration.value))
        .filter_map(|name| sheet.keyframes.get(&name))
        .flatten()
        .collect();
    for (n, declaration) in animated.into_iter().enumerate() {
        candidates.push(Candidate { declaration, rank: ranked(Tier::Animation, (0, 0, 0), n as u32), uncertain: true });
    }

    // Hidden if either reading hides it; the second only differs when a declaration is
    // uncertain or was invalid in a standards-mode page.
    let holds_media = || holds_media(element);
    let (certain, vars) = Cascaded::compute(&candidates, Reading::Certain, parent.font_px, &parent.vars);
    let passed_on = verdict::visible(&certain, parent, vars, &sheet.font_faces, &holds_media)?;
    if !certain.read_invalid && candidates.iter().all(|c| !c.uncertain) {
        return Some(Rc::new(passed_on));
    }
    let (everything, vars) = Cascaded::compute(&candidates, Reading::Everything, parent.font_px, &parent.vars);
    verdict::visible(&everything, parent, vars, &sheet.font_faces, &holds_media).map(Rc::new)
}

/// Whether `element` contains a replaced element (an image, a video…), whose own height
/// a line takes whatever its `line-height`.
fn holds_media(element: &Handle) -> bool {
    const REPLACED: &[&str] = &["img", "picture", "video", "audio", "canvas", "svg", "object", "embed", "iframe"];
    let mut stack: Vec<Handle> = element.children.borrow().clone();
    while let Some(node) = stack.pop() {
        if let NodeData::Element { name, .. } = &node.data {
            if REPLACED.contains(&&*name.local) {
                return true;
            }
        }
        stack.extend(node.children.borrow().iter().cloned());
    }
    false
}

/// The declarations presentational attributes stand for: `<font color>` and
/// `bgcolor`, the colours of old-fashioned white-on-white spam.
fn presentational_hints<'a>(tag: &str, attr: &impl Fn(&str) -> Option<&'a str>) -> Vec<Declaration> {
    let hint = |name: &str, value: Option<&str>| {
        let value = legacy_colour(value?)?;
        Some(Declaration { name: name.to_owned(), value, important: false })
    };
    let color = if tag == "font" { hint("color", attr("color")) } else { None };
    color.into_iter().chain(hint("background-color", attr("bgcolor"))).collect()
}

/// An HTML colour attribute as CSS: a colour name, or hex digits with or without `#`.
fn legacy_colour(value: &str) -> Option<String> {
    let value = value.trim();
    let hex = value.strip_prefix('#').unwrap_or(value);
    if matches!(hex.len(), 3 | 6) && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Some(format!("#{hex}"));
    }
    let named = cssparser::color::parse_named_color(value).is_ok();
    named.then(|| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether the marked text survives: each case wraps `SPAM` in the markup tried.
    fn survives(markup: &str) -> bool {
        without_hidden_elements(&format!("<p>before</p>{markup}<p>after</p>")).0.contains("SPAM")
    }

    #[test]
    fn every_way_of_hiding_is_removed() {
        let hidden = [
            // Character references and CSS escapes and comments in `style`.
            r#"<span style="display&#58;none">SPAM</span>"#,
            r#"<span style="dis&#x70;lay:none">SPAM</span>"#,
            r#"<span style="display&colon;none">SPAM</span>"#,
            r#"<span style="display:&#110;one">SPAM</span>"#,
            r#"<span style="disp\lay:none">SPAM</span>"#,
            r#"<span style="display:/**/none">SPAM</span>"#,
            r#"<span style="display:\6e one">SPAM</span>"#,
            r#"<span style="display:\00006E one">SPAM</span>"#,
            r#"<span style="DISPLAY:NONE">SPAM</span>"#,
            r#"<span style="display : none !important">SPAM</span>"#,
            r#"<span style="color:red;;display:none">SPAM</span>"#,
            r#"<span style="}display:none">SPAM</span>"#,
            r#"<span style='display:none'>SPAM</span>"#,
            r#"<span style=display:none>SPAM</span>"#,
            r#"<span STYLE="display:none">SPAM</span>"#,
            r#"<span style="display:none;display:blockx">SPAM</span>"#,
            r#"<span style="display:none!important;display:block">SPAM</span>"#,
            r#"<span style="--h:none;display:var(--h)">SPAM</span>"#,
            r#"<span style="display:var(--x, none)">SPAM</span>"#,
            r#"<div style="--h:none"><span style="display:var(--h)">SPAM</span></div>"#,
            r#"<span style="display:attr(data-d type(<custom-ident>))" data-d="none">SPAM</span>"#,
            // Other spellings of zero.
            r#"<span style="font-size:0.0em">SPAM</span>"#,
            r#"<span style="font-size:0">SPAM</span>"#,
            r#"<span style="font-size:1px">SPAM</span>"#,
            r#"<span style="font-size:.05em">SPAM</span>"#,
            r#"<span style="font-size:calc(-5px)">SPAM</span>"#,
            r#"<span style="font-size:0.1vw">SPAM</span>"#,
            r#"<div style="font-size:1%"><span>SPAM</span></div>"#,
            r#"<span style="font:0/0 a">SPAM</span>"#,
            r#"<span style="font:italic bold 0px serif">SPAM</span>"#,
            r#"<span style="font-size-adjust:0">SPAM</span>"#,
            r#"<span style="opacity:0%">SPAM</span>"#,
            r#"<span style="opacity:0.0">SPAM</span>"#,
            r#"<span style="opacity:.04">SPAM</span>"#,
            r#"<span style="opacity:-1">SPAM</span>"#,
            r#"<span style="opacity:calc(0)">SPAM</span>"#,
            r#"<div style="opacity:0.2"><span style="opacity:0.2">SPAM</span></div>"#,
            r#"<div style="height:0.0px;overflow:hidden">SPAM</div>"#,
            r#"<div style="max-height:0;overflow:hidden">SPAM</div>"#,
            r#"<div style="width:1px;height:1px;overflow:hidden">SPAM</div>"#,
            r#"<div style="height:0;overflow-y:clip">SPAM</div>"#,
            r#"<div style="line-height:0;overflow:hidden">SPAM</div>"#,
            r#"<div style="contain:strict">SPAM</div>"#,
            // Other ways to hide.
            r#"<span style="visibility:hidden">SPAM</span>"#,
            r#"<span style="visibility:collapse">SPAM</span>"#,
            r#"<span style="content-visibility:hidden">SPAM</span>"#,
            r#"<span style="filter:opacity(0)">SPAM</span>"#,
            r#"<span style="-webkit-filter:opacity(0%)">SPAM</span>"#,
            r#"<span style="filter:blur(20px)">SPAM</span>"#,
            r#"<span style="filter:contrast(0)">SPAM</span>"#,
            r#"<span style="filter:url(#x)">SPAM</span>"#,
            r#"<span style="transform:scale(0)">SPAM</span>"#,
            r#"<span style="transform:scaleY(0.01)">SPAM</span>"#,
            r#"<span style="transform:rotateX(90deg)">SPAM</span>"#,
            r#"<span style="transform:matrix(0,0,0,0,0,0)">SPAM</span>"#,
            r#"<span style="transform:translateX(-9999px)">SPAM</span>"#,
            r#"<span style="-webkit-transform:scale(0)">SPAM</span>"#,
            r#"<span style="scale:0">SPAM</span>"#,
            r#"<span style="zoom:0">SPAM</span>"#,
            r#"<span style="zoom:1%">SPAM</span>"#,
            r#"<span style="clip-path:inset(100%)">SPAM</span>"#,
            r#"<span style="clip-path:inset(50%)">SPAM</span>"#,
            r#"<span style="clip-path:circle(0)">SPAM</span>"#,
            r#"<span style="clip-path:polygon(0 0, 0 0, 0 0)">SPAM</span>"#,
            r#"<span style="position:absolute;clip:rect(0 0 0 0)">SPAM</span>"#,
            r#"<span style="position:absolute;clip:rect(1px,1px,1px,1px)">SPAM</span>"#,
            r#"<span style="mask-image:linear-gradient(transparent,transparent)">SPAM</span>"#,
            r#"<span style="position:absolute;left:calc(-9999px)">SPAM</span>"#,
            r#"<span style="position:absolute;left:-100%">SPAM</span>"#,
            r#"<span style="position:absolute;left:-99vw">SPAM</span>"#,
            r#"<span style="position:fixed;top:-9999px">SPAM</span>"#,
            r#"<span style="position:absolute;right:9999px">SPAM</span>"#,
            r#"<span style="position:absolute;inset:auto auto auto -9999px">SPAM</span>"#,
            r#"<span style="position:absolute;left:-9999">SPAM</span>"#,
            r#"<span style="left:-9999px">SPAM</span>"#,
            r#"<span style="margin-left:-9999px">SPAM</span>"#,
            r#"<span style="margin:0 0 0 -10000px">SPAM</span>"#,
            r#"<span style="text-indent:-9999px">SPAM</span>"#,
            r#"<div style="text-indent:100%;white-space:nowrap;overflow:hidden">SPAM</div>"#,
            r#"<div style="width:200px;text-indent:300px;overflow:hidden">SPAM</div>"#,
            r#"<span style="letter-spacing:-1em">SPAM</span>"#,
            r#"<span style="content:url(x.png)">SPAM</span>"#,
            r#"<div style="position:absolute;left:-400px"><span style="margin-left:-400px">SPAM</span></div>"#,
            // Text coloured like its background.
            r#"<span style="color:#fff;background:#fff">SPAM</span>"#,
            r#"<span style="color:white;background-color:#FFFFFF">SPAM</span>"#,
            r#"<span style="color:rgb(254,254,254);background:white">SPAM</span>"#,
            r#"<div style="background:#000"><span style="color:#010101">SPAM</span></div>"#,
            r#"<div style="color:#fff"><span style="background:#fff">SPAM</span></div>"#,
            r#"<span style="color:transparent">SPAM</span>"#,
            r#"<span style="color:rgba(0,0,0,0)">SPAM</span>"#,
            r#"<span style="-webkit-text-fill-color:transparent">SPAM</span>"#,
            r##"<table bgcolor="#ffffff"><tr><td><font color="#ffffff">SPAM</font></td></tr></table>"##,
            r#"<table><tr><td bgcolor=ffffff><font color=white>SPAM</font></td></tr></table>"#,
            // Hidden by a `<style>` block of the same fragment.
            r#"<style>.x{display:none}</style><div class="x">SPAM</div>"#,
            r#"<style>#x{font-size:0}</style><div id="x">SPAM</div>"#,
            r#"<style>div.a > span{visibility:hidden}</style><div class="a"><span>SPAM</span></div>"#,
            r#"<style>.a .b{opacity:0}</style><div class="a"><p><i class="b">SPAM</i></p></div>"#,
            r#"<style>[data-x]{display:none}</style><div data-x>SPAM</div>"#,
            r#"<style>@media screen{.x{display:none}}</style><div class="x">SPAM</div>"#,
            r#"<style>.x{display:none}.x:hover{display:block}</style><div class="x">SPAM</div>"#,
            r#"<style>.X{display:none}</style><div class="x">SPAM</div>"#,
            r#"<style>p:nth-child(2){display:none}</style><div><p>a</p><p>SPAM</p></div>"#,
            r#"<style>.a{& .b{display:none}}</style><div class="a"><b class="b">SPAM</b></div>"#,
            r#"<style>.x{display:none!important}</style><div class="x" style="display:block">SPAM</div>"#,
            r#"<style>@keyframes h{to{opacity:0}}</style><div style="animation:h 1ms forwards">SPAM</div>"#,
            r#"<style>@font-face{font-family:blank;src:url(b.woff)}</style><div style="font-family:blank">SPAM</div>"#,
            r#"<style>@property --h{syntax:"*";inherits:true;initial-value:none}</style><div style="display:var(--h)">SPAM</div>"#,
            r#"<svg><style>.x{display:none}</style></svg><div class="x">SPAM</div>"#,
            r#"<style>span{display:none}</style><span>SPAM</span>"#,
            r#"<style>body .x{display:none}</style><span class="x">SPAM</span>"#,
            r#"<style>.a ~ .b{display:none}</style><i class="a"></i><b></b><span class="b">SPAM</span>"#,
            r#"<style>:is(.x, .y){display:none}</style><span class="y">SPAM</span>"#,
            r#"<style>span:not(.ok){display:none}</style><span>SPAM</span>"#,
            r#"<style>.\78{display:none}</style><span class="x">SPAM</span>"#,
            r#"<style>/* c */.x/* c */{/* c */display/* c */:/* c */none}</style><span class="x">SPAM</span>"#,
            r#"<style>@layer a{.x{display:none}}</style><span class="x">SPAM</span>"#,
            r#"<style>:root{--h:none}</style><span style="display:var(--h)">SPAM</span>"#,
            r#"<style>.x::first-line{font-size:0}</style><p class="x">SPAM</p>"#,
            // More spellings.
            r#"<span style="filter:alpha(opacity=0)">SPAM</span>"#,
            r#"<span style="transform:translate3d(-9999px,0,0)">SPAM</span>"#,
            r#"<span style="transform:skew(90deg)">SPAM</span>"#,
            r#"<span style="rotate:x 90deg">SPAM</span>"#,
            r#"<span style="translate:-9999px">SPAM</span>"#,
            r#"<span style="clip-path:inset(0 100% 0 0)">SPAM</span>"#,
            r#"<span style="font:0px a">SPAM</span>"#,
            r#"<span style="font-size:min(0px, 1em)">SPAM</span>"#,
            r#"<span style="color:#0000">SPAM</span>"#,
            r#"<div style="background:#fff"><div><span style="color:#fff">SPAM</span></div></div>"#,
            r#"<div style="display:none">SPAM"#,
            r#"<p style="display:none">SPAM<p>x"#,
            // Hidden by HTML itself.
            r#"<p hidden>SPAM</p>"#,
            r#"<p hidden="until-found">SPAM</p>"#,
            r#"<title>SPAM</title>"#,
            r#"<dialog>SPAM</dialog>"#,
            r#"<datalist><option>SPAM</option></datalist>"#,
            r#"<noembed>SPAM</noembed>"#,
            // Elements end where a browser ends them: `c` is inside the hidden span.
            r#"<span style="display:none">a<div>b</span>SPAM</div>"#,
        ];
        for markup in hidden {
            assert!(!survives(markup), "survived: {markup}");
        }
    }

    #[test]
    fn look_alikes_that_readers_see_stay() {
        let visible = [
            r#"<span style="display:block">SPAM</span>"#,
            r#"<span style="display:none;display:inline-block">SPAM</span>"#,
            r#"<span style="display:var(--undefined)">SPAM</span>"#,
            r#"<span style="font-size:0.9em">SPAM</span>"#,
            r#"<span style="font-size:12px">SPAM</span>"#,
            r#"<span style="font:italic bold 12px/30px Georgia, serif">SPAM</span>"#,
            r#"<span style="opacity:0.9">SPAM</span>"#,
            r#"<span style="opacity:50%">SPAM</span>"#,
            r#"<span style="left:-5px;position:relative">SPAM</span>"#,
            r#"<span style="margin-left:-20px">SPAM</span>"#,
            r#"<span style="text-indent:-2em">SPAM</span>"#,
            r#"<p style="text-indent:2em;overflow:hidden">SPAM</p>"#,
            r#"<span style="position:static;left:-9999px">SPAM</span>"#,
            r#"<span style="position:relative;left:50%;transform:translateX(-50%)">SPAM</span>"#,
            r#"<div style="height:0;padding-bottom:56.25%;overflow:hidden;position:relative">SPAM</div>"#,
            r#"<div style="height:0">SPAM</div>"#,
            r#"<div style="max-height:200px;overflow:auto">SPAM</div>"#,
            r#"<div style="height:0;min-height:2em;overflow:hidden">SPAM</div>"#,
            r#"<span style="visibility:visible">SPAM</span>"#,
            r#"<span style="transform:rotate(5deg) scale(1.2)">SPAM</span>"#,
            r#"<span style="filter:grayscale(100%) drop-shadow(1px 1px 2px #000)">SPAM</span>"#,
            r#"<span style="clip-path:inset(10px)">SPAM</span>"#,
            r#"<span style="color:#fff;background:#000">SPAM</span>"#,
            r#"<span style="color:#333;background:#fff">SPAM</span>"#,
            r#"<span style="color:#fff">SPAM</span>"#,
            r#"<span style="color:#fff;background:#fff url(dark.jpg)">SPAM</span>"#,
            r#"<span style="color:transparent;text-shadow:0 0 2px #000">SPAM</span>"#,
            r#"<div style="background:#fff"><a href="x" style="color:#1a0dab">SPAM</a></div>"#,
            r#"<span aria-hidden="true">SPAM</span>"#,
            r#"<span class="hidden">SPAM</span>"#,
            r#"<dialog open>SPAM</dialog>"#,
            r#"<p style="text-align:center;font-family:SimSun">SPAM</p>"#,
            r#"<style>.x{display:none}</style><div class="y">SPAM</div>"#,
            r#"<style>p::before{display:none}</style><p>SPAM</p>"#,
            r#"<style>.a > .x{display:none}</style><div class="b"><p class="x">SPAM</p></div>"#,
            r#"<style>@keyframes in{from{opacity:0}to{opacity:1}}</style><div style="animation:in 1s">SPAM</div>"#,
            // Two identifiers, which browsers reject: `n\o ne`, `\n one`, `dis/**/play`.
            r#"<span style="display:n\o ne">SPAM</span>"#,
            r#"<span style="display:\n one">SPAM</span>"#,
            r#"<span style="dis/**/play:none">SPAM</span>"#,
            // What CMS and WeChat editors write.
            r#"<section style="margin:0px;padding:0px;max-width:100%;box-sizing:border-box;overflow-wrap:break-word!important">SPAM</section>"#,
            r#"<section style="line-height:0;overflow:hidden;display:inline-block"><img src="a.jpg">SPAM</section>"#,
            r#"<span style="font-size:12pt;mso-bidi-font-size:10.5pt;font-family:'Times New Roman'">SPAM</span>"#,
            r#"<span style="font-size:var(--wp--preset--font-size--small)">SPAM</span>"#,
            r#"<p style="font-size:clamp(1rem, 2.5vw, 2rem)">SPAM</p>"#,
            r#"<div style="overflow:hidden;text-overflow:ellipsis;white-space:nowrap;max-width:20em">SPAM</div>"#,
            r#"<div style="width:300px;height:200px;overflow:hidden"><img src="a.jpg">SPAM</div>"#,
        ];
        for markup in visible {
            assert!(survives(markup), "removed: {markup}");
        }
    }

    #[test]
    fn each_removed_element_is_counted_once_and_the_rest_left_alone() {
        let fragment = r#"<p>新闻</p><div style="display:none"><span hidden>a</span></div><p style="color:red">可见</p><span style="font-size:0">b</span>"#;
        let (visible, removed) = without_hidden_elements(fragment);
        assert_eq!(removed, 2);
        assert_eq!(visible, r#"<p>新闻</p><p style="color:red">可见</p>"#);
        let plain = "<p>no markers at all</p>";
        assert_eq!(without_hidden_elements(plain), (plain.to_owned(), 0));
    }

    #[test]
    fn hostile_nesting_and_selectors_stay_bounded() {
        let deep = "<div style=\"color:red\">".repeat(5_000) + "x";
        assert_eq!(without_hidden_elements(&deep).1, 0);
        let selector = ".a ".repeat(200) + "{display:none}";
        let nested = format!("<style>{selector}</style>{}SPAM", "<div class=a>".repeat(2_000));
        let started = std::time::Instant::now();
        let (out, _) = without_hidden_elements(&nested);
        assert!(!out.contains("SPAM"), "a selector too costly to follow counts as matching");
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
    }
}
