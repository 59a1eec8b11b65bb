//! Request parameters in the one spelling the site writes them. Every document and
//! resource has one address: a number is written in canonical decimal (`7`; never `07`,
//! `+7`, `7.0` or `%37`), and no path segment is percent-encoded (slugs, numbers and file
//! names are unreserved ASCII, which needs no escape). Another spelling is refused before a
//! handler runs, so that it neither answers as the document nor, for a public document,
//! becomes a render-cache entry beside it. The API answers the refusal with 400 naming
//! the parameter; public routes answer it with their 404.

use super::error::ApiError;
use crate::domain::FieldErrors;
use axum::extract::path::ErrorKind;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use serde::de::{self, DeserializeOwned, Deserializer, Visitor};

/// The one query parameter a public document reads: the page of a listing. The render
/// cache keys documents by it and by nothing else in the query (`cache::cache_key`).
pub const PAGE_PARAMETER: &str = "page";

/// A whole number from 0 to `i64::MAX` as the site writes it: decimal digits, no sign,
/// no leading zero. Article, source, partner and token ids, archive pages, sitemap shards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Number(i64);

impl Number {
    /// Why a text is not a `Number`, for error messages.
    pub const FORM: &'static str =
        "is not a number as this site writes it: decimal digits, no sign or leading zero, at most 9223372036854775807";

    pub fn parse(text: &str) -> Option<Number> {
        let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
        let canonical = digits && (text == "0" || !text.starts_with('0'));
        // Out of range (overflow) is no number either.
        canonical.then(|| text.parse().ok().map(Number)).flatten()
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

impl<'de> serde::Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Number, D::Error> {
        struct Canonical;
        impl Visitor<'_> for Canonical {
            type Value = Number;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number in canonical decimal")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<Number, E> {
                Number::parse(text).ok_or_else(|| E::custom(Number::FORM))
            }
        }
        deserializer.deserialize_str(Canonical)
    }
}

/// A route's path parameters (`Params<Number>`, `Params<(String, Number)>`…), refused
/// unless every one is in its canonical spelling.
pub struct Params<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        if parts.uri.path().contains('%') {
            return Err(not_canonical("path", "must not be percent-encoded: no address of this site needs an escape"));
        }
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(Params(value)),
            Err(PathRejection::FailedToDeserializePathParams(failed)) => Err(match failed.into_kind() {
                ErrorKind::DeserializeError { key, value, message } => {
                    not_canonical(&key, &format!("'{value}' {message}"))
                }
                ErrorKind::ParseErrorAtKey { key, value, expected_type } => {
                    not_canonical(&key, &format!("'{value}' is not a {expected_type}"))
                }
                // Wrong arity or types a path cannot carry: the route and its handler disagree.
                other => ApiError::Internal(other.to_string().into()),
            }),
            Err(other) => Err(ApiError::Internal(Box::new(other))),
        }
    }
}

/// A public route's parameters. Another spelling names no document: `not_found`. Anything
/// else wrong is the route's own fault and stays an error.
pub fn public<T, E: From<ApiError>>(
    params: Result<Params<T>, ApiError>,
    not_found: impl FnOnce() -> E,
) -> Result<T, E> {
    match params {
        Ok(Params(value)) => Ok(value),
        Err(ApiError::BadRequest { .. }) => Err(not_found()),
        Err(other) => Err(other.into()),
    }
}

fn not_canonical(parameter: &str, reason: &str) -> ApiError {
    ApiError::BadRequest {
        message: "invalid path parameter".into(),
        fields: FieldErrors::single(parameter.to_owned(), reason.to_owned()),
    }
}

/// The raw value of the first `name` parameter of a query string, undecoded: a
/// percent-encoded value is another spelling, and is refused as one.
pub fn raw_query_value<'q>(query: &'q str, name: &str) -> Option<&'q str> {
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (key == name).then_some(value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_canonical_decimal_is_a_number() {
        assert_eq!(Number::parse("0").map(Number::get), Some(0));
        assert_eq!(Number::parse("93487").map(Number::get), Some(93487));
        assert_eq!(Number::parse("9223372036854775807").map(Number::get), Some(i64::MAX));
        for alias in [
            "",
            "00",
            "01",
            "+1",
            "-1",
            " 1",
            "1 ",
            "1.0",
            "1e3",
            "0x1",
            "١",
            "%31",
            "9223372036854775808",
            "99999999999999999999",
        ] {
            assert_eq!(Number::parse(alias), None, "{alias:?}");
        }
    }

    #[test]
    fn query_values_are_read_raw_and_first_wins() {
        assert_eq!(raw_query_value("x=1&page=2&page=3", "page"), Some("2"));
        assert_eq!(raw_query_value("page=%32", "page"), Some("%32"));
        assert_eq!(raw_query_value("p%61ge=2&pages=3", "page"), None);
        assert_eq!(raw_query_value("page", "page"), Some(""));
    }
}
