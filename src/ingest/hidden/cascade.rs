//! The cascade for one element: the declarations that reach it (presentational
//! attributes, `<style>` rules, its `style` attribute, animations), ordered as a
//! browser orders them, with `var()` substituted and CSS-wide keywords applied, reduced
//! to the cascaded value of each property that can hide text (`Cascaded`).
//!
//! A declaration only overrides an earlier one when this module is sure a browser
//! accepts it; one it cannot evaluate leaves the property `unsure`, which the verdict
//! reads as "may hide".

use super::values::{self, invalid, unknown, Affine, Color, Fail, Parsed, Units};
use super::values::{VIEWPORT_HEIGHT_PX, VIEWPORT_WIDTH_PX};
use cssparser::{match_ignore_ascii_case, parse_important, ParseError, Parser, Token};
use cssparser::{AtRuleParser, DeclarationParser, QualifiedRuleParser, RuleBodyItemParser, RuleBodyParser};
use std::cell::Cell;
use std::collections::HashMap;
use std::rc::Rc;

/// How deep `var()` references may nest (a custom property naming another…) before
/// the value counts as unknown, as browsers give up on cycles.
const MAX_VAR_DEPTH: usize = 16;

/// The longest value `var()` substitution may build, in bytes: each reference can
/// repeat another, so a few short properties could otherwise spell gigabytes.
const MAX_SUBSTITUTED_BYTES: usize = 64 * 1024;

/// Custom properties in scope on an element: name → raw value.
pub type Vars = HashMap<String, Rc<str>>;

/// A declaration as written: the property name (ASCII lower-cased, except a custom
/// property's), its raw value and whether it is `!important`.
#[derive(Debug, Clone, PartialEq)]
pub struct Declaration {
    pub name: String,
    pub value: String,
    pub important: bool,
}

/// The declarations of a `style` attribute or a rule's block, in order; invalid ones
/// are skipped as a browser skips them.
pub fn declarations(css: &str) -> Vec<Declaration> {
    let mut parser = Parser::new(css);
    RuleBodyParser::new(&mut parser, &mut DeclarationsOnly).filter_map(Result::ok).collect()
}

/// Reads one declaration's value (after the colon) up to its end, noting `!important`.
pub fn declaration<'i>(name: &str, input: &mut Parser<'i>) -> Result<Declaration, ParseError<()>> {
    let start = input.position();
    let mut important = false;
    let end = loop {
        let before = input.position();
        if input.try_parse(|i| parse_important(i).and_then(|()| i.expect_exhausted())).is_ok() {
            important = true;
            break before;
        }
        // The end is only known once the last token's block, if any, is consumed too.
        if input.next_including_whitespace_and_comments().is_err() {
            break input.position();
        }
    };
    let name = if name.starts_with("--") { name.to_owned() } else { name.to_ascii_lowercase() };
    Ok(Declaration { name, value: input.slice(start..end).trim().to_owned(), important })
}

struct DeclarationsOnly;

impl<'i> DeclarationParser<'i> for DeclarationsOnly {
    type Declaration = Declaration;
    type Error = ();

    fn parse_value(
        &mut self,
        name: cssparser::CowRcStr<'i>,
        input: &mut Parser<'i>,
        _start: &cssparser::ParserState,
    ) -> Result<Declaration, ParseError<()>> {
        declaration(&name, input)
    }
}

impl<'i> AtRuleParser<'i> for DeclarationsOnly {
    type Prelude = ();
    type AtRule = Declaration;
    type Error = ();
}

impl<'i> QualifiedRuleParser<'i> for DeclarationsOnly {
    type Prelude = ();
    type QualifiedRule = Declaration;
    type Error = ();
}

impl<'i> RuleBodyItemParser<'i, Declaration, ()> for DeclarationsOnly {
    fn parse_declarations(&self) -> bool {
        true
    }
    fn parse_qualified(&self) -> bool {
        false
    }
}

/// Where a declaration comes from, in cascade order: a later tier wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tier {
    /// Presentational attributes (`<font color>`, `bgcolor`).
    Hint,
    Sheet,
    Inline,
    Animation,
    SheetImportant,
    InlineImportant,
}

impl Tier {
    pub fn of(origin: Tier, important: bool) -> Tier {
        match (origin, important) {
            (Tier::Sheet, true) => Tier::SheetImportant,
            (Tier::Inline, true) => Tier::InlineImportant,
            (tier, _) => tier,
        }
    }
}

/// A declaration's place in the cascade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rank {
    pub tier: Tier,
    /// Selector specificity (ids, classes, types); zero outside style sheets.
    pub specificity: (u32, u32, u32),
    /// Document order.
    pub order: u32,
}

/// A declaration that reaches an element. An `uncertain` one may or may not apply: its
/// rule's selector depends on the page around the fragment or on state (`:hover`),
/// it sits in `@media`, it is an animation frame, or it is a vendor-prefixed alias.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    pub declaration: &'a Declaration,
    pub rank: Rank,
    pub uncertain: bool,
}

/// Which declarations a computation takes: the certain ones read in a standards-mode
/// page, or all of them read in a quirks-mode page (unitless lengths, hashless colours).
/// An element is hidden if either reading hides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    Certain,
    Everything,
}

/// One property's cascaded value.
#[derive(Debug, Clone, PartialEq)]
pub struct Slot<T> {
    /// The winning value this module read, if any declaration set one.
    pub value: Option<T>,
    /// A declaration ranked above `value` could not be evaluated: the property may
    /// compute to something else.
    pub unsure: bool,
}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Slot { value: None, unsure: false }
    }
}

impl<T> Slot<T> {
    fn set(&mut self, parsed: Result<T, Fail>) {
        match parsed {
            Ok(value) => {
                self.value = Some(value);
                self.unsure = false;
            }
            Err(Fail::Invalid) => {}
            Err(Fail::Unknown) => self.unsure = true,
        }
    }

    /// A CSS-wide keyword. `inherit` on a property that does not inherit takes the
    /// parent's value, which this module does not keep: unsure.
    fn wide(&mut self, keyword: Wide, inherits: bool) {
        if keyword == Wide::Inherit && !inherits {
            self.unsure = true;
        } else {
            self.value = None;
            self.unsure = false;
        }
    }
}

/// `inherit`, or a keyword that resets the property (`initial`, `unset`, `revert`…).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wide {
    Inherit,
    Reset,
}

/// `line-height`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LineHeight {
    Normal,
    Factor(f64),
    Px(f64),
}

/// A `filter` list's effect on legibility.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Filter {
    /// What `opacity()` leaves.
    pub opacity: f64,
    /// A blur, contrast or inversion that leaves nothing legible.
    pub obliterates: bool,
}

/// `contain`: size containment (the box is sized as if empty) and paint containment
/// (its content is clipped to it).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Contain {
    pub size: bool,
    pub paint: bool,
}

/// A blur at least this wide (CSS px) leaves no letter legible.
const ILLEGIBLE_BLUR_PX: f64 = 4.0;
/// `contrast()` at most this flattens text into its background.
const FLATTENING_CONTRAST: f64 = 0.1;
/// `invert()` this close to one half turns every colour the same grey.
const GREYING_INVERT_MARGIN: f64 = 0.05;

