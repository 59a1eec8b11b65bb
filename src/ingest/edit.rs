//! An editor's correction of an article (`PATCH /api/v1/articles/{id}`, the console's
//! edit form), validated and sanitised exactly as the same fields of a push are
//! (`push`: plain-text lines, sanitised HTML with hidden elements removed, the same
//! limits), so that nothing an editor types reaches a page or feed that an outlet
//! could not have sent.

use super::push::{self, PushImage, MAX_LINE_CHARS, MAX_SUMMARY_CHARS};
use crate::catalog::{fields, not_null, present};
use crate::domain::correction::Correction;
use crate::domain::errors::FieldErrors;
use crate::domain::text::make_xml_safe;
use serde::Deserialize;

/// What an editor changes of an article: a field left out stays as it is; `null` (or
/// blank) clears an optional one. The outlet's own version is kept: its title stays
/// the original title (原标题), shown beside an edited one. Unknown fields are refused
/// (400).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "昌吉州基层党组织当好“头雁”"}))]
pub struct ArticleEdit {
    /// Plain text (markup is stripped), at most 1,000 characters once stripped. Under a
    /// column with `strict_titles` (or one under such a column), only its punctuation
    /// and spacing may differ from the original title (422 naming `title`).
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = String, min_length = 1, max_length = 1000)]
    pub title: Option<String>,
    /// Subtitle or series line: plain text, at most 1,000 characters.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 1000)]
    pub subtitle: Option<Option<String>>,
    /// HTML, at most 20,000 characters; sanitised.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 20000)]
    pub summary: Option<Option<String>>,
    /// The HTML body, at most 1,500,000 bytes; sanitised (hidden elements, scripts,
    /// event handlers and `javascript:` links removed).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub content_html: Option<Option<String>>,
    /// Files it under these columns instead, primary first, by the rules of `PUT
    /// /api/v1/articles/{id}/columns`.
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = Vec<fields::Slug>, min_items = 1)]
    pub columns: Option<Vec<String>>,
    /// The lead image; `null` for none.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<PushImage>)]
    pub image: Option<Option<PushImage>>,
}

/// The correction `edit` asks for, its relative links resolved against `base` (the
/// article's original URL); every bad field named. Its `columns` are the catalogue's
/// to check (`catalog::filing`), and left out.
pub fn correction(edit: ArticleEdit, base: &url::Url) -> Result<Correction, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut hidden = 0;
    let correction = Correction {
        title: edit.title.and_then(|t| errors.check("title", push::title(Some(&t)))),
        subtitle: edit.subtitle.and_then(|s| errors.check("subtitle", push::plain_line(s.as_deref(), MAX_LINE_CHARS))),
        summary: edit.summary.and_then(|s| {
            errors.check("summary", push::html_field(s.as_deref(), MAX_SUMMARY_CHARS, base, &mut hidden))
        }),
        content_html: edit
            .content_html
            .and_then(|c| errors.check("content_html", push::content(c.as_deref(), base, &mut hidden))),
        image: edit.image.and_then(|i| errors.check("image", i.map(push::image).transpose())),
    };
    if hidden > 0 {
        tracing::info!(removed = hidden, "hidden elements removed from an editor's correction");
    }
    errors.into_result()?;
    Ok(xml_safe(correction))
}

/// Drops every character XML forbids, as `ArticleDraft::make_xml_safe` does for an
/// outlet's version.
fn xml_safe(mut correction: Correction) -> Correction {
    let Correction { title, subtitle, summary, content_html, image } = &mut correction;
    title.iter_mut().for_each(make_xml_safe);
    for field in [subtitle, summary, content_html] {
        field.iter_mut().flatten().for_each(make_xml_safe);
    }
    for image in image.iter_mut().flatten() {
        make_xml_safe(&mut image.url);
        image.caption.iter_mut().for_each(make_xml_safe);
    }
    correction
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> url::Url {
        url::Url::parse("http://www.cjxww.cn/index.php?id=93487").unwrap()
    }

    fn edit(json: &str) -> ArticleEdit {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn every_field_is_sanitised_as_a_pushed_one_is() {
        let correction = correction(
            edit(concat!(
                r#"{"title": "<b>头雁</b>\u0001", "subtitle": " ", "content_html": "<p onclick=\"x()\">正文"#,
                r#"<script>alert(1)</script><a href=\"javascript:x()\">链</a>"#,
                r#"<span style=\"display:none\">bet365</span><img src=\"/a.jpg\"></p>"}"#,
            )),
            &base(),
        )
        .unwrap();
        assert_eq!(correction.title.as_deref(), Some("头雁"));
        assert_eq!(correction.subtitle, Some(None), "blank clears");
        let content = correction.content_html.unwrap().unwrap();
        for gone in ["onclick", "script", "javascript:", "bet365"] {
            assert!(!content.contains(gone), "{gone} in {content}");
        }
        assert!(content.contains("http://www.cjxww.cn/a.jpg"), "{content}");
        assert_eq!((correction.summary, correction.image), (None, None));
    }

    #[test]
    fn each_bad_field_is_named() {
        let long = "长".repeat(1001);
        let json = format!(r#"{{"title": " ", "subtitle": "{long}", "image": {{"url": "ftp://x"}}}}"#);
        let errors = correction(edit(&json), &base()).unwrap_err();
        let named: Vec<&str> = errors.iter().map(|(field, _)| field.as_str()).collect();
        assert_eq!(named, ["image", "subtitle", "title"]);
    }

    #[test]
    fn a_title_cannot_be_cleared_and_unknown_fields_are_refused() {
        assert!(serde_json::from_str::<ArticleEdit>(r#"{"title": null}"#).is_err());
        assert!(serde_json::from_str::<ArticleEdit>(r#"{"author": "x"}"#).is_err());
        let cleared = edit(r#"{"image": null, "summary": null}"#);
        let correction = correction(cleared, &base()).unwrap();
        assert_eq!((correction.image, correction.summary), (Some(None), Some(None)));
    }
}
