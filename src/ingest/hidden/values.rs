//! CSS values that decide whether text can be seen, read from `cssparser` tokens as a
//! browser reads them: lengths, numbers and angles (with `calc()`, `min()`, `max()`,
//! `clamp()`, `abs()`), colours, and transforms reduced to a 2D matrix.
//!
//! Whatever this module accepts is valid CSS with the value a browser computes; what it
//! cannot evaluate (trigonometry, `attr()`, colour spaces it does not convert) is
//! `Fail::Unknown`, never a guess: a later declaration this module wrongly accepted could
//! otherwise override an earlier one that hides.

use cssparser::{match_ignore_ascii_case, ParseError, ParseErrorKind, Parser, Token};

/// The font size of the page around a fragment (`medium`), in CSS pixels: what `rem`
/// and the first `em` are relative to.
pub const ROOT_FONT_PX: f64 = 16.0;

/// The viewport `vw` and `vh` are measured against, and percentages of a containing
/// block or of an element's own box whose real size the fragment does not say: a
/// common desktop window.
pub const VIEWPORT_WIDTH_PX: f64 = 1280.0;
pub const VIEWPORT_HEIGHT_PX: f64 = 800.0;

/// Why a value was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fail {
    /// Not valid CSS here: a browser ignores the whole declaration.
    Invalid,
    /// Perhaps valid, but not something this module evaluates: what it computes to is
    /// not known.
    Unknown,
}

/// A parse result whose error says which failure it was.
pub type Parsed<T> = Result<T, ParseError<Fail>>;

/// The failure behind a parse error (cssparser's own errors are all invalid input).
pub fn failure(error: &ParseError<Fail>) -> Fail {
    match error.kind {
        ParseErrorKind::Custom(fail) => fail,
        ParseErrorKind::Basic(_) => Fail::Invalid,
    }
}

pub fn invalid<T>() -> Parsed<T> {
    Err(ParseError::custom(Fail::Invalid))
}

pub fn unknown<T>() -> Parsed<T> {
    Err(ParseError::custom(Fail::Unknown))
}

/// Reads a whole declaration value with `parse`, which must consume all of it.
pub fn read<T>(css: &str, parse: impl FnOnce(&mut Parser<'_>) -> Parsed<T>) -> Result<T, Fail> {
    let mut parser = Parser::new(css);
    parser.parse_entirely(parse).map_err(|e| failure(&e))
}

/// What relative lengths resolve against, for one property of one element.
#[derive(Debug, Clone, Copy)]
pub struct Units {
    /// One `em`, in pixels.
    pub em: f64,
    /// What 100% is, in pixels.
    pub hundred_percent: f64,
    /// Whether a unitless number is read as pixels, as pages in quirks mode do (many
    /// outlets' CMS pages have no doctype). Off, only `0` is a unitless length.
    pub quirks: bool,
}

impl Units {
    pub fn new(em: f64, hundred_percent: f64) -> Self {
        Units { em, hundred_percent, quirks: false }
    }
}

/// The type of a calculation's value (CSS Values 4 §10.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dim {
    Number,
    Percent,
    Length,
    Angle,
}

/// What a value is read as; percentages resolve against `Units` where they are lengths.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Number,
    Length(Units),
    Angle,
}

#[derive(Debug, Clone, Copy)]
struct Quantity {
    value: f64,
    dim: Dim,
}

/// A non-negative `<length-percentage>`.
pub fn length_percentage_non_negative(input: &mut Parser<'_>, units: Units) -> Parsed<f64> {
    let start = input.state();
    let literal = !matches!(input.next()?, Token::Function(_));
    input.reset(&start);
    let value = length_percentage(input, units)?;
    // A negative literal is invalid; a calculation is clamped to the allowed range.
    if value < 0.0 && literal {
        return invalid();
    }
    Ok(value.max(0.0))
}

