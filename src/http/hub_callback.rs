//! The callbacks of syndic's own subscriptions to outlets' WebSub hubs
//! (`/websub/callback/{id}/{token}`, `ingest::websub::callback`): public, as a hub holds
//! no token, so they answer only what syndic asked for. A wrong id or token, topic or
//! mode is 404 with nothing echoed; requests are limited per subscription, and a
//! delivery's body to the feed size cap, read only once the callback is known to be one.
//! Also how a source's status shows its subscription (`SourceSubscription`).

use super::error::{ApiError, ErrorBody};
use super::params::Number;
use super::rate_limit::RateLimiter;
use super::AppState;
use crate::ingest::feed::MAX_FEED_BYTES;
use crate::ingest::websub::callback::{Delivery, Intent};
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

/// Requests a minute each subscription's callback takes (verifications and deliveries
/// together): a hub pushing every change of a busy feed stays well under it.
pub const CALLBACK_REQUESTS_PER_MINUTE: u32 = 120;
/// Subscriptions share this many allowances (by id), so that requests naming made-up
/// ids cannot grow the limiter without bound.
const ALLOWANCES: i64 = 1024;

/// This area's operations, for the OpenAPI description (`http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(verification, delivery))]
pub(super) struct Api;

pub fn router() -> Router<AppState> {
    Router::new().route("/websub/callback/{id}/{token}", get(verification).post(delivery))
}

/// The limiter of callback requests, per subscription.
pub fn limiter() -> RateLimiter {
    RateLimiter::new(CALLBACK_REQUESTS_PER_MINUTE)
}

/// What a hub's verification request carries (read from the query's pairs; this type
/// only describes them).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct VerificationQuery {
    /// `subscribe` or `unsubscribe` (verification of intent), or `denied`.
    #[param(rename = "hub.mode", inline)]
    mode: CallbackMode,
    /// The topic of the subscription, as syndic asked for it.
    #[param(rename = "hub.topic")]
    topic: String,
    /// Echoed in the answer when the request is syndic's own; at most 1024 bytes.
    #[param(rename = "hub.challenge", max_length = 1024)]
    challenge: Option<String>,
    /// The lease the hub grants, in seconds (subscribe).
    #[param(rename = "hub.lease_seconds")]
    lease_seconds: Option<i64>,
    /// Why the hub denied the subscription (denied).
    #[param(rename = "hub.reason")]
    reason: Option<String>,
}

/// What a hub's request to a callback says.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
enum CallbackMode {
    Subscribe,
    Unsubscribe,
    Denied,
}

/// A hub's request carries these in the path.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
struct CallbackPath {
    /// The subscription's id.
    #[param(minimum = 0)]
    id: i64,
    /// The subscription's own unguessable token.
    token: String,
}

/// A source's WebSub subscription to its outlet's hub, as its status shows it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SourceSubscription {
    /// The hub its feed names.
    pub hub: String,
    /// The topic subscribed to: the feed's self URL, else its address.
    pub topic: String,
    /// `subscribing` (asked, waiting for the hub's verification), `verified` (pushes come;
    /// polled at the longer fallback interval), `denied`, `failed` or `expired` (polled at its
    /// own interval meanwhile; asked again later).
    #[schema(value_type = SubscriptionStateName)]
    pub state: &'static str,
    /// When the hub's lease ends; null until verified. Renewed at four fifths of it.
    #[schema(format = DateTime, required = true)]
    pub lease_expires_at: Option<String>,
    /// When a signed delivery was last stored; null while none has been.
    #[schema(format = DateTime, required = true)]
    pub last_delivery_at: Option<String>,
    /// Signed deliveries stored.
    pub deliveries: i64,
    /// Deliveries ignored for a missing or wrong signature.
    pub ignored_deliveries: i64,
    /// Why the last request failed, the hub's reason for a denial, or the last delivery
    /// ignored; null when none.
    #[schema(required = true)]
    pub last_error: Option<String>,
}

/// Where a subscription stands.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
enum SubscriptionStateName {
    Subscribing,
    Verified,
    Denied,
    Failed,
    Expired,
}

impl SourceSubscription {
    pub fn of(subscription: &crate::domain::subscription::Subscription) -> SourceSubscription {
        use crate::publish::rfc3339;
        SourceSubscription {
            hub: subscription.hub.clone(),
            topic: subscription.topic.clone(),
            state: subscription.state.as_str(),
            lease_expires_at: subscription.lease_expires_at.map(rfc3339),
            last_delivery_at: subscription.last_delivery_at.map(rfc3339),
            deliveries: subscription.deliveries,
            ignored_deliveries: subscription.ignored_deliveries,
            last_error: subscription.last_error.clone(),
        }
    }
}

/// A 404 that says nothing of why.
fn unknown() -> Response {
    ApiError::NotFound("callback").into_response()
}

