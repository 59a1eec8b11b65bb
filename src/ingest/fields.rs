//! How the fields outlets and the admin send about articles and polled sources (`push`,
//! `catalog::SourceForm`) are read, where serde alone would read them otherwise than the
//! description says, and their JSON Schemas for the OpenAPI description. Each schema states what
//! the validators accept, built from their limits: a value the description calls valid
//! is not refused for its form (it may still name a column that does not exist, or a URL
//! outside the outlet's domains, which no schema can say). Types here carry no data:
//! they are named in `#[schema(value_type = …)]`.

use crate::catalog::MAX_KEYWORD_CHARS;
use crate::domain::original_url::MAX_URL_LEN;
use crate::domain::slug::MAX_SLUG_LEN;
use crate::domain::source::RouteMatch;
use crate::domain::text::MAX_MEDIA_TYPE_LEN;
use serde::{Deserialize, Deserializer};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

/// Absolute `http(s)` URLs that `OriginalUrl::parse` and `text::http_url` take as they
/// are: host labels of letters and digits joined by single hyphens (no `xn--` label, whose
/// punycode could be invalid), the last one starting with a letter (a host ending in a
/// number is read as an IPv4 address, and refused when it is not one), an optional port,
/// and a path and query of the characters the URL standard leaves unescaped (escaping
/// could take a URL past its length limit) and of well-formed escapes. (No `format: uri`:
/// the URL standard these parsers follow takes what RFC 3986 does not, such as a stray
/// `%`, and such URLs are stored and shown as they were given.)
pub const WEB_URL_PATTERN: &str = "^[Hh][Tt][Tt][Pp][Ss]?://([A-Za-z0-9]+(-[A-Za-z0-9]+)*\\.)*[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)*(:[0-9]{1,4})?(/([A-Za-z0-9._~!$&()*+,;=:@/-]|%[0-9A-Fa-f]{2})*)?(\\?([A-Za-z0-9._~!$&()*+,;=:@/?-]|%[0-9A-Fa-f]{2})*)?$";

/// What `Slug::parse` writes, and so what a column is found by.
pub const SLUG_PATTERN: &str = "^[a-z0-9]+(-[a-z0-9]+)*$";

/// The timestamps `timestamp::parse_timestamp` reads: RFC 3339 with seconds and an offset,
/// or a naive local time with or without seconds, in the years 1000 to 9999. Days past
/// the 28th are left out: not every month has them, which a pattern cannot say simply.
pub const TIMESTAMP_PATTERN: &str = "^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])|[T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]{1,9})?)?)$";

/// What `text::language_tag` accepts.
pub const LANGUAGE_TAG_PATTERN: &str = "^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$";

/// What `text::media_type` accepts: `type/subtype` in printable ASCII.
pub const MEDIA_TYPE_PATTERN: &str = "^[!-.0-~]+/[!-~]+$";

/// Text with at least one character `text::required_text` keeps: neither white space (as
/// Rust's `str::trim` sees it) nor a character `text::is_xml_safe_char` drops.
pub const VISIBLE_TEXT_PATTERN: &str =
    "[^ \\t\\n\\r\\x00-\\x1f\\x7f-\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufdd0-\\ufdef\\ufffe\\uffff]";

/// A whole number that may be left out or `null`, also when written with a zero fraction
/// (`900.0`): JSON Schema, and so every client generated from the description, counts
/// that as an integer too.
pub fn whole_number<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i128>,
{
    struct Whole;
    impl<'de> serde::de::Visitor<'de> for Whole {
        type Value = Option<i128>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a whole number")
        }

        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
            deserializer.deserialize_any(self)
        }

        fn visit_i64<E>(self, value: i64) -> Result<Self::Value, E> {
            Ok(Some(value.into()))
        }

        fn visit_u64<E>(self, value: u64) -> Result<Self::Value, E> {
            Ok(Some(value.into()))
        }

        fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<Self::Value, E> {
            // Beyond 2^64 no JSON number is taken, whole or not.
            if value.fract() == 0.0 && value.abs() < 18_446_744_073_709_551_616.0 {
                Ok(Some(value as i128))
            } else {
                Err(E::invalid_value(serde::de::Unexpected::Float(value), &self))
            }
        }
    }
    match deserializer.deserialize_option(Whole)? {
        None => Ok(None),
        Some(number) => {
            T::try_from(number).map(Some).map_err(|_| serde::de::Error::custom(format!("{number} is out of range")))
        }
    }
}