/// A `<length-percentage>`, in pixels.
pub fn length_percentage(input: &mut Parser<'_>, units: Units) -> Parsed<f64> {
    let start = input.state();
    match input.next()?.clone() {
        Token::Number { value, .. } if value == 0.0 || units.quirks => Ok(f64::from(value)),
        Token::Number { .. } => invalid(),
        _ => {
            input.reset(&start);
            let q = quantity(input, Kind::Length(units))?;
            if q.dim == Dim::Length {
                Ok(q.value)
            } else {
                invalid()
            }
        }
    }
}

/// A `<number>`, or with `percent` also a `<percentage>` read as a fraction.
pub fn number(input: &mut Parser<'_>, percent: bool) -> Parsed<f64> {
    let q = quantity(input, Kind::Number)?;
    match q.dim {
        Dim::Number => Ok(q.value),
        Dim::Percent if percent => Ok(q.value / 100.0),
        _ => invalid(),
    }
}

/// An `<angle>` in degrees (a unitless zero allowed, as transforms allow it).
pub fn angle(input: &mut Parser<'_>) -> Parsed<f64> {
    let start = input.state();
    if let Token::Number { value, .. } = input.next()?.clone() {
        return if value == 0.0 { Ok(0.0) } else { invalid() };
    }
    input.reset(&start);
    let q = quantity(input, Kind::Angle)?;
    if q.dim == Dim::Angle {
        Ok(q.value)
    } else {
        invalid()
    }
}

/// A hue: an angle or a number of degrees.
fn hue(input: &mut Parser<'_>) -> Parsed<f64> {
    let q = quantity(input, Kind::Angle)?;
    match q.dim {
        Dim::Number | Dim::Angle => Ok(q.value),
        _ => invalid(),
    }
}

/// One numeric component: a literal or a math function.
fn quantity(input: &mut Parser<'_>, kind: Kind) -> Parsed<Quantity> {
    match input.next()?.clone() {
        Token::Function(name) => {
            let name = name.to_ascii_lowercase();
            if !is_math_function(&name) {
                return unknown();
            }
            input.parse_nested_block(|i| math_function(i, &name, kind))
        }
        token => leaf(&token, kind),
    }
}

fn is_math_function(name: &str) -> bool {
    matches!(name, "calc" | "-webkit-calc" | "-moz-calc" | "min" | "max" | "clamp" | "abs")
}

/// A literal operand: a number, percentage, dimension or constant.
fn leaf(token: &Token<'_>, kind: Kind) -> Parsed<Quantity> {
    let q = |value: f64, dim| Ok(Quantity { value, dim });
    match *token {
        Token::Number { value, .. } => q(f64::from(value), Dim::Number),
        Token::Percentage { unit_value, .. } => match kind {
            Kind::Length(units) => q(f64::from(unit_value) * units.hundred_percent, Dim::Length),
            _ => q(f64::from(unit_value) * 100.0, Dim::Percent),
        },
        Token::Dimension { value, ref unit, .. } => {
            let value = f64::from(value);
            if let Some(degrees) = angle_unit(unit) {
                return q(value * degrees, Dim::Angle);
            }
            match kind {
                Kind::Length(units) => match length_unit(unit, units) {
                    Some(px) => q(value * px, Dim::Length),
                    None => invalid(),
                },
                _ => invalid(),
            }
        }
        _ => invalid(),
    }
}

/// Pixels in one `unit`, for the length units browsers know.
fn length_unit(unit: &str, units: Units) -> Option<f64> {
    let vw = VIEWPORT_WIDTH_PX / 100.0;
    let vh = VIEWPORT_HEIGHT_PX / 100.0;
    Some(match_ignore_ascii_case! { unit,
        "px" => 1.0,
        "cm" => 96.0 / 2.54,
        "mm" => 96.0 / 25.4,
        "q" => 96.0 / 101.6,
        "in" => 96.0,
        "pt" => 96.0 / 72.0,
        "pc" => 16.0,
        "em" | "ic" => units.em,
        "rem" | "ric" => ROOT_FONT_PX,
        // Font metrics this module cannot read, at the proportions of common fonts.
        "ex" | "ch" => units.em / 2.0,
        "rex" | "rch" => ROOT_FONT_PX / 2.0,
        "cap" => units.em * 0.7,
        "rcap" => ROOT_FONT_PX * 0.7,
        "lh" => units.em * 1.2,
        "rlh" => ROOT_FONT_PX * 1.2,
        "vw" | "svw" | "lvw" | "dvw" | "vi" | "svi" | "lvi" | "dvi" | "cqw" | "cqi" => vw,
        "vh" | "svh" | "lvh" | "dvh" | "vb" | "svb" | "lvb" | "dvb" | "cqh" | "cqb" => vh,
        "vmin" | "svmin" | "lvmin" | "dvmin" | "cqmin" => vw.min(vh),
        "vmax" | "svmax" | "lvmax" | "dvmax" | "cqmax" => vw.max(vh),
        _ => return None,
    })
}