/// The subscription's id, if the request may go on: the id and token are a
/// subscription's, and its allowance is not spent. The token is checked first, so that
/// requests with a wrong one (anyone may send them) never spend the hub's allowance.
async fn admitted(state: &AppState, id: &str, token: &str) -> Result<i64, Response> {
    let id = Number::parse(id).ok_or_else(unknown)?.get();
    match state.operations.hub_callback_known(id, token).await {
        Ok(true) => {}
        Ok(false) => return Err(unknown()),
        Err(error) => return Err(ApiError::from(error).into_response()),
    }
    match state.callback_limiter.check(&(id % ALLOWANCES).to_string()) {
        Ok(()) => Ok(id),
        Err(retry_after) => Err(ApiError::TooManyRequests { retry_after }.into_response()),
    }
}

/// WebSub callback: verification of intent
///
/// A hub confirms a subscription (or unsubscription) syndic asked it for: the challenge
/// is echoed, as plain text, only when the id and token name a subscription of syndic's,
/// the topic is its own and the mode is what syndic asked for; the subscription is then
/// verified with the lease the hub grants (renewed at four fifths of it). A denial
/// (`hub.mode=denied`) of such a subscription is recorded with its reason. Anything else
/// is 404, and nothing is echoed.
///
/// No token needed: the path is the subscription's secret.
#[utoipa::path(
    get,
    path = "/websub/callback/{id}/{token}",
    operation_id = "websubCallbackVerify",
    tag = "websub",
    params(CallbackPath, VerificationQuery),
    responses(
        (status = 200, description = "The challenge, echoed.", body = String, content_type = "text/plain; charset=utf-8"),
        (status = 204, description = "A denial, recorded."),
        (status = 404, description = "Not a request of syndic's subscription: unknown id or token, another topic \
            or mode, no challenge.", body = ErrorBody),
        (status = 429, description = "Over the subscription's 120 requests a minute.", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait."))),
        (status = 500, description = "An internal error (logged, never described to the client).", body = ErrorBody),
    ),
)]
async fn verification(
    State(state): State<AppState>,
    Path((id, token)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Response {
    let id = match admitted(&state, &id, &token).await {
        Ok(id) => id,
        Err(refused) => return refused,
    };
    let params: Vec<(String, String)> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()).into_owned().collect();
    match state.operations.hub_verification(id, &token, &params).await {
        Ok(Intent::Confirmed(challenge)) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8"), (header::CACHE_CONTROL, "no-store")],
            challenge,
        )
            .into_response(),
        Ok(Intent::DenialRecorded) => StatusCode::NO_CONTENT.into_response(),
        Ok(Intent::Unknown) => unknown(),
        Err(error) => ApiError::from(error).into_response(),
    }
}

/// WebSub callback: content distribution
///
/// A hub delivers the new version of the topic's feed. It is stored only when
/// `X-Hub-Signature` (`sha1=`, `sha256=`, `sha384=` or `sha512=` and the hex HMAC of the
/// body under the secret syndic gave the hub) matches: parsed and stored as a poll of
/// the source would be, with its routing and review, and recorded on the source. A
/// delivery without a valid signature is answered 204 all the same, as WebSub requires,
/// but ignored, and that is recorded on the subscription.
///
/// No token needed: the path is the subscription's secret.
#[utoipa::path(
    post,
    path = "/websub/callback/{id}/{token}",
    operation_id = "websubCallbackDeliver",
    tag = "websub",
    params(CallbackPath, ("X-Hub-Signature" = Option<String>, Header, description = "`METHOD=HEX`: the HMAC of the body.")),
    request_body(content = String, description = "The feed document (RSS, Atom or JSON Feed), at most 16 MiB.",
        content_type = "application/atom+xml"),
    responses(
        (status = 204, description = "Taken: stored if its signature matched, else ignored."),
        (status = 404, description = "Unknown id or token.", body = ErrorBody),
        (status = 410, description = "The subscription is being ended: the hub may drop it.", body = ErrorBody),
        (status = 413, description = "A body over 16 MiB.", body = ErrorBody),
        (status = 429, description = "Over the subscription's 120 requests a minute.", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait."))),
        (status = 500, description = "An internal error (logged, never described to the client); the hub should \
            send it again.", body = ErrorBody),
    ),
)]
async fn delivery(
    State(state): State<AppState>,
    Path((id, token)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let id = match admitted(&state, &id, &token).await {
        Ok(id) => id,
        Err(refused) => return refused,
    };
    let (bytes, _room) = match state.bodies.read(&headers, body, MAX_FEED_BYTES).await {
        Ok(read) => read,
        Err(error) => return error.into_response(),
    };
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let signature = text(header::HeaderName::from_static("x-hub-signature"));
    let delivered =
        state.operations.hub_delivery(id, &token, signature.as_deref(), text(header::CONTENT_TYPE), &bytes).await;
    match delivered {
        Ok(Delivery::Stored { .. } | Delivery::Ignored) => StatusCode::NO_CONTENT.into_response(),
        Ok(Delivery::Gone) => {
            let message = "this subscription is being ended".to_owned();
            ApiError::Refused { status: StatusCode::GONE, message }.into_response()
        }
        Ok(Delivery::Unknown) => unknown(),
        Err(error) => ApiError::from(error).into_response(),
    }
}
