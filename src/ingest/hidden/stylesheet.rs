//! The fragment's own `<style>` rules, and which elements their selectors match.
//!
//! A rule applies to the whole page, so its selector may depend on what surrounds the
//! fragment, on state (`:hover`) or on structure this module does not follow
//! (`:nth-child`): such a match is `Match::Maybe`, and the rule's declarations are
//! uncertain (the cascade reads the element with and without them). Rules inside
//! `@media`, `@supports`, `@layer` and the like, and nested rules, are uncertain too.
//! `@keyframes`, `@font-face` and `@property` are kept for what they can do to text.

use super::cascade::{self, Declaration, Vars};
use super::dom::{Handle, NodeData};
use super::values::Fail;
use cssparser::{match_ignore_ascii_case, CowRcStr, ParseError, Parser, ParserState, Token};
use cssparser::{
    AtRuleParser, DeclarationParser, QualifiedRuleParser, RuleBodyItemParser, RuleBodyParser, StyleSheetParser,
};
use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

/// How many element tests selector matching may make for one fragment; past it every
/// match is `Maybe`, so a fragment built to make matching slow only hides itself. An
/// article's rules × elements × depth stay well below it (50 × 300 × 10 = 150,000).
const MATCH_BUDGET: u32 = 200_000;

/// Compounds of a selector that are matched (`a b c …`): matching recurses once per
/// compound. A longer selector keeps its last ones and only ever `Maybe` matches.
const MAX_COMPOUNDS: usize = 16;

/// Whether a selector matches an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Match {
    No,
    /// It depends on the page, on state or on something this module does not evaluate.
    Maybe,
    Yes,
}

impl Match {
    fn not(self) -> Match {
        match self {
            Match::No => Match::Yes,
            Match::Maybe => Match::Maybe,
            Match::Yes => Match::No,
        }
    }
}

/// A style rule: its selectors and declarations.
#[derive(Debug)]
pub struct Rule {
    selectors: Rc<Vec<Selector>>,
    pub declarations: Vec<Declaration>,
    /// The rule applies unconditionally (not in `@media` or the like, not nested).
    pub certain: bool,
    /// Document order of the rule's first declaration.
    pub order: u32,
}

/// What the fragment's `<style>` elements say.
#[derive(Debug, Default)]
pub struct Stylesheet {
    pub rules: Vec<Rule>,
    /// `@keyframes` name → the declarations of its frames, first frame first.
    pub keyframes: HashMap<String, Vec<Declaration>>,
    /// Families defined by `@font-face`, lower-cased.
    pub font_faces: HashSet<String>,
    /// Initial values of custom properties registered with `@property`.
    pub registered: Vars,
    next_order: u32,
    budget: Cell<u32>,
}

impl Stylesheet {
    /// Reads every `<style>` element under `root` (HTML or SVG), in document order.
    pub fn collect(root: &Handle) -> Stylesheet {
        let mut sheet = Stylesheet { budget: Cell::new(MATCH_BUDGET), ..Stylesheet::default() };
        let mut stack = vec![root.clone()];
        while let Some(node) = stack.pop() {
            if let NodeData::Element { name, .. } = &node.data {
                if &*name.local == "style" {
                    let css: String = node
                        .children
                        .borrow()
                        .iter()
                        .filter_map(|child| match &child.data {
                            NodeData::Text(contents) => Some(contents.borrow().to_string()),
                            _ => None,
                        })
                        .collect();
                    sheet.parse(&css);
                    continue;
                }
            }
            stack.extend(node.children.borrow().iter().rev().cloned());
        }
        sheet
    }

    fn parse(&mut self, css: &str) {
        let mut parser = Parser::new(css);
        let mut top = Rules { sheet: self, certain: true };
        for _ in StyleSheetParser::new(&mut parser, &mut top) {}
    }