/// Degrees in one `unit`, for the angle units.
fn angle_unit(unit: &str) -> Option<f64> {
    Some(match_ignore_ascii_case! { unit,
        "deg" => 1.0,
        "rad" => 180.0 / std::f64::consts::PI,
        "grad" => 0.9,
        "turn" => 360.0,
        _ => return None,
    })
}

/// The arguments of a math function, evaluated.
fn math_function(input: &mut Parser<'_>, name: &str, kind: Kind) -> Parsed<Quantity> {
    match name {
        "min" | "max" => {
            let args = input.parse_comma_separated(|i| sum(i, kind))?;
            let dim = same_dim(&args)?;
            let pick = if name == "min" { f64::min } else { f64::max };
            let value = args.iter().map(|q| q.value).reduce(pick).expect("a comma-separated list is never empty");
            Ok(Quantity { value, dim })
        }
        "clamp" => {
            let args = input.parse_comma_separated(|i| sum(i, kind))?;
            let [low, value, high] = args[..] else { return invalid() };
            let dim = same_dim(&args)?;
            Ok(Quantity { value: value.value.min(high.value).max(low.value), dim })
        }
        "abs" => sum(input, kind).map(|q| Quantity { value: q.value.abs(), ..q }),
        _ => sum(input, kind),
    }
}

fn same_dim(args: &[Quantity]) -> Parsed<Dim> {
    let dim = args[0].dim;
    if args.iter().all(|q| q.dim == dim) {
        Ok(dim)
    } else {
        invalid()
    }
}

/// `product [ ' + ' | ' - ' product ]*`: the operators need white space on both sides.
fn sum(input: &mut Parser<'_>, kind: Kind) -> Parsed<Quantity> {
    let mut total = product(input, kind)?;
    loop {
        let before = input.state();
        match input.next_including_whitespace() {
            Err(_) => return Ok(total),
            Ok(Token::WhiteSpace(_)) => {}
            Ok(_) => {
                input.reset(&before);
                return Ok(total);
            }
        }
        let sign = match input.next_including_whitespace() {
            Err(_) => return Ok(total),
            Ok(Token::Delim('+')) => 1.0,
            Ok(Token::Delim('-')) => -1.0,
            Ok(_) => {
                // `a *b` and `a /b`: a product continues after the white space.
                input.reset(&before);
                return Ok(total);
            }
        };
        if !matches!(input.next_including_whitespace()?, Token::WhiteSpace(_)) {
            return invalid();
        }
        let term = product(input, kind)?;
        if term.dim != total.dim {
            return invalid();
        }
        total.value += sign * term.value;
    }
}

/// `operand [ '*' | '/' operand ]*`
fn product(input: &mut Parser<'_>, kind: Kind) -> Parsed<Quantity> {
    let mut total = operand(input, kind)?;
    loop {
        let before = input.state();
        let op = match input.next() {
            Ok(Token::Delim('*')) => '*',
            Ok(Token::Delim('/')) => '/',
            _ => {
                input.reset(&before);
                return Ok(total);
            }
        };
        let factor = operand(input, kind)?;
        total = match (op, total.dim, factor.dim) {
            ('*', Dim::Number, dim) => Quantity { value: total.value * factor.value, dim },
            ('*', dim, Dim::Number) | ('/', dim, Dim::Number) => {
                let value = if op == '*' { total.value * factor.value } else { total.value / factor.value };
                Quantity { value, dim }
            }
            _ => return invalid(),
        };
    }
}

