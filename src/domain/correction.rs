//! Editors' corrections (issue 15): an editor may shorten or clarify what an outlet
//! sent, but the outlet's own version stays stored beside the edit, its title shown as
//! the original title (原标题), and a column marked `strict_titles` (or one under it)
//! refuses a title that says more or other than the original does — Chinese rules
//! forbid distorting a reposted title in news columns.
//!
//! An edit is a `Correction` laid over the outlet's `Editable` fields. Each field of a
//! correction is left as it is (`None`) or set; an optional field may be set to nothing
//! (`Some(None)`), which is not the same as not edited.

use super::article::Image;
use super::column::ColumnTree;
use super::policy::fold;
use icu_properties::props::{DefaultIgnorableCodePoint, GeneralCategory, GeneralCategoryGroup};
use icu_properties::{CodePointMapData, CodePointSetData};

/// The fields of an article an editor may correct, as one version (the outlet's, or
/// the one shown) holds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Editable {
    pub title: String,
    pub subtitle: Option<String>,
    pub summary: Option<String>,
    pub content_html: Option<String>,
    pub image: Option<Image>,
}

/// What an editor changes: `None` leaves a field as it is; `Some(None)` sets an
/// optional field to nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Correction {
    pub title: Option<String>,
    pub subtitle: Option<Option<String>>,
    pub summary: Option<Option<String>>,
    pub content_html: Option<Option<String>>,
    pub image: Option<Option<Image>>,
}

impl Correction {
    /// Whether it sets nothing.
    pub fn is_empty(&self) -> bool {
        *self == Correction::default()
    }

    /// This correction with `later` laid over it: what `later` sets wins.
    pub fn then(self, later: Correction) -> Correction {
        Correction {
            title: later.title.or(self.title),
            subtitle: later.subtitle.or(self.subtitle),
            summary: later.summary.or(self.summary),
            content_html: later.content_html.or(self.content_html),
            image: later.image.or(self.image),
        }
    }

    /// Only what differs from `outlet`'s version: a field set back to the outlet's
    /// value is no longer edited (so its original shows, and follows the outlet's
    /// later corrections).
    pub fn against(self, outlet: &Editable) -> Correction {
        Correction {
            title: self.title.filter(|t| *t != outlet.title),
            subtitle: self.subtitle.filter(|s| *s != outlet.subtitle),
            summary: self.summary.filter(|s| *s != outlet.summary),
            content_html: self.content_html.filter(|c| *c != outlet.content_html),
            image: self.image.filter(|i| *i != outlet.image),
        }
    }

    /// What readers see: `outlet`'s version with this correction laid over it.
    pub fn applied_to(&self, outlet: &Editable) -> Editable {
        Editable {
            title: self.title.clone().unwrap_or_else(|| outlet.title.clone()),
            subtitle: self.subtitle.clone().unwrap_or_else(|| outlet.subtitle.clone()),
            summary: self.summary.clone().unwrap_or_else(|| outlet.summary.clone()),
            content_html: self.content_html.clone().unwrap_or_else(|| outlet.content_html.clone()),
            image: self.image.clone().unwrap_or_else(|| outlet.image.clone()),
        }
    }

    /// The names of the fields it sets, as the APIs name them.
    pub fn field_names(&self) -> Vec<&'static str> {
        [
            ("title", self.title.is_some()),
            ("subtitle", self.subtitle.is_some()),
            ("summary", self.summary.is_some()),
            ("content_html", self.content_html.is_some()),
            ("image", self.image.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect()
    }
}

/// Which version shows once an outlet corrected an article an editor had edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Take {
    /// The outlet's corrected version: the edits are dropped.
    Outlet,
    /// The editor's: the edits stay over the outlet's new version.
    Edit,
}

impl Take {
    pub fn parse(name: &str) -> Result<Take, String> {
        match name {
            "outlet" => Ok(Take::Outlet),
            "edit" => Ok(Take::Edit),
            other => Err(format!("'{other}' is neither 'outlet' nor 'edit'")),
        }
    }
}

