//! Reading request bodies within a limit decided before any byte is read, and parsing
//! JSON with the path of the offending field in the error.

use super::error::ApiError;
use crate::domain::FieldErrors;
use axum::body::{to_bytes, Body, Bytes};
use axum::http::{header, HeaderMap};
use serde::de::DeserializeOwned;

/// Reads the body, refusing with 413 when Content-Length (or the bytes that arrive)
/// exceed `limit`, with 408 when the client stops sending it.
pub async fn read_limited(headers: &HeaderMap, body: Body, limit: usize) -> Result<Bytes, ApiError> {
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    to_bytes(body, limit).await.map_err(|error| {
        if super::server::is_body_timeout(&error) {
            ApiError::RequestTimeout
        } else {
            ApiError::PayloadTooLarge { limit }
        }
    })
}

/// Requires a JSON media type: curl's `-d` sends form encoding, which is refused with 415
/// rather than misread.
pub fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if essence == "application/json" || essence.ends_with("+json") {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType(format!("Content-Type must be application/json, not '{content_type}'")))
    }
}

/// Parses JSON, naming the field at fault when a value has the wrong type.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut deserializer).map_err(invalid_json)
}

/// `parse_json` for a value already parsed (one element of a batch).
pub fn parse_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(invalid_json)
}

fn invalid_json(error: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = error.path().to_string();
    let inner = error.into_inner();
    let mut fields = FieldErrors::new();
    if inner.is_data() {
        let field = if path == "." { unknown_field_name(&inner.to_string()).unwrap_or_default() } else { path };
        if !field.is_empty() {
            fields.add(field, inner.to_string());
        }
    }
    ApiError::BadRequest { message: format!("invalid JSON: {inner}"), fields }
}

/// serde reports an unknown field at the enclosing path; pull its name from the message.
fn unknown_field_name(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    Some(rest.split('`').next()?.to_owned())
}