fn operand(input: &mut Parser<'_>, kind: Kind) -> Parsed<Quantity> {
    let start = input.state();
    match input.next()?.clone() {
        Token::ParenthesisBlock => input.parse_nested_block(|i| sum(i, kind)),
        Token::Ident(name) => {
            let value = match_ignore_ascii_case! { &name,
                "e" => std::f64::consts::E,
                "pi" => std::f64::consts::PI,
                "infinity" => f64::INFINITY,
                "-infinity" => f64::NEG_INFINITY,
                // CSS censors a NaN to zero.
                "nan" => 0.0,
                _ => return invalid(),
            };
            Ok(Quantity { value, dim: Dim::Number })
        }
        _ => {
            input.reset(&start);
            quantity(input, kind)
        }
    }
}

/// A colour as red, green, blue and alpha, each from 0 to 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rgba {
    pub r: f64,
    pub g: f64,
    pub b: f64,
    pub a: f64,
}

impl Rgba {
    pub const TRANSPARENT: Rgba = Rgba { r: 0.0, g: 0.0, b: 0.0, a: 0.0 };

    fn opaque(r: u8, g: u8, b: u8) -> Self {
        Rgba { r: f64::from(r) / 255.0, g: f64::from(g) / 255.0, b: f64::from(b) / 255.0, a: 1.0 }
    }

    /// This colour painted over an opaque `below`.
    pub fn over(self, below: Rgba) -> Rgba {
        let mix = |top: f64, bottom: f64| top * self.a + bottom * (1.0 - self.a);
        Rgba { r: mix(self.r, below.r), g: mix(self.g, below.g), b: mix(self.b, below.b), a: 1.0 }
    }

    /// WCAG relative luminance.
    fn luminance(self) -> f64 {
        let linear = |c: f64| if c <= 0.04045 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) };
        0.2126 * linear(self.r) + 0.7152 * linear(self.g) + 0.0722 * linear(self.b)
    }

    /// The WCAG contrast ratio of two opaque colours: 1 when they are the same, 21 for
    /// black on white.
    pub fn contrast(self, other: Rgba) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }
}

/// A `<color>`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Color {
    Rgba(Rgba),
    /// `currentcolor`: the element's `color`.
    Current,
}

/// Reads a `<color>`. Colour spaces and system colours it does not convert are
/// `Fail::Unknown`.
pub fn color(input: &mut Parser<'_>) -> Parsed<Color> {
    match input.next()?.clone() {
        Token::Hash(hex) | Token::IDHash(hex) => match cssparser::color::parse_hash_color(hex.as_bytes()) {
            Ok((r, g, b, a)) => Ok(Color::Rgba(Rgba { a: f64::from(a), ..Rgba::opaque(r, g, b) })),
            Err(()) => invalid(),
        },
        Token::Ident(name) => named_color(&name),
        Token::Function(name) => {
            let name = name.to_ascii_lowercase();
            match name.as_str() {
                "rgb" | "rgba" => input.parse_nested_block(rgb),
                "hsl" | "hsla" | "hwb" => input.parse_nested_block(|i| hue_based(i, &name)),
                _ => unknown(),
            }
        }
        _ => invalid(),
    }
}

/// A named colour, `transparent` or `currentcolor`; system colours depend on the reader.
pub fn named_color(name: &str) -> Parsed<Color> {
    if name.eq_ignore_ascii_case("transparent") {
        return Ok(Color::Rgba(Rgba::TRANSPARENT));
    }
    if name.eq_ignore_ascii_case("currentcolor") {
        return Ok(Color::Current);
    }
    match cssparser::color::parse_named_color(name) {
        Ok((r, g, b)) => Ok(Color::Rgba(Rgba::opaque(r, g, b))),
        Err(()) if name.starts_with('-') => invalid(),
        // Canvas, CanvasText, LinkText… and the deprecated system colours.
        Err(()) => unknown(),
    }
}