    fn push(&mut self, selectors: Rc<Vec<Selector>>, declarations: Vec<Declaration>, certain: bool) {
        if declarations.is_empty() {
            return;
        }
        let order = self.next_order;
        self.next_order += declarations.len() as u32;
        self.rules.push(Rule { selectors, declarations, certain, order });
    }

    /// The rules whose selectors may match `element`, with how surely and the
    /// specificity of the most specific selector that does.
    pub fn matching(&self, element: &Handle) -> Vec<(&Rule, Match, (u32, u32, u32))> {
        self.rules
            .iter()
            .filter_map(|rule| {
                let (found, specificity) =
                    rule.selectors.iter().map(|s| (s.matches(element, &self.budget), s.specificity)).max()?;
                (found != Match::No).then_some((rule, found, specificity))
            })
            .collect()
    }
}

/// Parses rule lists: the top level and the inside of conditional group rules.
struct Rules<'s> {
    sheet: &'s mut Stylesheet,
    certain: bool,
}

/// What an at-rule is, from its prelude.
enum AtRule {
    /// `@media`, `@supports`, `@layer`…: rules that apply only sometimes.
    Group,
    Keyframes(String),
    FontFace,
    Property(String),
}

impl<'i> AtRuleParser<'i> for Rules<'_> {
    type Prelude = AtRule;
    type AtRule = ();
    type Error = ();

    fn parse_prelude(&mut self, name: CowRcStr<'i>, input: &mut Parser<'i>) -> Result<AtRule, ParseError<()>> {
        at_rule_prelude(&name, input)
    }

    fn rule_without_block(&mut self, _: AtRule, _: &ParserState) -> Result<(), ()> {
        Ok(())
    }

    fn parse_block(&mut self, prelude: AtRule, _: &ParserState, input: &mut Parser<'i>) -> Result<(), ParseError<()>> {
        match prelude {
            AtRule::Group => {
                let mut inner = Rules { sheet: self.sheet, certain: false };
                for _ in StyleSheetParser::new(input, &mut inner) {}
            }
            AtRule::Keyframes(name) => {
                let mut frames = Frames(Vec::new());
                for _ in StyleSheetParser::new(input, &mut frames) {}
                let mut frames = frames.0;
                frames.sort_by(|a, b| a.0.total_cmp(&b.0));
                // Browsers ignore `!important` in keyframes.
                let declarations = frames.into_iter().flat_map(|(_, d)| d).filter(|d| !d.important).collect();
                self.sheet.keyframes.insert(name, declarations);
            }
            AtRule::FontFace => {
                for d in declarations_of(input) {
                    if d.name == "font-family" {
                        if let Ok(families) = super::values::read(&d.value, cascade::font_family) {
                            self.sheet.font_faces.extend(families);
                        }
                    }
                }
            }
            AtRule::Property(name) => {
                if let Some(initial) = declarations_of(input).into_iter().find(|d| d.name == "initial-value") {
                    self.sheet.registered.insert(name, Rc::from(initial.value.as_str()));
                }
            }
        }
        Ok(())
    }
}

fn at_rule_prelude(name: &str, input: &mut Parser<'_>) -> Result<AtRule, ParseError<()>> {
    let prelude = match_ignore_ascii_case! { name,
        "media" | "supports" | "container" | "layer" | "scope" | "document" | "-moz-document" | "starting-style" => {
            while input.next().is_ok() {}
            AtRule::Group
        },
        "keyframes" | "-webkit-keyframes" | "-moz-keyframes" | "-o-keyframes" => {
            let name = match input.next()? {
                Token::Ident(name) | Token::QuotedString(name) => name.to_string(),
                _ => return Err(ParseError::unexpected_token()),
            };
            AtRule::Keyframes(name)
        },
        "font-face" => AtRule::FontFace,
        "property" => AtRule::Property(input.expect_ident()?.to_string()),
        _ => return Err(ParseError::unexpected_token()),
    };
    Ok(prelude)
}

