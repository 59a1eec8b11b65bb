//! The tree html5ever builds for a fragment, as ammonia builds it (ammonia keeps its
//! own copy of this reference-counted DOM private): nodes with weak parent links, an
//! html5ever `TreeSink` that builds them, and serialisation back to HTML. Adapted from
//! ammonia's `rcdom` (Apache-2.0 or MIT, the html5ever project developers); dropping
//! a tree and serialising it never recurse, so no nesting depth overflows the stack.

use html5ever::interface::tree_builder::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::serialize::{Serialize, Serializer, TraversalScope};
use html5ever::tendril::StrTendril;
use html5ever::{Attribute, ExpandedName, QualName};
use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::rc::{Rc, Weak};

pub type Handle = Rc<Node>;

pub struct Node {
    pub parent: Cell<Option<Weak<Node>>>,
    pub children: RefCell<Vec<Handle>>,
    pub data: NodeData,
}

pub enum NodeData {
    Document,
    Text(RefCell<StrTendril>),
    Comment(StrTendril),
    Element {
        name: QualName,
        attrs: RefCell<Vec<Attribute>>,
        /// A `<template>`'s content, kept apart from its children as browsers keep it.
        template_contents: Option<Handle>,
        mathml_annotation_xml_integration_point: bool,
    },
    /// A doctype or processing instruction: never part of a fragment's output.
    Other,
}

impl Node {
    fn new(data: NodeData) -> Handle {
        Rc::new(Node { parent: Cell::new(None), children: RefCell::new(Vec::new()), data })
    }

    /// The parent node, if the node is in a tree.
    pub fn parent(&self) -> Option<Handle> {
        let weak = self.parent.take();
        let parent = weak.as_ref().and_then(Weak::upgrade);
        self.parent.set(weak);
        parent
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let mut nodes = std::mem::take(&mut *self.children.borrow_mut());
        while let Some(node) = nodes.pop() {
            nodes.append(&mut node.children.borrow_mut());
        }
    }
}

/// The fragment's tree under construction.
pub struct Dom {
    pub document: Handle,
}

impl Default for Dom {
    fn default() -> Self {
        Dom { document: Node::new(NodeData::Document) }
    }
}

fn append(parent: &Handle, child: Handle) {
    child.parent.set(Some(Rc::downgrade(parent)));
    parent.children.borrow_mut().push(child);
}

fn parent_and_index(target: &Handle) -> Option<(Handle, usize)> {
    let parent = target.parent()?;
    let index = parent.children.borrow().iter().position(|child| Rc::ptr_eq(child, target))?;
    Some((parent, index))
}

fn append_to_text(previous: &Handle, text: &str) -> bool {
    match &previous.data {
        NodeData::Text(contents) => {
            contents.borrow_mut().push_slice(text);
            true
        }
        _ => false,
    }
}

fn text_node(text: StrTendril) -> Handle {
    Node::new(NodeData::Text(RefCell::new(text)))
}

impl TreeSink for Dom {
    type Output = Self;
    type Handle = Handle;
    type ElemName<'a> = ExpandedName<'a>;

    fn finish(self) -> Self {
        self
    }

