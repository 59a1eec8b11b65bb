//! Reading request bodies within a limit decided before any byte is read, and within
//! a process-wide budget of bytes in flight for the routes that take large ones; and
//! parsing JSON with the path of the offending field in the error.

use super::error::ApiError;
use crate::domain::FieldErrors;
use axum::body::{to_bytes, Body, BodyDataStream, Bytes};
use axum::http::{header, HeaderMap};
use futures_util::StreamExt;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// Reads the body, refusing with 413 when Content-Length (or the bytes that arrive)
/// exceed `limit`, with 408 when the client stops sending it.
pub async fn read_limited(headers: &HeaderMap, body: Body, limit: usize) -> Result<Bytes, ApiError> {
    if declared_length(headers).is_some_and(|length| length > limit as u64) {
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

fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok())
}

/// How long a request waits for room in the body budget before it is answered 503:
/// long enough for a batch ahead of it to be stored, so that a burst of large batches
/// is taken in turn rather than refused.
pub const BODY_BUDGET_WAIT: Duration = Duration::from_secs(10);

/// The request-body bytes that the routes taking large bodies (pushes, batches, feed
/// documents) may hold at once, in the whole process (`body_budget_mb`): without it,
/// a few concurrent 64 MiB batches take gigabytes. Each request holds room for its body
/// until it has been answered, since what is made of the body (the drafts) takes about
/// as much again.
pub struct BodyBudget {
    room: Arc<Semaphore>,
    bytes: usize,
}

/// Room held in the budget for one request; given back when dropped.
#[must_use = "the room is given back when this is dropped"]
pub struct Reservation {
    room: OwnedSemaphorePermit,
}

/// Requests that held at least this much room give freed memory back to the system
/// when they end.
const TRIM_AFTER_BYTES: usize = 8 << 20;

impl Drop for Reservation {
    fn drop(&mut self) {
        // glibc keeps what a thread's arena freed for that arena's later allocations: after
        // large bodies and their drafts, tens of MiB per thread stay with the process. 8
        // concurrent 63 MB batches left 153 MiB resident without this, 49 MiB with it.
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        if self.room.num_permits() >= TRIM_AFTER_BYTES {
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                // SAFETY: malloc_trim only hands free pages back; it touches nothing in use.
                runtime.spawn_blocking(|| unsafe { libc::malloc_trim(0) });
            }
        }
    }
}

impl BodyBudget {
    pub fn new(bytes: usize) -> BodyBudget {
        BodyBudget { room: Arc::new(Semaphore::new(bytes)), bytes }
    }

    /// The budget, and the bytes held now.
    pub fn usage(&self) -> (usize, usize) {
        (self.bytes, self.bytes - self.room.available_permits())
    }

    /// Reads a body of at most `limit` bytes (or the whole budget, if smaller) while
    /// holding room for it: for all of it at once when Content-Length declares it, or as
    /// the bytes arrive. 413 over the limit; 503 with `Retry-After` when the room is not
    /// free within `BODY_BUDGET_WAIT`. Nothing is kept of a refused body.
    pub async fn read(&self, headers: &HeaderMap, body: Body, limit: usize) -> Result<(Bytes, Reservation), ApiError> {
        let limit = limit.min(self.bytes);
        let declared = declared_length(headers);
        if declared.is_some_and(|length| length > limit as u64) {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        let mut chunks = body.into_data_stream();
        let read = self.read_in_room(&mut chunks, declared.unwrap_or(0) as usize, limit).await;
        // Most clients read the answer only once they have sent the whole body: unread,
        // they would see the connection reset instead of the 503. One that asked to
        // hear first (Expect: 100-continue) has sent nothing and is not asked for it.
        let expects_continue =
            headers.get(header::EXPECT).is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
        if matches!(read, Err(ApiError::Busy { .. })) && !expects_continue {
            let _ = tokio::time::timeout(BODY_BUDGET_WAIT, discard(&mut chunks, limit)).await;
        }
        read
    }

    async fn read_in_room(
        &self,
        chunks: &mut BodyDataStream,
        declared: usize,
        limit: usize,
    ) -> Result<(Bytes, Reservation), ApiError> {
        let deadline = Instant::now() + BODY_BUDGET_WAIT;
        let mut held = self.reserve(declared, deadline).await?;
        let mut read = Vec::with_capacity(declared);
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk.map_err(|_| ApiError::BadRequest {
                message: "the request body could not be read".into(),
                fields: FieldErrors::new(),
            })?;
            let length = read.len() + chunk.len();
            if length > limit {
                return Err(ApiError::PayloadTooLarge { limit });
            }
            if length > held.num_permits() {
                held.merge(self.reserve(length - held.num_permits(), deadline).await?);
            }
            read.extend_from_slice(&chunk);
        }
        Ok((Bytes::from(read), Reservation { room: held }))
    }

