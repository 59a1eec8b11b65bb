//! The push format: the JSON an outlet POSTs to `/api/v1/articles`, and its validation
//! into an `ArticleDraft`. Every problem is reported against the field that caused it.

use super::{fields, sanitize};
use crate::catalog::fields::{self as catalog_fields, LanguageTag, Slug};
use crate::domain::column::ColumnTree;
use crate::domain::errors::FieldErrors;
use crate::domain::text::{has_visible, http_url, language_tag, media_type, optional_text};
use crate::domain::timestamp::parse_timestamp;
use crate::domain::{ArticleDraft, Enclosure, Image, OriginalUrl, Outlet, Schedule};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Longest title, in characters, after markup is stripped.
pub const MAX_TITLE_CHARS: usize = 1_000;
/// Longest subtitle/series line and rights line, in characters.
pub const MAX_LINE_CHARS: usize = 1_000;
/// Longest author (byline), in characters.
pub const MAX_AUTHOR_CHARS: usize = 300;
/// Longest summary, in characters of HTML.
pub const MAX_SUMMARY_CHARS: usize = 20_000;
/// Largest content, in bytes of HTML.
pub const MAX_CONTENT_BYTES: usize = 1_500_000;
/// Most columns one article may be reposted under.
pub const MAX_COLUMNS_PER_ARTICLE: usize = 16;
/// Most tags per article, and the longest tag in characters.
pub const MAX_TAGS: usize = 32;
pub const MAX_TAG_CHARS: usize = 100;
/// Most enclosures per article.
pub const MAX_ENCLOSURES: usize = 16;

/// One article pushed by an outlet. An article is identified by its normalised
/// `original_url`: pushing the same URL again updates it (or reinstates it if withdrawn).
/// HTML fields are sanitised (hidden elements and anything unsafe removed, relative URLs
/// resolved against `original_url`); one-line fields are reduced to plain text. Unknown
/// fields are refused by name with 422 (`is not a field of an article`); a value of the
/// wrong JSON type is 400.
//
// Every field is optional here so that a missing one is reported by name rather than as
// a parse error; unknown fields are collected and refused, since they are almost always
// a misspelling. (The description says which are required, and that no others may be
// given: `http::ingest` closes the schema, which serde's `flatten` leaves open.)
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({
    "original_url": "http://www.cjxww.cn/index.php?m=content&c=index&a=show&catid=407&id=93487",
    "title": "做带领群众奔向幸福生活的“头雁”",
    "subtitle": "自治州党的建设工作系列报道之二",
    "author": "郑丽媛",
    "original_published_at": "2018-06-28 11:39:20",
    "content_html": "<p>…</p>",
    "columns": ["party-96"]
}))]
pub struct PushArticle {
    #[schema(value_type = fields::ArticleUrl, required = true)]
    pub original_url: Option<String>,
    /// Plain text (markup is stripped), at most 1,000 characters once stripped.
    #[schema(value_type = String, required = true, min_length = 1, max_length = 1000)]
    pub title: Option<String>,
    /// Subtitle or series line: plain text, at most 1,000 characters.
    #[schema(max_length = 1000)]
    pub subtitle: Option<String>,
    /// Byline: plain text, at most 300 characters.
    #[schema(max_length = 300)]
    pub author: Option<String>,
    /// HTML, at most 20,000 characters.
    #[schema(max_length = 20000)]
    pub summary: Option<String>,
    /// The HTML body, at most 1,500,000 bytes.
    pub content_html: Option<String>,
    /// When the outlet published it.
    #[schema(value_type = fields::InputTimestamp, required = true)]
    pub original_published_at: Option<String>,
    /// When the outlet last changed it.
    #[schema(value_type = Option<fields::InputTimestamp>)]
    pub original_updated_at: Option<String>,
    /// The columns it is reposted under, primary first (1 to 16; duplicates are ignored).
    #[schema(value_type = Vec<Slug>, required = true, min_items = 1, max_items = 16)]
    pub columns: Option<Vec<String>>,
    /// Absent: the outlet's language.
    #[schema(value_type = Option<LanguageTag>)]
    pub language: Option<String>,
    /// Plain text, each at most 100 characters; at most 32. Empty and repeated tags are dropped.
    #[schema(max_items = 32, max_length = 100)]
    pub tags: Option<Vec<String>>,
    /// Plain text, at most 1,000 characters.
    #[schema(max_length = 1000)]
    pub rights: Option<String>,
    pub image: Option<PushImage>,
    /// At most 16.
    #[schema(max_items = 16)]
    pub enclosures: Option<Vec<PushEnclosure>>,
    /// Embargo: the article is invisible everywhere (pages, feeds, sitemaps, WebSub, partner
    /// API) until then, and is then published with this time as its repost time. A time
    /// already past means no embargo; an article that has already been public cannot be put
    /// under embargo again.
    #[schema(value_type = Option<fields::InputTimestamp>)]
    pub publish_at: Option<String>,
    /// The end of the repost right, later than `publish_at` (422 otherwise): the article is
    /// withdrawn automatically then (its page answers 410 and partners get a tombstone).
    #[schema(value_type = Option<fields::InputTimestamp>)]
    pub expires_at: Option<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: BTreeMap<String, serde_json::Value>,
}

