//! Ingest: everything an outlet sends becomes a validated, sanitised `ArticleDraft`
//! here, and is stored through one idempotent path (`accept`), whichever way it came.
//!
//! This layer must never let unsanitised HTML or an unnormalised URL reach the store.

pub mod feed;
pub mod fetch;
pub mod guard;
pub mod items;
pub mod poll;
pub mod push;
pub mod sanitize;

use crate::domain::policy::ContentPolicy;
use crate::domain::source::Routing;
use crate::domain::{ArticleDraft, Outlet};
use crate::store::{Store, StoreError, UpsertOutcome};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("this article belongs to another outlet")]
    OwnedByOtherOutlet,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What happened to an accepted article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    Created,
    Updated,
    Unchanged,
}

impl Disposition {
    pub fn as_str(self) -> &'static str {
        match self {
            Disposition::Created => "created",
            Disposition::Updated => "updated",
            Disposition::Unchanged => "unchanged",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Accepted {
    pub id: i64,
    pub disposition: Disposition,
    pub reposted_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Why the content policy holds it in quarantine, if it does.
    pub held: Option<String>,
}

/// The one way articles get stored: every ingest path (push, poll, import, demo) goes
/// through it, so the content policy applies to all of them.
#[derive(Clone)]
pub struct Pipeline {
    pub store: Store,
    pub policy: Arc<ContentPolicy>,
}

impl Pipeline {
    pub fn new(store: Store, policy: ContentPolicy) -> Pipeline {
        Pipeline { store, policy: Arc::new(policy) }
    }

    /// Stores an outlet's article: created the first time, updated when it changed,
    /// left alone when it did not; held in quarantine when the policy says so.
    pub async fn accept(&self, outlet: &Outlet, draft: &ArticleDraft) -> Result<Accepted, IngestError> {
        let held = self.policy.violation(draft);
        let (disposition, stamp) = match self.store.upsert_article(outlet.id, draft, held.as_deref()).await? {
            UpsertOutcome::Created(s) => (Disposition::Created, s),
            UpsertOutcome::Updated(s) => (Disposition::Updated, s),
            UpsertOutcome::Unchanged(s) => (Disposition::Unchanged, s),
            UpsertOutcome::OwnedByOtherOutlet => return Err(IngestError::OwnedByOtherOutlet),
        };
        tracing::info!(
            outlet = %outlet.slug,
            article = stamp.id,
            url = %draft.original_url,
            disposition = disposition.as_str(),
            held = ?held,
            hidden_removed = draft.hidden_removed,
            "article ingested"
        );
        Ok(Accepted { id: stamp.id, disposition, reposted_at: stamp.reposted_at, updated_at: stamp.updated_at, held })
    }
}

/// What became of one entry of a feed document.
#[derive(Debug, Clone)]
pub struct ItemResult {
    pub link: Option<String>,
    /// The stored article, or why the entry was not taken.
    pub outcome: Result<Accepted, String>,
}

/// What became of a whole feed document's entries.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub items: Vec<ItemResult>,
    pub new: i64,
    pub updated: i64,
    pub refused: i64,
    /// Reasons for refusal, with how many entries each refused.
    pub refusals: BTreeMap<String, i64>,
    /// Entries stored but held by the content policy.
    pub quarantined: i64,
    /// Hidden elements removed from the entries' HTML.
    pub hidden_removed: i64,
}

/// Why a whole document could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Feed(#[from] feed::FeedError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Entries taken from one feed document; the rest are refused, counted.
pub const MAX_ENTRIES_PER_DOCUMENT: usize = 1_000;
/// Reason given for entries past that limit.
pub const OVER_ENTRY_LIMIT: &str = "past the per-document entry limit";

/// Reason given for entries a source's filters leave out.
pub const FILTERED_OUT: &str = "left out by the source's keyword filters";

impl Pipeline {
    /// Parses a feed document and stores its entries: one-shot import, by HTTP or CLI.
    pub async fn import_document(
        &self,
        outlet: &Outlet,
        routing: &Routing,
        bytes: &[u8],
        context: &feed::Context,
    ) -> Result<Tally, ImportError> {
        let parsed = feed::parse_document(bytes, context)?;
        let tally = self.accept_entries(outlet, routing, &parsed.entries).await?;
        tracing::info!(outlet = %outlet.slug, new = tally.new, updated = tally.updated, refused = tally.refused, "document imported");
        Ok(tally)
    }

    /// Stores a parsed feed's entries for `outlet` under `routing`: the path polling and
    /// one-shot import share. An entry without a date keeps the time it was first seen.
    pub async fn accept_entries(
        &self,
        outlet: &Outlet,
        routing: &Routing,
        entries: &[feed::Entry],
    ) -> Result<Tally, StoreError> {
        let mut tally = Tally::default();
        let now = Utc::now();
        for entry in entries {
            let outcome = self.accept_entry(outlet, routing, entry, now, &mut tally.hidden_removed).await?;
            if outcome.as_ref().is_ok_and(|a| a.held.is_some()) {
                tally.quarantined += 1;
            }
            match &outcome {
                Ok(accepted) if accepted.disposition == Disposition::Created => tally.new += 1,
                Ok(accepted) if accepted.disposition == Disposition::Updated => tally.updated += 1,
                Ok(_) => {}
                Err(reason) => {
                    tally.refused += 1;
                    let key = reason.split(':').next().unwrap_or(reason).to_owned();
                    *tally.refusals.entry(key).or_default() += 1;
                }
            }
            tally.items.push(ItemResult { link: entry.link.clone(), outcome });
        }
        Ok(tally)
    }

    async fn accept_entry(
        &self,
        outlet: &Outlet,
        routing: &Routing,
        entry: &feed::Entry,
        now: DateTime<Utc>,
        hidden_removed: &mut i64,
    ) -> Result<Result<Accepted, String>, StoreError> {
        let categories: Vec<String> = entry.categories.iter().map(|c| c.term.clone()).collect();
        let text: String = [&entry.title, &entry.summary, &entry.content]
            .into_iter()
            .flatten()
            .map(|t| t.value.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let Some(columns) = routing.columns_for(&categories, &text) else {
            return Ok(Err(FILTERED_OUT.to_owned()));
        };
        let mut draft = match items::draft_from_entry(entry, outlet, &columns, now) {
            Ok(draft) => draft,
            Err(refusal) => return Ok(Err(refusal.to_string())),
        };
        *hidden_removed += i64::from(draft.hidden_removed);
        if entry.published.is_none() && entry.updated.is_none() {
            if let Some(first_seen) = self.store.original_published_at(draft.original_url.as_str()).await? {
                draft.original_published_at = first_seen;
            }
        }
        match self.accept(outlet, &draft).await {
            Ok(accepted) => Ok(Ok(accepted)),
            Err(IngestError::OwnedByOtherOutlet) => Ok(Err("belongs to another outlet".to_owned())),
            Err(IngestError::Store(e)) => Err(e),
        }
    }
}