    async fn reserve(&self, bytes: usize, deadline: Instant) -> Result<OwnedSemaphorePermit, ApiError> {
        let bytes = u32::try_from(bytes).expect("no body limit reaches 4 GiB");
        match tokio::time::timeout_at(deadline, self.room.clone().acquire_many_owned(bytes)).await {
            Ok(Ok(room)) => Ok(room),
            Ok(Err(_)) | Err(_) => Err(ApiError::Busy {
                reason: "too many large request bodies are being processed; try again shortly".into(),
                retry_after: BODY_BUDGET_WAIT.as_secs(),
            }),
        }
    }
}

/// Reads and drops what is left of a body, up to `limit` bytes.
async fn discard(chunks: &mut BodyDataStream, mut limit: usize) {
    while let Some(Ok(chunk)) = chunks.next().await {
        match limit.checked_sub(chunk.len()) {
            Some(left) => limit = left,
            None => return,
        }
    }
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

/// Parses a JSON object, naming the field at fault when a value has the wrong type. Every
/// body the API reads is an object: serde would also read a struct from an array of its
/// fields' values in order, which no client means.
pub fn parse_json<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, ApiError> {
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(ApiError::BadRequest {
            message: "invalid JSON: expected a JSON object".into(),
            fields: FieldErrors::new(),
        });
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut deserializer).map_err(invalid_json)
}

fn invalid_json(error: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = error.path().to_string();
    let inner = error.into_inner();
    let mut fields = FieldErrors::new();
    if inner.is_data() {
        let message = inner.to_string();
        let field = match (path.as_str(), named_field("missing field `", &message)) {
            (".", missing) => missing.or_else(|| named_field("unknown field `", &message)).unwrap_or_default(),
            (_, Some(missing)) => format!("{path}.{missing}"),
            (_, None) => path,
        };
        if !field.is_empty() {
            fields.add(field, message);
        }
    }
    ApiError::BadRequest { message: format!("invalid JSON: {inner}"), fields }
}

/// serde reports a missing or unknown field at the enclosing path; pull its name from
/// the message, which starts with `prefix` (``missing field ` ``, ``unknown field ` ``).
fn named_field(prefix: &str, message: &str) -> Option<String> {
    let rest = message.strip_prefix(prefix)?;
    Some(rest.split('`').next()?.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        take: String,
        image: Option<Inner>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        url: String,
    }

    fn fields(json: &str) -> Vec<String> {
        match parse_json::<Outer>(json.as_bytes()) {
            Err(ApiError::BadRequest { fields, .. }) => fields.iter().map(|(field, _)| field.clone()).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_missing_or_unknown_field_is_named_with_its_path() {
        assert_eq!(fields("{}"), ["take"]);
        assert_eq!(fields(r#"{"take": "edit", "image": {}}"#), ["image.url"]);
        assert_eq!(fields(r#"{"take": "edit", "takes": 1}"#), ["takes"]);
        assert_eq!(fields(r#"{"take": 1}"#), ["take"]);
    }
}
