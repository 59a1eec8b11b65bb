//! A WebSub hub (W3C Recommendation, 2018) for our own feeds: subscription requests are
//! checked and queued, intent is verified with a GET challenge to the callback, and
//! each change to a topic sends the topic's feed to its subscribers, signed with
//! `X-Hub-Signature: sha256=…` when they gave a secret.

use super::Notifier;
use crate::assemble::{Assembler, Audience};
use crate::domain::token;
use crate::publish::{FeedKind, Site};
use crate::store::outbound::{Delivery, WebsubRequest};
use crate::store::{Store, StoreError};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Subscription length when the subscriber asks for none, and the bounds of what it may ask.
pub const DEFAULT_LEASE_SECS: i64 = 10 * 24 * 3600;
pub const MIN_LEASE_SECS: i64 = 60;
pub const MAX_LEASE_SECS: i64 = 30 * 24 * 3600;
/// WebSub limits secrets to 200 bytes.
pub const MAX_SECRET_BYTES: usize = 199;

/// A checked (un)subscription request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubRequest {
    pub subscribe: bool,
    pub topic: String,
    pub callback: String,
    pub lease_seconds: i64,
    pub secret: Option<String>,
}

/// Checks a request's `hub.*` parameters; the error says what is wrong, for a 400.
pub async fn check_request(store: &Store, site: &Site, params: &[(String, String)]) -> Result<HubRequest, String> {
    let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim());
    let subscribe = match param("hub.mode") {
        Some("subscribe") => true,
        Some("unsubscribe") => false,
        Some(other) => return Err(format!("hub.mode '{other}' is not 'subscribe' or 'unsubscribe'")),
        None => return Err("hub.mode is required".into()),
    };
    let topic = param("hub.topic").ok_or("hub.topic is required")?;
    let (kind, _) = site.feed_at(topic).ok_or_else(|| format!("hub.topic '{topic}' is not a feed of this site"))?;
    let exists = match &kind {
        FeedKind::Site => true,
        FeedKind::Column(slug) => store.column_tree().await.map_err(|e| e.to_string())?.by_slug(slug).is_some(),
        FeedKind::Outlet(slug) => store.outlet_by_slug(slug).await.is_ok(),
    };
    if !exists {
        return Err(format!("hub.topic '{topic}' is not a feed of this site"));
    }
    let callback = param("hub.callback").ok_or("hub.callback is required")?;
    let callback = crate::domain::text::http_url(callback).map_err(|e| format!("hub.callback {e}"))?;
    let lease_seconds = match param("hub.lease_seconds") {
        None | Some("") => DEFAULT_LEASE_SECS,
        Some(raw) => raw.parse::<i64>().map_err(|_| format!("hub.lease_seconds '{raw}' is not a number"))?,
    }
    .clamp(MIN_LEASE_SECS, MAX_LEASE_SECS);
    let secret = param("hub.secret").filter(|s| !s.is_empty()).map(str::to_owned);
    if secret.as_ref().is_some_and(|s| s.len() > MAX_SECRET_BYTES) {
        return Err("hub.secret must be shorter than 200 bytes".into());
    }
    Ok(HubRequest { subscribe, topic: topic.to_owned(), callback, lease_seconds, secret })
}

