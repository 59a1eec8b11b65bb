//! Articles: pushes, batches and feed documents (stored through `ingest::Pipeline`),
//! withdrawals, the quarantine review, and the demo content.

use super::Operations;
use crate::catalog::CatalogError;
use crate::demo::{self, DemoLoaded};
use crate::domain::audit::Action;
use crate::domain::correction::strict_title_refusal;
use crate::domain::review::Review;
use crate::domain::source::Routing;
use crate::domain::ArticleStatus;
use crate::domain::{Actor, ArticleDraft, FieldErrors, Outlet, Withdrawer};
use crate::ingest::fetch::{self, FetchError, Validators};
use crate::ingest::{feed, Accepted, ImportError, IngestError, Tally};
use crate::search::{SearchError, SearchQuery};
use crate::store::{Audit, HeldArticle, StaffArticle, StaffQuery, StoreError, Withdrawal};

/// An article of a batch: stored (or refused on its own), or not valid in the first place.
pub type BatchItem<E> = Result<(ArticleDraft, Result<Accepted, IngestError>), E>;

impl Operations {
    /// Stores one article of `outlet`, pushed by `actor`.
    pub async fn push_article(
        &self,
        actor: &Actor,
        outlet: &Outlet,
        draft: &ArticleDraft,
    ) -> Result<Accepted, IngestError> {
        let accepted = self.pipeline.accept(outlet, draft).await?;
        self.record(actor, "article pushed", accepted.id);
        Ok(accepted)
    }

    /// Stores the valid articles of a batch of `outlet` in one transaction; the invalid
    /// ones pass through in their places.
    pub async fn push_batch<E>(
        &self,
        actor: &Actor,
        outlet: &Outlet,
        prepared: Vec<Result<ArticleDraft, E>>,
    ) -> Result<Vec<BatchItem<E>>, StoreError> {
        let stored = self.pipeline.accept_valid(outlet, Review::Auto, prepared).await?;
        self.record(actor, "batch pushed", format_args!("{} articles of {}", stored.len(), outlet.slug));
        Ok(stored)
    }

    /// Imports every entry of a feed document as `outlet`'s, routed by `routing`.
    pub async fn import_document(
        &self,
        actor: &Actor,
        outlet: &Outlet,
        routing: &Routing,
        document: impl AsRef<[u8]>,
        context: &feed::Context,
    ) -> Result<Tally, ImportError> {
        let tally = self.pipeline.import_document(outlet, routing, document, context).await?;
        self.record(actor, "document imported", format_args!("{} entries of {}", tally.items.len(), outlet.slug));
        Ok(tally)
    }

    /// A feed document at an http(s) URL, fetched through the SSRF guard, with what
    /// parsing needs to know of it (`zone`: the outlet's time zone).
    pub async fn fetch_document(&self, url: &str, zone: chrono_tz::Tz) -> Result<(Vec<u8>, feed::Context), FetchError> {
        let fetched = fetch::fetch(&self.fetcher, url, &Validators::default()).await?;
        let content_type = fetched.headers.get("content-type").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let context = feed::Context { document_url: Some(fetched.url), content_type, zone };
        Ok((fetched.body.unwrap_or_default(), context))
    }

    /// Withdraws an article by id or original URL. An outlet withdraws only its own
    /// (another's is `Withdrawal::NotYours`); the admin and the CLI any, as the site
    /// (`Withdrawer::acting_as`: the article's page says which).
    pub async fn withdraw_article(
        &self,
        actor: &Actor,
        id: Option<i64>,
        url: Option<&str>,
    ) -> Result<Withdrawal, StoreError> {
        let owner = match actor {
            Actor::Outlet { id, .. } => Some(*id),
            _ => None,
        };
        let audit = Audit::new(actor, Action::ArticleWithdraw);
        self.store.withdraw_article(id, url, owner, Withdrawer::acting_as(actor), audit).await
    }

    /// Articles whatever their standing, for staff: a page of `query`, with one more
    /// when another page follows; with `text`, those among them it finds
    /// (`staff_articles_matching`).
    pub async fn staff_articles(
        &self,
        query: &StaffQuery,
        text: Option<&SearchQuery>,
    ) -> Result<Vec<StaffArticle>, SearchError> {
        match text {
            Some(text) => self.staff_articles_matching(query, text).await,
            None => Ok(self.store.staff_articles(query).await?),
        }
    }