/// The cascaded values of every property that can hide text, on one element.
#[derive(Debug, Default)]
pub struct Cascaded {
    pub display_none: Slot<bool>,
    pub visibility_hidden: Slot<bool>,
    pub content_visibility_hidden: Slot<bool>,
    /// `content` replacing the element's children with an image.
    pub content_replaced: Slot<bool>,
    pub opacity: Slot<f64>,
    pub filter: Slot<Filter>,
    pub clip_hides: Slot<bool>,
    pub clip_path_hides: Slot<bool>,
    pub masked: Slot<bool>,
    /// Computed font size in px (relative sizes resolved against the parent's).
    pub font_px: Slot<f64>,
    /// How much `font-size-adjust` scales the font.
    pub font_adjust: Slot<f64>,
    pub font_family: Slot<Vec<String>>,
    pub line_height: Slot<LineHeight>,
    pub letter_spacing: Slot<f64>,
    pub color: Slot<Color>,
    pub text_fill: Slot<Color>,
    pub background_color: Slot<Color>,
    pub background_image: Slot<bool>,
    pub background_clip_text: Slot<bool>,
    pub text_shadow: Slot<bool>,
    pub text_stroke: Slot<bool>,
    /// Sizes in px; `None` is `auto`, `none` or an intrinsic size.
    pub width: Slot<Option<f64>>,
    pub height: Slot<Option<f64>>,
    pub min_width: Slot<Option<f64>>,
    pub min_height: Slot<Option<f64>>,
    pub max_width: Slot<Option<f64>>,
    pub max_height: Slot<Option<f64>>,
    /// Top, right, bottom, left.
    pub padding: [Slot<f64>; 4],
    pub border_box: Slot<bool>,
    pub overflow_x_clips: Slot<bool>,
    pub overflow_y_clips: Slot<bool>,
    pub contain: Slot<Contain>,
    pub position_static: Slot<bool>,
    /// `top`, `right`, `bottom`, `left`; `None` is `auto`.
    pub inset: [Slot<Option<f64>>; 4],
    pub margin_top: Slot<f64>,
    pub margin_left: Slot<f64>,
    pub text_indent: Slot<f64>,
    pub transform: Slot<Affine>,
    pub translate: Slot<Affine>,
    pub rotate: Slot<Affine>,
    pub scale: Slot<Affine>,
    pub zoom: Slot<f64>,
    /// Some declaration was invalid as read: in a quirks-mode page it may not be.
    pub read_invalid: bool,
}

/// The units the declarations of one element are read with.
struct UnitSet {
    /// For `font-size`: `em` and `%` are the parent's font size.
    font: Units,
    /// Horizontal lengths: `em` is the element's own font size.
    x: Units,
    y: Units,
}

/// A declaration's value after `var()` substitution, as `apply` gets it. `Css` notes
/// in its flag when it turns out invalid.
enum Value<'a> {
    Css(&'a str, &'a Cell<bool>),
    Failed(Fail),
    Wide(Wide),
}

/// What one declaration does to one slot.
#[derive(Clone)]
enum Outcome<T> {
    Read(Result<T, Fail>),
    Wide(Wide),
}

impl Value<'_> {
    fn read<T>(&self, parse: impl FnOnce(&mut Parser<'_>) -> Parsed<T>) -> Outcome<T> {
        match *self {
            Value::Css(css, invalid) => {
                let read = values::read(css, parse);
                if matches!(read, Err(Fail::Invalid)) {
                    invalid.set(true);
                }
                Outcome::Read(read)
            }
            Value::Failed(fail) => Outcome::Read(Err(fail)),
            Value::Wide(keyword) => Outcome::Wide(keyword),
        }
    }
}

impl<T> Outcome<T> {
    /// The part of a shorthand's value that one of its longhands takes.
    fn part<U>(&self, f: impl FnOnce(&T) -> U) -> Outcome<U> {
        match self {
            Outcome::Read(Ok(value)) => Outcome::Read(Ok(f(value))),
            Outcome::Read(Err(fail)) => Outcome::Read(Err(*fail)),
            Outcome::Wide(keyword) => Outcome::Wide(*keyword),
        }
    }
}

impl<T> Slot<T> {
    /// Applies a declaration of a property that does not inherit.
    fn take(&mut self, outcome: Outcome<T>) {
        match outcome {
            Outcome::Read(parsed) => self.set(parsed),
            Outcome::Wide(keyword) => self.wide(keyword, false),
        }
    }

    /// Applies a declaration of a property that inherits.
    fn take_inherited(&mut self, outcome: Outcome<T>) {
        match outcome {
            Outcome::Read(parsed) => self.set(parsed),
            Outcome::Wide(keyword) => self.wide(keyword, true),
        }
    }
}