/// Whether `edited` says what `original` says. Both are folded as the content policy
/// folds text (`policy::fold`: NFKC with full case folding, so full-width `ＡＢ` is `ab`
/// and a full-width `，` is a `,`), except that characters with no agreed appearance
/// (controls, format, private-use, unassigned and default-ignorable code points) are
/// kept as they are rather than dropped. Then only these may differ:
/// - spacing (white space and separators, Z*);
/// - punctuation (P*) that touches no digit on either side and is not one of
///   `MEANINGFUL_PUNCTUATION`.
///
/// Everything else counts: letters, digits, marks, every symbol (S*: `<`, `>`, `≠`, `$`,
/// emoji), the punctuation of numbers (`1.5`, `-1`, `1,000`, `3/5`, `2:30`) and the
/// characters readers cannot see. Changing “” to "", or 。to a space, keeps a title;
/// changing a word, a number or a sign does not.
pub fn same_title(original: &str, edited: &str) -> bool {
    title_words(original) == title_words(edited)
}

/// Punctuation that carries meaning wherever it stands (per cent, per mille, number
/// sign, and, at, times, slash, backslash, section), so it always counts.
pub const MEANINGFUL_PUNCTUATION: &[char] = &['%', '‰', '‱', '#', '&', '@', '*', '/', '\\', '§'];

/// What `same_title` compares: the folded title without spacing and without the
/// punctuation that does not count.
fn title_words(title: &str) -> Vec<char> {
    let category = CodePointMapData::<GeneralCategory>::new();
    let folded: Vec<char> = title_fold(title).chars().collect();
    let digit = |at: Option<&char>| at.is_some_and(|&c| GeneralCategoryGroup::Number.contains(category.get(c)));
    let ignored = |i: usize, c: char| {
        let group = category.get(c);
        c.is_whitespace()
            || GeneralCategoryGroup::Separator.contains(group)
            || GeneralCategoryGroup::Punctuation.contains(group)
                && !MEANINGFUL_PUNCTUATION.contains(&c)
                && !digit(i.checked_sub(1).and_then(|p| folded.get(p)))
                && !digit(folded.get(i + 1))
    };
    folded.iter().enumerate().filter(|&(i, &c)| !ignored(i, c)).map(|(_, &c)| c).collect()
}

/// `policy::fold` for titles: the characters it removes as showing nothing (controls,
/// format, private-use, unassigned, default-ignorable) are kept, unfolded, so that
/// adding or removing one changes a title.
fn title_fold(title: &str) -> String {
    let category = CodePointMapData::<GeneralCategory>::new();
    let ignorable = CodePointSetData::new::<DefaultIgnorableCodePoint>();
    let opaque = |c: char| {
        !c.is_whitespace() && (GeneralCategoryGroup::Other.contains(category.get(c)) || ignorable.contains(c))
    };
    let (mut folded, mut run) = (String::with_capacity(title.len()), String::new());
    for c in title.chars() {
        if opaque(c) {
            folded.push_str(&fold(&std::mem::take(&mut run)));
            folded.push(c);
        } else {
            run.push(c);
        }
    }
    folded.push_str(&fold(&run));
    folded
}