/// The article's lead image.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushImage {
    #[serde(flatten)]
    #[schema(ignore)]
    pub object: catalog_fields::ObjectOnly,
    #[schema(value_type = fields::LinkUrl)]
    pub url: String,
    /// Plain text, at most 1,000 characters.
    #[schema(max_length = 1000)]
    pub caption: Option<String>,
}

/// A media file the article carries (a podcast's audio…).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushEnclosure {
    #[serde(flatten)]
    #[schema(ignore)]
    pub object: catalog_fields::ObjectOnly,
    #[schema(value_type = fields::LinkUrl)]
    pub url: String,
    #[serde(rename = "type")]
    #[schema(value_type = fields::MediaType)]
    pub mime_type: String,
    /// Its size in bytes.
    #[serde(default, deserialize_with = "catalog_fields::whole_number")]
    pub length: Option<u64>,
}

/// Validates and sanitises a pushed article from `outlet` into a draft.
pub fn draft_from_push(input: PushArticle, outlet: &Outlet, columns: &ColumnTree) -> Result<ArticleDraft, FieldErrors> {
    let mut errors = FieldErrors::new();
    for name in input.unknown.keys() {
        errors.add(name.clone(), "is not a field of an article");
    }
    let original_url = errors.check(
        "original_url",
        OriginalUrl::parse(input.original_url.as_deref().unwrap_or("")).and_then(|url| {
            if outlet.may_publish(&url) {
                Ok(url)
            } else {
                Err(outlet.not_yours())
            }
        }),
    );
    let base = original_url
        .as_ref()
        .and_then(|u| url::Url::parse(u.as_str()).ok())
        .unwrap_or_else(|| url::Url::parse(&outlet.homepage).expect("outlet homepages are validated URLs"));

    let title = errors.check("title", title(input.title.as_deref()));
    let subtitle = errors.check("subtitle", plain_line(input.subtitle.as_deref(), MAX_LINE_CHARS));
    let author = errors.check("author", plain_line(input.author.as_deref(), MAX_AUTHOR_CHARS));
    let rights = errors.check("rights", plain_line(input.rights.as_deref(), MAX_LINE_CHARS));
    let mut hidden_removed = 0;
    let summary =
        errors.check("summary", html_field(input.summary.as_deref(), MAX_SUMMARY_CHARS, &base, &mut hidden_removed));
    let content_html = errors.check("content_html", content(input.content_html.as_deref(), &base, &mut hidden_removed));
    let published = errors.check(
        "original_published_at",
        parse_timestamp(input.original_published_at.as_deref().unwrap_or(""), outlet.timezone),
    );
    let updated = errors.check(
        "original_updated_at",
        input.original_updated_at.as_deref().map(|t| parse_timestamp(t, outlet.timezone)).transpose(),
    );
    let column_ids = errors.check("columns", column_ids(input.columns.as_deref(), columns));
    let language = errors.check(
        "language",
        input.language.as_deref().map(language_tag).transpose().map(|l| l.or(outlet.language.clone())),
    );
    let tags = errors.check("tags", tags(input.tags.unwrap_or_default()));
    let image = errors.check("image", input.image.map(image).transpose());
    let enclosures = errors.check("enclosures", enclosures(input.enclosures.unwrap_or_default()));
    let schedule = schedule(&mut errors, input.publish_at.as_deref(), input.expires_at.as_deref(), outlet);
    match (
        original_url,
        title,
        subtitle,
        author,
        rights,
        summary,
        content_html,
        published,
        updated,
        column_ids,
        language,
        tags,
        image,
        enclosures,
        schedule,
    ) {
        (
            Some(original_url),
            Some(title),
            Some(subtitle),
            Some(author),
            Some(rights),
            Some(summary),
            Some(content_html),
            Some(original_published_at),
            Some(original_updated_at),
            Some(column_ids),
            Some(language),
            Some(tags),
            Some(image),
            Some(enclosures),
            Some(schedule),
        ) if errors.is_empty() => Ok(ArticleDraft {
            original_url,
            title,
            subtitle,
            author,
            credit: None,
            summary,
            content_html,
            language,
            tags,
            rights,
            image,
            enclosures,
            original_published_at,
            original_updated_at,
            column_ids,
            hidden_removed,
            schedule,
        }
        .into_xml_safe()),
        _ => Err(errors),
    }
}