/// The channels of a colour function: `a, b, c[, alpha]` or `a b c[ / alpha]`, each a
/// number or percentage (`none` is zero in the space-separated form).
fn channels(input: &mut Parser<'_>, channel: fn(&mut Parser<'_>) -> Parsed<f64>) -> Parsed<([f64; 3], f64)> {
    let legacy = input.try_parse(|i| {
        let first = channel(i)?;
        i.expect_comma()?;
        Ok::<_, ParseError<Fail>>(first)
    });
    let mut values = [0.0; 3];
    let alpha;
    if let Ok(first) = legacy {
        values[0] = first;
        values[1] = channel(input)?;
        input.expect_comma()?;
        values[2] = channel(input)?;
        alpha = if input.try_parse(|i| i.expect_comma()).is_ok() { number(input, true)? } else { 1.0 };
    } else {
        let or_none = |i: &mut Parser<'_>, read: &dyn Fn(&mut Parser<'_>) -> Parsed<f64>| {
            if i.try_parse(|i| i.expect_ident_matching("none")).is_ok() {
                Ok(0.0)
            } else {
                read(i)
            }
        };
        for value in &mut values {
            *value = or_none(input, &channel)?;
        }
        alpha =
            if input.try_parse(|i| i.expect_delim('/')).is_ok() { or_none(input, &|i| number(i, true))? } else { 1.0 };
    }
    Ok((values, alpha.clamp(0.0, 1.0)))
}

fn rgb(input: &mut Parser<'_>) -> Parsed<Color> {
    let channel = |i: &mut Parser<'_>| {
        let q = quantity(i, Kind::Number)?;
        match q.dim {
            Dim::Number => Ok(q.value / 255.0),
            Dim::Percent => Ok(q.value / 100.0),
            _ => invalid(),
        }
    };
    let ([r, g, b], a) = channels(input, channel)?;
    Ok(Color::Rgba(Rgba { r: r.clamp(0.0, 1.0), g: g.clamp(0.0, 1.0), b: b.clamp(0.0, 1.0), a }))
}

/// `hsl()` and `hwb()`: a hue, then two percentages (or numbers, out of 100).
fn hue_based(input: &mut Parser<'_>, name: &str) -> Parsed<Color> {
    let channel = |i: &mut Parser<'_>| {
        let state = i.state();
        if let Ok(h) = hue(i) {
            return Ok(h);
        }
        i.reset(&state);
        let q = quantity(i, Kind::Number)?;
        match q.dim {
            Dim::Number | Dim::Percent => Ok(q.value),
            _ => invalid(),
        }
    };
    let ([h, x, y], a) = channels(input, channel)?;
    let (x, y) = ((x / 100.0).clamp(0.0, 1.0), (y / 100.0).clamp(0.0, 1.0));
    let hue_rgb = |s: f64, l: f64| {
        let f = |n: f64| {
            let k = (n + h.rem_euclid(360.0) / 30.0) % 12.0;
            let a = s * l.min(1.0 - l);
            l - a * (k - 3.0).min(9.0 - k).clamp(-1.0, 1.0)
        };
        (f(0.0), f(8.0), f(4.0))
    };
    let (r, g, b) = if name == "hwb" {
        if x + y >= 1.0 {
            let gray = x / (x + y);
            (gray, gray, gray)
        } else {
            let (r, g, b) = hue_rgb(1.0, 0.5);
            let scale = |c: f64| c * (1.0 - x - y) + x;
            (scale(r), scale(g), scale(b))
        }
    } else {
        hue_rgb(x, y)
    };
    Ok(Color::Rgba(Rgba { r, g, b, a }))
}

/// A 2D affine transform, as CSS writes `matrix(a, b, c, d, e, f)`: a point (x, y)
/// goes to (a·x + c·y + e, b·x + d·y + f).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Affine {
    pub a: f64,
    pub b: f64,
    pub c: f64,
    pub d: f64,
    pub e: f64,
    pub f: f64,
}

impl Affine {
    pub const IDENTITY: Affine = Affine { a: 1.0, b: 0.0, c: 0.0, d: 1.0, e: 0.0, f: 0.0 };

    pub fn scale(x: f64, y: f64) -> Self {
        Affine { a: x, d: y, ..Self::IDENTITY }
    }

    pub fn translate(x: f64, y: f64) -> Self {
        Affine { e: x, f: y, ..Self::IDENTITY }
    }

