//! RFC 5005 archives of a column's feed. Every article that ever became public has an
//! `archive_seq` (the change clock value at which it did), which never changes; a
//! column's articles in that order, withdrawn ones included, are cut into pages of a
//! fixed size. Page `k` holds the positions `[k·size, (k+1)·size)`, so new articles
//! only ever append and a page, once complete, keeps its members: it changes only when
//! one of them is corrected or withdrawn. The last complete page is archived only once
//! another full page follows it, so the subscription feed (the positions after the last
//! archived page) always holds between one and two pages' worth.

use super::articles::{article_from_row, scope_only, ARTICLE_FIELDS, PUBLIC};
use super::{FeedScope, Store, StoreError};
use crate::domain::Article;
use sqlx::Row;

/// Where a column's archives end and its subscription feed begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveLayout {
    /// Archived pages, numbered `0..pages`, oldest first.
    pub pages: i64,
    /// `(archive_seq, id)` of the last article in the archives.
    pub boundary: Option<(i64, i64)>,
}

impl Store {
    /// How the articles of `column_ids` fall into archive pages of `page_size`.
    pub async fn archive_layout(&self, column_ids: &[i64], page_size: i64) -> Result<ArchiveLayout, StoreError> {
        let (scope, ids) = scope_only(&FeedScope::Columns(column_ids.to_vec()), 1);
        let count_sql = format!("SELECT COUNT(*) FROM articles a WHERE a.archive_seq IS NOT NULL AND {scope}");
        let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
        for id in &ids {
            count = count.bind(*id);
        }
        let pages = (count.fetch_one(&self.pool).await? / page_size - 1).max(0);
        if pages == 0 {
            return Ok(ArchiveLayout { pages, boundary: None });
        }
        let (scope, ids) = scope_only(&FeedScope::Columns(column_ids.to_vec()), 2);
        let last_sql = format!(
            "SELECT a.archive_seq, a.id FROM articles a WHERE a.archive_seq IS NOT NULL AND {scope}
             ORDER BY a.archive_seq, a.id LIMIT 1 OFFSET $1"
        );
        let mut last = sqlx::query(&last_sql).bind(pages * page_size - 1);
        for id in &ids {
            last = last.bind(*id);
        }
        let row = last.fetch_one(&self.pool).await?;
        Ok(ArchiveLayout { pages, boundary: Some((row.try_get("archive_seq")?, row.try_get("id")?)) })
    }

    /// The published articles of `column_ids` after the archives: the subscription
    /// feed, newest first.
    pub async fn articles_after_archives(
        &self,
        column_ids: &[i64],
        layout: ArchiveLayout,
        limit: i64,
    ) -> Result<Vec<Article>, StoreError> {
        let (seq, id) = layout.boundary.unwrap_or((i64::MIN, i64::MIN));
        let (scope, ids) = scope_only(&FeedScope::Columns(column_ids.to_vec()), 4);
        let sql = format!(
            "SELECT {ARTICLE_FIELDS} FROM articles a JOIN outlets o ON o.id = a.outlet_id
             WHERE {PUBLIC} AND {scope} AND (a.archive_seq > $1 OR (a.archive_seq = $1 AND a.id > $2))
             ORDER BY a.archive_seq DESC, a.id DESC LIMIT $3"
        );
        let mut query = sqlx::query(&sql).bind(seq).bind(id).bind(limit);
        for id in ids {
            query = query.bind(id);
        }
        self.read_articles(query).await
    }

    /// The published articles on archive page `page`, newest first.
    pub async fn archive_page(
        &self,
        column_ids: &[i64],
        page: i64,
        page_size: i64,
    ) -> Result<Vec<Article>, StoreError> {
        let (scope, ids) = scope_only(&FeedScope::Columns(column_ids.to_vec()), 3);
        let sql = format!(
            "SELECT {ARTICLE_FIELDS} FROM articles a JOIN outlets o ON o.id = a.outlet_id
             WHERE {PUBLIC} AND a.id IN (
                SELECT a.id FROM articles a WHERE a.archive_seq IS NOT NULL AND {scope}
                ORDER BY a.archive_seq, a.id LIMIT $1 OFFSET $2)
             ORDER BY a.archive_seq DESC, a.id DESC"
        );
        let mut query = sqlx::query(&sql).bind(page_size).bind(page * page_size);
        for id in ids {
            query = query.bind(id);
        }
        self.read_articles(query).await
    }

    async fn read_articles<'q>(
        &self,
        query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> Result<Vec<Article>, StoreError> {
        let rows = query.fetch_all(&self.pool).await?;
        let mut articles = rows.iter().map(article_from_row).collect::<Result<Vec<_>, _>>()?;
        self.attach_columns(&mut articles).await?;
        Ok(articles)
    }
}
