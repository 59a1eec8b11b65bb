//! A lenient XML reader: builds a small namespace-resolved element tree from quick-xml
//! events, tolerating what real feeds get wrong (HTML entities without a DTD, stray
//! `&`, mismatched or missing end tags, text before the prolog, truncation) and
//! recording each problem instead of failing.
//!
//! No DTD is ever processed: entities it declares are neither expanded nor fetched, so
//! entity bombs and external entities (XXE) cost nothing.

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

/// Deepest nesting kept; deeper elements are skipped (their text still counts).
pub const MAX_DEPTH: usize = 256;

pub const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// Recorded when a document carries a DTD, which is never processed.
pub const DOCTYPE_IGNORED: &str =
    "document type declaration ignored: its entities are not expanded, external ones not fetched";

#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub ns: String,
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    /// Namespace URI, empty when none.
    pub ns: String,
    pub name: String,
    pub attributes: Vec<Attribute>,
    pub children: Vec<Node>,
    /// Whether its end tag was seen (false for elements cut off by truncation).
    pub complete: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Element(Element),
    Text(String),
}

/// A parsed document: its root (if any) and what was wrong with it.
#[derive(Debug)]
pub struct Document {
    pub root: Option<Element>,
    pub problems: Vec<String>,
    /// Whether the markup itself was broken (cut off, mismatched or unreadable), not
    /// only lenient about entities or declarations: what was read may be partial.
    pub broken: bool,
}

impl Element {
    pub fn is(&self, ns: &str, name: &str) -> bool {
        self.name == name && self.ns == ns
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|a| a.name == name && a.ns.is_empty()).map(|a| a.value.as_str())
    }

    pub fn attr_ns(&self, ns: &str, name: &str) -> Option<&str> {
        self.attributes.iter().find(|a| a.name == name && a.ns == ns).map(|a| a.value.as_str())
    }

    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// All text inside, concatenated.
    pub fn text(&self) -> String {
        let mut out = String::new();
        collect_text(self, &mut out);
        out
    }

    pub fn has_child_elements(&self) -> bool {
        self.elements().next().is_some()
    }

    /// The children serialised back to markup (namespace prefixes dropped), as when a
    /// feed embeds unescaped XHTML.
    pub fn inner_markup(&self) -> String {
        let mut out = String::new();
        for child in &self.children {
            write_node(child, &mut out);
        }
        out
    }
}

fn collect_text(element: &Element, out: &mut String) {
    for child in &element.children {
        match child {
            Node::Text(t) => out.push_str(t),
            Node::Element(e) => collect_text(e, out),
        }
    }
}

fn write_node(node: &Node, out: &mut String) {
    match node {
        Node::Text(text) => out.push_str(&escape(text, false)),
        Node::Element(e) => {
            out.push('<');
            out.push_str(&e.name);
            for a in e.attributes.iter().filter(|a| a.ns.is_empty()) {
                out.push_str(&format!(" {}=\"{}\"", a.name, escape(&a.value, true)));
            }
            if e.children.is_empty() && is_void(&e.name) {
                out.push_str(" />");
                return;
            }
            out.push('>');
            for child in &e.children {
                write_node(child, out);
            }
            out.push_str(&format!("</{}>", e.name));
        }
    }
}

fn is_void(name: &str) -> bool {
    matches!(
        name,
        "br" | "hr" | "img" | "input" | "meta" | "link" | "area" | "base" | "col" | "embed" | "source" | "wbr"
    )
}