/// A struct with this field `#[serde(flatten)]`ed (and `#[schema(ignore)]`d) is read from
/// a JSON object only: serde would also read it from an array of its fields' values in
/// order, which no client means and the description does not say.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ObjectOnly {}

fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

/// Declares a type that only names a schema.
macro_rules! field_schema {
    ($(#[$doc:meta])* $name:ident => $schema:expr) => {
        $(#[$doc])*
        pub struct $name;

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                $schema
            }
        }

        impl ToSchema for $name {}
    };
}

field_schema!(
    /// An article's original URL.
    ArticleUrl => string()
        .pattern(Some(WEB_URL_PATTERN))
        // A URL without a path is given one (`/`) when it is normalised.
        .max_length(Some(MAX_URL_LEN - 1))
        .description(Some(format!(
            "The article's link at the outlet: an absolute `http` or `https` URL with a host and no \
             credentials, at most {MAX_URL_LEN} characters once normalised, inside the outlet's `domains` (422 naming \
             `original_url` otherwise). It is the article's identity once normalised: scheme and host \
             lower-cased, a trailing dot in the host, the default port, the fragment and tracking \
             parameters dropped, percent-encoded unreserved characters decoded."
        )))
        .examples(["http://www.cjxww.cn/index.php?m=content&c=index&a=show&catid=407&id=93487"])
        .into()
);

field_schema!(
    /// A link to an image, a media file or a feed.
    LinkUrl => string()
        .pattern(Some(WEB_URL_PATTERN))
        .description(Some("An absolute `http` or `https` URL with a host."))
        .into()
);

field_schema!(
    /// A column named by its slug.
    ColumnSlug => string()
        .pattern(Some(SLUG_PATTERN))
        .min_length(Some(1))
        .max_length(Some(MAX_SLUG_LEN))
        .description(Some(format!(
            "The slug of an existing column: lower-case ASCII letters and digits in words joined by \
             single hyphens, at most {MAX_SLUG_LEN} characters."
        )))
        .examples(["party-96"])
        .into()
);

field_schema!(
    /// An outlet named by its slug.
    OutletSlug => string()
        .pattern(Some(SLUG_PATTERN))
        .min_length(Some(1))
        .max_length(Some(MAX_SLUG_LEN))
        .description(Some(format!(
            "The slug of an existing outlet: lower-case ASCII letters and digits in words joined by \
             single hyphens, at most {MAX_SLUG_LEN} characters."
        )))
        .examples(["cjrb"])
        .into()
);

field_schema!(
    /// A time as outlets write it.
    InputTimestamp => string()
        .pattern(Some(TIMESTAMP_PATTERN))
        .description(Some(
            "RFC 3339 (`2018-06-28T11:39:20+08:00`), or a naive local time `YYYY-MM-DD HH:MM[:SS[.fff]]` \
             (a `T` may separate date and time) read in the outlet's time zone; a time that does not \
             exist there (a daylight-saving gap) is refused, an ambiguous one takes the first occurrence.",
        ))
        .examples(["2018-06-28 11:39:20"])
        .into()
);

field_schema!(
    /// A keyword of a source's filters, or the value a routing rule matches.
    Keyword => string()
        .pattern(Some(VISIBLE_TEXT_PATTERN))
        .min_length(Some(1))
        .max_length(Some(MAX_KEYWORD_CHARS))
        .description(Some(format!(
            "Plain text of at most {MAX_KEYWORD_CHARS} characters, not blank; matched case-insensitively."
        )))
        .into()
);

field_schema!(
    /// How a routing rule recognises the items it routes.
    RouteMatchName => string()
        .enum_values(Some([RouteMatch::Category, RouteMatch::Keyword].map(RouteMatch::as_str)))
        .description(Some(
            "`category`: one of the item's categories equals `value`; `keyword`: the item's title or \
             text contains `value` (both case-insensitively).",
        ))
        .into()
);

field_schema!(
    /// An article's language.
    ArticleLanguage => string()
        .pattern(Some(LANGUAGE_TAG_PATTERN))
        .description(Some("A BCP 47 language tag in the form feeds use: `zh-CN`, `en`, `zh-Hant-TW`."))
        .into()
);

field_schema!(
    /// An enclosure's media type.
    MediaType => string()
        .pattern(Some(MEDIA_TYPE_PATTERN))
        .max_length(Some(MAX_MEDIA_TYPE_LEN))
        .description(Some("A media type such as `audio/mpeg`."))
        .into()
);
