//! Responses for everything public and cacheable (feeds, pages, sitemaps): a strong
//! ETag from the body, Last-Modified, 304 on If-None-Match / If-Modified-Since
//! (RFC 9110 §13), gzip when the client accepts it, and Cache-Control. A document is
//! prepared once (compressed, validated) and then answered with as often as it is asked for.
//!
//! Also the security headers: every response forbids content sniffing (`nosniff`: a feed
//! or a JSON error is never run as a script or page), and every HTML page carries its
//! Content-Security-Policy, a framing ban and a referrer policy (`page_headers`).

use super::cache::DependsOn;
use crate::publish::html::Page;
use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use flate2::write::GzEncoder;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::sync::{Arc, OnceLock};

/// Large bodies are kept where connections can send them without a copy.
#[cfg(target_os = "linux")]
use super::zero_copy::shareable;
#[cfg(not(target_os = "linux"))]
fn shareable(body: Bytes) -> Bytes {
    body
}

/// Bodies smaller than this are not worth compressing.
const MIN_GZIP_BYTES: usize = 512;
/// How long feeds and pages may be reused before revalidation (seconds).
pub const FEED_MAX_AGE: u32 = 300;
pub const PAGE_MAX_AGE: u32 = 60;
/// RFC 5005 archive documents are stable: a day.
pub const ARCHIVE_MAX_AGE: u32 = 86_400;
/// Kept images are named by their content's hash, so they never change: a year, the
/// longest RFC 9111 advises, and `immutable`.
pub const MEDIA_MAX_AGE: u32 = 31_536_000;

/// The media type of HTML pages.
const HTML: &str = "text/html; charset=utf-8";

/// Which origins other sites are told readers come from: only ours, never a reader's
/// path, and nothing from https to http. Outlets still see that readers came from the
/// portal (links to them carry no `noreferrer`); this is also browsers' default, pinned.
const REFERRER_POLICY: &str = "strict-origin-when-cross-origin";

/// A rendered public document and how it may be cached.
pub struct Representation {
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub last_modified: Option<DateTime<Utc>>,
    pub max_age: u32,
    /// Whether any origin may read it (feeds and read-only JSON).
    pub cross_origin: bool,
    /// Headers of its own (an HTML page's policy).
    pub headers: HeaderMap,
    /// Which page of a listing it is, after the first (`?page=N`): the render cache keeps
    /// it under its path and this page, whatever else the request's query held.
    pub listing_page: Option<i64>,
    /// Named by its content, so never changed (`Cache-Control: immutable`).
    pub immutable: bool,
    /// Worth gzipping when large enough (not already compressed images).
    pub compress: bool,
}

impl Representation {
    pub fn new(content_type: &'static str, body: impl Into<Vec<u8>>, max_age: u32) -> Self {
        Representation {
            content_type,
            body: body.into(),
            last_modified: None,
            max_age,
            cross_origin: false,
            headers: HeaderMap::new(),
            listing_page: None,
            immutable: false,
            compress: true,
        }
    }

    /// A kept image (`/media/{hash}.{ext}`): the same bytes for as long as the name
    /// exists, and not worth compressing again.
    pub fn immutable_file(content_type: &'static str, body: Vec<u8>) -> Self {
        Representation { immutable: true, compress: false, ..Representation::new(content_type, body, MEDIA_MAX_AGE) }
    }

    /// An HTML page, with the headers every page carries.
    pub fn page(page: Page, max_age: u32) -> Self {
        let headers = page_headers(&page);
        Representation { headers, ..Representation::new(HTML, page.html, max_age) }
    }

    /// Page `page` of a listing (the first is the listing's own address).
    pub fn listing_page(mut self, page: i64) -> Self {
        self.listing_page = (page > 1).then_some(page);
        self
    }

    pub fn modified(mut self, at: DateTime<Utc>) -> Self {
        self.last_modified = Some(at);
        self
    }

    pub fn cross_origin(mut self) -> Self {
        self.cross_origin = true;
        self
    }

    /// Answers the request and hands the prepared document to the render cache, which
    /// keeps it until a change it `depends_on` (see `cache::keep_rendered`).
    pub fn respond_cached(self, request: &HeaderMap, depends_on: DependsOn) -> Response {
        let listing_page = self.listing_page;
        let prepared = Arc::new(self.prepare());
        let mut response = prepared.respond(request);
        response.extensions_mut().insert(Cacheable { prepared, depends_on, listing_page });
        response
    }

