//! Sources' WebSub subscriptions to outlets' hubs: the subscriber each instance runs,
//! and what hubs send to its callbacks (`ingest::websub`).

use super::Operations;
use crate::ingest::websub::callback::{self, Delivery, Intent};
use crate::ingest::websub::Subscriber;
use crate::store::StoreError;

impl Operations {
    /// The WebSub subscriber of this instance: asks hubs, renews leases, unsubscribes.
    pub fn subscriber(&self) -> Subscriber {
        Subscriber::new(self.store.clone(), self.fetcher.clone(), &self.config.base_url, self.config.subscriber.clone())
    }

    /// Whether `id` and `token` name a subscription's callback (before its body is read).
    pub async fn hub_callback_known(&self, id: i64, token: &str) -> Result<bool, StoreError> {
        callback::known(&self.pipeline, id, token).await
    }

    /// A hub's verification of intent, or denial, at callback `id`/`token`.
    pub async fn hub_verification(
        &self,
        id: i64,
        token: &str,
        params: &[(String, String)],
    ) -> Result<Intent, StoreError> {
        callback::verify_intent(&self.pipeline, id, token, params).await
    }

    /// A hub's delivery at callback `id`/`token`; stored articles are the outlet's, pushed
    /// on its behalf by its hub (logged: the audit log leaves pushes out).
    pub async fn hub_delivery(
        &self,
        id: i64,
        token: &str,
        signature: Option<&str>,
        content_type: Option<String>,
        body: &[u8],
    ) -> Result<Delivery, StoreError> {
        let delivery =
            callback::receive(&self.pipeline, &self.fetcher, id, token, signature, content_type, body).await?;
        if let Delivery::Stored { source_id, outlet, .. } = &delivery {
            self.record(outlet, "delivered by its WebSub hub", format!("source {source_id}"));
        }
        Ok(delivery)
    }
}