/// The embargo and expiry, each in the outlet's zone when it names none; an expiry must
/// come after the embargo ends.
fn schedule(
    errors: &mut FieldErrors,
    publish_at: Option<&str>,
    expires_at: Option<&str>,
    outlet: &Outlet,
) -> Option<Schedule> {
    let publish_at = errors.check("publish_at", publish_at.map(|t| parse_timestamp(t, outlet.timezone)).transpose());
    let expires_at = errors.check("expires_at", expires_at.map(|t| parse_timestamp(t, outlet.timezone)).transpose());
    let schedule = Schedule { publish_at: publish_at?, expires_at: expires_at? };
    if let (Some(start), Some(end)) = (schedule.publish_at, schedule.expires_at) {
        if end <= start {
            errors.add("expires_at", "must be later than publish_at");
            return None;
        }
    }
    Some(schedule)
}

pub(super) fn title(value: Option<&str>) -> Result<String, String> {
    let text = sanitize::plain_text(value.unwrap_or(""));
    let title = optional_text(Some(&text), MAX_TITLE_CHARS)?.unwrap_or_default();
    if !has_visible(&title) {
        return Err("is required".into());
    }
    Ok(title)
}

/// A one-line plain-text field: markup stripped, empty becomes absent.
pub(super) fn plain_line(value: Option<&str>, max: usize) -> Result<Option<String>, String> {
    optional_text(value.map(sanitize::plain_text).as_deref(), max)
}

pub(super) fn html_field(
    value: Option<&str>,
    max_chars: usize,
    base: &url::Url,
    hidden: &mut u32,
) -> Result<Option<String>, String> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) if v.chars().count() > max_chars => Err(format!("must be at most {max_chars} characters")),
        Some(v) => {
            let (html, removed) = sanitize::html_counting_hidden(v, base);
            *hidden += removed;
            Ok(Some(html).filter(|h| !h.is_empty()))
        }
    }
}

pub(super) fn content(value: Option<&str>, base: &url::Url, hidden: &mut u32) -> Result<Option<String>, String> {
    match value {
        Some(v) if v.len() > MAX_CONTENT_BYTES => Err(format!("must be at most {MAX_CONTENT_BYTES} bytes")),
        _ => html_field(value, usize::MAX, base, hidden),
    }
}

fn column_ids(slugs: Option<&[String]>, columns: &ColumnTree) -> Result<Vec<i64>, String> {
    let slugs = slugs.unwrap_or_default();
    if slugs.is_empty() {
        return Err("must name at least one column".into());
    }
    if slugs.len() > MAX_COLUMNS_PER_ARTICLE {
        return Err(format!("may name at most {MAX_COLUMNS_PER_ARTICLE} columns"));
    }
    let mut ids = Vec::with_capacity(slugs.len());
    for slug in slugs {
        let column = columns.by_slug(slug.trim()).ok_or_else(|| format!("unknown column '{}'", slug.trim()))?;
        if !ids.contains(&column.id) {
            ids.push(column.id);
        }
    }
    Ok(ids)
}