    fn rotate(degrees: f64) -> Self {
        let (sin, cos) = degrees.to_radians().sin_cos();
        Affine { a: cos, b: sin, c: -sin, d: cos, e: 0.0, f: 0.0 }
    }

    /// A rotation about the axis (x, y, z), as seen flat (no perspective).
    fn rotate3d(x: f64, y: f64, z: f64, degrees: f64) -> Self {
        let length = (x * x + y * y + z * z).sqrt();
        if length == 0.0 {
            return Self::IDENTITY;
        }
        let (x, y, z) = (x / length, y / length, z / length);
        let (sin, cos) = degrees.to_radians().sin_cos();
        let t = 1.0 - cos;
        Affine {
            a: 1.0 + t * (x * x - 1.0),
            b: z * sin + x * y * t,
            c: x * y * t - z * sin,
            d: 1.0 + t * (y * y - 1.0),
            e: 0.0,
            f: 0.0,
        }
    }

    /// `self` then `next` in the element's own coordinates, as a transform list composes.
    pub fn then(self, next: Affine) -> Affine {
        Affine {
            a: self.a * next.a + self.c * next.b,
            b: self.b * next.a + self.d * next.b,
            c: self.a * next.c + self.c * next.d,
            d: self.b * next.c + self.d * next.d,
            e: self.a * next.e + self.c * next.f + self.e,
            f: self.b * next.e + self.d * next.f + self.f,
        }
    }

    /// How much the transform shrinks the element along its most squeezed direction
    /// (the smaller singular value): 0 when it is flattened to a line or a point.
    pub fn least_scale(&self) -> f64 {
        let sum = self.a * self.a + self.b * self.b + self.c * self.c + self.d * self.d;
        let det = (self.a * self.d - self.b * self.c).abs();
        let largest = ((sum + (sum * sum - 4.0 * det * det).max(0.0).sqrt()) / 2.0).sqrt();
        if largest == 0.0 || !largest.is_finite() {
            return 0.0;
        }
        det / largest
    }
}

/// A `<transform-list>` or `none`, as one matrix. Lengths are measured with `x` and
/// `y` (percentages are of the element's own box).
pub fn transform_list(input: &mut Parser<'_>, x: Units, y: Units) -> Parsed<Affine> {
    if input.try_parse(|i| i.expect_ident_matching("none")).is_ok() {
        return Ok(Affine::IDENTITY);
    }
    let mut total = Affine::IDENTITY;
    while !input.is_exhausted() {
        let name = input.expect_function()?.to_ascii_lowercase();
        let step = input.parse_nested_block(|i| transform_function(i, &name, x, y))?;
        total = total.then(step);
    }
    Ok(total)
}