impl Cascaded {
    /// The cascade of `candidates` (in any order) as `reading` takes them, with the
    /// parent's font size and custom properties. Returns the values and the custom
    /// properties in scope for the element's children.
    pub fn compute(
        candidates: &[Candidate<'_>],
        reading: Reading,
        parent_font_px: f64,
        parent_vars: &Rc<Vars>,
    ) -> (Cascaded, Rc<Vars>) {
        let mut ranked: Vec<&Candidate<'_>> =
            candidates.iter().filter(|c| reading == Reading::Everything || !c.uncertain).collect();
        ranked.sort_by_key(|c| c.rank);
        let (custom, properties): (Vec<&Declaration>, Vec<&Declaration>) =
            ranked.iter().map(|c| c.declaration).partition(|d| d.name.starts_with("--"));
        let vars = if custom.is_empty() {
            parent_vars.clone()
        } else {
            let mut vars = Vars::clone(parent_vars);
            for d in custom {
                vars.insert(d.name.clone(), Rc::from(d.value.as_str()));
            }
            Rc::new(vars)
        };

        let substituted: Vec<(&str, Substituted)> =
            properties.iter().map(|d| (d.name.as_str(), substitute(&d.value, &vars))).collect();
        let invalid = Cell::new(false);
        let values: Vec<(&str, Value<'_>)> = substituted
            .iter()
            .filter_map(|(name, s)| {
                let value = match s {
                    Substituted::Text(css) => css_wide(css).map_or(Value::Css(css, &invalid), Value::Wide),
                    Substituted::Unknown => Value::Failed(Fail::Unknown),
                    Substituted::Unresolved => return None,
                };
                Some((*name, value))
            })
            .collect();

        let quirks = reading == Reading::Everything;
        let mut cascaded = Cascaded::default();
        let font = Units { quirks, ..Units::new(parent_font_px, parent_font_px) };
        for (name, value) in &values {
            cascaded.apply_font(name, value, font);
        }
        let own_px = cascaded.font_px.value.unwrap_or(parent_font_px);
        let units = UnitSet {
            font,
            x: Units { quirks, ..Units::new(own_px, VIEWPORT_WIDTH_PX) },
            y: Units { quirks, ..Units::new(own_px, VIEWPORT_HEIGHT_PX) },
        };
        for (name, value) in &values {
            cascaded.apply(name, value, &units);
        }
        cascaded.read_invalid = invalid.get();
        (cascaded, vars)
    }

    /// The font size first: other lengths' `em` is the element's own font size.
    fn apply_font(&mut self, name: &str, value: &Value<'_>, font: Units) {
        match name {
            "font-size" => self.font_px.take_inherited(value.read(|i| font_size(i, font))),
            "font" => {
                let parts = value.read(|i| font_shorthand(i, font, font));
                self.font_px.take_inherited(parts.part(|p| p.size));
                self.font_family.take_inherited(parts.part(|p| p.family.clone()));
                self.font_adjust.take_inherited(parts.part(|_| 1.0));
            }
            _ => {}
        }
    }

    /// One declaration on the slots it sets (a shorthand sets several).
    fn apply(&mut self, name: &str, value: &Value<'_>, u: &UnitSet) {
        let (x, y) = (u.x, u.y);
        let non_negative = |units: Units| move |i: &mut Parser<'_>| values::length_percentage_non_negative(i, units);
        match unprefixed(name).0 {
            "display" => self.display_none.take(value.read(display_none)),
            "visibility" => self.visibility_hidden.take_inherited(value.read(|i| {
                keyword(i, |k| match k {
                    "visible" => Some(false),
                    "hidden" | "collapse" => Some(true),
                    _ => None,
                })
            })),
            "content-visibility" => self.content_visibility_hidden.take(value.read(|i| {
                keyword(i, |k| match k {
                    "visible" | "auto" => Some(false),
                    "hidden" => Some(true),
                    _ => None,
                })
            })),
            "content" => self.content_replaced.take(value.read(content_replaces)),
            "opacity" => self.opacity.take(value.read(|i| values::number(i, true).map(|o| o.clamp(0.0, 1.0)))),
            "filter" => self.filter.take(value.read(|i| filter(i, x))),
            "clip" => self.clip_hides.take(value.read(|i| clip(i, x, y))),
            "clip-path" => self.clip_path_hides.take(value.read(|i| clip_path(i, x, y))),
            // A mask can leave any part of the element transparent and no article body
            // needs one, so any mask counts.
            "mask" | "mask-image" => self.masked.take(value.read(|i| {
                if i.try_parse(|i| i.expect_ident_matching("none")).is_ok() {
                    return Ok(false);
                }
                skip_rest(i);
                Ok(true)
            })),
            "font" => {
                self.line_height.take_inherited(value.read(|i| font_shorthand(i, u.font, x)).part(|p| p.line_height))
            }
            "font-size-adjust" => self.font_adjust.take_inherited(value.read(font_size_adjust)),
            "font-family" => self.font_family.take_inherited(value.read(font_family)),
            "line-height" => self.line_height.take_inherited(value.read(|i| line_height(i, x))),
            "letter-spacing" => self.letter_spacing.take_inherited(value.read(|i| {
                if i.try_parse(|i| i.expect_ident_matching("normal")).is_ok() {
                    return Ok(0.0);
                }
                values::length_percentage(i, Units { hundred_percent: x.em, ..x })
            })),
            "color" => self.color.take_inherited(value.read(|i| colour(i, x.quirks))),
            "text-fill-color" => self.text_fill.take_inherited(value.read(|i| colour(i, x.quirks))),
            "background-color" => self.background_color.take(value.read(|i| colour(i, x.quirks))),
            "background" => {
                let background = value.read(|i| background(i, x));
                self.background_color.take(background.part(|b| b.color));
                self.background_image.take(background.part(|b| b.image));
                self.background_clip_text.take(background.part(|b| b.clip_text));
            }
            "background-image" => self.background_image.take(value.read(|i| {
                if i.try_parse(|i| i.expect_ident_matching("none")).is_ok() {
                    return Ok(false);
                }
                i.parse_comma_separated(image)?;
                Ok(true)
            })),
            "background-clip" => self.background_clip_text.take(value.read(|i| {
                let boxes = i.parse_comma_separated(|i| {
                    keyword(i, |k| match k {
                        "text" => Some(true),
                        "border-box" | "padding-box" | "content-box" => Some(false),
                        _ => None,
                    })
                })?;
                Ok(boxes.contains(&true))
            })),
            "text-shadow" => self.text_shadow.take_inherited(value.read(|i| text_shadow(i, x))),
            "text-stroke" => self.text_stroke.take_inherited(value.read(|i| text_stroke(i, x))),
            "text-stroke-width" => self.text_stroke.take_inherited(value.read(|i| stroke_width(i, x).map(|w| w > 0.0))),
            "width" | "inline-size" => self.width.take(value.read(|i| size(i, x, false))),
            "height" | "block-size" => self.height.take(value.read(|i| size(i, y, false))),
            "min-width" | "min-inline-size" => self.min_width.take(value.read(|i| size(i, x, false))),
            "min-height" | "min-block-size" => self.min_height.take(value.read(|i| size(i, y, false))),
            "max-width" | "max-inline-size" => self.max_width.take(value.read(|i| size(i, x, true))),
            "max-height" | "max-block-size" => self.max_height.take(value.read(|i| size(i, y, true))),
            "box-sizing" => self.border_box.take(value.read(|i| {
                keyword(i, |k| match k {
                    "border-box" => Some(true),
                    "content-box" => Some(false),
                    _ => None,
                })
            })),
            "overflow" => {
                let both = value.read(|i| {
                    let first = overflow_clips(i)?;
                    let second = if i.is_exhausted() { first } else { overflow_clips(i)? };
                    Ok((first, second))
                });
                self.overflow_x_clips.take(both.part(|b| b.0));
                self.overflow_y_clips.take(both.part(|b| b.1));
            }
            "overflow-x" | "overflow-inline" => self.overflow_x_clips.take(value.read(overflow_clips)),
            "overflow-y" | "overflow-block" => self.overflow_y_clips.take(value.read(overflow_clips)),
            "contain" => self.contain.take(value.read(contain)),
            "position" => self.position_static.take(value.read(|i| {
                keyword(i, |k| match k {
                    "static" => Some(true),
                    "relative" | "absolute" | "fixed" | "sticky" => Some(false),
                    _ => None,
                })
            })),
            "top" | "inset-block-start" => self.inset[0].take(value.read(|i| auto_or_length(i, y))),
            "right" | "inset-inline-end" => self.inset[1].take(value.read(|i| auto_or_length(i, x))),
            "bottom" | "inset-block-end" => self.inset[2].take(value.read(|i| auto_or_length(i, y))),
            "left" | "inset-inline-start" => self.inset[3].take(value.read(|i| auto_or_length(i, x))),
            "inset" => {
                let sides = value.read(|i| sides(i, |i, across| auto_or_length(i, if across { x } else { y })));
                for (n, slot) in self.inset.iter_mut().enumerate() {
                    slot.take(sides.part(|s| s[n]));
                }
            }
            "inset-block" => {
                let ends = value.read(|i| two(i, |i| auto_or_length(i, y)));
                self.inset[0].take(ends.part(|e| e[0]));
                self.inset[2].take(ends.part(|e| e[1]));
            }
            "inset-inline" => {
                let ends = value.read(|i| two(i, |i| auto_or_length(i, x)));
                self.inset[3].take(ends.part(|e| e[0]));
                self.inset[1].take(ends.part(|e| e[1]));
            }
            // Percentages of margins and padding, vertical ones too, are of the width.
            "margin" => {
                let sides = value.read(|i| sides(i, |i, _| margin(i, x)));
                self.margin_top.take(sides.part(|s| s[0]));
                self.margin_left.take(sides.part(|s| s[3]));
            }
            "margin-top" | "margin-block-start" => self.margin_top.take(value.read(|i| margin(i, x))),
            "margin-left" | "margin-inline-start" => self.margin_left.take(value.read(|i| margin(i, x))),
            "margin-block" => self.margin_top.take(value.read(|i| two(i, |i| margin(i, x))).part(|e| e[0])),
            "margin-inline" => self.margin_left.take(value.read(|i| two(i, |i| margin(i, x))).part(|e| e[0])),
            "padding" => {
                let sides = value.read(|i| sides(i, |i, _| non_negative(x)(i)));
                for (n, slot) in self.padding.iter_mut().enumerate() {
                    slot.take(sides.part(|s| s[n]));
                }
            }
            "padding-top" | "padding-block-start" => self.padding[0].take(value.read(non_negative(x))),
            "padding-right" | "padding-inline-end" => self.padding[1].take(value.read(non_negative(x))),
            "padding-bottom" | "padding-block-end" => self.padding[2].take(value.read(non_negative(x))),
            "padding-left" | "padding-inline-start" => self.padding[3].take(value.read(non_negative(x))),
            "padding-block" => {
                let ends = value.read(|i| two(i, non_negative(x)));
                self.padding[0].take(ends.part(|e| e[0]));
                self.padding[2].take(ends.part(|e| e[1]));
            }
            "padding-inline" => {
                let ends = value.read(|i| two(i, non_negative(x)));
                self.padding[3].take(ends.part(|e| e[0]));
                self.padding[1].take(ends.part(|e| e[1]));
            }
            "text-indent" => self.text_indent.take_inherited(value.read(|i| {
                let indent = values::length_percentage(i, x)?;
                while !i.is_exhausted() {
                    keyword(i, |k| matches!(k, "hanging" | "each-line").then_some(()))?;
                }
                Ok(indent)
            })),
            "transform" => self.transform.take(value.read(|i| values::transform_list(i, x, y))),
            "translate" => self.translate.take(value.read(|i| translate(i, x, y))),
            "rotate" => self.rotate.take(value.read(values::rotate_property)),
            "scale" => self.scale.take(value.read(scale)),
            "zoom" => self.zoom.take(value.read(|i| {
                if i.try_parse(|i| keyword(i, |k| matches!(k, "normal" | "reset").then_some(()))).is_ok() {
                    return Ok(1.0);
                }
                let zoom = values::number(i, true)?;
                if zoom < 0.0 {
                    return invalid();
                }
                Ok(zoom)
            })),
            _ => {}
        }
    }
}

/// The property a vendor-prefixed alias stands for, and whether `name` was one. Only
/// `-webkit-text-fill-color` and the text stroke exist prefixed alone; every other
/// prefixed name is an alias some browsers have and some do not, so its declarations
/// are uncertain.
pub fn unprefixed(name: &str) -> (&str, bool) {
    for prefix in ["-webkit-", "-moz-", "-ms-", "-o-"] {
        if let Some(rest) = name.strip_prefix(prefix) {
            let alone = matches!(rest, "text-fill-color" | "text-stroke" | "text-stroke-width");
            return (rest, !alone);
        }
    }
    (name, false)
}

fn css_wide(css: &str) -> Option<Wide> {
    let keyword = values::read(css, |i| Ok(i.expect_ident()?.to_ascii_lowercase())).ok()?;
    match_ignore_ascii_case! { &keyword,
        "inherit" => Some(Wide::Inherit),
        "initial" | "unset" | "revert" | "revert-layer" => Some(Wide::Reset),
        _ => None,
    }
}

/// A value with `var()` references replaced.
enum Substituted {
    Text(String),
    /// A reference to an undefined custom property without a fallback: a browser
    /// treats the declaration as unset, which never hides.
    Unresolved,
    /// Too deep or too long to follow.
    Unknown,
}

/// Replaces `var()` references in `css` with the custom properties in scope, token by
/// token, so escapes and comments read exactly as a browser reads them.
fn substitute(css: &str, vars: &Vars) -> Substituted {
    if !css.contains('(') && !css.contains('\\') {
        return Substituted::Text(css.to_owned());
    }
    let mut out = String::new();
    let mut parser = Parser::new(css);
    match rebuild(&mut parser, vars, 0, &mut out) {
        Ok(()) => Substituted::Text(out),
        Err(e) => match values::failure(&e) {
            Fail::Invalid => Substituted::Unresolved,
            Fail::Unknown => Substituted::Unknown,
        },
    }
}

/// Writes the tokens of `input` to `out`, expanding `var()`. An unresolved reference is
/// `Fail::Invalid`; too deep or too long, `Fail::Unknown`.
fn rebuild(input: &mut Parser<'_>, vars: &Vars, depth: usize, out: &mut String) -> Parsed<()> {
    use cssparser::ToCss;
    if depth > MAX_VAR_DEPTH {
        return unknown();
    }
    while let Ok(token) = input.next_including_whitespace_and_comments() {
        if out.len() > MAX_SUBSTITUTED_BYTES {
            return unknown();
        }
        let token = token.clone();
        let close = match token {
            Token::Function(ref name) if name.eq_ignore_ascii_case("var") => {
                input.parse_nested_block(|i| reference(i, vars, depth, out))?;
                continue;
            }
            // Substituted from attributes, the environment or conditions when the page
            // is laid out (`display: attr(data-d type(<custom-ident>))`): anything.
            Token::Function(ref name)
                if ["attr", "env", "if", "inherit"].iter().any(|f| name.eq_ignore_ascii_case(f)) =>
            {
                return unknown();
            }
            Token::Function(_) | Token::ParenthesisBlock => Some(')'),
            Token::SquareBracketBlock => Some(']'),
            Token::CurlyBracketBlock => Some('}'),
            _ => None,
        };
        token.to_css(out).expect("writing to a String cannot fail");
        if let Some(close) = close {
            input.parse_nested_block(|i| rebuild(i, vars, depth, out))?;
            out.push(close);
        }
    }
    Ok(())
}

/// The inside of `var(--name[, fallback])`.
fn reference(input: &mut Parser<'_>, vars: &Vars, depth: usize, out: &mut String) -> Parsed<()> {
    let name = input.expect_ident_cloned()?;
    if !name.starts_with("--") {
        return invalid();
    }
    // A space either side keeps the substituted tokens from merging with their
    // neighbours, as a browser keeps them apart.
    out.push(' ');
    if let Some(value) = vars.get(&*name) {
        let value = value.clone();
        let mut parser = Parser::new(&value);
        rebuild(&mut parser, vars, depth + 1, out)?;
        while input.next_including_whitespace_and_comments().is_ok() {}
    } else if input.try_parse(|i| i.expect_comma()).is_ok() {
        rebuild(input, vars, depth + 1, out)?;
    } else {
        return invalid();
    }
    out.push(' ');
    Ok(())
}

/// One keyword, mapped by `map` (which gets it ASCII lower-cased).
fn keyword<T>(input: &mut Parser<'_>, map: impl Fn(&str) -> Option<T>) -> Parsed<T> {
    let ident = input.expect_ident()?.to_ascii_lowercase();
    map(&ident).map_or_else(invalid, Ok)
}

/// `display`: whether it is `none`. Only keywords every current browser accepts count
/// as valid, so a browser-specific one cannot override an earlier `none`.
fn display_none(input: &mut Parser<'_>) -> Parsed<bool> {
    const ALONE: &[&str] = &[
        "block",
        "inline",
        "inline-block",
        "flex",
        "inline-flex",
        "grid",
        "inline-grid",
        "flow-root",
        "table",
        "inline-table",
        "table-row-group",
        "table-header-group",
        "table-footer-group",
        "table-row",
        "table-cell",
        "table-column-group",
        "table-column",
        "table-caption",
        "list-item",
        "contents",
        "ruby",
        "ruby-text",
        "-webkit-box",
        "-webkit-inline-box",
    ];
    let mut words = Vec::new();
    while !input.is_exhausted() {
        words.push(input.expect_ident()?.to_ascii_lowercase());
    }
    let outside = |w: &str| matches!(w, "block" | "inline" | "run-in");
    let inside = |w: &str| matches!(w, "flow" | "flow-root" | "table" | "flex" | "grid" | "ruby");
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    match words[..] {
        ["none"] => Ok(true),
        [word] if ALONE.contains(&word) => Ok(false),
        // `block flex`, `inline flow-root`, `list-item block flow`…
        [a, b] if (outside(a) && inside(b)) || (inside(a) && outside(b)) => Ok(false),
        [_, _] | [_, _, _] if words.contains(&"list-item") => {
            let rest: Vec<&str> = words.iter().copied().filter(|w| *w != "list-item").collect();
            let fits = |w: &&str| outside(w) || matches!(*w, "flow" | "flow-root");
            let distinct = rest.len() < 2 || outside(rest[0]) != outside(rest[1]);
            if rest.iter().all(fits) && distinct {
                Ok(false)
            } else {
                invalid()
            }
        }
        _ => invalid(),
    }
}

/// `content` on an element: an image replaces its children; strings, counters and
/// quotes only apply to pseudo-elements.
fn content_replaces(input: &mut Parser<'_>) -> Parsed<bool> {
    if let Ok(()) = input.try_parse(|i| keyword(i, |k| matches!(k, "normal" | "none").then_some(()))) {
        return Ok(false);
    }
    if input.try_parse(image).is_ok() {
        while !input.is_exhausted() {
            input.next()?;
        }
        return Ok(true);
    }
    while !input.is_exhausted() {
        match input.next()?.clone() {
            Token::QuotedString(_) | Token::Delim('/') => {}
            Token::Ident(k)
                if matches!(
                    &*k.to_ascii_lowercase(),
                    "open-quote" | "close-quote" | "no-open-quote" | "no-close-quote"
                ) => {}
            Token::Function(name) if matches!(&*name.to_ascii_lowercase(), "counter" | "counters" | "attr") => {
                input.parse_nested_block(|i| {
                    while !i.is_exhausted() {
                        i.next()?;
                    }
                    Ok::<_, ParseError<Fail>>(())
                })?;
            }
            _ => return invalid(),
        }
    }
    Ok(false)
}

/// An `<image>`: `url()`, a gradient or another image function.
fn image(input: &mut Parser<'_>) -> Parsed<()> {
    match input.next()?.clone() {
        Token::UnquotedUrl(_) => Ok(()),
        Token::Function(name) => {
            let name = name.to_ascii_lowercase();
            let known = name == "url"
                || name.ends_with("gradient")
                || matches!(
                    name.as_str(),
                    "image"
                        | "image-set"
                        | "-webkit-image-set"
                        | "cross-fade"
                        | "element"
                        | "paint"
                        | "-webkit-gradient"
                );
            if !known {
                return invalid();
            }
            input.parse_nested_block(|i| {
                while !i.is_exhausted() {
                    i.next()?;
                }
                Ok(())
            })
        }
        _ => invalid(),
    }
}

fn filter(input: &mut Parser<'_>, units: Units) -> Parsed<Filter> {
    let mut effect = Filter { opacity: 1.0, obliterates: false };
    if input.try_parse(|i| i.expect_ident_matching("none")).is_ok() {
        return Ok(effect);
    }
    while !input.is_exhausted() {
        let name = match input.next()?.clone() {
            Token::Function(name) => name.to_ascii_lowercase(),
            // An SVG filter can do anything to the element.
            Token::UnquotedUrl(_) => return unknown(),
            _ => return invalid(),
        };
        input.parse_nested_block(|i| {
            let amount = |i: &mut Parser<'_>| {
                if i.is_exhausted() {
                    Ok(1.0)
                } else {
                    values::number(i, true).and_then(|a| if a < 0.0 { invalid() } else { Ok(a) })
                }
            };
            match name.as_str() {
                "opacity" => effect.opacity *= amount(i)?.min(1.0),
                "contrast" => effect.obliterates |= amount(i)? <= FLATTENING_CONTRAST,
                "invert" => effect.obliterates |= (amount(i)?.min(1.0) - 0.5).abs() < GREYING_INVERT_MARGIN,
                "brightness" | "grayscale" | "saturate" | "sepia" => {
                    amount(i)?;
                }
                "blur" => {
                    let radius = if i.is_exhausted() { 0.0 } else { values::length_percentage_non_negative(i, units)? };
                    effect.obliterates |= radius >= ILLEGIBLE_BLUR_PX;
                }
                "hue-rotate" => {
                    if !i.is_exhausted() {
                        values::angle(i)?;
                    }
                }
                "drop-shadow" => {
                    text_shadow(i, units)?;
                }
                // `url()` (an SVG filter) or a function this module does not know.
                _ => return unknown(),
            }
            Ok(())
        })?;
    }
    Ok(effect)
}

/// The legacy `clip`: whether `rect()` leaves less than a legible area.
fn clip(input: &mut Parser<'_>, x: Units, y: Units) -> Parsed<bool> {
    if input.try_parse(|i| i.expect_ident_matching("auto")).is_ok() {
        return Ok(false);
    }
    input.expect_function_matching("rect")?;
    input.parse_nested_block(|i| {
        let edge = |i: &mut Parser<'_>, units: Units, auto: f64| {
            if i.try_parse(|i| i.expect_ident_matching("auto")).is_ok() {
                Ok(auto)
            } else {
                values::length_percentage(i, units)
            }
        };
        let comma = |i: &mut Parser<'_>| {
            let _ = i.try_parse(|i| i.expect_comma());
        };
        let top = edge(i, y, f64::NEG_INFINITY)?;
        comma(i);
        let right = edge(i, x, f64::INFINITY)?;
        comma(i);
        let bottom = edge(i, y, f64::INFINITY)?;
        comma(i);
        let left = edge(i, x, f64::NEG_INFINITY)?;
        Ok(right - left < super::verdict::MIN_LEGIBLE_PX || bottom - top < super::verdict::MIN_LEGIBLE_PX)
    })
}

