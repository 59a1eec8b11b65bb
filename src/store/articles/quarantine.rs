//! The quarantine review: articles the content policy holds, released or rejected.

use super::staff::standing;
use super::*;
use crate::domain::audit::Target;
use crate::domain::ArticleStatus;
use crate::store::audit::{Audit, Fields};

/// An article held back by the content policy, as the admin reviews it.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldArticle {
    pub id: i64,
    pub outlet_slug: String,
    pub original_url: String,
    pub title: String,
    pub reason: String,
    pub hidden_removed: i64,
    pub reposted_at: DateTime<Utc>,
}

impl Store {
    /// Every article in quarantine, newest first.
    pub async fn quarantined_articles(&self) -> Result<Vec<HeldArticle>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT a.id, o.slug AS outlet_slug, a.original_url, {} AS title, a.quarantine_reason, a.hidden_removed,
                    a.reposted_at
             FROM articles a JOIN outlets o ON o.id = a.outlet_id
             WHERE a.status = '{QUARANTINED}' ORDER BY a.reposted_at DESC, a.id DESC",
            shown_title!()
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(HeldArticle {
                    id: r.try_get("id")?,
                    outlet_slug: r.try_get("outlet_slug")?,
                    original_url: r.try_get("original_url")?,
                    title: r.try_get("title")?,
                    reason: r.try_get::<Option<String>, _>("quarantine_reason")?.unwrap_or_default(),
                    hidden_removed: r.try_get("hidden_removed")?,
                    reposted_at: time_at(r, "reposted_at")?,
                })
            })
            .collect()
    }

    /// The columns an article is filed under (none: no such article).
    pub async fn article_column_ids(&self, id: i64) -> Result<Vec<i64>, StoreError> {
        Ok(sqlx::query_scalar("SELECT column_id FROM article_columns WHERE article_id = $1 ORDER BY position")
            .bind(id)
            .fetch_all(&self.pool)
            .await?)
    }

    /// Publishes a held article as it stands; one also held for review then waits
    /// there (it takes its archive place when approved), one under embargo until the
    /// embargo ends. Where it stands then, as the audit log records it too.
    pub async fn release_article(&self, id: i64, audit: Audit<'_>) -> Result<ArticleStatus, StoreError> {
        let mut change = self.begin_change(1).await?;
        let before = held_fields(&mut change.tx, id).await?;
        let done = sqlx::query(&format!(
            "UPDATE articles SET status = '{PUBLISHED}', quarantine_reason = NULL, updated_at = $2,
                archive_seq = COALESCE(archive_seq, CASE WHEN embargo_until IS NULL AND review IS NULL THEN $2 END)
             WHERE id = $1 AND status = '{QUARANTINED}'"
        ))
        .bind(id)
        .bind(change.first)
        .execute(&mut *change.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("quarantined article"));
        }
        change.written.push(id);
        let now = standing(&mut change.tx, id).await?;
        let after = Fields::from_iter([
            ("status".to_owned(), json!(now.as_str())),
            ("quarantine_reason".to_owned(), json!(null)),
        ]);
        let before = before.into_iter().filter(|(key, _)| after.contains_key(key)).collect();
        change.audit = Some(audit.entry(Target::Article(id)).changed(before, after));
        self.commit_change(change).await?;
        Ok(now)
    }

    /// Deletes a held article for good. It was never public: only its sitemap block's
    /// date, which it counted in, is taken again from what is left. The deletion takes
    /// a change-clock value and is recorded with it (`deleted_articles`), so each
    /// instance's search index forgets the article.
    pub async fn reject_article(&self, id: i64, audit: Audit<'_>) -> Result<(), StoreError> {
        let mut change = self.begin_change(1).await?;
        let tx = &mut change.tx;
        let before = held_fields(tx, id).await?;
        sqlx::query("DELETE FROM article_columns WHERE article_id = $1").bind(id).execute(&mut **tx).await?;
        let outlet_id: i64 = sqlx::query_scalar(&format!(
            "DELETE FROM articles WHERE id = $1 AND status = '{QUARANTINED}' RETURNING outlet_id"
        ))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound("quarantined article"))?;
        listings::redate_sitemap_block(tx, id, outlet_id).await?;
        sqlx::query("INSERT INTO deleted_articles (article_id, deleted_at) VALUES ($1, $2)")
            .bind(id)
            .bind(change.first)
            .execute(&mut *change.tx)
            .await?;
        change.audit = Some(audit.entry(Target::Article(id)).before(before));
        self.commit_change(change).await
    }
}

/// A held article as the audit log shows it (no article held with this id: not found).
async fn held_fields(conn: &mut sqlx::AnyConnection, id: i64) -> Result<Fields, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT a.title, a.original_url, a.quarantine_reason, o.slug AS outlet
         FROM articles a JOIN outlets o ON o.id = a.outlet_id WHERE a.id = $1 AND a.status = '{QUARANTINED}'"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound("quarantined article"))?;
    let mut fields = Fields::new();
    fields.insert("status".into(), json!(QUARANTINED));
    for key in ["title", "original_url", "outlet", "quarantine_reason"] {
        fields.insert(key.into(), json!(row.try_get::<Option<String>, _>(key)?));
    }
    Ok(fields)
}
