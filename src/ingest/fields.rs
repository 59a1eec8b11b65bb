//! The JSON Schemas of a pushed article's fields (`push::PushArticle`) for the OpenAPI
//! description (those shared with the catalog's forms are in `catalog::fields`). Each
//! schema states what the validators accept, built from their limits: a value the
//! description calls valid is not refused for its form (it may still name a column that does not exist, or a URL
//! outside the outlet's domains, which no schema can say). Types here carry no data:
//! they are named in `#[schema(value_type = …)]`.

use crate::catalog::fields::{field_schema, string};
use crate::domain::original_url::MAX_URL_LEN;
use crate::domain::text::MAX_MEDIA_TYPE_LEN;
use utoipa::openapi::schema::Schema;
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
const LINK_URL_PATTERN: &str = "^[Hh][Tt][Tt][Pp][Ss]?://([A-Za-z0-9]+(-[A-Za-z0-9]+)*\\.)*[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)*(:[0-9]{1,4})?(/([A-Za-z0-9._~!$&()*+,;=:@/-]|%[0-9A-Fa-f]{2})*)?(\\?([A-Za-z0-9._~!$&()*+,;=:@/?-]|%[0-9A-Fa-f]{2})*)?$";

/// The timestamps `timestamp::parse_timestamp` reads: RFC 3339 with seconds and an offset,
/// or a naive local time with or without seconds, in the years 1000 to 9999. Days past
/// the 28th are left out: not every month has them, which a pattern cannot say simply.
const TIMESTAMP_PATTERN: &str = "^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])|[T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]{1,9})?)?)$";

/// What `text::media_type` accepts: `type/subtype` in printable ASCII.
const MEDIA_TYPE_PATTERN: &str = "^[!-.0-~]+/[!-~]+$";

field_schema!(
    /// An article's original URL.
    ArticleUrl => string()
        .pattern(Some(LINK_URL_PATTERN))
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
        .pattern(Some(LINK_URL_PATTERN))
        .description(Some("An absolute `http` or `https` URL with a host."))
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
    /// An enclosure's media type.
    MediaType => string()
        .pattern(Some(MEDIA_TYPE_PATTERN))
        .max_length(Some(MAX_MEDIA_TYPE_LEN))
        .description(Some("A media type such as `audio/mpeg`."))
        .into()
);