/// `clip-path`: whether the basic shape leaves less than a legible area of the
/// element (its size taken as the viewport's). References and paths are unknown.
fn clip_path(input: &mut Parser<'_>, x: Units, y: Units) -> Parsed<bool> {
    use super::verdict::MIN_LEGIBLE_PX;
    if input.try_parse(|i| i.expect_ident_matching("none")).is_ok() {
        return Ok(false);
    }
    let mut hides = false;
    while !input.is_exhausted() {
        match input.next()?.clone() {
            Token::Ident(k)
                if matches!(
                    &*k.to_ascii_lowercase(),
                    "border-box"
                        | "padding-box"
                        | "content-box"
                        | "margin-box"
                        | "fill-box"
                        | "stroke-box"
                        | "view-box"
                ) => {}
            Token::Function(name) => {
                let name = name.to_ascii_lowercase();
                hides |= input.parse_nested_block(|i| match name.as_str() {
                    "inset" => {
                        let [top, right, bottom, left] =
                            sides(i, |i, horizontal| values::length_percentage(i, if horizontal { x } else { y }))?;
                        skip_rest(i);
                        Ok(x.hundred_percent - left - right < MIN_LEGIBLE_PX
                            || y.hundred_percent - top - bottom < MIN_LEGIBLE_PX)
                    }
                    "circle" | "ellipse" => {
                        let mut radii = Vec::new();
                        while let Ok(radius) = i.try_parse(|i| {
                            if i.try_parse(|i| {
                                keyword(i, |k| {
                                    matches!(k, "closest-side" | "farthest-side" | "closest-corner" | "farthest-corner")
                                        .then_some(())
                                })
                            })
                            .is_ok()
                            {
                                return Ok(f64::INFINITY);
                            }
                            values::length_percentage_non_negative(i, x)
                        }) {
                            radii.push(radius);
                        }
                        skip_rest(i);
                        Ok(radii.iter().any(|r| *r < MIN_LEGIBLE_PX / 2.0))
                    }
                    "polygon" => {
                        let _ = i.try_parse(|i| {
                            keyword(i, |k| matches!(k, "nonzero" | "evenodd").then_some(()))?;
                            i.expect_comma()?;
                            Ok::<_, ParseError<Fail>>(())
                        });
                        let points = i.parse_comma_separated(|i| {
                            Ok((values::length_percentage(i, x)?, values::length_percentage(i, y)?))
                        })?;
                        let twice_area: f64 = points
                            .iter()
                            .zip(points.iter().cycle().skip(1))
                            .map(|((x1, y1), (x2, y2))| x1 * y2 - x2 * y1)
                            .sum();
                        Ok(twice_area.abs() / 2.0 < MIN_LEGIBLE_PX * MIN_LEGIBLE_PX)
                    }
                    _ => unknown(),
                })?;
            }
            Token::UnquotedUrl(_) => return unknown(),
            _ => return invalid(),
        }
    }
    Ok(hides)
}

