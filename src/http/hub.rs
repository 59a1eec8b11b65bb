//! Announcement endpoints: the WebSub hub (`POST /websub`) and the IndexNow key file
//! (`/{key}.txt`), which proves to search engines that our pings are ours.

use super::body::read_limited;
use super::{error::ApiError, AppState};
use crate::notify::websub;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

/// Largest subscription request: a few URLs and a secret.
const MAX_HUB_BODY_BYTES: usize = 16 * 1024;

pub fn router(indexnow_key: Option<&str>) -> Router<AppState> {
    let router = Router::new().route("/websub", post(hub_request));
    match indexnow_key {
        Some(key) => {
            let body = key.to_owned();
            router.route(
                &format!("/{key}.txt"),
                get(move || async move { ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body) }),
            )
        }
        None => router,
    }
}

/// `POST /websub`: a (un)subscription request. 202 once it is queued for verification;
/// 400 with a plain-text reason when it cannot be honoured.
async fn hub_request(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Result<Response, ApiError> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !content_type.trim().to_ascii_lowercase().starts_with("application/x-www-form-urlencoded") {
        return Ok(bad_request("a hub request is application/x-www-form-urlencoded"));
    }
    let bytes = read_limited(&headers, body, MAX_HUB_BODY_BYTES).await?;
    let params: Vec<(String, String)> = url::form_urlencoded::parse(&bytes).into_owned().collect();
    let request = match websub::check_request(&state.store, &state.site, &params).await {
        Ok(request) => request,
        Err(reason) => return Ok(bad_request(&reason)),
    };
    state
        .store
        .add_websub_request(
            request.subscribe,
            &request.topic,
            &request.callback,
            request.lease_seconds,
            request.secret.as_deref(),
        )
        .await?;
    tracing::info!(topic = %request.topic, callback = %request.callback, subscribe = request.subscribe, "WebSub request accepted");
    Ok(StatusCode::ACCEPTED.into_response())
}

fn bad_request(reason: &str) -> Response {
    (StatusCode::BAD_REQUEST, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], format!("{reason}\n"))
        .into_response()
}