fn escape(text: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// Parses `text` into a tree; never fails, but may return no root.
pub fn parse(text: &str) -> Document {
    let mut problems = Vec::new();
    let trimmed = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if trimmed.len() != text.len() && trimmed.starts_with("<?xml") {
        problems.push("content before the XML declaration".to_owned());
    }
    let mut reader = NsReader::from_str(trimmed);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.allow_unmatched_ends = true;
    config.allow_dangling_amp = true;
    config.expand_empty_elements = false;
    config.check_comments = false;

    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut broken = false;
    loop {
        let event = match reader.read_resolved_event() {
            Ok((resolved, event)) => (namespace(resolved), event),
            Err(error) => {
                problems.push(format!("not well-formed XML: {error}"));
                broken = true;
                break;
            }
        };
        match event {
            (ns, Event::Start(start)) => {
                let element = open(&reader, ns, &start);
                if stack.len() >= MAX_DEPTH {
                    problems.push("nesting too deep".into());
                    broken = true;
                    break;
                }
                stack.push(element);
            }
            (ns, Event::Empty(start)) => {
                let mut element = open(&reader, ns, &start);
                element.complete = true;
                attach(&mut stack, &mut root, element);
            }
            (_, Event::End(end)) => {
                let local = String::from_utf8_lossy(end.local_name().as_ref()).into_owned();
                // Close up to the matching open element; an end tag that matches none is ignored.
                if let Some(position) = stack.iter().rposition(|e| e.name == local) {
                    if position + 1 != stack.len() {
                        problems.push(format!("mismatched end tag </{local}>"));
                        broken = true;
                    }
                    while stack.len() > position + 1 {
                        let unclosed = stack.pop().expect("position is inside the stack");
                        attach(&mut stack, &mut root, Element { complete: true, ..unclosed });
                    }
                    let mut element = stack.pop().expect("position is inside the stack");
                    element.complete = true;
                    attach(&mut stack, &mut root, element);
                } else {
                    problems.push(format!("end tag </{local}> without a start"));
                    broken = true;
                }
            }
            (_, Event::Text(text)) => push_text(&mut stack, &String::from_utf8_lossy(text.as_ref())),
            (_, Event::CData(data)) => push_text(&mut stack, &String::from_utf8_lossy(data.as_ref())),
            (_, Event::GeneralRef(reference)) => {
                let name = String::from_utf8_lossy(reference.as_ref()).into_owned();
                match resolve_reference(&name) {
                    Ok(text) => push_text(&mut stack, &text),
                    Err(problem) => problems.push(problem),
                }
                if !is_xml_entity(&name) && !name.starts_with('#') {
                    problems.push(format!("entity &{name}; is not defined in XML"));
                }
            }
            (_, Event::DocType(_)) => {
                problems.push(DOCTYPE_IGNORED.to_owned());
            }
            (_, Event::Eof) => break,
            _ => {} // declarations, comments, processing instructions, DOCTYPE: ignored
        }
    }
    if !stack.is_empty() {
        problems.push("document ends before its elements are closed".into());
        broken = true;
        while let Some(element) = stack.pop() {
            attach(&mut stack, &mut root, element);
        }
    }
    problems.dedup();
    Document { root, problems, broken }
}

fn namespace(resolved: ResolveResult<'_>) -> String {
    match resolved {
        ResolveResult::Bound(ns) => String::from_utf8_lossy(ns.as_ref()).into_owned(),
        _ => String::new(),
    }
}

fn open(reader: &NsReader<&[u8]>, ns: String, start: &BytesStart<'_>) -> Element {
    let attributes = start
        .attributes()
        .with_checks(false)
        .filter_map(Result::ok)
        .filter(|a| {
            let key = a.key.as_ref();
            key != b"xmlns" && !key.starts_with(b"xmlns:")
        })
        .map(|a| {
            let (resolved, local) = reader.resolver().resolve_attribute(a.key);
            let ns = match resolved {
                ResolveResult::Bound(ns) => String::from_utf8_lossy(ns.as_ref()).into_owned(),
                _ if a.key.as_ref().starts_with(b"xml:") => XML_NS.to_owned(),
                _ => String::new(),
            };
            let raw = String::from_utf8_lossy(&a.value).into_owned();
            Attribute { ns, name: String::from_utf8_lossy(local.as_ref()).into_owned(), value: unescape_lenient(&raw) }
        })
        .collect();
    Element {
        ns,
        name: String::from_utf8_lossy(start.local_name().as_ref()).into_owned(),
        attributes,
        children: Vec::new(),
        complete: false,
    }
}

fn attach(stack: &mut [Element], root: &mut Option<Element>, element: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(Node::Element(element)),
        None if root.is_none() => *root = Some(element),
        None => {} // a second top-level element: ignored
    }
}

