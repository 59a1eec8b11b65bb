//! Withdrawing articles: they stay stored, leave every public output, and their
//! pages answer 410 saying who withdrew them.

use super::*;
use crate::domain::audit::Target;
use crate::domain::Withdrawer;
use crate::store::audit::{Audit, Fields};

/// What withdrawing an article found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Withdrawal {
    Withdrawn(i64),
    /// The article is another outlet's; nothing was changed.
    NotYours,
}

impl Store {
    /// Withdraws an article (by id or original URL) as `by`; `outlet_id` limits it to
    /// that outlet's articles. Withdrawing is a change: `updated_at` moves.
    pub async fn withdraw_article(
        &self,
        id: Option<i64>,
        original_url: Option<&str>,
        outlet_id: Option<i64>,
        by: Withdrawer,
        audit: Audit<'_>,
    ) -> Result<Withdrawal, StoreError> {
        let row = sqlx::query("SELECT id, outlet_id FROM articles WHERE id = $1 OR original_url = $2")
            .bind(id.unwrap_or(-1))
            .bind(original_url.unwrap_or(""))
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("article"))?;
        let (found, owner): (i64, i64) = (row.try_get("id")?, row.try_get("outlet_id")?);
        if outlet_id.is_some_and(|o| o != owner) {
            return Ok(Withdrawal::NotYours);
        }
        self.withdraw_one(found, by, Some(audit)).await?;
        Ok(Withdrawal::Withdrawn(found))
    }

    /// The id of the article with this (normalised) original URL.
    pub async fn article_id(&self, original_url: &str) -> Result<i64, StoreError> {
        let id = sqlx::query_scalar("SELECT id FROM articles WHERE original_url = $1")
            .bind(original_url)
            .fetch_optional(&self.pool)
            .await?;
        id.ok_or(StoreError::NotFound("article"))
    }

    /// Marks an article withdrawn by `by` (a change: `updated_at` moves), recorded in the
    /// audit log when someone asked (`audit`; expiry is not). One already withdrawn keeps
    /// when and by whom it first was.
    pub(in crate::store) async fn withdraw_one(
        &self,
        id: i64,
        by: Withdrawer,
        audit: Option<Audit<'_>>,
    ) -> Result<(), StoreError> {
        let mut change = self.begin_change(1).await?;
        let before = withdrawal_fields(&mut change.tx, id).await?;
        sqlx::query(
            "UPDATE articles SET withdrawn_by = CASE WHEN withdrawn_at IS NULL THEN $3 ELSE withdrawn_by END,
                withdrawn_at = COALESCE(withdrawn_at, $2), updated_at = $2
             WHERE id = $1",
        )
        .bind(id)
        .bind(change.first)
        .bind(by.as_str())
        .execute(&mut *change.tx)
        .await?;
        change.written.push(id);
        if let Some(audit) = audit {
            let after = withdrawal_fields(&mut change.tx, id).await?;
            change.audit = Some(audit.entry(Target::Article(id)).changed(before, after));
        }
        self.commit_change(change).await
    }

    /// Makes a withdrawn article public again (unless held or under embargo), if it was
    /// withdrawn by one of `by`: a change like the withdrawal (`updated_at` moves, its
    /// listings follow), which every feed, page, sitemap, cache and the notifier see.
    /// An end of its repost right that has passed is forgotten, so that it does not
    /// expire again at once. `Ok(false)`: it was not withdrawn by one of `by` (any more).
    pub async fn reinstate_article(&self, id: i64, by: &[Withdrawer], audit: Audit<'_>) -> Result<bool, StoreError> {
        if by.is_empty() {
            return Ok(false);
        }
        let mut change = self.begin_change(1).await?;
        let before = withdrawal_fields(&mut change.tx, id).await?;
        let sql = format!(
            "UPDATE articles SET withdrawn_at = NULL, withdrawn_by = NULL, updated_at = $2,
                expires_at = CASE WHEN expires_at <= $2 THEN NULL ELSE expires_at END
             WHERE id = $1 AND withdrawn_at IS NOT NULL AND withdrawn_by IN ({})",
            placeholders(3, by.len())
        );
        let mut query = sqlx::query(&sql).bind(id).bind(change.first);
        for withdrawer in by {
            query = query.bind(withdrawer.as_str());
        }
        if query.execute(&mut *change.tx).await?.rows_affected() == 0 {
            return Ok(false);
        }
        change.written.push(id);
        let after = withdrawal_fields(&mut change.tx, id).await?;
        change.audit = Some(audit.entry(Target::Article(id)).changed(before, after));
        self.commit_change(change).await?;
        Ok(true)
    }

    /// Whether an article existed and was withdrawn (its page answers 410 Gone), and by
    /// whom when that is known: `Some(None)` for articles withdrawn before it was recorded.
    pub async fn withdrawal(&self, id: i64) -> Result<Option<Option<Withdrawer>>, StoreError> {
        // One held for review or rejected in it was never public: no page was ever gone.
        let row = sqlx::query("SELECT withdrawn_at, withdrawn_by FROM articles WHERE id = $1 AND review IS NULL")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        if row.try_get::<Option<i64>, _>("withdrawn_at")?.is_none() {
            return Ok(None);
        }
        Ok(Some(row.try_get::<Option<String>, _>("withdrawn_by")?.as_deref().and_then(Withdrawer::parse)))
    }
}

/// An article's withdrawal as the audit log shows it.
async fn withdrawal_fields(conn: &mut sqlx::AnyConnection, id: i64) -> Result<Fields, StoreError> {
    let row = sqlx::query("SELECT withdrawn_at, withdrawn_by FROM articles WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound("article"))?;
    let withdrawn = row.try_get::<Option<i64>, _>("withdrawn_at")?.is_some();
    let by: Option<String> = row.try_get("withdrawn_by")?;
    Ok(Fields::from_iter([("withdrawn".to_owned(), json!(withdrawn)), ("withdrawn_by".to_owned(), json!(by))]))
}