fn skip_rest(input: &mut Parser<'_>) {
    while input.next().is_ok() {}
}

/// Reads 1 to 4 values into top, right, bottom, left, as `margin` does; `one` is told
/// whether the side is horizontal.
fn sides<T: Copy>(input: &mut Parser<'_>, one: impl Fn(&mut Parser<'_>, bool) -> Parsed<T>) -> Parsed<[T; 4]> {
    let top = one(input, false)?;
    let Ok(right) = input.try_parse(|i| one(i, true)) else { return Ok([top, top, top, top]) };
    let Ok(bottom) = input.try_parse(|i| one(i, false)) else { return Ok([top, right, top, right]) };
    let Ok(left) = input.try_parse(|i| one(i, true)) else { return Ok([top, right, bottom, right]) };
    Ok([top, right, bottom, left])
}

/// Reads 1 or 2 values into start and end, as `margin-block` does.
fn two<T: Copy>(input: &mut Parser<'_>, one: impl Fn(&mut Parser<'_>) -> Parsed<T>) -> Parsed<[T; 2]> {
    let start = one(input)?;
    let end = input.try_parse(&one).unwrap_or(start);
    Ok([start, end])
}

fn auto_or_length(input: &mut Parser<'_>, units: Units) -> Parsed<Option<f64>> {
    if input.try_parse(|i| i.expect_ident_matching("auto")).is_ok() {
        return Ok(None);
    }
    values::length_percentage(input, units).map(Some)
}