impl<'i> QualifiedRuleParser<'i> for Rules<'_> {
    type Prelude = Vec<Selector>;
    type QualifiedRule = ();
    type Error = ();

    fn parse_prelude(&mut self, input: &mut Parser<'i>) -> Result<Vec<Selector>, ParseError<()>> {
        selector_list(input).map_err(|_| ParseError::unexpected_token())
    }

    fn parse_block(
        &mut self,
        selectors: Vec<Selector>,
        _: &ParserState,
        input: &mut Parser<'i>,
    ) -> Result<(), ParseError<()>> {
        style_block(self.sheet, Rc::new(selectors), self.certain, input);
        Ok(())
    }
}

/// The block of a style rule: its declarations, and nested rules (CSS nesting), which
/// are uncertain since their selectors are relative to the parent's.
fn style_block(sheet: &mut Stylesheet, selectors: Rc<Vec<Selector>>, certain: bool, input: &mut Parser<'_>) {
    let mut body = Body { sheet, selectors: selectors.clone(), declarations: Vec::new() };
    for _ in RuleBodyParser::new(input, &mut body) {}
    let declarations = std::mem::take(&mut body.declarations);
    sheet.push(selectors, declarations, certain);
}

struct Body<'s> {
    sheet: &'s mut Stylesheet,
    selectors: Rc<Vec<Selector>>,
    declarations: Vec<Declaration>,
}

impl<'i> DeclarationParser<'i> for Body<'_> {
    type Declaration = ();
    type Error = ();

    fn parse_value(
        &mut self,
        name: CowRcStr<'i>,
        input: &mut Parser<'i>,
        _: &ParserState,
    ) -> Result<(), ParseError<()>> {
        self.declarations.push(cascade::declaration(&name, input)?);
        Ok(())
    }
}

impl<'i> AtRuleParser<'i> for Body<'_> {
    type Prelude = AtRule;
    type AtRule = ();
    type Error = ();

    fn parse_prelude(&mut self, name: CowRcStr<'i>, input: &mut Parser<'i>) -> Result<AtRule, ParseError<()>> {
        at_rule_prelude(&name, input)
    }

    fn parse_block(&mut self, prelude: AtRule, _: &ParserState, input: &mut Parser<'i>) -> Result<(), ParseError<()>> {
        // `@media` inside a rule applies the rule's selectors, sometimes.
        if let AtRule::Group = prelude {
            style_block(self.sheet, self.selectors.clone(), false, input);
        }
        Ok(())
    }
}

impl<'i> QualifiedRuleParser<'i> for Body<'_> {
    type Prelude = Vec<Selector>;
    type QualifiedRule = ();
    type Error = ();

    fn parse_prelude(&mut self, input: &mut Parser<'i>) -> Result<Vec<Selector>, ParseError<()>> {
        selector_list(input).map_err(|_| ParseError::unexpected_token())
    }

    fn parse_block(
        &mut self,
        selectors: Vec<Selector>,
        _: &ParserState,
        input: &mut Parser<'i>,
    ) -> Result<(), ParseError<()>> {
        style_block(self.sheet, Rc::new(selectors), false, input);
        Ok(())
    }
}

impl<'i> RuleBodyItemParser<'i, (), ()> for Body<'_> {
    fn parse_declarations(&self) -> bool {
        true
    }
    fn parse_qualified(&self) -> bool {
        true
    }
}

/// The frames of a `@keyframes` rule: offset (0 to 1) and declarations.
struct Frames(Vec<(f32, Vec<Declaration>)>);

impl<'i> AtRuleParser<'i> for Frames {
    type Prelude = ();
    type AtRule = ();
    type Error = ();
}

impl<'i> QualifiedRuleParser<'i> for Frames {
    type Prelude = Vec<f32>;
    type QualifiedRule = ();
    type Error = ();

