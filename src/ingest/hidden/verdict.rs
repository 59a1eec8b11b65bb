//! Whether an element can be seen, from its cascaded values and what it inherits from
//! its ancestors. The limits below are where text stops being legible to a reader;
//! what the cascade could not evaluate counts as hiding.

use super::cascade::{Cascaded, LineHeight, Slot, Vars};
use super::values::{Affine, Color, Rgba, ROOT_FONT_PX, VIEWPORT_WIDTH_PX};
use std::collections::HashSet;
use std::rc::Rc;

/// Text drawn smaller than this (CSS px, after `font-size`, `font-size-adjust`,
/// transforms and `zoom`), or a clipping box narrower or shorter than this, shows
/// nothing a reader can read.
pub const MIN_LEGIBLE_PX: f64 = 3.0;

/// Text at or below this opacity (of the element and its ancestors, or of its colour)
/// cannot be seen.
pub const MAX_INVISIBLE_OPACITY: f64 = 0.05;

/// Text whose colour has less contrast than this with the opaque background behind it
/// (WCAG ratio: 1 is the same colour; legible text needs 4.5) is camouflaged.
pub const MIN_TEXT_CONTRAST: f64 = 1.25;

/// An element moved this far left or up (CSS px, all its ancestors' offsets included)
/// is outside the page, where nothing can scroll to it.
pub const FAR_OFF_START_PX: f64 = 500.0;

/// An element moved this far right or down is off the page for every reader who does
/// not scroll thousands of pixels sideways into nothing.
pub const FAR_OFF_END_PX: f64 = 5000.0;

/// Letter spacing tighter than this fraction of the font size piles the letters onto
/// each other.
const OVERLAPPING_LETTER_SPACING_EM: f64 = -0.5;

/// What an element hands down to its children.
#[derive(Debug, Clone)]
pub struct Inherited {
    pub font_px: f64,
    font_adjust: f64,
    line_height: LineHeight,
    letter_spacing_px: f64,
    font_family: Rc<[String]>,
    /// `None`: the page's own text colour, which the fragment does not say.
    color: Option<Rgba>,
    /// `-webkit-text-fill-color`; `None` follows `color`.
    text_fill: Option<Color>,
    text_shadow: bool,
    text_stroke: bool,
    /// The opaque colour behind the element, if the fragment says what it is.
    background: Option<Rgba>,
    /// How much the element and its ancestors are shrunk (transforms and `zoom`).
    scale: f64,
    /// The product of the element's and its ancestors' opacities.
    opacity: f64,
    /// How far the element and its ancestors have been moved, in CSS px.
    offset: (f64, f64),
    pub vars: Rc<Vars>,
}

impl Inherited {
    /// The page around a fragment: ordinary, with the custom properties the fragment's
    /// style sheets register.
    pub fn page(vars: Rc<Vars>) -> Self {
        Inherited {
            font_px: ROOT_FONT_PX,
            font_adjust: 1.0,
            line_height: LineHeight::Normal,
            letter_spacing_px: 0.0,
            font_family: Rc::from(Vec::new()),
            color: None,
            text_fill: None,
            text_shadow: false,
            text_stroke: false,
            background: None,
            scale: 1.0,
            opacity: 1.0,
            offset: (0.0, 0.0),
            vars,
        }
    }
}

fn hides(slot: &Slot<bool>) -> bool {
    slot.value == Some(true) || slot.unsure
}

fn unsure<T>(slots: &[&Slot<T>]) -> bool {
    slots.iter().any(|s| s.unsure)
}

