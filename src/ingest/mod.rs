//! Ingest: everything an outlet sends becomes a validated, sanitised `ArticleDraft`
//! here, and is stored through one idempotent path (`accept`), whichever way it came.
//!
//! This layer must never let unsanitised HTML or an unnormalised URL reach the store.

mod attribution;
pub mod edit;
pub mod feed;
pub mod fetch;
pub mod fields;
pub mod guard;
mod hidden;
pub mod images;
pub mod items;
pub mod page;
pub mod pages;
pub mod poll;
pub mod preview;
pub mod push;
pub mod sanitize;
pub mod websub;

use crate::domain::policy::ContentPolicy;
use crate::domain::reposting::Refusal;
use crate::domain::review::{HeldBy, Review, ReviewState};
use crate::domain::source::Routing;
use crate::domain::{ArticleDraft, Outlet};
use crate::metrics::Metrics;
use crate::store::{Store, StoreError, Upsert, UpsertOutcome};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// Another outlet's public article.
    #[error("this article belongs to another outlet")]
    OwnedByOtherOutlet,
    /// Another outlet's article that readers cannot see (embargoed, held, withdrawn):
    /// refused in the words used for a URL outside the outlet's domains, which reveal
    /// nothing of it.
    #[error("original_url {0}")]
    NotYours(String),
    /// The database refused to store this article (its cause is logged); its
    /// neighbours in the batch or document are stored all the same.
    #[error("the database could not store this article")]
    Unstorable,
    /// The outlet's reposting rules refuse it: it withdrew its permission to repost, or
    /// a column it is to be filed under takes licensed sources only (`domain::reposting`).
    #[error(transparent)]
    Refused(#[from] Refusal),
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
    /// Where it stands in review, if it was held for one and not approved.
    pub review: Option<ReviewState>,
}

impl Accepted {
    /// What it is now, in the word a push answers with: the content policy decides
    /// first (`quarantined`), then review (`pending`, `rejected`), else `published`.
    pub fn standing(&self) -> &'static str {
        match (&self.held, self.review) {
            (Some(_), _) => "quarantined",
            (None, Some(state)) => state.as_str(),
            (None, None) => "published",
        }
    }
}

/// The one way articles get stored: every ingest path (push, poll, import, demo) goes
/// through it, so the content policy applies to all of them.
#[derive(Clone)]
pub struct Pipeline {
    pub store: Store,
    pub policy: Arc<ContentPolicy>,
    /// Where ingest and polls are counted.
    pub metrics: Arc<Metrics>,
}

impl Pipeline {
    pub fn new(store: Store, policy: ContentPolicy) -> Pipeline {
        Pipeline { store, policy: Arc::new(policy), metrics: Arc::default() }
    }

    /// Stores an outlet's article: created the first time, updated when it changed,
    /// left alone when it did not; held in quarantine when the policy says so, and for
    /// review when new and its outlet is under manual review.
    pub async fn accept(&self, outlet: &Outlet, draft: &ArticleDraft) -> Result<Accepted, IngestError> {
        self.accept_all(outlet, Review::Auto, std::slice::from_ref(draft)).await?.remove(0)
    }

