//! An article's title: a heading on the page that the `<title>` or `og:title` also
//! carries (so neither a logo's `<h1>` nor a column name is taken), else `og:title`,
//! else the nearest heading before the text, else the `<title>` without the site's
//! name (`标题_栏目_昌吉新闻网`, `Title | Site`, `站名—标题`).

use super::dom;
use super::meta::Meta;
use scraper::{ElementRef, Html, Selector};
use std::sync::LazyLock;

/// Characters a title has at least and at most.
const MIN_CHARS: usize = 4;
const MAX_CHARS: usize = 300;
/// Headings looked at.
const MAX_HEADINGS: usize = 200;

static HEADINGS: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse("h1, h2, h3, [class*=title i], [id*=title i], [class*=biaoti i]").expect("valid"));

/// The title, and the element it was read from when it was one.
pub fn find<'a>(
    document: &'a Html,
    meta: &Meta,
    content: Option<ElementRef<'a>>,
) -> Option<(String, Option<ElementRef<'a>>)> {
    // A heading's text, and its first line: PHPCMS puts the byline in the `<h1>`, after a `<br>`.
    let headings: Vec<(ElementRef<'a>, String)> = document
        .select(&HEADINGS)
        .take(MAX_HEADINGS)
        .filter(|h| !is_in_or_around_head(*h))
        .flat_map(|h| {
            let text = dom::text(h);
            let first = text.lines().next().unwrap_or_default().to_owned();
            let whole = text.split_whitespace().collect::<Vec<_>>().join(" ");
            let first = (first != whole).then_some((h, first));
            [Some((h, whole)), first].into_iter().flatten()
        })
        .filter(|(_, text)| (MIN_CHARS..=MAX_CHARS).contains(&text.chars().count()))
        .collect();
    let declared: Vec<&String> = [&meta.og_title, &meta.title].into_iter().flatten().collect();
    let matching = headings
        .iter()
        .find(|(_, text)| declared.iter().any(|d| d.as_str() == text || segments(d).iter().any(|s| s == text)));
    if let Some((heading, text)) = matching {
        return Some((text.clone(), Some(*heading)));
    }
    if let Some(og) = &meta.og_title {
        return Some((without_site_name(og, meta.site_name.as_deref()), None));
    }
    // The nearest heading before the text (or opening it), an `<h1>` before any other.
    let before_content: Vec<&(ElementRef<'a>, String)> = match content {
        Some(content) => headings
            .iter()
            .filter(|(h, _)| is_heading_tag(*h))
            .filter(|(h, _)| h.id() < content.id() || h.ancestors().any(|a| a.id() == content.id()))
            .collect(),
        None => Vec::new(),
    };
    let nearest = before_content.iter().rev().find(|(h, _)| h.value().name() == "h1").or_else(|| before_content.last());
    if let Some((heading, text)) = nearest {
        return Some((text.clone(), Some(*heading)));
    }
    if let Some(title) = &meta.title {
        return Some((without_site_name(title, meta.site_name.as_deref()), None));
    }
    headings.into_iter().find(|(h, _)| h.value().name() == "h1").map(|(h, text)| (text, Some(h)))
}

fn is_heading_tag(element: ElementRef<'_>) -> bool {
    matches!(element.value().name(), "h1" | "h2" | "h3") || !element.value().name().starts_with('h')
}

/// The `<title>` itself matches `[class*=title]` nowhere, but a `<head>` might hold junk.
fn is_in_or_around_head(element: ElementRef<'_>) -> bool {
    element.value().name() == "title"
        || element.ancestors().filter_map(ElementRef::wrap).any(|a| a.value().name() == "head")
}

/// A declared title cut at the separators sites put between title, column and site name.
fn segments(title: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let chars: Vec<char> = title.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        let spaced = |i: usize| {
            chars.get(i.wrapping_sub(1)).is_some_and(|c| c.is_whitespace())
                && chars.get(i + 1).is_some_and(|c| c.is_whitespace())
        };
        let cjk_around = |i: usize| {
            chars.get(i.wrapping_sub(1)).is_some_and(|c| !c.is_ascii())
                || chars.get(i + 1).is_some_and(|c| !c.is_ascii())
        };
        let separator = match c {
            '_' | '|' | '｜' | '—' | '–' | '－' => true,
            '-' | '·' | ':' => spaced(i) || cjk_around(i),
            _ => false,
        };
        match separator {
            true => parts.push(String::new()),
            false => parts.last_mut().expect("never empty").push(*c),
        }
    }
    parts.into_iter().map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()).collect()
}

/// A declared title without the site's name: the segment that is not the site, the
/// longest when there are several.
pub fn without_site_name(title: &str, site_name: Option<&str>) -> String {
    let parts = segments(title);
    let site = site_name.map(str::trim);
    parts
        .iter()
        .filter(|p| site != Some(p.as_str()))
        .max_by_key(|p| p.chars().count())
        .cloned()
        .unwrap_or_else(|| title.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_names_come_off() {
        assert_eq!(
            without_site_name("做带领群众奔向幸福生活的“头雁”_庆祝建党96周年_博格达网", None),
            "做带领群众奔向幸福生活的“头雁”"
        );
        assert_eq!(
            without_site_name("昌吉新闻网—镇村道路全面完工，群众出行更方便", None),
            "镇村道路全面完工，群众出行更方便"
        );
        assert_eq!(
            without_site_name("Flood waters recede in the valley | The Valley Post", Some("The Valley Post")),
            "Flood waters recede in the valley"
        );
        assert_eq!(without_site_name("A well-known story", None), "A well-known story");
    }
}
