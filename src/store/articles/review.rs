//! Review before publish: the queue of articles held for an editor, oldest first, and
//! their approval (published, with the approver as responsible editor and the approval
//! as repost time; under an embargo, published when it ends, with its end as repost
//! time, as the embargo's lifting would set it) or rejection (kept, with a reason,
//! published nowhere).
//!
//! Like a quarantine release, an approval is an article write under the change clock:
//! it takes its archive position and its change time from the clock there, and the
//! listings, counts and change log follow it in the same transaction. A held article
//! never had an archive position (`archive_seq` is set only for what is public), so the
//! partner change feed and the notifier never heard of it before it is approved.

use super::*;
use crate::domain::audit::Target;
use crate::domain::review::HeldBy;
use crate::domain::ArticleStatus;
use crate::store::audit::{Audit, Fields};

/// An article waiting in the review queue.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingArticle {
    pub id: i64,
    pub outlet_slug: String,
    pub outlet_name: String,
    /// Its columns' slugs, primary first.
    pub column_slugs: Vec<String>,
    pub title: String,
    pub original_url: String,
    /// When it was received (its repost time until it is approved).
    pub received_at: DateTime<Utc>,
    /// Which setting held it: a manual outlet or a manual source.
    pub held_by: Option<HeldBy>,
}

/// A place in the oldest-first queue: just after the article `(received_at, id)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewPosition {
    pub received_at: i64,
    pub id: i64,
}

impl PendingArticle {
    pub fn position(&self) -> ReviewPosition {
        ReviewPosition { received_at: to_micros(self.received_at), id: self.id }
    }
}

/// Held for review, and nothing decides before review: not withdrawn, not quarantined
/// (the content policy decides first; its release leaves the article here).
const IN_QUEUE: &str = "a.review = 'pending' AND a.status = 'published' AND a.withdrawn_at IS NULL";

