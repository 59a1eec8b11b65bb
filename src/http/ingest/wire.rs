//! What the ingest API answers, as serde types: the same types write the answers and,
//! through utoipa, describe them.

use crate::domain::review::ReviewState;
use crate::domain::ArticleDraft;
use crate::ingest::{Accepted, Disposition, ItemResult, Tally};
use crate::publish::{rfc3339, Site};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// What became of a stored article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PushStatus {
    Created,
    Updated,
    Unchanged,
    /// Stored but held by the content policy: published nowhere until an admin releases it.
    Quarantined,
    /// Stored but held for review (its outlet or source is under `manual` review):
    /// published nowhere until an editor approves it. A later push keeps it so.
    Pending,
    /// Stored, but an editor rejected it in review: published nowhere; a later push
    /// updates it and leaves it rejected.
    Rejected,
}

impl PushStatus {
    /// The content policy decides first, then review, then what the write did.
    pub fn of(accepted: &Accepted) -> PushStatus {
        match (&accepted.held, accepted.review, accepted.disposition) {
            (Some(_), _, _) => PushStatus::Quarantined,
            (None, Some(ReviewState::Pending), _) => PushStatus::Pending,
            (None, Some(ReviewState::Rejected), _) => PushStatus::Rejected,
            (None, None, Disposition::Created) => PushStatus::Created,
            (None, None, Disposition::Updated) => PushStatus::Updated,
            (None, None, Disposition::Unchanged) => PushStatus::Unchanged,
        }
    }

    /// Stored but published nowhere (answered 202).
    pub fn is_held(self) -> bool {
        matches!(self, PushStatus::Quarantined | PushStatus::Pending | PushStatus::Rejected)
    }
}

/// The one value of `status` in an answer of its kind.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Invalid {
    Invalid,
}

/// The one value of `status` in an answer of its kind.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Refused {
    Refused,
}

/// The one value of `status` in an answer of its kind.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Withdrawn {
    Withdrawn,
}

/// What the outlet is told of a stored article.
#[derive(Debug, Serialize, ToSchema)]
pub struct PushResult {
    pub id: i64,
    /// The article's page on the portal.
    #[schema(format = "uri")]
    pub url: String,
    /// The normalised original URL.
    pub original_url: String,
    pub status: PushStatus,
    /// Why the content policy holds the article (the matched term or domain); null when it
    /// is not held.
    #[schema(required = true)]
    pub quarantine_reason: Option<String>,
    /// Hidden elements (likely injected spam) removed while sanitising.
    pub hidden_elements_removed: u32,
    /// First acceptance time; never moves (except that an embargoed article takes
    /// `publish_at` as its repost time when the embargo ends).
    #[schema(format = DateTime)]
    pub reposted_at: String,
    /// Moves only when something changed.
    #[schema(format = DateTime)]
    pub updated_at: String,
}

/// `PushResult` of a stored draft.
pub fn push_result(site: &Site, draft: &ArticleDraft, accepted: &Accepted) -> PushResult {
    PushResult {
        id: accepted.id,
        url: site.article_url(accepted.id),
        original_url: draft.original_url.as_str().to_owned(),
        status: PushStatus::of(accepted),
        quarantine_reason: accepted.held.clone(),
        hidden_elements_removed: draft.hidden_removed,
        reposted_at: rfc3339(accepted.reposted_at),
        updated_at: rfc3339(accepted.updated_at),
    }
}

/// What `POST /api/v1/articles` answers: one article's result, or a document's tally.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum Pushed {
    Article(PushResult),
    Document(ImportResult),
}

/// Why one article of a batch was not stored: its fields at fault, as a single push would
/// name them.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvalidArticle {
    #[schema(inline)]
    pub status: Invalid,
    /// `invalid input`, or what was wrong with its JSON.
    pub error: String,
    /// Each refused field with the reason.
    pub fields: BTreeMap<String, String>,
}

impl InvalidArticle {
    pub fn new<'a>(error: String, fields: impl IntoIterator<Item = (&'a String, &'a String)>) -> InvalidArticle {
        let fields = fields.into_iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        InvalidArticle { status: Invalid::Invalid, error, fields }
    }
}

/// One article of a batch: its place in the batch, and what became of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchItem {
    /// Its index in `articles`.
    pub index: usize,
    #[serde(flatten)]
    pub outcome: BatchOutcome,
}

/// What became of one article of a batch.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum BatchOutcome {
    /// Stored: `status` is `created`, `updated`, `unchanged`, `quarantined`, `pending`
    /// or `rejected`.
    Stored(PushResult),
    /// Not stored: the fields at fault.
    Invalid(InvalidArticle),
    /// Not stored: the original URL is another outlet's article, or the database could not
    /// store it.
    Refused {
        #[schema(inline)]
        status: Refused,
        original_url: String,
        reason: String,
    },
}