    /// Computes the validators and headers every answer reuses. The gzip encoding is
    /// made when first asked for, then kept.
    pub fn prepare(self) -> Prepared {
        let digest = hex::encode(&Sha256::digest(&self.body)[..16]);
        let mut common = self.headers;
        common.insert(header::X_CONTENT_TYPE_OPTIONS, NOSNIFF);
        if let Some(at) = self.last_modified {
            insert(&mut common, header::LAST_MODIFIED, &http_date(at));
        }
        let immutable = if self.immutable { ", immutable" } else { "" };
        insert(&mut common, header::CACHE_CONTROL, &format!("public, max-age={}{immutable}", self.max_age));
        if self.compress {
            insert(&mut common, header::VARY, "Accept-Encoding");
        }
        if self.cross_origin {
            common.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        }
        let gzip_etag = (self.compress && self.body.len() >= MIN_GZIP_BYTES).then(|| etag(&format!("\"{digest}-gz\"")));
        Prepared {
            content_type: HeaderValue::from_static(self.content_type),
            etag: etag(&format!("\"{digest}\"")),
            body: Bytes::from(self.body),
            gzip_etag,
            gzip: OnceLock::new(),
            last_modified: self.last_modified,
            common,
        }
    }
}

/// A document ready to be answered with: validated, headers built, compressed once a
/// client asks for gzip. Serving it is choosing an encoding and cloning
/// reference-counted bytes.
pub struct Prepared {
    content_type: HeaderValue,
    etag: HeaderValue,
    body: Bytes,
    /// Set when the body is worth compressing.
    gzip_etag: Option<HeaderValue>,
    gzip: OnceLock<Bytes>,
    last_modified: Option<DateTime<Utc>>,
    /// Headers every answer carries (Cache-Control, Vary, Last-Modified, CORS, security).
    common: HeaderMap,
}

impl Prepared {
    /// 304, or the body in the best encoding the request accepts.
    pub fn respond(&self, request: &HeaderMap) -> Response {
        let gzip_etag = self.gzip_etag.as_ref().filter(|_| accepts_gzip(request));
        let etag = gzip_etag.unwrap_or(&self.etag);
        let mut headers = self.common.clone();
        headers.insert(header::ETAG, etag.clone());
        if not_modified(request, etag.to_str().unwrap_or_default(), self.last_modified) {
            return (StatusCode::NOT_MODIFIED, headers).into_response();
        }
        headers.insert(header::CONTENT_TYPE, self.content_type.clone());
        let body = match gzip_etag {
            Some(_) => {
                headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
                self.gzipped().clone()
            }
            None => self.body.clone(),
        };
        (StatusCode::OK, headers, body).into_response()
    }

    /// The gzip encoding, made now if it was not yet.
    fn gzipped(&self) -> &Bytes {
        self.gzip.get_or_init(|| Bytes::from(gzip_bytes(&self.body)))
    }

    /// The document as the render cache keeps it: both encodings made, each where
    /// connections can send it without a copy.
    pub fn to_keep(&self) -> Prepared {
        let gzip = OnceLock::new();
        if self.gzip_etag.is_some() {
            let _ = gzip.set(shareable(self.gzipped().clone()));
        }
        Prepared {
            content_type: self.content_type.clone(),
            etag: self.etag.clone(),
            body: shareable(self.body.clone()),
            gzip_etag: self.gzip_etag.clone(),
            gzip,
            last_modified: self.last_modified,
            common: self.common.clone(),
        }
    }

    /// Bytes held: the body, and its gzip encoding once made.
    pub fn size(&self) -> usize {
        self.body.len() + self.gzip.get().map_or(0, Bytes::len)
    }
}

/// What a handler attaches to a response the render cache may keep.
#[derive(Clone)]
pub struct Cacheable {
    pub prepared: Arc<Prepared>,
    pub depends_on: DependsOn,
    /// Which page of a listing it is (`Representation::listing_page`).
    pub listing_page: Option<i64>,
}

/// `X-Content-Type-Options`: browsers take the declared media type, never a guess.
const NOSNIFF: HeaderValue = HeaderValue::from_static("nosniff");

/// Every response forbids content sniffing: the router's layer for what is not a
/// prepared document (which carries it already), errors included.
pub async fn forbid_sniffing(mut response: Response) -> Response {
    response.headers_mut().insert(header::X_CONTENT_TYPE_OPTIONS, NOSNIFF);
    response
}

