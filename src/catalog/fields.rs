//! The JSON Schemas of the catalog forms' fields, for the OpenAPI description. Each is
//! built from the limits the validators (`catalog`, `domain`) apply, so that what the
//! description calls valid is what they accept, and what it calls invalid they refuse.
//! Types here carry no data: they are named in `#[schema(value_type = …)]`. Also here:
//! how the fields of every form (the catalog's, sources', pushed articles') are read where
//! serde alone would read them otherwise than the description says.

use super::{MAX_DESCRIPTION_CHARS, MAX_KEYWORD_CHARS, MAX_NAME_CHARS};
use crate::domain::domains::MAX_DOMAINS;
use crate::domain::password::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
use crate::domain::review::Review as ReviewMode;
use crate::domain::session::ConsoleLanguage;
use crate::domain::slug::MAX_SLUG_LEN;
use crate::domain::source::{RouteMatch, SourceKind};
use crate::domain::{ArticleStatus, Carriage, Indexing as IndexingPolicy, Role as UserRole};
use serde::{Deserialize, Deserializer};
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

/// What `Slug::parse` accepts (once trimmed).
pub(crate) const SLUG_PATTERN: &str = "^[a-z0-9]+(-[a-z0-9]+)*$";

/// Text with at least one character `required_text` keeps: neither white space (as Rust's
/// `str::trim` sees it) nor a character `domain::text::is_xml_safe_char` drops. Spelled
/// out rather than with `\s`, whose meaning differs between regex dialects. (The
/// noncharacters of the supplementary planes cannot be written here; a text of nothing
/// else is the one blank text this lets through.)
pub(crate) const VISIBLE_TEXT_PATTERN: &str =
    "[^ \\x00-\\x1f\\x7f-\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufdd0-\\ufdef\\ufffe\\uffff]";

/// What `text::http_url` accepts, as the URL standard reads it: `http` or `https` in any
/// case, any slashes, a host name (`text::is_host_name`) whose last label starts with a
/// letter or `_` (one ending in a number is read as an IPv4 address), a port, then
/// anything (a path, query or fragment is percent-encoded as needed), with white space and
/// control characters around it dropped. IP addresses, user names and Unicode host names
/// (which IDNA must map) are also accepted, which this pattern leaves out.
const WEB_URL_PATTERN: &str =
    "^[\\x00-\\x20]*[Hh][Tt][Tt][Pp][Ss]?:[/\\\\]*([A-Za-z0-9_-]+\\.)*[A-Za-z_][A-Za-z0-9_-]*\\.?\
                               (:[0-9]{0,4})?([/?#\\\\][\\s\\S]*)?[\\x00-\\x20]*$";

/// What `text::language_tag` accepts (once trimmed).
pub(crate) const LANGUAGE_TAG_PATTERN: &str = "^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$";

/// Domain names as `OutletDomains::parse_list` takes them, narrowed as `WEB_URL_PATTERN`
/// is (IP addresses and Unicode names are also accepted). Names that are public suffixes
/// (`com.cn`) are refused too, which no pattern can say.
const DOMAIN_NAME_PATTERN: &str =
    "^[\\t\\n\\x0b\\x0c\\r ]*(\\*\\.)?([A-Za-z0-9_-]+\\.)+[A-Za-z_][A-Za-z0-9_-]*\\.?[\\t\\n\\x0b\\x0c\\r ]*$";

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

pub(crate) fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