    fn parse_prelude(&mut self, input: &mut Parser<'i>) -> Result<Vec<f32>, ParseError<()>> {
        input.parse_comma_separated(|i| match i.next()?.clone() {
            Token::Ident(k) if k.eq_ignore_ascii_case("from") => Ok(0.0),
            Token::Ident(k) if k.eq_ignore_ascii_case("to") => Ok(1.0),
            Token::Percentage { unit_value, .. } => Ok(unit_value),
            _ => Err(ParseError::unexpected_token()),
        })
    }

    fn parse_block(
        &mut self,
        offsets: Vec<f32>,
        _: &ParserState,
        input: &mut Parser<'i>,
    ) -> Result<(), ParseError<()>> {
        let declarations = declarations_of(input);
        for offset in offsets {
            self.0.push((offset, declarations.clone()));
        }
        Ok(())
    }
}

fn declarations_of(input: &mut Parser<'_>) -> Vec<Declaration> {
    let start = input.position();
    while input.next_including_whitespace_and_comments().is_ok() {}
    cascade::declarations(input.slice_from(start))
}

/// A complex selector, e.g. `div.a > p`: compounds joined by combinators.
#[derive(Debug, Clone)]
pub struct Selector {
    /// Left to right.
    compounds: Vec<Compound>,
    /// `combinators[n]` joins `compounds[n]` and `compounds[n + 1]`.
    combinators: Vec<Combinator>,
    /// Starts with a combinator (`> p`, nested in another rule), relative to a parent
    /// this module does not resolve, or was cut to its last `MAX_COMPOUNDS`: it only
    /// ever matches `Maybe`.
    relative: bool,
    specificity: (u32, u32, u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Combinator {
    Descendant,
    Child,
    NextSibling,
    LaterSibling,
    /// `||`, which browsers do not implement.
    Column,
}

type Compound = Vec<Simple>;

#[derive(Debug, Clone)]
enum Simple {
    Type(String),
    Class(String),
    Id(String),
    Attribute {
        name: String,
        test: Option<(AttrOp, String)>,
    },
    Not(Vec<Selector>),
    Is(Vec<Selector>),
    /// Something that matches or not depending on what this module does not see:
    /// pseudo-classes, `&`, `::first-line` (which styles the element's own text).
    Maybe,
    /// A pseudo-element that styles generated content, never the element's own.
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AttrOp {
    Equals,
    Includes,
    DashMatch,
    Prefix,
    Suffix,
    Substring,
}

type SelectorResult<T> = Result<T, ParseError<Fail>>;

fn selector_list(input: &mut Parser<'_>) -> SelectorResult<Vec<Selector>> {
    input.parse_comma_separated(complex)
}

fn complex(input: &mut Parser<'_>) -> SelectorResult<Selector> {
    let mut selector =
        Selector { compounds: Vec::new(), combinators: Vec::new(), relative: false, specificity: (0, 0, 0) };
    let mut current: Option<Compound> = None;
    let mut pending: Option<Combinator> = None;
    input.skip_whitespace();
    while let Ok(token) = input.next_including_whitespace() {
        let token = token.clone();
        let combinator = match token {
            Token::WhiteSpace(_) => None,
            Token::Delim('>') => Some(Combinator::Child),
            Token::Delim('+') => Some(Combinator::NextSibling),
            Token::Delim('~') => Some(Combinator::LaterSibling),
            Token::Delim('|') if current.is_none() && input.try_parse(|i| i.expect_delim('|')).is_ok() => {
                Some(Combinator::Column)
            }
            _ => {
                if current.is_none() {
                    if !selector.compounds.is_empty() {
                        selector.combinators.push(pending.take().unwrap_or(Combinator::Descendant));
                    } else if pending.take().is_some() {
                        selector.relative = true;
                    }
                }
                let compound = current.get_or_insert_with(Vec::new);
                simple(input, token, compound, &mut selector.specificity)?;
                continue;
            }
        };
        if let Some(done) = current.take() {
            selector.compounds.push(done);
        }
        if let Some(combinator) = combinator {
            if pending.replace(combinator).is_some() {
                return Err(ParseError::custom(Fail::Invalid));
            }
        }
    }
    if let Some(done) = current.take() {
        selector.compounds.push(done);
    }
    if selector.compounds.is_empty() || pending.is_some() {
        return Err(ParseError::custom(Fail::Invalid));
    }
    if selector.compounds.len() > MAX_COMPOUNDS {
        selector.compounds.drain(..selector.compounds.len() - MAX_COMPOUNDS);
        selector.combinators.drain(..selector.combinators.len() - (MAX_COMPOUNDS - 1));
        selector.relative = true;
    }
    Ok(selector)
}

/// One simple selector starting with `token`, added to `compound`.
fn simple(
    input: &mut Parser<'_>,
    token: Token<'_>,
    compound: &mut Compound,
    specificity: &mut (u32, u32, u32),
) -> SelectorResult<()> {
    let invalid = || Err(ParseError::custom(Fail::Invalid));
    let item = match token {
        Token::Ident(name) => {
            specificity.2 += 1;
            Simple::Type(name.to_ascii_lowercase())
        }
        // `*` matches every element: nothing to test.
        Token::Delim('*') => return Ok(()),
        Token::Delim('|') => {
            // `ns|name`: the namespace prefix just read names nothing this module tells apart.
            if matches!(compound.last(), Some(Simple::Type(_))) {
                compound.pop();
                specificity.2 -= 1;
            }
            return match input.next_including_whitespace()?.clone() {
                Token::Ident(name) => {
                    specificity.2 += 1;
                    compound.push(Simple::Type(name.to_ascii_lowercase()));
                    Ok(())
                }
                Token::Delim('*') => Ok(()),
                _ => invalid(),
            };
        }
        Token::Delim('&') => Simple::Maybe,
        Token::IDHash(id) => {
            specificity.0 += 1;
            Simple::Id(id.to_string())
        }
        Token::Delim('.') => match input.next_including_whitespace()?.clone() {
            Token::Ident(class) => {
                specificity.1 += 1;
                Simple::Class(class.to_string())
            }
            _ => return invalid(),
        },
        Token::SquareBracketBlock => {
            specificity.1 += 1;
            input.parse_nested_block(attribute)?
        }
        Token::Colon => pseudo(input, specificity)?,
        _ => return invalid(),
    };
    compound.push(item);
    Ok(())
}

fn attribute(input: &mut Parser<'_>) -> SelectorResult<Simple> {
    let mut name = match input.next()?.clone() {
        Token::Ident(name) => name.to_ascii_lowercase(),
        Token::Delim('*') | Token::Delim('|') => String::new(),
        _ => return Err(ParseError::custom(Fail::Invalid)),
    };
    if input.try_parse(|i| i.expect_delim('|')).is_ok() || name.is_empty() {
        name = input.expect_ident()?.to_ascii_lowercase();
    }
    if input.is_exhausted() {
        return Ok(Simple::Attribute { name, test: None });
    }
    let op = match input.next()? {
        Token::Delim('=') => AttrOp::Equals,
        Token::IncludeMatch => AttrOp::Includes,
        Token::DashMatch => AttrOp::DashMatch,
        Token::PrefixMatch => AttrOp::Prefix,
        Token::SuffixMatch => AttrOp::Suffix,
        Token::SubstringMatch => AttrOp::Substring,
        _ => return Err(ParseError::custom(Fail::Invalid)),
    };
    let value = match input.next()?.clone() {
        Token::Ident(v) | Token::QuotedString(v) => v.to_string(),
        _ => return Err(ParseError::custom(Fail::Invalid)),
    };
    if !input.is_exhausted() {
        let flag = input.expect_ident()?;
        if !flag.eq_ignore_ascii_case("i") && !flag.eq_ignore_ascii_case("s") {
            return Err(ParseError::custom(Fail::Invalid));
        }
    }
    Ok(Simple::Attribute { name, test: Some((op, value)) })
}

/// After a `:`: a pseudo-class, or after `::` a pseudo-element.
fn pseudo(input: &mut Parser<'_>, specificity: &mut (u32, u32, u32)) -> SelectorResult<Simple> {
    let element = input.try_parse(|i| i.expect_colon()).is_ok();
    let (name, function) = match input.next_including_whitespace()?.clone() {
        Token::Ident(name) => (name.to_ascii_lowercase(), false),
        Token::Function(name) => (name.to_ascii_lowercase(), true),
        _ => return Err(ParseError::custom(Fail::Invalid)),
    };
    let styles_own_text = matches!(name.as_str(), "first-line" | "first-letter");
    let legacy_element = matches!(name.as_str(), "before" | "after") || styles_own_text;
    if element || legacy_element {
        specificity.2 += 1;
        if function {
            input.parse_nested_block(skip)?;
        }
        return Ok(if styles_own_text { Simple::Maybe } else { Simple::Never });
    }
    if !function {
        specificity.1 += 1;
        return Ok(Simple::Maybe);
    }
    match name.as_str() {
        "not" | "is" | "matches" | "any" | "-webkit-any" | "-moz-any" | "where" => {
            // `:is()` and `:where()` forgive arguments they cannot read; `:not()` does not.
            let list = if name == "not" {
                input.parse_nested_block(selector_list)?
            } else {
                input.parse_nested_block(|i| {
                    Ok::<_, ParseError<Fail>>(i.parse_comma_separated_ignoring_errors(complex))
                })?
            };
            if name != "where" {
                let most = list.iter().map(|s| s.specificity).max().unwrap_or((0, 0, 0));
                specificity.0 += most.0;
                specificity.1 += most.1;
                specificity.2 += most.2;
            }
            Ok(match list {
                list if name == "not" => Simple::Not(list),
                // An `:is()` whose arguments all failed matches nothing.
                list if list.is_empty() => Simple::Never,
                list => Simple::Is(list),
            })
        }
        _ => {
            specificity.1 += 1;
            input.parse_nested_block(skip)?;
            Ok(Simple::Maybe)
        }
    }
}

fn skip(input: &mut Parser<'_>) -> SelectorResult<()> {
    while input.next().is_ok() {}
    Ok(())
}

impl Selector {
    fn matches(&self, element: &Handle, budget: &Cell<u32>) -> Match {
        let found = self.match_from(self.compounds.len() - 1, element, budget);
        if self.relative {
            found.min(Match::Maybe)
        } else {
            found
        }
    }

    /// Whether `compounds[..=n]` matches with `compounds[n]` on `element`.
    fn match_from(&self, n: usize, element: &Handle, budget: &Cell<u32>) -> Match {
        if budget.get() == 0 {
            return Match::Maybe;
        }
        budget.set(budget.get() - 1);
        let own = compound_matches(&self.compounds[n], element, budget);
        if own == Match::No || n == 0 {
            return own;
        }
        let rest = |other: &Handle| self.match_from(n - 1, other, budget);
        let (parent, top_level) = parent_of(element);
        let beyond = if top_level { Match::Maybe } else { Match::No };
        let further = match self.combinators[n - 1] {
            Combinator::Child => parent.as_ref().map_or(beyond, rest),
            Combinator::Descendant => {
                let mut best = Match::No;
                let mut ancestor = parent;
                let mut page = top_level;
                while let Some(a) = ancestor {
                    best = best.max(rest(&a));
                    if best == Match::Yes {
                        break;
                    }
                    (ancestor, page) = parent_of(&a);
                }
                if page {
                    best = best.max(Match::Maybe);
                }
                best
            }
            Combinator::NextSibling => earlier_siblings(element).first().map_or(beyond, rest),
            Combinator::LaterSibling => {
                earlier_siblings(element).iter().map(rest).max().unwrap_or(Match::No).max(beyond)
            }
            Combinator::Column => Match::Maybe,
        };
        own.min(further)
    }
}

fn compound_matches(compound: &Compound, element: &Handle, budget: &Cell<u32>) -> Match {
    let NodeData::Element { name, attrs, .. } = &element.data else { return Match::No };
    let attrs = attrs.borrow();
    let attr =
        |wanted: &str| attrs.iter().find(|a| a.name.local.eq_ignore_ascii_case(&wanted.into())).map(|a| &*a.value);
    compound
        .iter()
        .map(|simple| match simple {
            Simple::Type(t) => (*t == *name.local).into(),
            Simple::Class(class) => attr("class").map_or(Match::No, |classes| {
                classes.split_ascii_whitespace().map(|c| same(c, class)).max().unwrap_or(Match::No)
            }),
            Simple::Id(id) => attr("id").map_or(Match::No, |value| same(value, id)),
            Simple::Attribute { name, test } => match (attr(name), test) {
                (None, _) => Match::No,
                (Some(_), None) => Match::Yes,
                (Some(value), Some((op, wanted))) => attribute_test(value, *op, wanted),
            },
            Simple::Not(list) => list.iter().map(|s| s.matches(element, budget)).max().unwrap_or(Match::No).not(),
            Simple::Is(list) => list.iter().map(|s| s.matches(element, budget)).max().unwrap_or(Match::No),
            Simple::Maybe => Match::Maybe,
            Simple::Never => Match::No,
        })
        .min()
        .unwrap_or(Match::Yes)
}

impl From<bool> for Match {
    fn from(yes: bool) -> Match {
        if yes {
            Match::Yes
        } else {
            Match::No
        }
    }
}

/// Class and id names compare exactly in standards mode and case-insensitively in
/// quirks mode; which one the outlet's page is in is not known.
fn same(value: &str, wanted: &str) -> Match {
    if value == wanted {
        Match::Yes
    } else if value.eq_ignore_ascii_case(wanted) {
        Match::Maybe
    } else {
        Match::No
    }
}

/// An attribute value test; a match that depends on case (the `i` flag, or HTML
/// attributes compared case-insensitively) is `Maybe`.
fn attribute_test(value: &str, op: AttrOp, wanted: &str) -> Match {
    let test = |value: &str, wanted: &str| match op {
        AttrOp::Equals => value == wanted,
        AttrOp::Includes => value.split_ascii_whitespace().any(|v| v == wanted),
        AttrOp::DashMatch => value == wanted || value.starts_with(&format!("{wanted}-")),
        AttrOp::Prefix => !wanted.is_empty() && value.starts_with(wanted),
        AttrOp::Suffix => !wanted.is_empty() && value.ends_with(wanted),
        AttrOp::Substring => !wanted.is_empty() && value.contains(wanted),
    };
    if test(value, wanted) {
        Match::Yes
    } else if test(&value.to_lowercase(), &wanted.to_lowercase()) {
        Match::Maybe
    } else {
        Match::No
    }
}

/// An element's parent element, and whether the element is at the top of the fragment,
/// where the page around it begins (then there is no parent to return).
fn parent_of(element: &Handle) -> (Option<Handle>, bool) {
    let Some(parent) = element.parent() else { return (None, false) };
    let top_level = parent.parent().is_none_or(|grandparent| matches!(grandparent.data, NodeData::Document));
    if top_level {
        (None, true)
    } else {
        (Some(parent), false)
    }
}

/// The elements before `element` under the same parent, nearest first.
fn earlier_siblings(element: &Handle) -> Vec<Handle> {
    let Some(parent) = element.parent() else { return Vec::new() };
    let children = parent.children.borrow();
    let position = children.iter().position(|c| Rc::ptr_eq(c, element)).unwrap_or(0);
    children[..position].iter().rev().filter(|c| matches!(c.data, NodeData::Element { .. })).cloned().collect()
}
