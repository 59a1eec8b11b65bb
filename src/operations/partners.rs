//! Who reads: partners (their tokens and the change feed they walk) and WebSub
//! subscribers asking the hub for a subscription.

use super::Operations;
use crate::catalog::{self, CatalogError, PartnerForm};
use crate::domain::audit::Action;
use crate::domain::Actor;
use crate::notify::websub::{self, HubRefusal};
use crate::store::outbound::NewWebsubRequest;
use crate::store::partners::Partner;
use crate::store::{Audit, ChangeQuery, ChangedArticle, StoreError};

impl Operations {
    pub async fn partners(&self) -> Result<Vec<Partner>, StoreError> {
        self.store.partners().await
    }

    /// The partner whose live read token has this digest (`domain::token::digest`).
    pub async fn partner_by_token_digest(&self, digest: &str) -> Result<Option<Partner>, StoreError> {
        self.store.partner_by_token_digest(digest).await
    }

    /// Creates a partner; with its read token, shown only now.
    pub async fn add_partner(&self, actor: &Actor, form: PartnerForm) -> Result<(Partner, String), CatalogError> {
        catalog::add_partner(&self.store, form, Audit::new(actor, Action::PartnerAdd)).await
    }

    pub async fn revoke_partner(&self, actor: &Actor, id: i64) -> Result<(), StoreError> {
        self.store.revoke_partner(id, Audit::new(actor, Action::PartnerRevoke)).await
    }

    /// A page of the change feed: articles in the order their changes committed, pointing
    /// at the images syndic keeps as every public output does.
    pub async fn changed_articles(&self, query: &ChangeQuery) -> Result<Vec<ChangedArticle>, StoreError> {
        let changes = self.store.changed_articles(query).await?;
        Ok(changes
            .into_iter()
            .map(|change| match change {
                ChangedArticle::Live(article) => {
                    ChangedArticle::Live(Box::new(crate::publish::media::with_kept_images(&self.site, *article)))
                }
                gone => gone,
            })
            .collect())
    }

    /// Queues a WebSub (un)subscription request for verification of intent. Its actor
    /// is the subscriber its callback names, known once the request is read.
    pub async fn request_subscription(&self, params: &[(String, String)]) -> Result<NewWebsubRequest, HubRefusal> {
        let request = websub::accept_request(&self.store, &self.site, &self.fetcher, params).await?;
        let actor = Actor::Subscriber { callback_host: request.callback_host.clone() };
        let action = if request.subscribe { "subscription requested" } else { "unsubscription requested" };
        self.record(&actor, action, &request.topic);
        Ok(request)
    }
}