    /// `accept` for many articles of one outlet, written in one transaction: all or,
    /// if the database fails, none. Results in the order of `drafts`. What the outlet's
    /// reposting rules refuse is refused here, for every way articles come in; what its
    /// outlet's or `source`'s review setting holds (`HeldBy::of`) is held here too
    /// (`source`: `Auto` for what no source brought).
    pub async fn accept_all(
        &self,
        outlet: &Outlet,
        source: Review,
        drafts: &[ArticleDraft],
    ) -> Result<Vec<Result<Accepted, IngestError>>, StoreError> {
        debug_assert!(drafts.iter().all(ArticleDraft::is_xml_safe), "drafts are made XML-safe when they are made");
        let tree = self.store.column_tree().await?;
        let admitted: Vec<Result<(), Refusal>> =
            drafts.iter().map(|draft| outlet.reposting.admits(&tree, &draft.column_ids)).collect();
        let held: Vec<Option<String>> = drafts.iter().map(|draft| self.policy.violation(draft)).collect();
        let review = HeldBy::of(outlet.review, source);
        let items: Vec<Upsert<'_>> = drafts
            .iter()
            .zip(&held)
            .zip(&admitted)
            .filter(|(_, admitted)| admitted.is_ok())
            .map(|((draft, held), _)| Upsert { draft, quarantine: held.as_deref(), review })
            .collect();
        let mut outcomes = match items.is_empty() {
            true => Vec::new(),
            false => self.upsert_isolating_refusals(outlet, &items).await?,
        }
        .into_iter();
        let results: Vec<_> = drafts
            .iter()
            .zip(held)
            .zip(admitted)
            .map(|((draft, held), admitted)| {
                admitted?;
                let outcome = outcomes.next().expect("one outcome per admitted draft");
                outcome.and_then(|outcome| accepted(outlet, draft, outcome, held))
            })
            .collect();
        for (result, draft) in results.iter().zip(drafts) {
            let outcome = match result {
                Ok(accepted) if accepted.held.is_some() => "quarantined",
                Ok(Accepted { review: Some(ReviewState::Pending), .. }) => "pending",
                Ok(accepted) => accepted.disposition.as_str(),
                Err(IngestError::Refused(refusal)) => {
                    tracing::info!(outlet = %outlet.slug, url = %draft.original_url, %refusal, "article refused by the reposting rules");
                    "refused"
                }
                Err(_) => "refused",
            };
            self.metrics.articles_ingested.inc(&[outcome]);
        }
        Ok(results)
    }
}

impl Pipeline {
    /// Writes `items` in one transaction; when the database refuses it, writes them
    /// one by one instead, so that the item it refuses costs only itself.
    async fn upsert_isolating_refusals(
        &self,
        outlet: &Outlet,
        items: &[Upsert<'_>],
    ) -> Result<Vec<Result<UpsertOutcome, IngestError>>, StoreError> {
        let refused = |error: &StoreError, item: &Upsert<'_>| {
            tracing::warn!(outlet = %outlet.slug, url = %item.draft.original_url, %error, "article refused by the database");
            Err(IngestError::Unstorable)
        };
        match self.store.upsert_articles(outlet.id, items).await {
            Ok(outcomes) => Ok(outcomes.into_iter().map(Ok).collect()),
            Err(error) if error.is_refusal() && items.len() == 1 => Ok(vec![refused(&error, &items[0])]),
            Err(error) if error.is_refusal() => {
                tracing::warn!(outlet = %outlet.slug, items = items.len(), %error, "batch refused; writing its items one by one");
                let mut outcomes = Vec::with_capacity(items.len());
                for item in items {
                    outcomes.push(match self.store.upsert_articles(outlet.id, std::slice::from_ref(item)).await {
                        Ok(mut one) => Ok(one.remove(0)),
                        Err(error) if error.is_refusal() => refused(&error, item),
                        Err(error) => return Err(error),
                    });
                }
                Ok(outcomes)
            }
            Err(error) => Err(error),
        }
    }

    /// `accept_all` for the drafts among `prepared`, the rest (why an item was not
    /// taken) passed through: each draft comes back, in place, with its outcome.
    pub async fn accept_valid<E>(
        &self,
        outlet: &Outlet,
        source: Review,
        prepared: Vec<Result<ArticleDraft, E>>,
    ) -> Result<Vec<Result<(ArticleDraft, Result<Accepted, IngestError>), E>>, StoreError> {
        let mut drafts = Vec::with_capacity(prepared.len());
        let slots: Vec<Result<(), E>> = prepared.into_iter().map(|p| p.map(|draft| drafts.push(draft))).collect();
        let outcomes = self.accept_all(outlet, source, &drafts).await?;
        let mut stored = drafts.into_iter().zip(outcomes);
        Ok(slots.into_iter().map(|slot| slot.map(|()| stored.next().expect("one outcome per draft"))).collect())
    }
}