/// The headers of an HTML page: its Content-Security-Policy, `X-Frame-Options` for
/// browsers older than the policy's `frame-ancestors`, and the referrer policy.
pub fn page_headers(page: &Page) -> HeaderMap {
    let mut headers = HeaderMap::with_capacity(12);
    insert(&mut headers, header::CONTENT_SECURITY_POLICY, &page.content_security_policy);
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static(REFERRER_POLICY));
    headers
}

/// A hex digest in quotes is always a valid header value.
fn etag(quoted_digest: &str) -> HeaderValue {
    HeaderValue::from_str(quoted_digest).expect("a quoted hex digest is a valid header value")
}

fn insert(headers: &mut HeaderMap, name: header::HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        headers.insert(name, value);
    }
}

/// RFC 9110 §13.2.2: If-None-Match decides when present; otherwise If-Modified-Since.
fn not_modified(request: &HeaderMap, etag: &str, last_modified: Option<DateTime<Utc>>) -> bool {
    if let Some(if_none_match) = request.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) {
        return if_none_match
            .split(',')
            .map(str::trim)
            .any(|candidate| candidate == "*" || candidate.strip_prefix("W/").unwrap_or(candidate) == etag);
    }
    let since = request
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| DateTime::parse_from_rfc2822(v).ok());
    match (since, last_modified) {
        (Some(since), Some(modified)) => modified.timestamp() <= since.timestamp(),
        _ => false,
    }
}

/// Whether Accept-Encoding allows gzip (explicitly or through `*`) with a non-zero q.
fn accepts_gzip(request: &HeaderMap) -> bool {
    let Some(accept) = request.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let mut gzip = None;
    let mut any = None;
    for part in accept.split(',') {
        let mut pieces = part.split(';');
        let coding = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
        let q =
            pieces.find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok())).unwrap_or(1.0);
        match coding.as_str() {
            "gzip" | "x-gzip" => gzip = Some(q > 0.0),
            "*" => any = Some(q > 0.0),
            _ => {}
        }
    }
    gzip.or(any).unwrap_or(false)
}

fn gzip_bytes(body: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(body.len() / 3), flate2::Compression::default());
    encoder.write_all(body).expect("writing to memory cannot fail");
    encoder.finish().expect("writing to memory cannot fail")
}

