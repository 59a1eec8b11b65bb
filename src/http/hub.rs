//! Announcement endpoints: the WebSub hub (`POST /websub`) and the IndexNow key file
//! (`/{key}.txt`), which proves to search engines that our pings are ours.

use super::body::read_limited;
use super::{error::ApiError, AppState};
use crate::notify::websub::{self, HubRefusal};
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

/// Largest subscription request: a few URLs and a secret.
const MAX_HUB_BODY_BYTES: usize = 16 * 1024;

/// This area's operations, for the OpenAPI description (`http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths())]
pub(super) struct Api;

pub fn router(indexnow_key: Option<&str>) -> Router<AppState> {
    let router = Router::new().route("/websub", post(hub_request));
    match indexnow_key {
        Some(key) => {
            let body = key.to_owned();
            router.route(&format!("/{key}.txt"), get(move || indexnow_key_file(body)))
        }
        None => router,
    }
}

/// IndexNow key file
///
/// Proves to IndexNow search engines that the site's pings are its own: the body is the
/// key itself. Exists only when IndexNow is configured (`indexnow_key`), and only for
/// the configured key.
#[utoipa::path(
    get,
    path = "/{key}.txt",
    tag = "crawling",
    params(("key" = String, Path, description = "The configured IndexNow key.")),
    responses(
        (status = 200, description = "The key.", body = String, content_type = "text/plain; charset=utf-8"),
        (
            status = 404,
            description = "Not the configured key, or IndexNow is off: the site's HTML 404 page.",
            body = String,
            content_type = "text/html; charset=utf-8"
        ),
    ),
)]
pub(super) async fn indexnow_key_file(key: String) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], key)
}

/// `POST /websub`: a (un)subscription request. 202 once it is queued for verification;
/// 400 with a plain-text reason when it cannot be honoured (a callback the SSRF guard
/// refuses among them), 429 when its callback host has too many requests pending and
/// 503 when the hub has, both with `Retry-After` and nothing queued.
async fn hub_request(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Result<Response, ApiError> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !content_type.trim().to_ascii_lowercase().starts_with("application/x-www-form-urlencoded") {
        return Ok(refusal(StatusCode::BAD_REQUEST, "a hub request is application/x-www-form-urlencoded"));
    }
    let bytes = read_limited(&headers, body, MAX_HUB_BODY_BYTES).await?;
    let params: Vec<(String, String)> = url::form_urlencoded::parse(&bytes).into_owned().collect();
    let request = match websub::accept_request(&state.store, &state.site, &state.fetcher, &params).await {
        Ok(request) => request,
        Err(HubRefusal::Store(error)) => return Err(error.into()),
        Err(refused @ HubRefusal::Invalid(_)) => return Ok(refusal(StatusCode::BAD_REQUEST, &refused.to_string())),
        Err(busy) => {
            let status = match busy {
                HubRefusal::HostBusy(_) => StatusCode::TOO_MANY_REQUESTS,
                _ => StatusCode::SERVICE_UNAVAILABLE,
            };
            tracing::info!(reason = %busy, "WebSub request turned away");
            let mut response = refusal(status, &busy.to_string());
            response.headers_mut().insert(header::RETRY_AFTER, websub::BUSY_RETRY_AFTER_SECS.into());
            return Ok(response);
        }
    };
    tracing::info!(topic = %request.topic, callback = %request.callback, subscribe = request.subscribe, "WebSub request accepted");
    Ok(StatusCode::ACCEPTED.into_response())
}

/// A refusal in plain text, as WebSub subscribers expect from a hub.
fn refusal(status: StatusCode, reason: &str) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], format!("{reason}\n")).into_response()
}
