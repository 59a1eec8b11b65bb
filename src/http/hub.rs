//! Announcement endpoints: the WebSub hub (`POST /websub`) and the IndexNow key file
//! (`/{key}.txt`), which proves to search engines that our pings are ours.

use super::body::read_limited;
use super::error::{ApiError, ErrorBody};
use super::AppState;
use crate::ingest::fields::LinkUrl;
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
#[openapi(paths(hub_request))]
pub(super) struct Api;

/// A WebSub (un)subscription request: the form `websub::accept_request` reads (its
/// fields are read from the form's pairs, so this type only describes them).
#[derive(utoipa::ToSchema)]
#[schema(as = WebSubRequest)]
#[allow(dead_code)]
struct HubForm {
    #[schema(rename = "hub.mode", inline)]
    mode: HubMode,
    /// One of syndic's feeds (the site's, a column's or an outlet's, in any of its formats),
    /// written exactly as syndic publishes it.
    #[schema(rename = "hub.topic")]
    topic: String,
    /// Where verification requests and deliveries go. It must be one the SSRF guard lets
    /// syndic reach (not an internal address, and a name that resolves to a public one).
    #[schema(rename = "hub.callback", value_type = LinkUrl)]
    callback: String,
    /// The lease asked for, in seconds; absent or empty: 864000 (ten days). Clamped to 60 …
    /// 2592000.
    #[schema(rename = "hub.lease_seconds", value_type = i64, required = false)]
    lease_seconds: Option<i64>,
    /// Shorter than 200 bytes. When given, deliveries are signed with it (`X-Hub-Signature`).
    #[schema(rename = "hub.secret", value_type = String, required = false, max_length = 199)]
    secret: Option<String>,
}

/// What a hub request asks for.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
enum HubMode {
    Subscribe,
    Unsubscribe,
}

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

/// WebSub hub: subscribe or unsubscribe
///
/// The W3C WebSub hub for syndic's feeds. A valid request is answered 202 Accepted; the
/// intent is then verified asynchronously by a GET to the callback (see the
/// `websubVerification` webhook), and once verified the subscriber receives each new
/// version of the feed (see the `feedUpdated` webhook) until the lease ends or it
/// unsubscribes. Refusals are explained in plain text, as subscribers expect of a hub;
/// nothing is queued for a refused request.
///
/// No token needed.
#[utoipa::path(
    post,
    path = "/websub",
    operation_id = "websubHub",
    tag = "websub",
    request_body(content = HubForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 202, description = "Accepted; verification of intent follows asynchronously."),
        (status = 400, description = "A request that cannot be honoured: not a form, an unknown topic, a bad mode or lease, a callback that is not http(s) or that the SSRF guard refuses (an internal address, or a name that resolves only to internal addresses or not at all).",
            body = String, content_type = "text/plain"),
        (status = 413, description = "A body over 16 KiB.", body = ErrorBody),
        (status = 429, description = "The callback's host has 16 requests waiting for verification already.",
            body = String, content_type = "text/plain", headers(("Retry-After" = u64, description = "Seconds to wait before trying again."))),
        (status = 500, description = "An internal error (logged, never described to the client).", body = ErrorBody),
        (status = 503, description = "The hub has 256 requests waiting for verification already, or the callback's host could not be looked up within 3 s.",
            body = String, content_type = "text/plain", headers(("Retry-After" = u64, description = "Seconds to wait before trying again."))),
    )
)]
async fn hub_request(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Result<Response, ApiError> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !content_type.trim().to_ascii_lowercase().starts_with("application/x-www-form-urlencoded") {
        return Ok(refusal(StatusCode::BAD_REQUEST, "a hub request is application/x-www-form-urlencoded"));
    }
    let bytes = read_limited(&headers, body, MAX_HUB_BODY_BYTES).await?;
    let params: Vec<(String, String)> = url::form_urlencoded::parse(&bytes).into_owned().collect();
    match state.operations.request_subscription(&params).await {
        Ok(_) => {}
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
    }
    Ok(StatusCode::ACCEPTED.into_response())
}

/// A refusal in plain text, as WebSub subscribers expect from a hub.
fn refusal(status: StatusCode, reason: &str) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], format!("{reason}\n")).into_response()
}
