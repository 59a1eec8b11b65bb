//! Filing an article under other columns: its column list replaced, its listings (and
//! so every column feed, page and archive) brought in line in the same transaction.

use super::*;
use crate::domain::audit::Target;
use crate::store::audit::{Audit, Fields};

impl Store {
    /// Files article `id` under `column_ids` (primary first) instead of its columns. A
    /// change (`updated_at` moves). The columns it leaves show it no more, and their
    /// pages and counts change without the article being in them any more: the render
    /// caches start over, as for a catalogue change.
    pub async fn refile_article(&self, id: i64, column_ids: &[i64], audit: Audit<'_>) -> Result<(), StoreError> {
        if column_ids.is_empty() {
            return Err(StoreError::Unfiled(id.to_string()));
        }
        let mut change = self.begin_change(1).await?;
        let before = filing_fields(&mut change.tx, id).await?;
        let done = sqlx::query("UPDATE articles SET updated_at = $2 WHERE id = $1")
            .bind(id)
            .bind(change.first)
            .execute(&mut *change.tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("article"));
        }
        sqlx::query("DELETE FROM article_columns WHERE article_id = $1").bind(id).execute(&mut *change.tx).await?;
        for (position, column_id) in column_ids.iter().enumerate() {
            sqlx::query("INSERT INTO article_columns (article_id, column_id, position) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(column_id)
                .bind(position as i64)
                .execute(&mut *change.tx)
                .await?;
        }
        bump_catalog_version(&mut *change.tx).await?;
        change.written.push(id);
        let after = filing_fields(&mut change.tx, id).await?;
        change.audit = Some(audit.entry(Target::Article(id)).changed(before, after));
        self.commit_change(change).await
    }
}

/// The columns an article is filed under, primary first, as the audit log shows them.
async fn filing_fields(conn: &mut sqlx::AnyConnection, id: i64) -> Result<Fields, StoreError> {
    let slugs: Vec<String> = sqlx::query_scalar(
        "SELECT c.slug FROM article_columns ac JOIN columns c ON c.id = ac.column_id
         WHERE ac.article_id = $1 ORDER BY ac.position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Fields::from_iter([("columns".to_owned(), json!(slugs))]))
}