fn one_of_strings<'a>(description: &str, values: impl IntoIterator<Item = &'a str>) -> RefOr<Schema> {
    string().enum_values(Some(values)).description(Some(description)).into()
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
pub(crate) use field_schema;

field_schema!(
    /// A column's or outlet's slug.
    Slug => string()
        .pattern(Some(SLUG_PATTERN))
        .min_length(Some(1))
        .max_length(Some(MAX_SLUG_LEN))
        .description(Some(format!(
            "Lower-case ASCII letters, digits and inner single hyphens, 1–{MAX_SLUG_LEN} characters \
             (surrounding white space is trimmed on input)."
        )))
        .examples(["party-96"])
        .into()
);

field_schema!(
    /// A column's title, an outlet's or a partner's name.
    Name => string()
        .pattern(Some(VISIBLE_TEXT_PATTERN))
        .max_length(Some(MAX_NAME_CHARS))
        .description(Some(format!(
            "Plain text of at most {MAX_NAME_CHARS} characters, not blank. Surrounding white space and \
             characters XML cannot carry (C0 and C1 controls, noncharacters) are dropped."
        )))
        .into()
);

field_schema!(
    /// A user's real name, shown as 责任编辑 on one line (`text::one_line_name`).
    RealName => string()
        .pattern(Some(VISIBLE_TEXT_PATTERN))
        .max_length(Some(MAX_NAME_CHARS))
        .description(Some(format!(
            "One line of plain text of at most {MAX_NAME_CHARS} characters, not blank; surrounding white space \
             is trimmed. Control characters (line breaks and tabs included), line and paragraph separators and \
             format characters (bidi embeddings, overrides and isolates, zero-width spaces, soft hyphens; the \
             zero-width joiner and non-joiner aside) are refused (422 naming `name`)."
        )))
        .into()
);

field_schema!(
    /// A column's description, an outlet's rights line.
    LongText => string()
        .max_length(Some(MAX_DESCRIPTION_CHARS))
        .description(Some(format!(
            "Plain text of at most {MAX_DESCRIPTION_CHARS} characters. Surrounding white space and \
             characters XML cannot carry are dropped; blank text counts as none."
        )))
        .into()
);

field_schema!(
    /// An outlet's homepage.
    WebUrl => string()
        .pattern(Some(WEB_URL_PATTERN))
        .description(Some("An absolute `http` or `https` URL whose host is a host name or an IP address."))
        .into()
);

field_schema!(
    /// An outlet's default language.
    LanguageTag => string()
        .pattern(Some(LANGUAGE_TAG_PATTERN))
        .description(Some("A BCP 47 language tag in the form feeds use: `zh-CN`, `en`, `zh-Hant-TW`."))
        .into()
);

field_schema!(
    /// An outlet's time zone.
    TimeZone => string()
        .enum_values(Some(chrono_tz::TZ_VARIANTS.iter().map(|zone| zone.name())))
        .description(Some("An IANA time zone name, such as `Asia/Shanghai`, in which the outlet's naive timestamps are read."))
        .into()
);

field_schema!(
    /// How search engines treat an outlet's articles on the portal.
    Indexing => one_of_strings(
        "How search engines treat our copies of the outlet's articles: `self` (our page is canonical \
         and listed in sitemaps), `original` (`rel=canonical` to the original link, left out of \
         sitemaps), `noindex` (robots `noindex`, left out of sitemaps).",
        [IndexingPolicy::SelfCanonical, IndexingPolicy::Original, IndexingPolicy::Noindex].map(IndexingPolicy::as_str),
    )
);

field_schema!(
    /// What public feeds carry of an outlet's articles.
    FeedContent => one_of_strings(
        "What public feeds carry of the outlet's articles: the full content, or only the summary \
         (pages always show the whole article). WebSub deliveries apply the narrower of this and \
         `partner_content`.",
        [Carriage::Full, Carriage::Summary].map(Carriage::as_str),
    )
);

field_schema!(
    /// What the partner API gives of an outlet's articles.
    PartnerContent => one_of_strings(
        "What the partner API gives of the outlet's articles: everything, the summary only \
         (`content_html` null), or nothing (its articles never appear). WebSub deliveries apply \
         the narrower of this and `feed_content`.",
        [Carriage::Full, Carriage::Summary, Carriage::Nothing].map(Carriage::as_str),
    )
);

field_schema!(
    /// One of an outlet's domains.
    DomainName => string()
        .pattern(Some(DOMAIN_NAME_PATTERN))
        .description(Some(
            "A domain name, covering its subdomains (`cjxww.cn`; `*.cjxww.cn` says the same). It \
             must not be a public suffix such as `com.cn` (422).",
        ))
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
    RouteMatchName => one_of_strings(
        "`category`: one of the item's categories equals `value`; `keyword`: the item's title or \
         text contains `value` (both case-insensitively).",
        [RouteMatch::Category, RouteMatch::Keyword].map(RouteMatch::as_str),
    )
);

field_schema!(
    /// What a source's address is.
    SourceKindName => one_of_strings(
        "`feed` (the default): an RSS, Atom or JSON feed, its items the articles; `html`: a list page of the \
         outlet's site, whose linked article pages are fetched and read by extraction (automatic, or by `rules`).",
        [SourceKind::Feed, SourceKind::Html].map(SourceKind::as_str),
    )
);

/// Where an outlet's original URLs may be, as a form gives it (`catalog::DomainsForm`).
pub struct Domains;

impl PartialSchema for Domains {
    fn schema() -> RefOr<Schema> {
        let names = ArrayBuilder::new().items(DomainName::schema_ref()).min_items(Some(1)).max_items(Some(MAX_DOMAINS));
        OneOfBuilder::new()
            .item(names)
            .item(string().enum_values(Some(["any"])))
            .description(Some(
                "Where the outlet's original URLs may be: domain names, or `\"any\"`. A push or polled item \
                 whose `original_url` lies elsewhere is refused (422 naming `original_url`).",
            ))
            .into()
    }
}

impl ToSchema for Domains {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((DomainName::name().into(), DomainName::schema()));
    }
}