/// What `POST /api/v1/articles/batch` answers: counts by status, and one result per
/// article in the order sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchResult {
    /// Articles created.
    pub created: usize,
    /// Articles updated.
    pub updated: usize,
    /// Articles sent again unchanged.
    pub unchanged: usize,
    /// Articles stored but held by the content policy.
    pub quarantined: usize,
    /// Articles stored and held for review (new ones, and ones already waiting).
    pub pending: usize,
    /// Articles stored that an editor had rejected in review, and stay so.
    pub rejected: usize,
    /// Articles not stored for their fields.
    pub invalid: usize,
    /// Articles not stored: another outlet's, or refused by the database.
    pub refused: usize,
    /// One result per article, in the order sent.
    pub results: Vec<BatchItem>,
}

/// The counts and results of a batch's outcomes, in order.
pub fn batch_result(outcomes: Vec<BatchOutcome>) -> BatchResult {
    let mut answer = BatchResult {
        created: 0,
        updated: 0,
        unchanged: 0,
        quarantined: 0,
        pending: 0,
        rejected: 0,
        invalid: 0,
        refused: 0,
        results: Vec::new(),
    };
    for (index, outcome) in outcomes.into_iter().enumerate() {
        *match &outcome {
            BatchOutcome::Stored(result) => match result.status {
                PushStatus::Created => &mut answer.created,
                PushStatus::Updated => &mut answer.updated,
                PushStatus::Unchanged => &mut answer.unchanged,
                PushStatus::Quarantined => &mut answer.quarantined,
                PushStatus::Pending => &mut answer.pending,
                PushStatus::Rejected => &mut answer.rejected,
            },
            BatchOutcome::Invalid(_) => &mut answer.invalid,
            BatchOutcome::Refused { .. } => &mut answer.refused,
        } += 1;
        answer.results.push(BatchItem { index, outcome });
    }
    answer
}

/// What became of one entry of an imported feed document.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum ImportItem {
    /// Stored.
    Stored {
        /// The entry's link.
        link: Option<String>,
        status: PushStatus,
        /// Why the content policy holds it; null when it is not held.
        #[schema(required = true)]
        quarantine_reason: Option<String>,
        id: i64,
        /// Its page on the portal.
        #[schema(format = "uri")]
        url: String,
    },
    /// Not taken, and why.
    Refused {
        /// The entry's link.
        link: Option<String>,
        #[schema(inline)]
        status: Refused,
        reason: String,
    },
}

/// The tally of a feed-document import. `created` and `updated` count stored entries by
/// what became of them (entries held by the content policy are counted there too, and
/// again in `quarantined`; entries held for review likewise, again in `pending`); `refused` counts entries not taken, those past the 1,000
/// newest included.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResult {
    pub created: i64,
    pub updated: i64,
    /// Entries whose status is `unchanged`.
    pub unchanged: usize,
    pub refused: i64,
    pub quarantined: i64,
    /// Entries waiting for review (their outlet is under `manual` review).
    pub pending: i64,
    /// What was wrong with the document, though entries could be read from it.
    pub warnings: Vec<String>,
    pub items: Vec<ImportItem>,
}

/// `ImportResult` of a document's tally.
pub fn import_result(site: &Site, tally: Tally) -> ImportResult {
    let items: Vec<ImportItem> = tally.items.into_iter().map(|item| import_item(site, item)).collect();
    let unchanged =
        items.iter().filter(|i| matches!(i, ImportItem::Stored { status: PushStatus::Unchanged, .. })).count();
    ImportResult {
        created: tally.new,
        updated: tally.updated,
        unchanged,
        refused: tally.refused,
        quarantined: tally.quarantined,
        pending: tally.pending,
        warnings: tally.warnings,
        items,
    }
}

fn import_item(site: &Site, item: ItemResult) -> ImportItem {
    match item.outcome {
        Ok(accepted) => ImportItem::Stored {
            link: item.link,
            status: PushStatus::of(&accepted),
            url: site.article_url(accepted.id),
            id: accepted.id,
            quarantine_reason: accepted.held,
        },
        Err(reason) => ImportItem::Refused { link: item.link, status: Refused::Refused, reason },
    }
}

/// A withdrawn article.
#[derive(Debug, Serialize, ToSchema)]
pub struct WithdrawnArticle {
    pub id: i64,
    /// The article's page, which now answers 410 Gone.
    #[schema(format = "uri")]
    pub url: String,
    #[schema(inline)]
    pub status: Withdrawn,
}

pub fn withdrawn(site: &Site, id: i64) -> WithdrawnArticle {
    WithdrawnArticle { id, url: site.article_url(id), status: Withdrawn::Withdrawn }
}