/// What the element hands its children, or `None` when it cannot be seen.
/// `fonts` are the families the fragment's own `@font-face` rules define: a font the
/// fragment ships can draw every letter blank. `holds_media` says whether the element
/// contains an image or other replaced element, which gives its lines their height.
pub fn visible(
    c: &Cascaded,
    parent: &Inherited,
    vars: Rc<Vars>,
    fonts: &HashSet<String>,
    holds_media: &dyn Fn() -> bool,
) -> Option<Inherited> {
    let gone = [
        &c.display_none,
        &c.visibility_hidden,
        &c.content_visibility_hidden,
        &c.content_replaced,
        &c.clip_hides,
        &c.clip_path_hides,
        &c.masked,
    ];
    if gone.iter().any(|slot| hides(slot)) {
        return None;
    }

    if c.filter.unsure || c.filter.value.is_some_and(|f| f.obliterates) || c.opacity.unsure {
        return None;
    }
    let opacity = parent.opacity * c.opacity.value.unwrap_or(1.0) * c.filter.value.map_or(1.0, |f| f.opacity);
    if opacity <= MAX_INVISIBLE_OPACITY {
        return None;
    }

    if unsure(&[&c.transform, &c.translate, &c.rotate, &c.scale]) || unsure(&[&c.zoom, &c.font_px, &c.font_adjust]) {
        return None;
    }
    let identity = |slot: &Slot<Affine>| slot.value.unwrap_or(Affine::IDENTITY);
    let matrix = identity(&c.translate).then(identity(&c.rotate)).then(identity(&c.scale)).then(identity(&c.transform));
    let scale = parent.scale * matrix.least_scale() * c.zoom.value.unwrap_or(1.0);
    let font_px = c.font_px.value.unwrap_or(parent.font_px);
    let font_adjust = c.font_adjust.value.unwrap_or(parent.font_adjust);
    if font_px * font_adjust * scale < MIN_LEGIBLE_PX {
        return None;
    }

    if c.letter_spacing.unsure || c.font_family.unsure {
        return None;
    }
    let letter_spacing_px = c.letter_spacing.value.unwrap_or(parent.letter_spacing_px);
    if letter_spacing_px <= OVERLAPPING_LETTER_SPACING_EM * font_px {
        return None;
    }
    let font_family =
        c.font_family.value.as_ref().map_or_else(|| parent.font_family.clone(), |f| Rc::from(f.as_slice()));
    if font_family.iter().any(|family| fonts.contains(family)) {
        return None;
    }

    let offset = moved(c, parent, &matrix)?;

    let line_height = c.line_height.value.unwrap_or(parent.line_height);
    if clips(c) {
        if clipped_to_nothing(c, font_px, line_height, holds_media)? {
            return None;
        }
        // Text indented past the far side of the box that clips it (`text-indent: 100%;
        // white-space: nowrap; overflow: hidden`, the classic image replacement).
        let width = c.width.value.flatten().unwrap_or(VIEWPORT_WIDTH_PX);
        if c.text_indent.value.is_some_and(|indent| indent >= width) {
            return None;
        }
    }

    let color = match c.color.value {
        Some(Color::Rgba(rgba)) => Some(rgba),
        Some(Color::Current) | None => parent.color,
    };
    let text_fill = c.text_fill.value.or(parent.text_fill);
    let fill = match text_fill {
        Some(Color::Rgba(rgba)) => Some(rgba),
        Some(Color::Current) | None => color,
    };
    let image_behind = c.background_image.value == Some(true) || c.background_image.unsure;
    let own_background = match c.background_color.value {
        Some(Color::Rgba(rgba)) => Some(rgba),
        Some(Color::Current) => color,
        None => Some(Rgba::TRANSPARENT),
    };
    let background = match own_background {
        _ if image_behind => None,
        Some(own) if own.a == 0.0 => parent.background,
        Some(own) => match parent.background {
            Some(below) => Some(own.over(below)),
            None if own.a >= 1.0 => Some(own),
            None => None,
        },
        None => None,
    };
    let text_shadow = c.text_shadow.value.unwrap_or(parent.text_shadow);
    let text_stroke = c.text_stroke.value.unwrap_or(parent.text_stroke);
    let drawn_anyway = text_shadow || text_stroke || (c.background_clip_text.value == Some(true) && image_behind);
    if let (Some(fill), false) = (fill, drawn_anyway) {
        if fill.a <= MAX_INVISIBLE_OPACITY {
            return None;
        }
        if background.is_some_and(|behind| fill.over(behind).contrast(behind) < MIN_TEXT_CONTRAST) {
            return None;
        }
    }

    Some(Inherited {
        font_px,
        font_adjust,
        line_height,
        letter_spacing_px,
        font_family,
        color,
        text_fill,
        text_shadow,
        text_stroke,
        background,
        scale,
        opacity,
        offset,
        vars,
    })
}