fn transform_function(input: &mut Parser<'_>, name: &str, x: Units, y: Units) -> Parsed<Affine> {
    let numbers = |i: &mut Parser<'_>, count: usize| {
        let values = i.parse_comma_separated(|i| number(i, false))?;
        if values.len() == count {
            Ok(values)
        } else {
            invalid()
        }
    };
    let scale = |i: &mut Parser<'_>| number(i, true);
    let comma_then = |i: &mut Parser<'_>| i.try_parse(|i| i.expect_comma()).is_ok();
    Ok(match name {
        "matrix" => {
            let m = numbers(input, 6)?;
            Affine { a: m[0], b: m[1], c: m[2], d: m[3], e: m[4], f: m[5] }
        }
        "matrix3d" => {
            // Column-major 4×4; the flat picture is its x/y part (perspective ignored).
            let m = numbers(input, 16)?;
            Affine { a: m[0], b: m[1], c: m[4], d: m[5], e: m[12], f: m[13] }
        }
        "translate" => {
            let tx = length_percentage(input, x)?;
            let ty = if comma_then(input) { length_percentage(input, y)? } else { 0.0 };
            Affine::translate(tx, ty)
        }
        "translatex" => Affine::translate(length_percentage(input, x)?, 0.0),
        "translatey" => Affine::translate(0.0, length_percentage(input, y)?),
        "translatez" => {
            length_percentage(input, x)?;
            Affine::IDENTITY
        }
        "translate3d" => {
            let tx = length_percentage(input, x)?;
            input.expect_comma()?;
            let ty = length_percentage(input, y)?;
            input.expect_comma()?;
            length_percentage(input, x)?;
            Affine::translate(tx, ty)
        }
        "scale" => {
            let sx = scale(input)?;
            let sy = if comma_then(input) { scale(input)? } else { sx };
            Affine::scale(sx, sy)
        }
        "scalex" => Affine::scale(scale(input)?, 1.0),
        "scaley" => Affine::scale(1.0, scale(input)?),
        "scalez" => {
            scale(input)?;
            Affine::IDENTITY
        }
        "scale3d" => {
            let sx = scale(input)?;
            input.expect_comma()?;
            let sy = scale(input)?;
            input.expect_comma()?;
            scale(input)?;
            Affine::scale(sx, sy)
        }
        "rotate" | "rotatez" => Affine::rotate(angle(input)?),
        "rotatex" => Affine::rotate3d(1.0, 0.0, 0.0, angle(input)?),
        "rotatey" => Affine::rotate3d(0.0, 1.0, 0.0, angle(input)?),
        "rotate3d" => {
            let mut axis = [0.0; 3];
            for value in &mut axis {
                *value = number(input, false)?;
                input.expect_comma()?;
            }
            Affine::rotate3d(axis[0], axis[1], axis[2], angle(input)?)
        }
        "skew" => {
            let ax = angle(input)?;
            let ay = if comma_then(input) { angle(input)? } else { 0.0 };
            Affine { b: ay.to_radians().tan(), c: ax.to_radians().tan(), ..Affine::IDENTITY }
        }
        "skewx" => Affine { c: angle(input)?.to_radians().tan(), ..Affine::IDENTITY },
        "skewy" => Affine { b: angle(input)?.to_radians().tan(), ..Affine::IDENTITY },
        "perspective" => {
            if input.try_parse(|i| i.expect_ident_matching("none")).is_err() {
                length_percentage_non_negative(input, x)?;
            }
            Affine::IDENTITY
        }
        _ => return unknown(),
    })
}

