//! Review before publish: the queue of held articles, approving (the approver becomes
//! the responsible editor, 责任编辑) and rejecting with a reason. The API and the
//! console share these, so neither can do what the other may not.

use super::Operations;
use crate::catalog::{CatalogError, MAX_DESCRIPTION_CHARS};
use crate::domain::audit::Action;
use crate::domain::review::default_editor_refusal;
use crate::domain::text::required_text;
use crate::domain::{Actor, ArticleStatus, FieldErrors, User};
use crate::store::{Audit, PendingArticle, ReviewPosition, StoreError};

impl Operations {
    /// Articles waiting for review, oldest first, those filed wholly within `within`
    /// when given; with one more than `limit` when another page follows.
    pub async fn pending_articles(
        &self,
        within: Option<&[i64]>,
        after: Option<ReviewPosition>,
        limit: i64,
    ) -> Result<Vec<PendingArticle>, StoreError> {
        self.store.pending_articles(within, after, limit).await
    }

    /// How many articles wait for review (within `within` when given).
    pub async fn pending_count(&self, within: Option<&[i64]>) -> Result<i64, StoreError> {
        self.store.pending_count(within).await
    }

    /// Publishes an article waiting for review, now (under an embargo, when it ends),
    /// with `actor` (a user; the admin token is no person and records none) as its
    /// responsible editor; where it stands then. One that is not waiting is a conflict
    /// naming where it stands.
    pub async fn approve_article(&self, actor: &Actor, id: i64) -> Result<ArticleStatus, StoreError> {
        let editor = match actor {
            Actor::User { username } => Some(username.as_str()),
            _ => None,
        };
        self.store.approve_article(id, editor, Audit::new(actor, Action::ArticleApprove)).await
    }

    /// Rejects an article waiting for review with a reason (required: 422 naming
    /// `reason`); it stays stored, published nowhere. One that is not waiting is a
    /// conflict naming where it stands.
    pub async fn reject_in_review(&self, actor: &Actor, id: i64, reason: Option<&str>) -> Result<(), CatalogError> {
        let reason = required_text(reason, MAX_DESCRIPTION_CHARS).map_err(|e| FieldErrors::single("reason", e))?;
        Ok(self.store.reject_pending(id, &reason, Audit::new(actor, Action::ArticleReject)).await?)
    }

    /// The users who may be an outlet's default responsible editor: enabled admins and
    /// editors of every column (`review::default_editor_refusal`), by username.
    pub async fn responsible_editors(&self) -> Result<Vec<User>, StoreError> {
        let users = self.store.users().await?;
        Ok(users.into_iter().filter(|u| default_editor_refusal(u).is_none()).collect())
    }
}
