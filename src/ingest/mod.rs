//! Ingest: everything an outlet sends becomes a validated, sanitised `ArticleDraft`
//! here, and is stored through one idempotent path (`accept`), whichever way it came.
//!
//! This layer must never let unsanitised HTML or an unnormalised URL reach the store.

pub mod feed;
pub mod items;
pub mod poll;
pub mod push;
pub mod sanitize;

use crate::domain::{ArticleDraft, Outlet};
use crate::store::{Store, StoreError, UpsertOutcome};
use chrono::{DateTime, Utc};

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

#[derive(Debug, Clone, Copy)]
pub struct Accepted {
    pub id: i64,
    pub disposition: Disposition,
    pub reposted_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Stores an outlet's article: created the first time, updated when it changed, left
/// alone when it did not.
pub async fn accept(store: &Store, outlet: &Outlet, draft: &ArticleDraft) -> Result<Accepted, IngestError> {
    let (disposition, stamp) = match store.upsert_article(outlet.id, draft).await? {
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
        "article ingested"
    );
    Ok(Accepted { id: stamp.id, disposition, reposted_at: stamp.reposted_at, updated_at: stamp.updated_at })
}