/// A margin: `auto` takes up free space, never a far offset.
fn margin(input: &mut Parser<'_>, units: Units) -> Parsed<f64> {
    Ok(auto_or_length(input, units)?.unwrap_or(0.0))
}

/// `width`, `height` and their `min-`/`max-` forms: `None` for `auto`, `none` (with
/// `max`) and intrinsic sizes, which fit the content.
fn size(input: &mut Parser<'_>, units: Units, max: bool) -> Parsed<Option<f64>> {
    let state = input.state();
    match input.next()?.clone() {
        Token::Ident(k) => {
            let k = k.to_ascii_lowercase();
            let fits = matches!(k.as_str(), "min-content" | "max-content" | "fit-content" | "stretch")
                || (k == "none" && max)
                || (k == "auto" && !max);
            if fits {
                Ok(None)
            } else {
                invalid()
            }
        }
        Token::Function(name) if name.eq_ignore_ascii_case("fit-content") => {
            input.parse_nested_block(|i| values::length_percentage_non_negative(i, units))?;
            Ok(None)
        }
        _ => {
            input.reset(&state);
            values::length_percentage_non_negative(input, units).map(Some)
        }
    }
}

fn overflow_clips(input: &mut Parser<'_>) -> Parsed<bool> {
    keyword(input, |k| match k {
        "visible" => Some(false),
        "hidden" | "clip" | "scroll" | "auto" => Some(true),
        _ => None,
    })
}

fn contain(input: &mut Parser<'_>) -> Parsed<Contain> {
    let whole = input.try_parse(|i| {
        let whole = keyword(i, |k| match k {
            "none" => Some(Contain::default()),
            "strict" => Some(Contain { size: true, paint: true }),
            "content" => Some(Contain { size: false, paint: true }),
            _ => None,
        })?;
        i.expect_exhausted()?;
        Ok::<_, ParseError<Fail>>(whole)
    });
    if let Ok(whole) = whole {
        return Ok(whole);
    }
    let mut contain = Contain::default();
    loop {
        // `inline-size` only contains the width, which text never hides behind.
        match &*input.expect_ident()?.to_ascii_lowercase() {
            "size" => contain.size = true,
            "paint" => contain.paint = true,
            "inline-size" | "layout" | "style" => {}
            _ => return invalid(),
        }
        if input.is_exhausted() {
            return Ok(contain);
        }
    }
}

fn font_size(input: &mut Parser<'_>, font: Units) -> Parsed<f64> {
    let state = input.state();
    if let Ok(k) = input.expect_ident_cloned() {
        let parent = font.em;
        return Ok(match_ignore_ascii_case! { &k,
            "xx-small" => 9.0,
            "x-small" => 10.0,
            "small" => 13.0,
            "medium" => 16.0,
            "large" => 18.0,
            "x-large" => 24.0,
            "xx-large" => 32.0,
            "xxx-large" => 48.0,
            "smaller" => parent / 1.2,
            "larger" => parent * 1.2,
            "math" => parent,
            _ => return invalid(),
        });
    }
    input.reset(&state);
    values::length_percentage_non_negative(input, font)
}

/// The parts of the `font` shorthand this module reads.
struct FontParts {
    size: f64,
    line_height: LineHeight,
    family: Vec<String>,
}

