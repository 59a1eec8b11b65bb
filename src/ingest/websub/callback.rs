//! What a hub sends to a subscription's callback (`/websub/callback/{id}/{token}`): the
//! verification of intent (a GET with a challenge, echoed only for a request syndic made:
//! the subscription exists, the token is its own, the topic and mode are what it asked
//! for; anything else is "unknown", answered 404, so the callback echoes nothing for
//! anyone else), a denial, and deliveries (a POST of the feed, whose `X-Hub-Signature`
//! must be the secret's HMAC of the body, else it is ignored, as WebSub says, and the
//! ignoring recorded). A delivery goes through the same parsing and `Pipeline` path as a
//! poll of the source (`poll::record_push`).

use super::signature;
use crate::domain::subscription::{granted_lease, renewal_due, SubscriptionState, DENIED_RETRY_SECS};
use crate::domain::{token, Actor};
use crate::ingest::fetch::Fetcher;
use crate::ingest::poll;
use crate::ingest::Pipeline;
use crate::store::subscriptions::{StateChange, SubscriptionJob};
use crate::store::StoreError;
use chrono::{Duration, Utc};

/// The longest challenge echoed.
pub const MAX_CHALLENGE_BYTES: usize = 1024;
/// The most of a hub's reason for a denial kept.
const MAX_REASON_CHARS: usize = 300;

/// What the callback answers a verification request.
#[derive(Debug, PartialEq, Eq)]
pub enum Intent {
    /// A request syndic made: the challenge, to be echoed.
    Confirmed(String),
    /// A denial of a subscription of ours, recorded.
    DenialRecorded,
    /// Not a request of ours (or not a callback at all).
    Unknown,
}

/// What became of a delivery.
#[derive(Debug)]
pub enum Delivery {
    /// Parsed and stored like a poll (counts and any error on the source).
    Stored {
        source_id: i64,
        outlet: Actor,
    },
    /// Not signed with the subscription's secret: ignored, and recorded.
    Ignored,
    /// The subscription is being ended: the hub may drop it.
    Gone,
    Unknown,
}

/// Whether `id` and `token` name a subscription's callback.
pub async fn known(pipeline: &Pipeline, id: i64, token: &str) -> Result<bool, StoreError> {
    Ok(subscription(pipeline, id, token).await?.is_some())
}

/// The subscription this callback path names, if the token is its own.
async fn subscription(pipeline: &Pipeline, id: i64, token: &str) -> Result<Option<SubscriptionJob>, StoreError> {
    let job = pipeline.store.subscription_job(id).await?;
    Ok(job.filter(|job| token::constant_time_eq(&job.credentials.callback_token, token)))
}

/// Answers a hub's verification of intent (or denial) with the query's `hub.*` pairs.
pub async fn verify_intent(
    pipeline: &Pipeline,
    id: i64,
    token: &str,
    params: &[(String, String)],
) -> Result<Intent, StoreError> {
    let Some(job) = subscription(pipeline, id, token).await? else { return Ok(Intent::Unknown) };
    let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let subscription = &job.subscription;
    if param("hub.topic") != Some(subscription.topic.as_str()) {
        return Ok(Intent::Unknown);
    }
    let store = &pipeline.store;
    let challenge = param("hub.challenge").filter(|c| !c.is_empty() && c.len() <= MAX_CHALLENGE_BYTES);
    let ending = !subscription.wanted;
    match (param("hub.mode"), challenge) {
        (Some("subscribe"), Some(challenge)) if !ending => {
            let lease = granted_lease(param("hub.lease_seconds"));
            store.subscription_verified(id, lease, renewal_due(Utc::now(), lease)).await?;
            tracing::info!(subscription = id, hub = %subscription.hub, lease, "WebSub subscription verified");
            Ok(Intent::Confirmed(challenge.to_owned()))
        }
        (Some("unsubscribe"), Some(challenge)) if ending => {
            store.forget_subscription(id).await?;
            tracing::info!(subscription = id, hub = %subscription.hub, "WebSub unsubscription verified");
            Ok(Intent::Confirmed(challenge.to_owned()))
        }
        (Some("denied"), _) if ending => {
            store.forget_subscription(id).await?;
            Ok(Intent::DenialRecorded)
        }
        (Some("denied"), _) => {
            let reason = param("hub.reason").map(str::trim).filter(|r| !r.is_empty()).unwrap_or("no reason given");
            let reason: String = crate::ingest::sanitize::xml_safe(reason).chars().take(MAX_REASON_CHARS).collect();
            tracing::info!(subscription = id, hub = %subscription.hub, %reason, "WebSub subscription denied");
            let change = StateChange {
                state: SubscriptionState::Denied,
                error: Some(format!("the hub denied the subscription: {reason}")),
                request: None,
                next_action_at: Utc::now() + Duration::seconds(DENIED_RETRY_SECS),
                expected: None,
            };
            store.change_subscription(id, &change).await?;
            Ok(Intent::DenialRecorded)
        }
        _ => Ok(Intent::Unknown),
    }
}

/// Takes a hub's delivery: checks its signature, then stores it as a poll of the source
/// would. A store failure is an error (the hub should send it again); a document that
/// is not a feed is recorded on the source like a failed poll.
pub async fn receive(
    pipeline: &Pipeline,
    fetcher: &Fetcher,
    id: i64,
    token: &str,
    signature_header: Option<&str>,
    content_type: Option<String>,
    body: &[u8],
) -> Result<Delivery, StoreError> {
    let Some(job) = subscription(pipeline, id, token).await? else { return Ok(Delivery::Unknown) };
    let subscription = &job.subscription;
    if !subscription.wanted {
        return Ok(Delivery::Gone);
    }
    let Some(source) = pipeline.store.source(subscription.source_id).await? else { return Ok(Delivery::Gone) };
    if let Err(reason) = signature::verify(&job.credentials.secret, signature_header, body) {
        let reason = format!("a delivery with {reason} was ignored");
        tracing::warn!(subscription = id, hub = %subscription.hub, %reason, "WebSub delivery ignored");
        pipeline.store.subscription_delivery(id, Some(&reason)).await?;
        return Ok(Delivery::Ignored);
    }
    let topic = url::Url::parse(&subscription.topic).ok();
    poll::record_push(pipeline, fetcher, &source, topic, content_type, body).await?;
    pipeline.store.subscription_delivery(id, None).await?;
    let outlet = Actor::Outlet { id: source.outlet_id, slug: source.outlet_slug.clone() };
    Ok(Delivery::Stored { source_id: source.id, outlet })
}