    fn parse_error(&self, _: Cow<'static, str>) {}

    fn get_document(&self) -> Handle {
        self.document.clone()
    }

    fn elem_name<'a>(&self, target: &'a Handle) -> ExpandedName<'a> {
        match &target.data {
            NodeData::Element { name, .. } => name.expanded(),
            _ => unreachable!("html5ever asks element names of elements only"),
        }
    }

    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, flags: ElementFlags) -> Handle {
        Node::new(NodeData::Element {
            name,
            attrs: RefCell::new(attrs),
            template_contents: flags.template.then(|| Node::new(NodeData::Document)),
            mathml_annotation_xml_integration_point: flags.mathml_annotation_xml_integration_point,
        })
    }

    fn create_comment(&self, text: StrTendril) -> Handle {
        Node::new(NodeData::Comment(text))
    }

    fn create_pi(&self, _: StrTendril, _: StrTendril) -> Handle {
        Node::new(NodeData::Other)
    }

    fn append(&self, parent: &Handle, child: NodeOrText<Handle>) {
        match child {
            NodeOrText::AppendText(text) => {
                if parent.children.borrow().last().is_some_and(|last| append_to_text(last, &text)) {
                    return;
                }
                append(parent, text_node(text));
            }
            NodeOrText::AppendNode(node) => append(parent, node),
        }
    }

    fn append_before_sibling(&self, sibling: &Handle, child: NodeOrText<Handle>) {
        let (parent, index) = parent_and_index(sibling).expect("html5ever inserts before nodes that have a parent");
        let child = match child {
            NodeOrText::AppendText(text) => {
                if index > 0 && append_to_text(&parent.children.borrow()[index - 1], &text) {
                    return;
                }
                text_node(text)
            }
            NodeOrText::AppendNode(node) => {
                self.remove_from_parent(&node);
                node
            }
        };
        child.parent.set(Some(Rc::downgrade(&parent)));
        parent.children.borrow_mut().insert(index, child);
    }

    fn append_based_on_parent_node(&self, element: &Handle, previous: &Handle, child: NodeOrText<Handle>) {
        if element.parent().is_some() {
            self.append_before_sibling(element, child);
        } else {
            self.append(previous, child);
        }
    }

    fn append_doctype_to_document(&self, _: StrTendril, _: StrTendril, _: StrTendril) {}

    fn get_template_contents(&self, target: &Handle) -> Handle {
        match &target.data {
            NodeData::Element { template_contents: Some(contents), .. } => contents.clone(),
            _ => unreachable!("html5ever asks template contents of templates only"),
        }
    }

    fn same_node(&self, x: &Handle, y: &Handle) -> bool {
        Rc::ptr_eq(x, y)
    }

    fn set_quirks_mode(&self, _: QuirksMode) {}

    fn add_attrs_if_missing(&self, target: &Handle, attrs: Vec<Attribute>) {
        let NodeData::Element { attrs: existing, .. } = &target.data else { return };
        let mut existing = existing.borrow_mut();
        let names: HashSet<QualName> = existing.iter().map(|a| a.name.clone()).collect();
        existing.extend(attrs.into_iter().filter(|a| !names.contains(&a.name)));
    }

    fn remove_from_parent(&self, target: &Handle) {
        if let Some((parent, index)) = parent_and_index(target) {
            parent.children.borrow_mut().remove(index);
            target.parent.set(None);
        }
    }

    fn reparent_children(&self, node: &Handle, new_parent: &Handle) {
        let children = std::mem::take(&mut *node.children.borrow_mut());
        for child in &children {
            child.parent.set(Some(Rc::downgrade(new_parent)));
        }
        new_parent.children.borrow_mut().extend(children);
    }

    fn is_mathml_annotation_xml_integration_point(&self, target: &Handle) -> bool {
        matches!(target.data, NodeData::Element { mathml_annotation_xml_integration_point: true, .. })
    }
}

/// A node whose children serialise as HTML.
pub struct Children(pub Handle);

impl Serialize for Children {
    fn serialize<S: Serializer>(&self, serializer: &mut S, _: TraversalScope) -> std::io::Result<()> {
        enum Step {
            Open(Handle),
            Close(QualName),
        }
        let mut steps: Vec<Step> = self.0.children.borrow().iter().rev().cloned().map(Step::Open).collect();
        while let Some(step) = steps.pop() {
            match step {
                Step::Open(node) => match &node.data {
                    NodeData::Element { name, attrs, .. } => {
                        serializer.start_elem(name.clone(), attrs.borrow().iter().map(|a| (&a.name, &a.value[..])))?;
                        steps.push(Step::Close(name.clone()));
                        steps.extend(node.children.borrow().iter().rev().cloned().map(Step::Open));
                    }
                    NodeData::Text(contents) => serializer.write_text(&contents.borrow())?,
                    NodeData::Comment(contents) => serializer.write_comment(contents)?,
                    NodeData::Document | NodeData::Other => {}
                },
                Step::Close(name) => serializer.end_elem(name)?,
            }
        }
        Ok(())
    }
}
