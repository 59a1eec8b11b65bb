//! Announcing changed URLs: our pages to search engines (IndexNow, Baidu's link push
//! 主动推送) and our feeds to an external WebSub hub (`hub.mode=publish`). Each target
//! has its own queue; URLs are sent in batches and retried with backoff.

use super::Notifier;
use crate::store::outbound::Ping;
use crate::store::{ChangeRecord, StoreError};
use serde_json::json;
use std::time::Duration;

/// Queue target names.
const BAIDU: &str = "baidu";
const HUB: &str = "hub";
const INDEXNOW_PREFIX: &str = "indexnow ";

/// URLs per request: IndexNow takes up to 10,000; Baidu's push is sized for 2,000 a day
/// on small sites; hubs take a handful of topics at once.
const INDEXNOW_BATCH: i64 = 10_000;
const BAIDU_BATCH: i64 = 2_000;
const HUB_BATCH: i64 = 50;
/// How long one announcement may take: the targets are the operator's choice, and a
/// batch of 10,000 URLs can take a while to be accepted.
const PING_TIMEOUT: Duration = Duration::from_secs(15);

/// One place changes are announced.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    IndexNow { endpoint: String, key: String },
    Baidu { push_url: String },
    Hub { url: String },
}

impl Target {
    fn name(&self) -> String {
        match self {
            Target::IndexNow { endpoint, .. } => format!("{INDEXNOW_PREFIX}{endpoint}"),
            Target::Baidu { .. } => BAIDU.to_owned(),
            Target::Hub { .. } => HUB.to_owned(),
        }
    }

    fn batch(&self) -> i64 {
        match self {
            Target::IndexNow { .. } => INDEXNOW_BATCH,
            Target::Baidu { .. } => BAIDU_BATCH,
            Target::Hub { .. } => HUB_BATCH,
        }
    }

    /// Whether it hears of pages (rather than feeds).
    fn takes_pages(&self) -> bool {
        !matches!(self, Target::Hub { .. })
    }
}

/// The configured targets.
fn targets(notifier: &Notifier) -> Vec<Target> {
    let notify = &notifier.config.notify;
    let mut targets = Vec::new();
    if let Some(key) = &notify.indexnow_key {
        for endpoint in &notify.indexnow_endpoints {
            targets.push(Target::IndexNow { endpoint: endpoint.clone(), key: key.clone() });
        }
    }
    if let Some(push_url) = &notify.baidu_push_url {
        targets.push(Target::Baidu { push_url: push_url.expose().to_owned() });
    }
    if let Some(url) = &notify.websub_hub {
        targets.push(Target::Hub { url: url.clone() });
    }
    targets
}

/// The pings the changes call for: each indexable page changed (created, corrected,
/// withdrawn) to every search engine, each changed feed to an external hub.
pub fn for_changes(notifier: &Notifier, changes: &[ChangeRecord], topics: &[String]) -> Vec<(String, String)> {
    let pages: Vec<String> =
        changes.iter().filter(|c| c.indexable).map(|c| notifier.site.article_url(c.article_id)).collect();
    let mut pings = Vec::new();
    for target in targets(notifier) {
        let urls = if target.takes_pages() { &pages } else { topics };
        pings.extend(urls.iter().map(|url| (target.name(), url.clone())));
    }
    pings
}

/// Sends one batch to each target that has due pings.
pub async fn send_due(notifier: &Notifier) -> Result<(), StoreError> {
    for target in targets(notifier) {
        let due = notifier.store.claim_pings(&target.name(), target.batch(), super::LEASE_SECS).await?;
        if due.is_empty() {
            continue;
        }
        let notifier = notifier.clone();
        tokio::spawn(async move {
            if let Err(error) = send_batch(&notifier, &target, &due).await {
                tracing::error!(%error, target = %target.name(), "cannot record pings");
            }
        });
    }
    Ok(())
}

async fn send_batch(notifier: &Notifier, target: &Target, due: &[Ping]) -> Result<(), StoreError> {
    let urls: Vec<&str> = due.iter().map(|p| p.url.as_str()).collect();
    let (url, content_type, body) = match target {
        Target::IndexNow { endpoint, key } => {
            let host = url::Url::parse(&notifier.site.base_url).ok().and_then(|u| u.host_str().map(str::to_owned));
            let body = json!({
                "host": host,
                "key": key,
                "keyLocation": format!("{}/{key}.txt", notifier.site.base_url),
                "urlList": urls,
            });
            (endpoint.as_str(), "application/json; charset=utf-8", body.to_string())
        }
        Target::Baidu { push_url } => (push_url.as_str(), "text/plain", urls.join("\n")),
        Target::Hub { url } => {
            let mut form = url::form_urlencoded::Serializer::new(String::new());
            form.append_pair("hub.mode", "publish");
            for topic in &urls {
                form.append_pair("hub.url", topic);
            }
            (url.as_str(), "application/x-www-form-urlencoded", form.finish())
        }
    };
    let headers = [("content-type", content_type.to_owned())];
    let outcome =
        notifier.fetcher.send(reqwest::Method::POST, url, &headers, Some(body.into_bytes()), PING_TIMEOUT).await;
    let ids: Vec<i64> = due.iter().map(|p| p.id).collect();
    let failure = match outcome {
        Ok(reply) if (200..300).contains(&reply.status) => {
            tracing::info!(target = %target.name(), urls = due.len(), "changed URLs announced");
            return notifier.store.finish_pings(&ids).await;
        }
        Ok(reply) => format!("HTTP {}: {}", reply.status, String::from_utf8_lossy(&reply.body)),
        Err(error) => error.message,
    };
    let (give_up, retry): (Vec<&Ping>, Vec<&Ping>) = due.iter().partition(|p| notifier.gives_up(p.attempts + 1));
    tracing::warn!(target = %target.name(), %failure, retrying = retry.len(), given_up = give_up.len(), "announcing URLs failed");
    notifier.store.finish_pings(&give_up.iter().map(|p| p.id).collect::<Vec<_>>()).await?;
    let attempts = retry.iter().map(|p| p.attempts + 1).max().unwrap_or(1);
    notifier.store.retry_pings(&retry.iter().map(|p| p.id).collect::<Vec<_>>(), notifier.backoff_micros(attempts)).await
}