/// `font`: `[style || variant || weight || stretch]? size [/ line-height]? family`, or
/// a system font. The size is read with `font` units, the line height with `own`.
fn font_shorthand(input: &mut Parser<'_>, font: Units, own: Units) -> Parsed<FontParts> {
    const SYSTEM: &[&str] = &["caption", "icon", "menu", "message-box", "small-caption", "status-bar"];
    const BEFORE_SIZE: &[&str] = &[
        "normal",
        "italic",
        "oblique",
        "small-caps",
        "bold",
        "bolder",
        "lighter",
        "ultra-condensed",
        "extra-condensed",
        "condensed",
        "semi-condensed",
        "semi-expanded",
        "expanded",
        "extra-expanded",
        "ultra-expanded",
    ];
    let system = input.try_parse(|i| {
        keyword(i, |k| SYSTEM.contains(&k).then_some(()))?;
        i.expect_exhausted()?;
        Ok::<_, ParseError<Fail>>(())
    });
    if system.is_ok() {
        // System fonts are the platform's user-interface size.
        return Ok(FontParts { size: 13.0, line_height: LineHeight::Normal, family: Vec::new() });
    }
    for _ in 0..4 {
        let state = input.state();
        let before_size = match input.next()?.clone() {
            Token::Ident(k) => {
                let k = k.to_ascii_lowercase();
                if k == "oblique" {
                    let _ = input.try_parse(values::angle);
                }
                BEFORE_SIZE.contains(&k.as_str())
            }
            // A weight; a size is never a unitless number other than 0.
            Token::Number { value, .. } => (1.0..=1000.0).contains(&value),
            _ => false,
        };
        if !before_size {
            input.reset(&state);
            break;
        }
    }
    let size = font_size(input, Units { quirks: false, ..font })?;
    let line_height = if input.try_parse(|i| i.expect_delim('/')).is_ok() {
        line_height(input, Units { em: size, ..own })?
    } else {
        LineHeight::Normal
    };
    let family = font_family(input)?;
    Ok(FontParts { size, line_height, family })
}

/// `font-family`: names, lower-cased.
pub fn font_family(input: &mut Parser<'_>) -> Parsed<Vec<String>> {
    input.parse_comma_separated(|i| {
        if let Ok(name) = i.try_parse(|i| i.expect_string_cloned()) {
            return Ok(name.to_lowercase());
        }
        let mut words = vec![i.expect_ident()?.to_lowercase()];
        while let Ok(word) = i.try_parse(|i| i.expect_ident_cloned()) {
            words.push(word.to_lowercase());
        }
        Ok(words.join(" "))
    })
}

/// `font-size-adjust`: the factor it scales the font by, against typical fonts'
/// proportions.
fn font_size_adjust(input: &mut Parser<'_>) -> Parsed<f64> {
    if input.try_parse(|i| keyword(i, |k| matches!(k, "none" | "from-font").then_some(()))).is_ok() {
        return Ok(1.0);
    }
    let typical = input
        .try_parse(|i| {
            keyword(i, |k| match k {
                "ex-height" | "ch-width" => Some(0.5),
                "cap-height" => Some(0.7),
                "ic-width" | "ic-height" => Some(1.0),
                _ => None,
            })
        })
        .unwrap_or(0.5);
    if input.try_parse(|i| i.expect_ident_matching("from-font")).is_ok() {
        return Ok(1.0);
    }
    let aspect = values::number(input, false)?;
    if aspect < 0.0 {
        return invalid();
    }
    Ok(aspect / typical)
}

fn line_height(input: &mut Parser<'_>, units: Units) -> Parsed<LineHeight> {
    if input.try_parse(|i| i.expect_ident_matching("normal")).is_ok() {
        return Ok(LineHeight::Normal);
    }
    if let Ok(factor) = input.try_parse(|i| values::number(i, false)) {
        return if factor < 0.0 { invalid() } else { Ok(LineHeight::Factor(factor)) };
    }
    values::length_percentage_non_negative(input, Units { hundred_percent: units.em, ..units }).map(LineHeight::Px)
}

/// A colour, or in a quirks-mode page also hex digits without `#`.
fn colour(input: &mut Parser<'_>, quirks: bool) -> Parsed<Color> {
    let state = input.state();
    match values::color(input) {
        Err(e) if quirks && values::failure(&e) == Fail::Invalid => {
            input.reset(&state);
            let start = input.position();
            input.next()?;
            let digits = input.slice_from(start);
            if matches!(digits.len(), 3 | 6) && digits.bytes().all(|b| b.is_ascii_hexdigit()) {
                values::read(&format!("#{digits}"), values::color).map_err(ParseError::custom)
            } else {
                invalid()
            }
        }
        other => other,
    }
}

/// The parts of `background` that decide what is behind text.
struct Background {
    color: Color,
    image: bool,
    clip_text: bool,
}

/// `background`: layers of images, positions, sizes, repeats and boxes; a colour only
/// in the last layer, transparent when left out.
fn background(input: &mut Parser<'_>, x: Units) -> Parsed<Background> {
    let mut result = Background { color: Color::Rgba(values::Rgba::TRANSPARENT), image: false, clip_text: false };
    let layers = input.parse_comma_separated(|i| {
        let mut color = None;
        let mut image_seen = false;
        let mut clip_text = false;
        while !i.is_exhausted() {
            if let Ok(c) = i.try_parse(|i| values::color(i)) {
                if color.replace(c).is_some() {
                    return invalid();
                }
                continue;
            }
            if i.try_parse(image).is_ok() {
                image_seen = true;
                continue;
            }
            if i.try_parse(|i| values::length_percentage(i, x)).is_ok() || i.try_parse(|i| i.expect_delim('/')).is_ok()
            {
                continue;
            }
            let word = keyword(i, |k| {
                const WORDS: &[&str] = &[
                    "none",
                    "left",
                    "right",
                    "top",
                    "bottom",
                    "center",
                    "auto",
                    "cover",
                    "contain",
                    "repeat",
                    "repeat-x",
                    "repeat-y",
                    "no-repeat",
                    "space",
                    "round",
                    "scroll",
                    "fixed",
                    "local",
                    "border-box",
                    "padding-box",
                    "content-box",
                    "text",
                ];
                WORDS.contains(&k).then(|| k == "text")
            })?;
            clip_text |= word;
        }
        Ok((color, image_seen, clip_text))
    })?;
    let last = layers.len() - 1;
    for (n, (color, image, clip_text)) in layers.into_iter().enumerate() {
        match color {
            Some(c) if n == last => result.color = c,
            Some(_) => return invalid(),
            None => {}
        }
        result.image |= image;
        result.clip_text |= clip_text;
    }
    Ok(result)
}

/// `text-shadow` (and a `drop-shadow()`): whether there is one. Each shadow is two or
/// three lengths and at most one colour.
fn text_shadow(input: &mut Parser<'_>, units: Units) -> Parsed<bool> {
    if input.try_parse(|i| i.expect_ident_matching("none")).is_ok() {
        return Ok(false);
    }
    input.parse_comma_separated(|i| {
        let (mut lengths, mut colours) = (0, 0);
        while !i.is_exhausted() {
            if i.try_parse(|i| values::length_percentage(i, Units { hundred_percent: 0.0, ..units })).is_ok() {
                lengths += 1;
            } else {
                values::color(i)?;
                colours += 1;
            }
        }
        if (2..=3).contains(&lengths) && colours <= 1 {
            Ok(())
        } else {
            invalid()
        }
    })?;
    Ok(true)
}