/// What an upsert outcome means for the outlet, logged.
fn accepted(
    outlet: &Outlet,
    draft: &ArticleDraft,
    outcome: UpsertOutcome,
    held: Option<String>,
) -> Result<Accepted, IngestError> {
    let (disposition, stamp) = match outcome {
        UpsertOutcome::Created(s) => (Disposition::Created, s),
        UpsertOutcome::Updated(s) => (Disposition::Updated, s),
        UpsertOutcome::Unchanged(s) => (Disposition::Unchanged, s),
        UpsertOutcome::OwnedByOtherOutlet { public: true } => return Err(IngestError::OwnedByOtherOutlet),
        UpsertOutcome::OwnedByOtherOutlet { public: false } => return Err(IngestError::NotYours(outlet.not_yours())),
    };
    tracing::info!(
        outlet = %outlet.slug,
        article = stamp.id,
        url = %draft.original_url,
        disposition = disposition.as_str(),
        held = ?held,
        review = stamp.review.map(ReviewState::as_str),
        hidden_removed = draft.hidden_removed,
        "article ingested"
    );
    Ok(Accepted {
        id: stamp.id,
        disposition,
        reposted_at: stamp.reposted_at,
        updated_at: stamp.updated_at,
        held,
        review: stamp.review,
    })
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
    /// Entries stored and waiting for review (new ones held, and ones already waiting).
    pub pending: i64,
    /// Hidden elements removed from the entries' HTML.
    pub hidden_removed: i64,
    /// What was wrong with the document, though entries could be read from it.
    pub warnings: Vec<String>,
}

/// Why a whole document could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Feed(#[from] feed::FeedError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Entries taken from one feed document, imported or polled: the newest by date (an
/// entry without one counts as new); the rest are refused with `OVER_ENTRY_LIMIT`.
pub const MAX_ENTRIES_PER_DOCUMENT: usize = 1_000;
/// Reason given for entries past that limit.
pub const OVER_ENTRY_LIMIT: &str = "older than the 1,000 newest entries a document may bring";

/// Reason given for entries a source's filters leave out.
pub const FILTERED_OUT: &str = "left out by the source's keyword filters";

impl Pipeline {
    /// Parses a feed document and stores its entries: one-shot import, by HTTP or CLI.
    /// The document's bytes go as soon as it is parsed.
    pub async fn import_document(
        &self,
        outlet: &Outlet,
        routing: &Routing,
        document: impl AsRef<[u8]>,
        context: &feed::Context,
    ) -> Result<Tally, ImportError> {
        let parsed = feed::parse_document(document.as_ref(), context)?;
        drop(document);
        let mut tally = self.accept_entries(outlet, routing, Review::Auto, &parsed.entries).await?;
        tally.warnings = parsed.problems;
        tracing::info!(outlet = %outlet.slug, new = tally.new, updated = tally.updated, refused = tally.refused, "document imported");
        Ok(tally)
    }

    /// Stores a parsed feed's entries for `outlet` under `routing`, in one transaction:
    /// the path polling and one-shot import share (`source`: the polled source's review
    /// setting; `Auto` for an import). An entry without a date keeps the time it was
    /// first seen.
    pub async fn accept_entries(
        &self,
        outlet: &Outlet,
        routing: &Routing,
        source: Review,
        entries: &[feed::Entry],
    ) -> Result<Tally, StoreError> {
        self.accept_credited_entries(outlet, routing, source, entries, &[]).await
    }