    /// One article with every field and where it stands, whatever that is.
    pub async fn staff_article(&self, id: i64) -> Result<Option<StaffArticle>, StoreError> {
        self.store.staff_article(id).await
    }

    /// Makes an article the site withdrew (or whose repost right ended) public again,
    /// through the same change path as a withdrawal. An outlet's own withdrawal is the
    /// outlet's to undo (`Withdrawer::reinstatable_by_site`): a conflict, as is an
    /// article that is not withdrawn.
    pub async fn reinstate_article(&self, actor: &Actor, id: i64) -> Result<(), StoreError> {
        let found = self.store.staff_article(id).await?.ok_or(StoreError::NotFound("article"))?;
        if !matches!(found.status, ArticleStatus::Withdrawn | ArticleStatus::Expired) {
            return Err(StoreError::Conflict(format!(
                "article {id} is not withdrawn (it is {})",
                found.status.as_str()
            )));
        }
        Withdrawer::reinstatable_by_site(found.withdrawn_by).map_err(|reason| StoreError::Conflict(reason.into()))?;
        let audit = Audit::new(actor, Action::ArticleReinstate);
        if !self.store.reinstate_article(id, &[Withdrawer::Site, Withdrawer::Expiry], audit).await? {
            return Err(StoreError::Conflict(format!("article {id} changed meanwhile; look at it again")));
        }
        Ok(())
    }

    /// Files an article under other columns (ids, primary first, at least one); a
    /// column its outlet may not file into (`domain::reposting`), or a strict column
    /// (or one under it) while an editor's title differs from the outlet's by more
    /// than `same_title` allows, is refused naming `columns`.
    pub async fn move_article(&self, actor: &Actor, id: i64, column_ids: &[i64]) -> Result<(), CatalogError> {
        let found = self.store.staff_article(id).await?.ok_or(CatalogError::NotFound("article"))?;
        let outlet = self.store.outlet_by_slug(found.article.outlet.slug.as_str()).await?;
        let tree = self.store.column_tree().await?;
        let filed = outlet.reposting.may_file(&tree, column_ids);
        filed.map_err(|refusal| FieldErrors::single("columns", refusal.to_string()))?;
        let article = &found.article;
        if let Some(refusal) = strict_title_refusal(&tree, column_ids, article.outlet_title(), &article.title) {
            let reason = format!("the article's edited title may not move there: {refusal}");
            return Err(FieldErrors::single("columns", reason).into());
        }
        Ok(self.store.refile_article(id, column_ids, Audit::new(actor, Action::ArticleMove)).await?)
    }

    /// The id of the article with this normalised original URL.
    pub async fn article_id(&self, original_url: &str) -> Result<i64, StoreError> {
        self.store.article_id(original_url).await
    }

    /// Every article the content policy holds, newest first.
    pub async fn held_articles(&self) -> Result<Vec<HeldArticle>, StoreError> {
        self.store.quarantined_articles().await
    }

    /// The columns an article is filed under (none: no such article), for a user's scope.
    pub async fn article_column_ids(&self, id: i64) -> Result<Vec<i64>, StoreError> {
        self.store.article_column_ids(id).await
    }

    /// Publishes a held article as it stands; where it stands then (`pending` when it is
    /// also held for review, `embargoed` under an embargo).
    pub async fn release_article(&self, actor: &Actor, id: i64) -> Result<ArticleStatus, StoreError> {
        self.store.release_article(id, Audit::new(actor, Action::QuarantineRelease)).await
    }

    /// Deletes a held article.
    pub async fn reject_article(&self, actor: &Actor, id: i64) -> Result<(), StoreError> {
        self.store.reject_article(id, Audit::new(actor, Action::QuarantineReject)).await
    }

    /// Fills an empty database with the demo content (`None`: it had content already),
    /// its editors' corrections made as `actor`'s edits.
    pub async fn load_demo(&self, actor: &Actor) -> anyhow::Result<Option<DemoLoaded>> {
        let mut loaded = demo::load_if_empty(&self.pipeline, self.config.site.timezone, actor).await?;
        if let Some(loaded) = &mut loaded {
            for (id, input) in std::mem::take(&mut loaded.edits) {
                let edit = self.prepare_edit(id, input).await?;
                self.edit_article(actor, id, edit).await?;
            }
            self.record(actor, "demo content loaded", format_args!("{} articles", loaded.articles));
        }
        Ok(loaded)
    }
}
