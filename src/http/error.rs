//! The API's one error type. Clients get a status and a JSON body naming the problem
//! (and, for bad input, each field); internal details are logged, never returned.

use crate::catalog::CatalogError;
use crate::domain::reposting::Refusal;
use crate::domain::FieldErrors;
use crate::ingest::IngestError;
use crate::operations::PreviewError;
use crate::search::SearchError;
use crate::store::StoreError;
use axum::body::to_bytes;
use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("missing or invalid bearer token")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    /// Well-formed input that what is stored refuses (a parent column that does not
    /// exist…), each by field.
    #[error("conflicts with what is stored")]
    ConflictingFields(FieldErrors),
    /// Syntactically bad input (malformed JSON, wrong JSON types).
    #[error("{message}")]
    BadRequest { message: String, fields: FieldErrors },
    /// Well-formed input that fails validation.
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error("request body exceeds {limit} bytes")]
    PayloadTooLarge { limit: usize },
    /// The body stopped arriving (`http::server`'s body timeouts); the connection closes.
    #[error("the request body stopped arriving; send it at a steady pace")]
    RequestTimeout,
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    Unavailable(String),
    /// Too busy to take this request now; try again after `retry_after` seconds.
    #[error("{reason}")]
    Busy { reason: String, retry_after: u64 },
    #[error("rate limit exceeded; retry in {retry_after} s")]
    TooManyRequests { retry_after: u64 },
    /// The router's own refusal (a method the route does not have…), given this shape.
    #[error("{message}")]
    Refused { status: StatusCode, message: String },
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) | ApiError::ConflictingFields(_) => StatusCode::CONFLICT,
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unavailable(_) | ApiError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Refused { status, .. } => *status,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// Every error the JSON API answers. Internal details are logged, never sent.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"error": "invalid input", "fields": {"original_published_at": "'yesterday' is neither RFC 3339 nor a local time 'YYYY-MM-DD HH:MM[:SS]'"}}))]
pub struct ErrorBody {
    /// A short message: `column not found`, `missing or invalid bearer token`, `invalid input`…
    pub error: String,
    /// For bad input (400, 422), and input that what is stored refuses (409): each
    /// refused field (its JSON key or path, such as `image.url`) with the reason. 400 and
    /// 409 may name none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, String>>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = match &self {
            ApiError::Internal(source) => {
                tracing::error!(error = %source, "internal error");
                ErrorBody { error: "internal error".into(), fields: None }
            }
            ApiError::Invalid(fields) | ApiError::BadRequest { fields, .. } | ApiError::ConflictingFields(fields) => {
                ErrorBody {
                    error: self.to_string(),
                    fields: Some(fields.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
                }
            }
            _ => ErrorBody { error: self.to_string(), fields: None },
        };
        let mut response = (status, axum::Json(body)).into_response();
        if let ApiError::TooManyRequests { retry_after } | ApiError::Busy { retry_after, .. } = self {
            response.headers_mut().insert(header::RETRY_AFTER, retry_after.into());
        }
        if status == StatusCode::REQUEST_TIMEOUT {
            // The rest of the body is not read: the connection cannot carry another request.
            response.headers_mut().insert(header::CONNECTION, header::HeaderValue::from_static("close"));
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// Longest body of a refusal the router writes itself that is kept as its message.
const MAX_REFUSAL_BYTES: usize = 4 * 1024;

/// Under `/api/`, where clients parse JSON, an error answered in anything else (the
/// router's empty 405, an extractor's plain-text rejection) is given the JSON error
/// shape, keeping its status and headers (`Allow`) and its text as the message.
pub async fn json_refusals(request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let status = response.status();
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|t| t.to_str().is_ok_and(|t| t.starts_with("application/json")));
    if !api || json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let text = to_bytes(body, MAX_REFUSAL_BYTES).await.ok().and_then(|b| String::from_utf8(b.to_vec()).ok());
    let message = match text.as_deref().map(str::trim) {
        Some(text) if !text.is_empty() => text.to_owned(),
        _ => status.canonical_reason().unwrap_or("refused").to_lowercase(),
    };
    let reshaped = ApiError::Refused { status, message }.into_response();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.extend(reshaped.headers().clone());
    Response::from_parts(parts, reshaped.into_body())
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(what) => ApiError::NotFound(what),
            StoreError::Conflict(message) => ApiError::Conflict(message),
            other => ApiError::Internal(Box::new(other)),
        }
    }
}

impl From<CatalogError> for ApiError {
    fn from(error: CatalogError) -> Self {
        match error {
            CatalogError::Invalid(fields) => ApiError::Invalid(fields),
            CatalogError::Conflicting(fields) => ApiError::ConflictingFields(fields),
            CatalogError::NotFound(what) => ApiError::NotFound(what),
            CatalogError::Conflict(message) => ApiError::Conflict(message),
            CatalogError::Store(e) => e.into(),
        }
    }
}

impl From<PreviewError> for ApiError {
    fn from(error: PreviewError) -> Self {
        match error {
            PreviewError::Catalog(error) => error.into(),
            // The address gives nothing a source could read: the field to change is `url`.
            PreviewError::Unreadable(error) => ApiError::Invalid(FieldErrors::single("url", error.to_string())),
            // Two previews run already: this client may try again in a moment.
            PreviewError::Busy => ApiError::TooManyRequests { retry_after: 5 },
        }
    }
}

impl From<IngestError> for ApiError {
    fn from(error: IngestError) -> Self {
        match error {
            IngestError::OwnedByOtherOutlet => {
                ApiError::Forbidden("this original_url is already another outlet's article".into())
            }
            IngestError::NotYours(reason) => ApiError::Invalid(FieldErrors::single("original_url", reason)),
            IngestError::Unstorable => ApiError::Invalid(FieldErrors::single("article", error.to_string())),
            IngestError::Refused(refusal @ Refusal::NotAllowed) => ApiError::Forbidden(refusal.to_string()),
            IngestError::Refused(refusal @ Refusal::Unlicensed(_)) => {
                ApiError::Invalid(FieldErrors::single("columns", refusal.to_string()))
            }
            IngestError::Store(e) => e.into(),
        }
    }
}

impl From<SearchError> for ApiError {
    fn from(error: SearchError) -> Self {
        match error {
            SearchError::Query(reason) => ApiError::BadRequest {
                message: "invalid query parameters".into(),
                fields: FieldErrors::single("q", reason.to_string()),
            },
            SearchError::Busy(_) | SearchError::Directory { .. } => {
                tracing::error!(%error, "search index unavailable");
                ApiError::Unavailable("search is unavailable on this instance".into())
            }
            SearchError::Database(e) => e.into(),
            other => ApiError::Internal(Box::new(other)),
        }
    }
}

impl From<FieldErrors> for ApiError {
    fn from(fields: FieldErrors) -> Self {
        ApiError::Invalid(fields)
    }
}