impl Store {
    /// Articles waiting for review, oldest first, those filed wholly within `within`
    /// when given; `limit + 1` are read so the caller can tell whether more follow.
    pub async fn pending_articles(
        &self,
        within: Option<&[i64]>,
        after: Option<ReviewPosition>,
        limit: i64,
    ) -> Result<Vec<PendingArticle>, StoreError> {
        let mut binds = vec![limit + 1];
        let mut next = |value: i64| {
            binds.push(value);
            format!("${}", binds.len())
        };
        let mut filters = vec![IN_QUEUE.to_owned()];
        if let Some(scope) = within {
            filters.push(filed_within(scope, &mut next));
        }
        if let Some(after) = after {
            let (at, id) = (next(after.received_at), next(after.id));
            filters.push(format!("(a.reposted_at > {at} OR (a.reposted_at = {at} AND a.id > {id}))"));
        }
        let sql = format!(
            "SELECT a.id, a.title, a.original_url, a.reposted_at, a.review_held_by, o.slug AS outlet_slug,
                o.name AS outlet_name
             FROM articles a JOIN outlets o ON o.id = a.outlet_id
             WHERE {} ORDER BY a.reposted_at, a.id LIMIT $1",
            filters.join(" AND ")
        );
        let mut query = sqlx::query(&sql);
        for value in binds {
            query = query.bind(value);
        }
        let rows = query.fetch_all(&self.pool).await?;
        let mut pending = rows
            .iter()
            .map(|r| {
                Ok(PendingArticle {
                    id: r.try_get("id")?,
                    outlet_slug: r.try_get("outlet_slug")?,
                    outlet_name: r.try_get("outlet_name")?,
                    column_slugs: Vec::new(),
                    title: r.try_get("title")?,
                    original_url: r.try_get("original_url")?,
                    received_at: time_at(r, "reposted_at")?,
                    held_by: r.try_get::<Option<String>, _>("review_held_by")?.as_deref().and_then(HeldBy::parse),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        for article in &mut pending {
            article.column_slugs = sqlx::query_scalar(
                "SELECT c.slug FROM article_columns ac JOIN columns c ON c.id = ac.column_id
                 WHERE ac.article_id = $1 ORDER BY ac.position",
            )
            .bind(article.id)
            .fetch_all(&self.pool)
            .await?;
        }
        Ok(pending)
    }

    /// How many articles wait for review, those filed wholly within `within` when given.
    pub async fn pending_count(&self, within: Option<&[i64]>) -> Result<i64, StoreError> {
        let mut binds = Vec::new();
        let mut filter = IN_QUEUE.to_owned();
        if let Some(scope) = within {
            let within = filed_within(scope, |id| {
                binds.push(id);
                format!("${}", binds.len())
            });
            filter = format!("{filter} AND {within}");
        }
        let sql = format!("SELECT COUNT(*) FROM articles a WHERE {filter}");
        let mut query = sqlx::query_scalar::<_, i64>(&sql);
        for id in binds {
            query = query.bind(id);
        }
        Ok(query.fetch_one(&self.pool).await?)
    }

    /// Publishes an article waiting for review: its repost time becomes now (under an
    /// embargo, the embargo's end, when it is published), and `editor` (a username;
    /// `None` for the admin token, which is no person) its responsible editor. Where it
    /// stands then.
    pub async fn approve_article(
        &self,
        id: i64,
        editor: Option<&str>,
        audit: Audit<'_>,
    ) -> Result<ArticleStatus, StoreError> {
        let set = "review = NULL, reposted_at = COALESCE(embargo_until, $2), updated_at = $2,
            editor_id = (SELECT u.id FROM users u WHERE u.username = $3),
            archive_seq = COALESCE(archive_seq, CASE WHEN embargo_until IS NULL THEN $2 END)";
        self.decide_pending(id, set, editor, audit).await
    }

    /// Refuses an article waiting for review, with the editor's reason: it stays stored,
    /// published nowhere, and a later push or poll of it does not bring it back.
    pub async fn reject_pending(&self, id: i64, reason: &str, audit: Audit<'_>) -> Result<(), StoreError> {
        let set = "review = 'rejected', review_reason = $3, updated_at = $2";
        self.decide_pending(id, set, Some(reason), audit).await.map(drop)
    }

    /// Decides on an article waiting for review, under the change clock: `set` (an
    /// `UPDATE`'s assignments, with the change's time as `$2` and `value` as `$3`) applies
    /// only while it waits, and the audit entry records its review before and after.
    /// Where it stands then. No such article: not found; one not waiting, whether it never
    /// was or a concurrent decision came first: a conflict naming where it stands. The
    /// check is the `UPDATE`'s own condition, so two decisions at once cannot both pass it.
    async fn decide_pending(
        &self,
        id: i64,
        set: &str,
        value: Option<&str>,
        audit: Audit<'_>,
    ) -> Result<ArticleStatus, StoreError> {
        let mut change = self.begin_change(1).await?;
        let (_, before) = review_fields(&mut change.tx, id).await?;
        let done = sqlx::query(&format!(
            "UPDATE articles SET {set}
             WHERE id = $1 AND review = 'pending' AND status = '{PUBLISHED}' AND withdrawn_at IS NULL"
        ))
        .bind(id)
        .bind(change.first)
        .bind(value)
        .execute(&mut *change.tx)
        .await?;
        if done.rows_affected() == 0 {
            // Not waiting (any more: another decision may just have been made): where
            // it stands, as read now, after that decision.
            let (standing, _) = review_fields(&mut change.tx, id).await?;
            return Err(StoreError::Conflict(format!(
                "article {id} is not pending review (it is {})",
                standing.as_str()
            )));
        }
        change.written.push(id);
        let (standing, after) = review_fields(&mut change.tx, id).await?;
        change.audit = Some(audit.entry(Target::Article(id)).changed(before, after));
        self.commit_change(change).await?;
        Ok(standing)
    }
}

/// Where an article stands, and its review as the audit log shows it: the standing as
/// `status`, so that an approval under embargo reads `embargoed` (no article with this
/// id: not found).
async fn review_fields(conn: &mut sqlx::AnyConnection, id: i64) -> Result<(ArticleStatus, Fields), StoreError> {
    let row = sqlx::query(&format!(
        "SELECT a.title, a.original_url, a.review_reason, a.reposted_at, u.username AS editor, {STANDING} AS standing
         FROM articles a LEFT JOIN users u ON u.id = a.editor_id WHERE a.id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound("article"))?;
    let standing = ArticleStatus::parse(&row.try_get::<String, _>("standing")?).map_err(StoreError::Corrupt)?;
    let mut fields = Fields::new();
    fields.insert("status".into(), json!(standing.as_str()));
    for key in ["title", "original_url", "review_reason", "editor"] {
        fields.insert(key.into(), json!(row.try_get::<Option<String>, _>(key)?));
    }
    fields.insert(
        "reposted_at".into(),
        json!(time_at(&row, "reposted_at")?.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)),
    );
    Ok((standing, fields))
}