/// Verifies a request's intent with the subscriber and applies it if confirmed.
pub async fn verify(notifier: &Notifier, request: &WebsubRequest) -> Result<(), StoreError> {
    let challenge = token::generate("");
    let mut url = match url::Url::parse(&request.callback) {
        Ok(url) => url,
        Err(_) => return notifier.store.drop_websub_request(request.id).await,
    };
    url.query_pairs_mut()
        .append_pair("hub.mode", if request.subscribe { "subscribe" } else { "unsubscribe" })
        .append_pair("hub.topic", &request.topic)
        .append_pair("hub.challenge", &challenge);
    if request.subscribe {
        url.query_pairs_mut().append_pair("hub.lease_seconds", &request.lease_seconds.to_string());
    }
    let outcome = notifier.fetcher.send(reqwest::Method::GET, url.as_str(), &[], None).await;
    let failure = match outcome {
        Ok(reply) if (200..300).contains(&reply.status) => {
            if String::from_utf8_lossy(&reply.body).trim() == challenge {
                notifier.store.apply_websub_request(request).await?;
                tracing::info!(topic = %request.topic, callback = %request.callback, subscribe = request.subscribe, "WebSub intent verified");
            } else {
                tracing::info!(callback = %request.callback, "WebSub verification: challenge not echoed; request dropped");
                notifier.store.drop_websub_request(request.id).await?;
            }
            return Ok(());
        }
        // The subscriber answered and said no: the request ends here.
        Ok(reply) if (400..500).contains(&reply.status) && reply.status != 429 => {
            tracing::info!(callback = %request.callback, status = reply.status, "WebSub intent refused");
            return notifier.store.drop_websub_request(request.id).await;
        }
        Ok(reply) => format!("HTTP {}", reply.status),
        Err(error) => error.message,
    };
    let attempts = request.attempts + 1;
    if notifier.gives_up(attempts) {
        tracing::warn!(callback = %request.callback, %failure, "WebSub verification failed; request dropped");
        notifier.store.drop_websub_request(request.id).await
    } else {
        notifier.store.retry_websub_request(request.id, notifier.backoff_micros(attempts)).await
    }
}

/// Sends a topic's current feed to one subscriber.
pub async fn deliver(notifier: &Notifier, delivery: &Delivery) -> Result<(), StoreError> {
    let assembler = Assembler { store: &notifier.store, site: &notifier.site, config: &notifier.config };
    let document = match notifier.site.feed_at(&delivery.topic) {
        Some((kind, format)) => assembler.feed(&kind, format, None, Audience::Subscriber).await?,
        None => None,
    };
    let Some(document) = document else {
        tracing::info!(topic = %delivery.topic, "WebSub topic no longer exists; subscription ended");
        return notifier.store.drop_subscription(delivery.subscription_id).await;
    };
    let body = document.body.into_bytes();
    let mut headers = vec![
        ("content-type", document.content_type.to_owned()),
        ("link", format!("<{}>; rel=\"hub\", <{}>; rel=\"self\"", notifier.site.hub_url, delivery.topic)),
    ];
    if let Some(secret) = &delivery.secret {
        headers.push(("x-hub-signature", format!("sha256={}", signature(secret, &body))));
    }
    let failure = match notifier.fetcher.send(reqwest::Method::POST, &delivery.callback, &headers, Some(body)).await {
        Ok(reply) if (200..300).contains(&reply.status) => {
            tracing::debug!(callback = %delivery.callback, "WebSub delivery sent");
            return notifier.store.finish_delivery(delivery).await;
        }
        Ok(reply) if reply.status == 410 => {
            tracing::info!(callback = %delivery.callback, "WebSub subscriber is gone (410); subscription ended");
            return notifier.store.drop_subscription(delivery.subscription_id).await;
        }
        Ok(reply) => format!("HTTP {}", reply.status),
        Err(error) => error.message,
    };
    let attempts = delivery.attempts + 1;
    if notifier.gives_up(attempts) {
        tracing::warn!(callback = %delivery.callback, %failure, attempts, "WebSub subscriber keeps failing; subscription ended");
        notifier.store.drop_subscription(delivery.subscription_id).await
    } else {
        tracing::info!(callback = %delivery.callback, %failure, attempts, "WebSub delivery failed; will retry");
        notifier.store.retry_delivery(delivery.subscription_id, notifier.backoff_micros(attempts), &failure).await
    }
}

/// Hex HMAC-SHA256 of `body` under `secret`, as `X-Hub-Signature` carries it.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_the_rfc_4231_test_vector() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