fn tags(raw: Vec<String>) -> Result<Vec<String>, String> {
    if raw.len() > MAX_TAGS {
        return Err(format!("may hold at most {MAX_TAGS} tags"));
    }
    let mut tags: Vec<String> = Vec::new();
    for tag in raw {
        let tag = sanitize::plain_text(&tag);
        if tag.chars().count() > MAX_TAG_CHARS {
            return Err(format!("each tag must be at most {MAX_TAG_CHARS} characters"));
        }
        if !tag.is_empty() && !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    Ok(tags)
}

pub(super) fn image(raw: PushImage) -> Result<Image, String> {
    Ok(Image {
        url: http_url(&raw.url).map_err(|e| format!("url {e}"))?,
        caption: plain_line(raw.caption.as_deref(), MAX_LINE_CHARS).map_err(|e| format!("caption {e}"))?,
    })
}

fn enclosures(raw: Vec<PushEnclosure>) -> Result<Vec<Enclosure>, String> {
    if raw.len() > MAX_ENCLOSURES {
        return Err(format!("may hold at most {MAX_ENCLOSURES} enclosures"));
    }
    raw.into_iter()
        .enumerate()
        .map(|(i, e)| {
            Ok(Enclosure {
                mime_type: media_type(&e.mime_type).map_err(|err| format!("[{i}].type {err}"))?,
                url: http_url(&e.url).map_err(|err| format!("[{i}].url {err}"))?,
                length: e.length,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use utoipa::PartialSchema;

    fn schema<T: PartialSchema>() -> Value {
        serde_json::to_value(T::schema()).unwrap()
    }

    /// The description states the limits `draft_from_push` applies (the attributes take
    /// only literals).
    #[test]
    fn the_description_states_the_limits_that_are_applied() {
        let article = schema::<PushArticle>();
        let field = |name: &str| article["properties"][name].clone();
        for (name, max) in [
            ("title", MAX_TITLE_CHARS),
            ("subtitle", MAX_LINE_CHARS),
            ("author", MAX_AUTHOR_CHARS),
            ("summary", MAX_SUMMARY_CHARS),
            ("rights", MAX_LINE_CHARS),
        ] {
            assert_eq!(field(name)["maxLength"], max, "{name}");
        }
        assert_eq!(field("columns")["maxItems"], MAX_COLUMNS_PER_ARTICLE);
        assert_eq!(field("tags")["maxItems"], MAX_TAGS);
        assert_eq!(field("tags")["items"]["maxLength"], MAX_TAG_CHARS);
        assert_eq!(field("enclosures")["maxItems"], MAX_ENCLOSURES);
        assert_eq!(schema::<PushImage>()["properties"]["caption"]["maxLength"], MAX_LINE_CHARS);
        let required: Vec<&str> = article["required"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
        assert_eq!(required, ["original_url", "title", "original_published_at", "columns"]);
    }

    #[test]
    fn nested_objects_are_read_from_objects_only_and_lengths_may_have_a_zero_fraction() {
        let enclosure: PushEnclosure =
            serde_json::from_str(r#"{"url": "https://x.cn/a.mp3", "type": "audio/mpeg", "length": 2.0}"#).unwrap();
        assert_eq!(enclosure.length, Some(2));
        for refused in [
            r#"["https://x.cn/a.mp3", "audio/mpeg", 2]"#,
            r#"{"url": "https://x.cn/a.mp3", "type": "audio/mpeg", "length": 2.5}"#,
            r#"{"url": "https://x.cn/a.mp3", "type": "audio/mpeg", "length": -1}"#,
            r#"{"url": "https://x.cn/a.mp3", "type": "audio/mpeg", "size": 1}"#,
        ] {
            assert!(serde_json::from_str::<PushEnclosure>(refused).is_err(), "{refused}");
        }
        assert!(serde_json::from_str::<PushImage>(r#"["https://x.cn/a.jpg", null]"#).is_err());
    }
}