/// Why an edited title may not show under `column_ids`: one of them, or a column above
/// one, has `strict_titles`, and `edited` differs from `original` by more than
/// punctuation and spacing (`same_title`). Names the strict column.
pub fn strict_title_refusal(tree: &ColumnTree, column_ids: &[i64], original: &str, edited: &str) -> Option<String> {
    let strict = column_ids.iter().find_map(|&id| tree.strict_titles_by(id))?;
    (!same_title(original, edited)).then(|| {
        format!(
            "column '{}' keeps titles as their outlets wrote them: only spacing and punctuation away from \
             digits may change (the original title is '{original}')",
            strict.slug
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::column::Column;

    fn outlet() -> Editable {
        Editable {
            title: "做带领群众奔向幸福生活的“头雁”".into(),
            subtitle: Some("自治州党的建设工作系列报道之二".into()),
            summary: None,
            content_html: Some("<p>正文</p>".into()),
            image: None,
        }
    }

    #[test]
    fn punctuation_width_case_and_spacing_do_not_change_a_title() {
        let original = "做带领群众奔向幸福生活的“头雁”";
        assert!(same_title(original, "做带领群众奔向幸福生活的\"头雁\""));
        assert!(same_title(original, "做带领群众奔向幸福生活的「头雁」!"));
        assert!(same_title(original, " 做带领群众 奔向幸福生活的 头雁 "));
        assert!(same_title("Xinjiang, 2018 cotton harvest", "XINJIANG 2018 — Cotton Harvest…"));
        assert!(same_title("ＡＢＣ１２３，全角", "abc123,全角"));
        assert!(same_title("昌吉州：增收", "昌吉州:增收"));
    }

    #[test]
    fn a_changed_added_or_dropped_word_changes_a_title() {
        let original = "做带领群众奔向幸福生活的“头雁”";
        assert!(!same_title(original, "带领群众奔向幸福生活"));
        assert!(!same_title(original, "做带领群众奔向幸福生活的“孤雁”"));
        assert!(!same_title("Cotton harvest up 5%", "Cotton harvest up 50%"));
        assert!(!same_title("abc", "abd"));
    }

    #[test]
    fn quotes_commas_and_spacing_away_from_digits_do_not_change_a_title() {
        assert!(same_title("“头雁”", "\"头雁\""));
        assert!(same_title("头雁,奋进", "头雁，奋进"));
        assert!(same_title("头雁 奋进", "头雁\u{3000}奋进\t"));
        assert!(same_title("增长1.5%", "增长 1.5 %"));
    }

    #[test]
    fn the_punctuation_of_numbers_and_meaningful_signs_count() {
        let original = "增长1.5% 失业率 > 3%";
        assert!(!same_title(original, "增长15% 失业率 < 3%"));
        assert!(!same_title(original, "增长15% 失业率 > 3%"), "a decimal point");
        assert!(!same_title(original, "增长-1.5% 失业率 > 3%"), "a minus");
        assert!(!same_title(original, "增长1.5‰ 失业率 > 3‰"));
        assert!(!same_title("1,000人", "1000人"));
        assert!(!same_title("3/5", "35"));
        assert!(!same_title("2:30开会", "230开会"));
        assert!(!same_title("A&B", "AB"));
        assert!(!same_title("#话题", "话题"));
    }

    #[test]
    fn every_symbol_and_invisible_character_counts() {
        let original = "头雁";
        for changed in [
            "头雁≠",
            "$头雁",
            "头雁🎉",
            "\u{202E}头雁",
            "头\u{E000}雁",
            "头\u{0378}雁",
            "头\u{200B}雁",
            "头雁\u{0301}",
            "头雁\u{3164}",
        ] {
            assert!(!same_title(original, changed), "{changed:?}");
        }
    }

    fn tree() -> ColumnTree {
        let mut news = crate::domain::column::test_column(1, "news", None, false);
        news.strict_titles = true;
        ColumnTree::new(vec![
            news,
            crate::domain::column::test_column(2, "local", Some(1), false),
            crate::domain::column::test_column(3, "culture", None, false),
        ])
    }

    #[test]
    fn a_strict_column_and_those_below_it_refuse_a_changed_title_and_name_the_column() {
        let tree = tree();
        let refusal = strict_title_refusal(&tree, &[3, 2], "头雁", "孤雁").unwrap();
        assert!(refusal.contains("'news'"), "{refusal}");
        assert_eq!(strict_title_refusal(&tree, &[1], "“头雁”", "「头雁」"), None);
        assert_eq!(strict_title_refusal(&tree, &[3], "头雁", "孤雁"), None);
        let _: &Column = tree.strict_titles_by(2).unwrap();
    }

    #[test]
    fn a_field_set_back_to_the_outlets_value_is_no_longer_edited() {
        let earlier = Correction { title: Some("头雁".into()), summary: Some(None), ..Correction::default() };
        let later = Correction { title: Some(outlet().title), ..Correction::default() };
        let merged = earlier.then(later).against(&outlet());
        // The summary was already empty at the outlet's: setting it to nothing edits nothing.
        assert!(merged.is_empty(), "{merged:?}");
    }

    #[test]
    fn edited_to_nothing_is_not_the_same_as_not_edited() {
        let correction = Correction { subtitle: Some(None), ..Correction::default() }.against(&outlet());
        assert_eq!(correction.field_names(), ["subtitle"]);
        let shown = correction.applied_to(&outlet());
        assert_eq!(shown.subtitle, None);
        assert_eq!(shown.title, outlet().title);
        assert_eq!(Correction::default().applied_to(&outlet()), outlet());
    }
}