fn push_text(stack: &mut [Element], text: &str) {
    let Some(parent) = stack.last_mut() else { return };
    if let Some(Node::Text(previous)) = parent.children.last_mut() {
        previous.push_str(text);
    } else {
        parent.children.push(Node::Text(text.to_owned()));
    }
}

fn is_xml_entity(name: &str) -> bool {
    matches!(name, "lt" | "gt" | "amp" | "apos" | "quot")
}

/// The text of `&name;`: character references, XML's five entities, HTML's named
/// entities (tolerated, as browsers do). Others (DTD-declared) stay unexpanded. A
/// reference to a character XML forbids (`&#x1;`, `&#xFFFE;`) or to none (`&#xD800;`)
/// stands for nothing: what it decodes to could not be published.
fn resolve_reference(name: &str) -> Result<String, String> {
    if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => number.parse().ok(),
        };
        return code
            .and_then(char::from_u32)
            .filter(|&c| crate::domain::text::is_xml_safe_char(c))
            .map(String::from)
            .ok_or_else(|| format!("character reference &{name}; names no character XML allows; dropped"));
    }
    quick_xml::escape::resolve_html5_entity(name)
        .map(str::to_owned)
        .ok_or_else(|| format!("entity &{name}; is not expanded"))
}

/// Unescapes attribute values, leaving unknown references as they are.
/// Unescapes attribute values reference by reference (`resolve_reference`: those to
/// characters XML forbids stand for nothing), leaving unknown references as they are.
fn unescape_lenient(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let reference = rest[1..].find(';').map(|end| &rest[1..=end]).filter(|name| {
            name.len() <= MAX_REFERENCE_CHARS && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'#')
        });
        match reference.map(|name| (name, resolve_reference(name))) {
            Some((name, Ok(text))) => {
                out.push_str(&text);
                rest = &rest[name.len() + 2..];
            }
            Some((name, Err(_))) if name.starts_with('#') => rest = &rest[name.len() + 2..],
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    crate::domain::text::xml_safe(&out)
}

/// Longest reference name looked up (`&CounterClockwiseContourIntegral;` is 32).
const MAX_REFERENCE_CHARS: usize = 40;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_resolve_and_markup_round_trips() {
        let doc = parse(
            r#"<rss xmlns:content="http://purl.org/rss/1.0/modules/content/"><item><content:encoded><![CDATA[<p>x</p>]]></content:encoded><description><p class="a">naked &amp; <br/>markup</p></description></item></rss>"#,
        );
        let item = doc.root.unwrap().elements().next().unwrap().clone();
        let encoded = item.elements().next().unwrap();
        assert!(encoded.is("http://purl.org/rss/1.0/modules/content/", "encoded"));
        assert_eq!(encoded.text(), "<p>x</p>");
        let description = item.elements().nth(1).unwrap();
        assert_eq!(description.inner_markup(), r#"<p class="a">naked &amp; <br />markup</p>"#);
        assert!(doc.problems.is_empty(), "{:?}", doc.problems);
    }

    #[test]
    fn html_entities_are_tolerated_and_dtd_entities_never_expanded() {
        let doc = parse("<!DOCTYPE r [<!ENTITY a \"aaaa\"><!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><r>x&nbsp;&mdash;&a;&xxe;&#x4E2D;</r>");
        assert_eq!(doc.root.unwrap().text(), "x\u{a0}\u{2014}中");
        assert!(!doc.problems.is_empty());
    }

    #[test]
    fn truncated_documents_keep_what_was_complete() {
        let doc = parse("\n\n<?xml version=\"1.0\"?><rss><channel><item><title>a</title></item><item><title>b");
        let root = doc.root.unwrap();
        let channel = root.elements().next().unwrap();
        let items: Vec<bool> = channel.elements().map(|i| i.complete).collect();
        assert_eq!(items, [true, false]);
        assert!(doc.problems.iter().any(|p| p.contains("before the XML declaration")));
    }
}