/// A `$ref` to a named schema.
trait SchemaRef: ToSchema {
    fn schema_ref() -> utoipa::openapi::Ref {
        utoipa::openapi::Ref::from_schema_name(Self::name())
    }
}

impl<T: ToSchema> SchemaRef for T {}

field_schema!(
    /// What a user may do.
    Role => one_of_strings(
        "`admin`: everything the admin token may; `editor`: articles, quarantine and sources of \
         the user's columns; `viewer`: reads only.",
        [UserRole::Admin, UserRole::Editor, UserRole::Viewer].map(UserRole::as_str),
    )
);

field_schema!(
    /// The language a user reads the console in.
    ConsoleLanguageName => one_of_strings(
        "`zh`: Chinese; `en`: English.",
        [ConsoleLanguage::Zh, ConsoleLanguage::En].map(ConsoleLanguage::as_str),
    )
);

field_schema!(
    /// A user's password, as typed.
    Password => string()
        .min_length(Some(MIN_PASSWORD_CHARS))
        .max_length(Some(MAX_PASSWORD_CHARS))
        .description(Some(format!(
            "{MIN_PASSWORD_CHARS}–{MAX_PASSWORD_CHARS} characters, kept only as an argon2id hash; never returned."
        )))
        .into()
);

field_schema!(
    /// Whose version of an article shows after its outlet corrected an editor's edit.
    TakeName => one_of_strings(
        "`outlet`: the outlet's corrected version (the edits are dropped); `edit`: the editor's, over it.",
        ["outlet", "edit"],
    )
);

field_schema!(
    /// Where an article stands, as staff see it.
    ArticleStatusName => one_of_strings(
        "`published`: public; `withdrawn`: withdrawn by its outlet or this site; `expired`: withdrawn when its \
         repost right ran out; `quarantined`: held by the content policy; `embargoed`: not public until its embargo \
         ends; `pending`: held for an editor's review; `rejected`: refused in review.",
        ArticleStatus::ALL.map(ArticleStatus::as_str),
    )
);

field_schema!(
    /// How an outlet's or a source's articles are published.
    Review => one_of_strings(
        "`auto`: published at once (the default); `manual`: held as `pending`, published nowhere, until an editor \
         approves it.",
        [ReviewMode::Auto, ReviewMode::Manual].map(ReviewMode::as_str),
    )
);