/// Where the element ends up relative to where it would be, all ancestors' moves
/// included; `None` when that is off the page.
fn moved(c: &Cascaded, parent: &Inherited, matrix: &Affine) -> Option<(f64, f64)> {
    if unsure(&[&c.inset[0], &c.inset[1], &c.inset[2], &c.inset[3]])
        || unsure(&[&c.margin_top, &c.margin_left, &c.text_indent])
    {
        return None;
    }
    // Offsets move anything but a box the fragment says is static: the page's own
    // style sheet may position it.
    let positioned = c.position_static.value != Some(true);
    let side = |n: usize| c.inset[n].value.flatten();
    let (mut dx, mut dy) = (matrix.e, matrix.f);
    if positioned {
        dx += side(3).or(side(1).map(|right| -right)).unwrap_or(0.0);
        dy += side(0).or(side(2).map(|bottom| -bottom)).unwrap_or(0.0);
    }
    dx += c.margin_left.value.unwrap_or(0.0) + c.text_indent.value.unwrap_or(0.0);
    dy += c.margin_top.value.unwrap_or(0.0);
    let (x, y) = (parent.offset.0 + dx, parent.offset.1 + dy);
    let off = |v: f64| v <= -FAR_OFF_START_PX || v >= FAR_OFF_END_PX;
    if off(x) || off(y) {
        None
    } else {
        Some((x, y))
    }
}

/// Whether the element clips its content to its box (`overflow`, paint containment).
fn clips(c: &Cascaded) -> bool {
    [&c.overflow_x_clips, &c.overflow_y_clips].iter().any(|slot| hides(slot))
        || c.contain.unsure
        || c.contain.value.is_some_and(|contain| contain.paint)
}

/// Whether a clipping element's box is too small to show any of its content; `None`
/// when its size cannot be evaluated.
fn clipped_to_nothing(
    c: &Cascaded,
    font_px: f64,
    line_height: LineHeight,
    holds_media: &dyn Fn() -> bool,
) -> Option<bool> {
    if unsure(&[&c.width, &c.height, &c.min_width, &c.min_height, &c.max_width, &c.max_height]) {
        return None;
    }
    let border_box = c.border_box.value == Some(true);
    let padding = |n: usize| c.padding[n].value.unwrap_or(0.0);
    // The padding box: content and padding, where clipped content still shows.
    let extent = |size: Option<f64>, min: Option<f64>, max: Option<f64>, padding: f64| {
        let size = match (size, max) {
            (Some(size), Some(max)) => Some(size.min(max)),
            (None, max) => max,
            (size, None) => size,
        }?;
        let size = size.max(min.unwrap_or(0.0));
        Some(if border_box { size.max(padding) } else { size + padding })
    };
    let lines_px = match line_height {
        LineHeight::Normal => font_px * 1.2,
        LineHeight::Factor(factor) => factor * font_px,
        LineHeight::Px(px) => px,
    };
    // An `auto` height is the content's: nothing under size containment, and nothing
    // when its lines have no height and hold no image.
    let flat_lines = lines_px < MIN_LEGIBLE_PX && !holds_media();
    let auto_height = (c.contain.value.is_some_and(|contain| contain.size) || flat_lines).then_some(0.0);
    let width = extent(
        c.width.value.flatten(),
        c.min_width.value.flatten(),
        c.max_width.value.flatten(),
        padding(1) + padding(3),
    );
    let height = extent(
        c.height.value.flatten().or(auto_height),
        c.min_height.value.flatten(),
        c.max_height.value.flatten(),
        padding(0) + padding(2),
    );
    Some([width, height].iter().any(|side| side.is_some_and(|px| px < MIN_LEGIBLE_PX)))
}