/// An HTTP-date (IMF-fixdate), as Last-Modified takes.
pub fn http_date(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// What a prepared document answers, in the terms of the OpenAPI description (`http::openapi`):
/// the headers `Representation::prepare` sets, the 304 of `Prepared::respond`, the
/// conditional request headers it reads, and the path parameters of public addresses.
pub mod described {
    use super::{HTML, MIN_GZIP_BYTES, REFERRER_POLICY};
    use std::collections::BTreeMap;
    use utoipa::openapi::header::{Header, HeaderBuilder};
    use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, Required, Response, ResponseBuilder};

    /// A kind of prepared document, as its routes answer it.
    pub struct Document {
        /// Its `Content-Type`.
        media_type: &'static str,
        /// What the body is, e.g. "The RSS 2.0 document."
        what: &'static str,
        /// The body's schema: `None` for text (a `string`).
        schema: Option<RefOr<Schema>>,
        /// Its `Cache-Control` max-age, in seconds.
        max_age: u32,
        /// Whether any origin may read it (`Access-Control-Allow-Origin: *`).
        cross_origin: bool,
        /// How `Last-Modified` is set.
        dated: Dated,
        /// A file named by its content: `immutable`, never gzipped.
        immutable_file: bool,
    }

    /// Whether a document says when it last changed.
    #[derive(Clone, Copy)]
    pub enum Dated {
        Always,
        /// Only when it lists something dated.
        WhenItListsADate,
        Never,
    }

    impl Document {
        /// A text document of `media_type`: a feed, a sitemap.
        pub fn text(media_type: &'static str, what: &'static str, max_age: u32) -> Document {
            Document {
                media_type,
                what,
                schema: None,
                max_age,
                cross_origin: false,
                dated: Dated::Always,
                immutable_file: false,
            }
        }

        /// A kept image (`Representation::immutable_file`), of any type in `media_range`.
        pub fn immutable_file(media_range: &'static str, what: &'static str) -> Document {
            let document = Document::text(media_range, what, super::MEDIA_MAX_AGE).dated(Dated::Never);
            Document { immutable_file: true, ..document }
        }

        /// An HTML page, with the headers every page carries.
        pub fn page(what: &'static str, max_age: u32) -> Document {
            Document::text(HTML, what, max_age)
        }

        /// A JSON document of type `T` (a schema component of the description).
        pub fn json<T: utoipa::ToSchema>(media_type: &'static str, what: &'static str, max_age: u32) -> Document {
            let schema = RefOr::Ref(Ref::from_schema_name(T::name()));
            Document { schema: Some(schema), ..Document::text(media_type, what, max_age) }
        }

        pub fn cross_origin(self) -> Document {
            Document { cross_origin: true, ..self }
        }

        pub fn dated(self, dated: Dated) -> Document {
            Document { dated, ..self }
        }

        /// 200 with the document, 304 without it.
        pub fn answers(&self) -> BTreeMap<String, RefOr<Response>> {
            let schema = self.schema.clone().unwrap_or_else(|| string(None).into());
            let gzipped = if self.immutable_file {
                String::new()
            } else {
                format!(
                    " Gzipped (`Content-Encoding: gzip`) when `Accept-Encoding` allows gzip and the body is at least \
                     {MIN_GZIP_BYTES} bytes."
                )
            };
            let mut ok = ResponseBuilder::new()
                .description(format!(
                    "{}{gzipped} `HEAD` is answered with the same status and headers, without the body.",
                    self.what
                ))
                .content(self.media_type, ContentBuilder::new().schema(Some(schema)).build());
            let mut not_modified = ResponseBuilder::new().description(
                "Not Modified: `If-None-Match` lists the current `ETag` (or `*`; a `W/` prefix is ignored), or, \
                 when there is no `If-None-Match`, `If-Modified-Since` is not older than `Last-Modified` (RFC 9110 \
                 §13.2.2). No body; the headers of the 200 answer but `Content-Type` and `Content-Encoding`.",
            );
            for (name, value) in self.headers() {
                ok = ok.header(name, value.clone());
                not_modified = not_modified.header(name, value);
            }
            if !self.immutable_file {
                ok = ok.header("Content-Encoding", fixed("gzip", "When the body is gzipped; absent otherwise."));
            }
            BTreeMap::from([("200".to_owned(), ok.build().into()), ("304".to_owned(), not_modified.build().into())])
        }

        /// The headers of both answers.
        fn headers(&self) -> Vec<(&'static str, Header)> {
            let etag = match self.immutable_file {
                true => described(string(Some(r#"^"[0-9a-f]{32}"$"#)), "A strong entity tag from the body's SHA-256."),
                false => described(
                    string(Some(r#"^"[0-9a-f]{32}(-gz)?"$"#)),
                    "A strong entity tag from the body's SHA-256 (`-gz` for the gzipped body).",
                ),
            };
            let cache_control = match self.immutable_file {
                true => fixed(
                    &format!("public, max-age={}, immutable", self.max_age),
                    "Named by its content: it never changes.",
                ),
                false => fixed(&format!("public, max-age={}", self.max_age), "How long the document may be reused."),
            };
            let mut headers = vec![("ETag", etag), ("Cache-Control", cache_control)];
            if !self.immutable_file {
                headers.push(("Vary", fixed("Accept-Encoding", "The body depends on `Accept-Encoding`.")));
            }
            headers.push(("X-Content-Type-Options", fixed("nosniff", "Browsers take the declared media type.")));
            let last_modified = match self.dated {
                Dated::Always => Some("When what the document shows last changed (an HTTP-date)."),
                Dated::WhenItListsADate => Some(
                    "When what the document lists last changed (an HTTP-date); absent when it lists nothing dated.",
                ),
                Dated::Never => None,
            };
            if let Some(what) = last_modified {
                headers.push(("Last-Modified", described(string(None), what)));
            }
            if self.cross_origin {
                headers.push(("Access-Control-Allow-Origin", fixed("*", "Any origin may read it.")));
            }
            if self.media_type == HTML {
                headers.extend([
                    (
                        "Content-Security-Policy",
                        described(
                            string(None),
                            "No script but the page's own hashed JSON-LD, no framing (`frame-ancestors 'none'`).",
                        ),
                    ),
                    ("X-Frame-Options", fixed("DENY", "No framing, for browsers older than CSP.")),
                    ("Referrer-Policy", fixed(REFERRER_POLICY, "Other sites learn only our origin.")),
                ]);
            }
            headers
        }
    }

    /// `If-None-Match`, `If-Modified-Since` and `Accept-Encoding`: what every prepared
    /// document reads of a request.
    pub struct Conditional;

    impl utoipa::IntoParams for Conditional {
        fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
            [
                (
                    "If-None-Match",
                    "ETags of earlier answers: 304 when one is the current ETag (or `*`). Takes precedence over \
                     If-Modified-Since.",
                ),
                (
                    "If-Modified-Since",
                    "An HTTP-date: 304 when the document has not changed since (only without If-None-Match).",
                ),
                ("Accept-Encoding", "`gzip` (or `*`) with a non-zero q-value: a gzipped body."),
            ]
            .into_iter()
            .map(|(name, description)| {
                ParameterBuilder::new()
                    .name(name)
                    .parameter_in(ParameterIn::Header)
                    .required(Required::False)
                    .description(Some(description))
                    .schema(Some(string(None)))
                    .build()
            })
            .collect()
        }
    }

    /// `{slug}` of a column's feeds and pages.
    pub struct ColumnSlug;

    impl utoipa::IntoParams for ColumnSlug {
        fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
            vec![slug("A column's slug.", "zhuanti")]
        }
    }

    /// `{slug}` of an outlet's feeds and page.
    pub struct OutletSlug;

    impl utoipa::IntoParams for OutletSlug {
        fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
            vec![slug("An outlet's slug.", "cjrb")]
        }
    }

    /// A slug as the site writes it (`domain::Slug`); another spelling names nothing.
    fn slug(description: &str, example: &str) -> Parameter {
        let schema = ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some("^[a-z0-9]+(-[a-z0-9]+)*$"))
            .min_length(Some(1))
            .max_length(Some(crate::domain::slug::MAX_SLUG_LEN));
        path_parameter("slug", description, schema, example.into())
    }

    /// A path parameter `name` that is a `params::Number`: decimal digits, no sign or
    /// leading zero. Another spelling names nothing.
    pub fn number(name: &str, description: &str, example: i64) -> Parameter {
        let schema = ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            .minimum(Some(0));
        path_parameter(name, description, schema, example.into())
    }

    /// The query parameter `name` that picks a page of a listing after the first: a
    /// `params::Number` of at least 2.
    pub fn listing_page(name: &str, description: &str) -> Parameter {
        let schema = ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            .minimum(Some(2));
        ParameterBuilder::new()
            .name(name)
            .parameter_in(ParameterIn::Query)
            .required(Required::False)
            .description(Some(description))
            .schema(Some(schema.build()))
            .build()
    }

    /// `example` names a document of the demo site (`syndic serve --demo`).
    fn path_parameter(name: &str, description: &str, schema: ObjectBuilder, example: serde_json::Value) -> Parameter {
        ParameterBuilder::new()
            .name(name)
            .parameter_in(ParameterIn::Path)
            .required(Required::True)
            .description(Some(format!("{description} In its one spelling; any other is a 404.")))
            .schema(Some(schema.build()))
            .example(Some(example))
            .build()
    }

    fn string(pattern: Option<&str>) -> Schema {
        Schema::Object(ObjectBuilder::new().schema_type(Type::String).pattern(pattern).build())
    }

    fn described(schema: Schema, description: &str) -> Header {
        HeaderBuilder::new().schema(schema).description(Some(description)).build()
    }

    /// A header that always has `value`.
    fn fixed(value: &str, description: &str) -> Header {
        let schema = ObjectBuilder::new().schema_type(Type::String).enum_values(Some([value])).build();
        described(Schema::Object(schema), &format!("`{value}`. {description}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        map
    }

    #[test]
    fn gzip_is_chosen_only_when_accepted() {
        assert!(accepts_gzip(&headers(&[("accept-encoding", "br, gzip;q=0.5")])));
        assert!(!accepts_gzip(&headers(&[("accept-encoding", "gzip;q=0, br")])));
        assert!(accepts_gzip(&headers(&[("accept-encoding", "*")])));
        assert!(!accepts_gzip(&headers(&[("accept-encoding", "identity")])));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn if_none_match_takes_precedence_over_if_modified_since() {
        let modified = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap().to_utc();
        let later = http_date(modified + chrono::Duration::days(1));
        assert!(not_modified(&headers(&[("if-none-match", "\"a\", W/\"b\"")]), "\"b\"", None));
        assert!(!not_modified(
            &headers(&[("if-none-match", "\"x\""), ("if-modified-since", &later)]),
            "\"b\"",
            Some(modified)
        ));
        assert!(not_modified(&headers(&[("if-modified-since", &later)]), "\"b\"", Some(modified)));
        assert!(!not_modified(
            &headers(&[("if-modified-since", &http_date(modified - chrono::Duration::seconds(1)))]),
            "\"b\"",
            Some(modified)
        ));
    }
}