/// The `rotate` property: `none`, an angle, or an axis (`x`, `y`, `z` or three numbers)
/// and an angle in either order.
pub fn rotate_property(input: &mut Parser<'_>) -> Parsed<Affine> {
    if input.try_parse(|i| i.expect_ident_matching("none")).is_ok() {
        return Ok(Affine::IDENTITY);
    }
    let degrees = input.try_parse(angle).ok();
    let axis = input.try_parse(|i| {
        let ident = i.expect_ident_cloned()?;
        match_ignore_ascii_case! { &ident,
            "x" => Ok([1.0, 0.0, 0.0]),
            "y" => Ok([0.0, 1.0, 0.0]),
            "z" => Ok([0.0, 0.0, 1.0]),
            _ => invalid(),
        }
    });
    let axis = match axis {
        Ok(axis) => Some(axis),
        Err(_) => input
            .try_parse(|i| Ok::<_, ParseError<Fail>>([number(i, false)?, number(i, false)?, number(i, false)?]))
            .ok(),
    };
    let degrees = match degrees {
        Some(d) => d,
        None => angle(input)?,
    };
    let [x, y, z] = axis.unwrap_or([0.0, 0.0, 1.0]);
    Ok(Affine::rotate3d(x, y, z, degrees))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn px(css: &str) -> Result<f64, Fail> {
        read(css, |i| length_percentage(i, Units::new(16.0, 1000.0)))
    }

    #[test]
    fn lengths_resolve_units_and_calculations() {
        assert_eq!(px("-9999px"), Ok(-9999.0));
        assert_eq!(px("0"), Ok(0.0));
        assert_eq!(px("2em"), Ok(32.0));
        assert_eq!(px("-100%"), Ok(-1000.0));
        assert_eq!(px("calc(-9999px)"), Ok(-9999.0));
        assert_eq!(px("calc(100% - 2 * 10px)"), Ok(980.0));
        assert_eq!(px("CALC( ( 1px + 2px ) * -3 )"), Ok(-9.0));
        assert_eq!(px("min(5px, -1in)"), Ok(-96.0));
        assert_eq!(px("clamp(0px, -50px, 10px)"), Ok(0.0));
        assert_eq!(px("calc(-infinity * 1px)"), Ok(f64::NEG_INFINITY));
        assert_eq!(px("-99vw"), Ok(-0.99 * VIEWPORT_WIDTH_PX));
    }

    #[test]
    fn invalid_lengths_are_told_from_unknown_ones() {
        for invalid in ["5", "1px -2px", "calc(1px -2px)", "calc(1px+2px)", "calc(1px * 2px)", "1xx", "calc(0)", "red"]
        {
            assert_eq!(px(invalid), Err(Fail::Invalid), "{invalid}");
        }
        for unknown in ["sin(1)", "attr(data-x px)", "calc(sin(1) * 1px)", "anchor(--a left)"] {
            assert_eq!(px(unknown), Err(Fail::Unknown), "{unknown}");
        }
        let quirky = Units { quirks: true, ..Units::new(16.0, 1000.0) };
        assert_eq!(read("-9999", |i| length_percentage(i, quirky)), Ok(-9999.0));
    }

    #[test]
    fn colours_parse_in_every_syntax() {
        let rgba = |css: &str| match read(css, color) {
            Ok(Color::Rgba(c)) => Some(((c.r * 255.0).round(), (c.g * 255.0).round(), (c.b * 255.0).round(), c.a)),
            _ => None,
        };
        let white = Some((255.0, 255.0, 255.0, 1.0));
        for css in [
            "#fff",
            "#FFFFFF",
            "#ffff",
            "white",
            "WHITE",
            "rgb(255,255,255)",
            "rgb(100% 100% 100%)",
            "rgba(255, 255, 255, 1)",
            "hsl(0 0% 100%)",
            "hsl(120deg, 50%, 100%)",
            "hwb(0 100% 0%)",
            "rgb(calc(255) 255 255 / 100%)",
        ] {
            assert_eq!(rgba(css), white, "{css}");
        }
        assert_eq!(rgba("transparent"), Some((0.0, 0.0, 0.0, 0.0)));
        assert_eq!(rgba("rgb(0 0 0 / 0)"), Some((0.0, 0.0, 0.0, 0.0)));
        assert_eq!(rgba("hsl(240, 100%, 50%)"), Some((0.0, 0.0, 255.0, 1.0)));
        assert_eq!(read("currentColor", color), Ok(Color::Current));
        assert_eq!(read("oklch(1 0 0)", color), Err(Fail::Unknown));
        assert_eq!(read("rgb(1, 2 3)", color), Err(Fail::Invalid));
        assert_eq!(read("#ggg", color), Err(Fail::Invalid));
    }

    #[test]
    fn transforms_compose_into_one_matrix() {
        let units = Units::new(16.0, 1000.0);
        let matrix = |css: &str| read(css, |i| transform_list(i, units, units));
        assert_eq!(matrix("scale(0)").unwrap().least_scale(), 0.0);
        assert_eq!(matrix("scaleY(0.0)").unwrap().least_scale(), 0.0);
        assert!(matrix("rotateX(90deg)").unwrap().least_scale() < 1e-9);
        assert!(matrix("skewX(89.999deg)").unwrap().least_scale() < 1e-3);
        assert!((matrix("rotate(45deg) scale(2)").unwrap().least_scale() - 2.0).abs() < 1e-9);
        assert_eq!(matrix("translateX(-9999px)").unwrap().e, -9999.0);
        assert_eq!(matrix("scale(2) translate(-10px, 5px)").unwrap().e, -20.0);
        assert!((matrix("matrix(0.001, 0, 0, 0.001, 0, 0)").unwrap().least_scale() - 0.001).abs() < 1e-9);
        assert_eq!(matrix("none"), Ok(Affine::IDENTITY));
        assert_eq!(matrix("scale(0) foo(1)"), Err(Fail::Unknown));
        assert_eq!(matrix("scale(0 0)"), Err(Fail::Invalid));
    }
}