    /// `accept_entries` for entries read from pages, each with the origin its page names
    /// (`credits[i]` for `entries[i]`; an entry past the end of `credits` names none).
    pub async fn accept_credited_entries(
        &self,
        outlet: &Outlet,
        routing: &Routing,
        source: Review,
        entries: &[feed::Entry],
        credits: &[Option<String>],
    ) -> Result<Tally, StoreError> {
        let mut tally = Tally::default();
        let now = Utc::now();
        let taken = newest(entries, MAX_ENTRIES_PER_DOCUMENT);
        let mut prepared = Vec::with_capacity(entries.len());
        for (i, (entry, taken)) in entries.iter().zip(taken).enumerate() {
            let credit = credits.get(i).and_then(Option::as_deref);
            prepared.push(match taken {
                true => self.draft_of_entry(outlet, routing, entry, credit, now).await?,
                false => Err(OVER_ENTRY_LIMIT.to_owned()),
            });
        }
        let stored = self.accept_valid(outlet, source, prepared).await?;
        for (entry, stored) in entries.iter().zip(stored) {
            let outcome = match stored {
                Err(refusal) => Err(refusal),
                Ok((draft, outcome)) => {
                    tally.hidden_removed += i64::from(draft.hidden_removed);
                    match outcome {
                        Ok(accepted) => Ok(accepted),
                        Err(IngestError::OwnedByOtherOutlet) => Err("belongs to another outlet".to_owned()),
                        Err(error @ IngestError::NotYours(_)) => Err(error.to_string()),
                        Err(IngestError::Unstorable) => Err(IngestError::Unstorable.to_string()),
                        Err(IngestError::Refused(refusal)) => Err(refusal.to_string()),
                        Err(IngestError::Store(e)) => return Err(e),
                    }
                }
            };
            tally.count(&outcome);
            tally.items.push(ItemResult { link: entry.link.clone(), outcome });
        }
        Ok(tally)
    }

    /// The draft of one entry, or why it is refused.
    async fn draft_of_entry(
        &self,
        outlet: &Outlet,
        routing: &Routing,
        entry: &feed::Entry,
        credit: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Result<ArticleDraft, String>, StoreError> {
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
        draft.credit = credit.and_then(items::stored_credit);
        if entry.published.is_none() && entry.updated.is_none() {
            if let Some(first_seen) = self.store.original_published_at(draft.original_url.as_str()).await? {
                draft.original_published_at = first_seen;
            }
        }
        Ok(Ok(draft))
    }
}

/// Which of `entries` are the `limit` newest (an entry without a date counts as newest:
/// it is new to the outlet's feed, or was first seen now); ties keep document order.
fn newest(entries: &[feed::Entry], limit: usize) -> Vec<bool> {
    let mut taken = vec![true; entries.len()];
    if entries.len() > limit {
        let mut order: Vec<usize> = (0..entries.len()).collect();
        // `None` sorts before every date, dates newest first; the sort is stable.
        order.sort_by_key(|&i| entries[i].published.or(entries[i].updated).map(std::cmp::Reverse));
        for &i in &order[limit..] {
            taken[i] = false;
        }
    }
    taken
}

impl Tally {
    /// Adds another document's tally to this one.
    pub fn add(&mut self, other: Tally) {
        self.new += other.new;
        self.updated += other.updated;
        self.refused += other.refused;
        self.quarantined += other.quarantined;
        self.pending += other.pending;
        self.hidden_removed += other.hidden_removed;
        for (reason, n) in other.refusals {
            *self.refusals.entry(reason).or_default() += n;
        }
        self.items.extend(other.items);
    }

    /// Counts one entry's outcome.
    fn count(&mut self, outcome: &Result<Accepted, String>) {
        match outcome {
            Ok(accepted) => {
                if accepted.held.is_some() {
                    self.quarantined += 1;
                } else if accepted.review == Some(ReviewState::Pending) {
                    self.pending += 1;
                }
                match accepted.disposition {
                    Disposition::Created => self.new += 1,
                    Disposition::Updated => self.updated += 1,
                    Disposition::Unchanged => {}
                }
            }
            Err(reason) => {
                self.refused += 1;
                let key = reason.split(':').next().unwrap_or(reason).to_owned();
                *self.refusals.entry(key).or_default() += 1;
            }
        }
    }
}
