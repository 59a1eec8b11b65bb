//! An HTML source's per-field overrides: CSS selectors an operator writes when the
//! automatic extraction gets a site wrong. They are checked when the source is saved
//! (`PageRules::check`), so a selector that cannot work is refused with the field it is
//! in, never discovered at poll time.

use chrono::format::{Item, StrftimeItems};
use scraper::Selector;

/// Longest selector accepted, in characters: a real one is a few dozen.
const MAX_SELECTOR_CHARS: usize = 500;
/// Longest `date_format` accepted, in characters.
const MAX_DATE_FORMAT_CHARS: usize = 100;

/// Per-source overrides, each a CSS selector on the article page (`links`: on the list
/// page). A field left out is extracted automatically.
///
/// Read from a JSON object only (`Deserialize` below): a derived struct would also take an
/// array of its fields in order, which no operator means.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct PageRules {
    /// The article links on the list page (`a` elements, or elements containing them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub links: Option<String>,
    /// The article's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The element holding the article's text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// The element holding the publication time (its `datetime` or `content` attribute,
    /// else its text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// The element naming the author.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// The line carrying time, 来源 and 作者 together (`2018-06-28 11:39:20 来源:昌吉日报 作者:郑丽媛`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_line: Option<String>,
    /// How the publication time is written, in chrono's strftime syntax
    /// (`%Y年%m月%d日 %H:%M`); read in the outlet's time zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_format: Option<String>,
}

impl serde::Serialize for PageRules {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        PageRules::serialize(self, serializer)
    }
}

impl<'de> serde::Deserialize<'de> for PageRules {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let value = serde_json::Value::deserialize(deserializer)?;
        if !value.is_object() {
            return Err(D::Error::custom("must be an object of CSS selectors by field"));
        }
        PageRules::deserialize(value).map_err(D::Error::custom)
    }
}

/// A rule that cannot work, and the field it is in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct RuleError {
    /// The field, as a request names it (`rules.links`).
    pub field: &'static str,
    pub message: String,
}

impl PageRules {
    /// Whether every rule can work: selectors parse and are of bounded length, the date
    /// format is one chrono reads.
    pub fn check(&self) -> Result<(), RuleError> {
        for (field, selector) in self.selectors() {
            if let Some(selector) = selector {
                parse_selector(field, selector)?;
            }
        }
        if let Some(format) = &self.date_format {
            check_date_format(format)?;
        }
        Ok(())
    }

    /// Each selector with the field it is in.
    fn selectors(&self) -> [(&'static str, &Option<String>); 6] {
        [
            ("rules.links", &self.links),
            ("rules.title", &self.title),
            ("rules.content", &self.content),
            ("rules.published", &self.published),
            ("rules.author", &self.author),
            ("rules.source_line", &self.source_line),
        ]
    }
}

/// The compiled selector of a rule (`None`: no rule, or one `check` would refuse).
pub(super) fn compiled(rule: &Option<String>) -> Option<Selector> {
    rule.as_deref().and_then(|s| parse_selector("", s).ok())
}

fn parse_selector(field: &'static str, selector: &str) -> Result<Selector, RuleError> {
    let error = |message: String| RuleError { field, message };
    if selector.trim().is_empty() {
        return Err(error("must not be empty".into()));
    }
    if selector.chars().count() > MAX_SELECTOR_CHARS {
        return Err(error(format!("must be at most {MAX_SELECTOR_CHARS} characters")));
    }
    Selector::parse(selector).map_err(|e| error(format!("is not a CSS selector: {e}")))
}

fn check_date_format(format: &str) -> Result<(), RuleError> {
    let error = |message: String| RuleError { field: "rules.date_format", message };
    if format.trim().is_empty() {
        return Err(error("must not be empty".into()));
    }
    if format.chars().count() > MAX_DATE_FORMAT_CHARS {
        return Err(error(format!("must be at most {MAX_DATE_FORMAT_CHARS} characters")));
    }
    if StrftimeItems::new(format).any(|item| matches!(item, Item::Error)) {
        return Err(error(format!("'{format}' is not a strftime format (e.g. %Y-%m-%d %H:%M)")));
    }
    if !format.contains("%Y") && !format.contains("%y") && !format.contains("%F") && !format.contains("%s") {
        return Err(error("must contain a year (%Y, %y or %F)".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_read_from_an_object_only() {
        let read = |json: &str| serde_json::from_str::<PageRules>(json);
        assert_eq!(read(r#"{"links": "a.title"}"#).unwrap().links.as_deref(), Some("a.title"));
        assert!(read("[null, null]").is_err(), "an array of fields in order");
        assert!(read(r#"{"link": "a"}"#).unwrap_err().to_string().contains("unknown field"));
        assert_eq!(serde_json::to_string(&PageRules::default()).unwrap(), "{}");
    }

    #[test]
    fn no_rules_and_good_rules_pass() {
        assert_eq!(PageRules::default().check(), Ok(()));
        let rules = PageRules {
            links: Some("ul.list li > a".into()),
            content: Some("#zoom, .TRS_Editor".into()),
            date_format: Some("%Y年%m月%d日 %H:%M".into()),
            ..PageRules::default()
        };
        assert_eq!(rules.check(), Ok(()));
    }

    #[test]
    fn a_bad_rule_names_its_field() {
        let bad = |rules: PageRules| rules.check().unwrap_err().field;
        assert_eq!(bad(PageRules { links: Some("ul >> a[".into()), ..Default::default() }), "rules.links");
        assert_eq!(bad(PageRules { author: Some(" ".into()), ..Default::default() }), "rules.author");
        assert_eq!(bad(PageRules { title: Some("h1".repeat(300)), ..Default::default() }), "rules.title");
        assert_eq!(bad(PageRules { date_format: Some("%Y-%Q".into()), ..Default::default() }), "rules.date_format");
        assert_eq!(bad(PageRules { date_format: Some("%H:%M".into()), ..Default::default() }), "rules.date_format");
        let error = PageRules { content: Some("div[".into()), ..Default::default() }.check().unwrap_err();
        assert!(error.to_string().starts_with("rules.content: is not a CSS selector"), "{error}");
    }

    #[test]
    fn unknown_fields_are_refused() {
        assert!(serde_json::from_str::<PageRules>(r#"{"links":"a","body":"div"}"#).is_err());
        let rules: PageRules = serde_json::from_str(r#"{"title":"h1.t"}"#).unwrap();
        assert_eq!(rules.title.as_deref(), Some("h1.t"));
    }
}
