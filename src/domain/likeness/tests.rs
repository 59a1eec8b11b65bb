//! The measurements behind the thresholds (README, "One story from many outlets"):
//! run with `cargo test --lib likeness -- --nocapture` to see the figures.

use super::*;

use super::fixtures::STORIES;

/// Another outlet's lead: its own 本报讯 line (or dateline) instead of the first one's.
fn other_lead(html: &str) -> String {
    for marker in ["讯(", "(Northwest Wire)</strong> —"] {
        if let Some(at) = html.find(marker) {
            let end = html[at..].find([')', '—']).map_or(at, |e| at + e + ')'.len_utf8());
            let lead = if marker.starts_with('讯') {
                "<p>本报讯(记者 王伟 通讯员 李强)"
            } else {
                "<p>(Tianshan Daily) "
            };
            return format!("{lead}{}", &html[end..]);
        }
    }
    format!("<p>本报讯 </p>{html}")
}

/// One sentence of the middle of the text rewritten.
fn changed_sentence(html: &str) -> String {
    let middle = html.char_indices().nth(html.chars().count() / 2).map_or(0, |(i, _)| i);
    let start = html[..middle].rfind(['。', '.']).map_or(0, |i| i + html[i..].chars().next().map_or(1, char::len_utf8));
    let end = html[middle..].find(['。', '.']).map_or(html.len(), |i| middle + i);
    let replacement = if html.is_ascii() {
        "Officials said further work on the project would follow later in the year"
    } else {
        "据悉,有关部门还将持续跟进相关工作,确保各项措施落到实处"
    };
    format!("{}{replacement}{}", &html[..start], &html[end..])
}

/// Other punctuation and markup: full-width commas and brackets, quotes changed,
/// emphasis dropped.
fn other_punctuation(html: &str) -> String {
    html.replace(',', ",")
        .replace('(', "(")
        .replace(')', ")")
        .replace(['“', '”'], "\"")
        .replace("<strong>", "")
        .replace("</strong>", "")
        .replace(", ", ",")
}

/// Every minor edit at once, and the outlet's own line at the end.
fn wire_copy(html: &str) -> String {
    format!("{}<p>(责任编辑:张敏)</p>", other_punctuation(&changed_sentence(&other_lead(html))))
}

/// What one outlet puts around every story: a header with its reporter line and a
/// long copyright footer.
fn with_boilerplate(html: &str) -> String {
    format!(
        "<p>昌吉日报全媒体记者 郑丽媛 通讯员 王刚 报道</p>{html}<p>本网声明:凡注明来源为昌吉日报的稿件,\
         版权均属昌吉日报所有,未经书面授权不得转载、摘编或利用其他方式使用上述作品。已经授权使用作品的,\
         应在授权范围内使用,并注明来源:昌吉日报。违反上述声明者,本网将追究其相关法律责任。\
         联系电话:0994-2346671</p>"
    )
}

fn likeness(title: &str, html: &str) -> Likeness {
    Likeness::of(title, Some(html)).expect("every fixture is long enough")
}

fn shares_a_band(a: &Likeness, b: &Likeness) -> bool {
    a.band_keys().iter().zip(b.band_keys()).any(|(x, y)| *x == y)
}

/// The pairs that are one story (each fixture against each edited copy) and those that
/// are not (every two fixtures, each with the same boilerplate).
fn pairs() -> (Vec<(Likeness, Likeness)>, Vec<(Likeness, Likeness)>) {
    let edits: [fn(&str) -> String; 4] = [other_lead, changed_sentence, other_punctuation, wire_copy];
    let mut same = Vec::new();
    for (title, html) in STORIES {
        for edit in edits {
            same.push((likeness(title, html), likeness(title, &edit(html))));
        }
    }
    let mut different = Vec::new();
    for (i, (a_title, a)) in STORIES.iter().enumerate() {
        for (b_title, b) in &STORIES[i + 1..] {
            different.push((likeness(a_title, &with_boilerplate(a)), likeness(b_title, &with_boilerplate(b))));
        }
    }
    (same, different)
}

#[test]
fn one_story_with_minor_edits_is_a_near_duplicate_and_different_stories_sharing_boilerplate_are_not() {
    let (same, different) = pairs();
    let lowest_same = same.iter().map(|(a, b)| a.similarity(b)).fold(1.0, f64::min);
    let highest_different = different.iter().map(|(a, b)| a.similarity(b)).fold(0.0, f64::max);
    let found = same.iter().filter(|(a, b)| shares_a_band(a, b) && a.is_near_duplicate_of(b)).count();
    let false_links = different.iter().filter(|(a, b)| shares_a_band(a, b) && a.is_near_duplicate_of(b)).count();
    let candidates = different.iter().filter(|(a, b)| shares_a_band(a, b)).count();
    println!(
        "one story: {} pairs, lowest similarity {lowest_same:.3}, {found} linked; \
         different stories with shared boilerplate: {} pairs, highest similarity {highest_different:.3}, \
         {candidates} candidates, {false_links} linked",
        same.len(),
        different.len()
    );
    assert_eq!(found, same.len(), "every edited copy is found and linked");
    assert_eq!(false_links, 0, "no two different stories are linked");
    assert!(lowest_same >= NEAR_DUPLICATE + 0.05, "a margin above the threshold: {lowest_same}");
    assert!(highest_different <= NEAR_DUPLICATE - 0.05, "a margin below the threshold: {highest_different}");
}

#[test]
fn full_width_forms_punctuation_spacing_and_markup_do_not_count() {
    let (title, html) = STORIES[0];
    let folded = html.replace("<p>", "<p> <em></em>").replace('。', ". ").replace('1', "1");
    assert_eq!(likeness(title, html), likeness(title, &folded));
    assert_eq!(likeness("A Title", "<p>Some &amp; text</p>".repeat(9).as_str()), {
        likeness("a title", "<p>some text</p>".repeat(9).as_str())
    });
}

#[test]
fn short_texts_are_not_compared() {
    assert_eq!(Likeness::of("天气预报", Some("<p>今天晴,明天多云。</p>")), None);
    assert_eq!(Likeness::of("", None), None);
}

#[test]
fn the_stored_form_reads_back_and_nothing_else_does() {
    let signature = likeness(STORIES[1].0, STORIES[1].1);
    assert_eq!(Likeness::from_hex(&signature.to_hex()), Some(signature.clone()));
    assert_eq!(Likeness::from_hex("zz"), None);
    assert_eq!(Likeness::from_hex(&"g".repeat(HASHES * 8)), None);
    assert_eq!(Likeness::from_hex(&"é".repeat(HASHES * 4)), None);
    assert_eq!(signature.band_keys().len(), BANDS);
}

#[test]
fn signatures_do_not_change_between_builds() {
    // Stored signatures are compared with new ones: the hashes are fixed forever.
    let signature = likeness("昌吉州农村公路提质改造工程全面开工", STORIES[2].1);
    assert_eq!(&signature.to_hex()[..32], "00e918000120a04902e2d5c30072467e");
}