fn stroke_width(input: &mut Parser<'_>, units: Units) -> Parsed<f64> {
    let state = input.state();
    if let Ok(k) = input.expect_ident_cloned() {
        return match_ignore_ascii_case! { &k,
            "thin" => Ok(1.0),
            "medium" => Ok(3.0),
            "thick" => Ok(5.0),
            _ => invalid(),
        };
    }
    input.reset(&state);
    values::length_percentage_non_negative(input, Units { hundred_percent: 0.0, ..units })
}

/// `-webkit-text-stroke`: a width and a colour in either order; whether it draws.
fn text_stroke(input: &mut Parser<'_>, units: Units) -> Parsed<bool> {
    let mut width = None;
    let mut colour = None;
    while !input.is_exhausted() {
        if width.is_none() {
            if let Ok(w) = input.try_parse(|i| stroke_width(i, units)) {
                width = Some(w);
                continue;
            }
        }
        if colour.is_some() {
            return invalid();
        }
        colour = Some(values::color(input)?);
    }
    Ok(width.is_some_and(|w| w > 0.0))
}

/// The `translate` property.
fn translate(input: &mut Parser<'_>, x: Units, y: Units) -> Parsed<Affine> {
    if input.try_parse(|i| i.expect_ident_matching("none")).is_ok() {
        return Ok(Affine::IDENTITY);
    }
    let tx = values::length_percentage(input, x)?;
    let ty = input.try_parse(|i| values::length_percentage(i, y)).unwrap_or(0.0);
    if !input.is_exhausted() {
        values::length_percentage(input, Units { hundred_percent: 0.0, ..x })?;
    }
    Ok(Affine::translate(tx, ty))
}

/// The `scale` property.
fn scale(input: &mut Parser<'_>) -> Parsed<Affine> {
    if input.try_parse(|i| i.expect_ident_matching("none")).is_ok() {
        return Ok(Affine::IDENTITY);
    }
    let sx = values::number(input, true)?;
    let sy = input.try_parse(|i| values::number(i, true)).unwrap_or(sx);
    if !input.is_exhausted() {
        values::number(input, true)?;
    }
    Ok(Affine::scale(sx, sy))
}

/// The keyframes rules an `animation` or `animation-name` value names.
pub fn animation_names(css: &str) -> Vec<String> {
    const NOT_NAMES: &[&str] = &[
        "none",
        "ease",
        "linear",
        "ease-in",
        "ease-out",
        "ease-in-out",
        "step-start",
        "step-end",
        "infinite",
        "normal",
        "reverse",
        "alternate",
        "alternate-reverse",
        "forwards",
        "backwards",
        "both",
        "running",
        "paused",
        "auto",
        "replace",
        "add",
        "accumulate",
    ];
    let mut parser = Parser::new(css);
    let mut names = Vec::new();
    while let Ok(token) = parser.next() {
        match token {
            Token::Ident(name) if !NOT_NAMES.contains(&&*name.to_ascii_lowercase()) => names.push(name.to_string()),
            Token::QuotedString(name) => names.push(name.to_string()),
            _ => {}
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(style: &str) -> Cascaded {
        let declarations = declarations(style);
        let candidates: Vec<Candidate<'_>> = declarations
            .iter()
            .enumerate()
            .map(|(n, d)| Candidate {
                declaration: d,
                rank: Rank { tier: Tier::of(Tier::Inline, d.important), specificity: (0, 0, 0), order: n as u32 },
                uncertain: false,
            })
            .collect();
        Cascaded::compute(&candidates, Reading::Certain, 16.0, &Rc::new(Vars::new())).0
    }

    #[test]
    fn declarations_decode_escapes_comments_and_importance() {
        let d = declarations("DIS\\70 LAY : none !IMPORTANT; color:/**/red; --X: a b ;bogus;");
        assert_eq!(d[0], Declaration { name: "display".into(), value: "none".into(), important: true });
        assert_eq!(d[1].name, "color");
        assert_eq!(d[2].name, "--X");
        assert_eq!(d.len(), 3);
        assert_eq!(parsed("disp\\lay:none").display_none.value, Some(true));
        assert_eq!(parsed("display:/**/none").display_none.value, Some(true));
        assert_eq!(parsed("display:\\6e one").display_none.value, Some(true));
    }

    #[test]
    fn a_later_declaration_overrides_only_when_valid_and_as_important() {
        assert_eq!(parsed("display:none;display:block").display_none.value, Some(false));
        assert_eq!(parsed("display:none;display:blockx").display_none.value, Some(true));
        assert_eq!(parsed("display:none;display:block block").display_none.value, Some(true));
        assert_eq!(parsed("display:none!important;display:block").display_none.value, Some(true));
        assert_eq!(parsed("display:none;display:inline flow-root").display_none.value, Some(false));
        let unsure = parsed("display:block;display:attr(data-d type(<custom-ident>))").display_none;
        assert!(unsure.unsure);
        assert_eq!(parsed("display:none;display:initial").display_none.value, None);
    }

    #[test]
    fn var_references_are_substituted() {
        assert_eq!(parsed("--h:none;display:var(--h)").display_none.value, Some(true));
        assert_eq!(parsed("display:var(--missing, none)").display_none.value, Some(true));
        assert_eq!(parsed("--a:var(--b);--b:0;opacity:var(--a)").opacity.value, Some(0.0));
        assert!(parsed("--a:var(--a);opacity:var(--a)").opacity.unsure, "a cycle is unknown");
        assert_eq!(parsed("display:var(--missing)").display_none, Slot::default(), "unset never hides");
        let bomb = "--a:x x x x x x x x;--b:var(--a) var(--a) var(--a) var(--a) var(--a) var(--a) var(--a) var(--a);\
                    --c:var(--b) var(--b) var(--b) var(--b) var(--b) var(--b) var(--b) var(--b);\
                    --d:var(--c) var(--c) var(--c) var(--c) var(--c) var(--c) var(--c) var(--c);\
                    --e:var(--d) var(--d) var(--d) var(--d) var(--d) var(--d) var(--d) var(--d);opacity:var(--e)";
        assert!(parsed(bomb).opacity.unsure, "expansion is bounded");
    }

    #[test]
    fn shorthands_set_their_longhands() {
        let font = parsed("font:0/0 a");
        assert_eq!((font.font_px.value, font.line_height.value), (Some(0.0), Some(LineHeight::Factor(0.0))));
        assert_eq!(parsed("font:italic bold 12px/30px Georgia, serif").font_px.value, Some(12.0));
        assert_eq!(parsed("margin:0 0 0 -9999px").margin_left.value, Some(-9999.0));
        assert_eq!(parsed("inset:auto auto auto -100%").inset[3].value, Some(Some(-VIEWPORT_WIDTH_PX)));
        assert_eq!(parsed("overflow:hidden visible").overflow_y_clips.value, Some(false));
        let background = parsed("background:#fff url(a.png) no-repeat 0 0 / cover");
        assert_eq!(background.background_image.value, Some(true));
        assert!(matches!(background.background_color.value, Some(Color::Rgba(c)) if c.r == 1.0));
    }
}
