//! RFC 5005 archives of a column's feed. Every article that ever became public in a
//! column has a position in its listing (migration 0008), given in the order they
//! became public and never changed; withdrawn ones keep theirs. Page `k` holds the
//! positions `[k·size, (k+1)·size)`, so new articles only ever append and a page, once
//! complete, keeps its members: it changes only when one of them is corrected or
//! withdrawn (or re-filed elsewhere). The last complete page is archived only once
//! another full page follows it, so the subscription feed (the positions after the last
//! archived page) always holds between one and two pages' worth.

use super::articles::{article_from_row, ARTICLE_FIELDS, PUBLIC};
use super::{Store, StoreError};
use crate::domain::Article;

/// Where a column's archives end and its subscription feed begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveLayout {
    /// Archived pages, numbered `0..pages`, oldest first.
    pub pages: i64,
    /// The first archive position after them.
    pub first_unarchived: i64,
}

/// The public articles of one column's listing between two archive positions, newest first.
const BY_POSITION: &str = "FROM column_listings l JOIN articles a ON a.id = l.article_id
     JOIN outlets o ON o.id = a.outlet_id
     WHERE l.column_id = $1 AND l.position >= $2 AND l.position < $3 AND l.listed = 1";

impl Store {
    /// How the articles of a column (sub-columns included) fall into archive pages of
    /// `page_size`: read from the column's counts, one row.
    pub async fn archive_layout(&self, column_id: i64, page_size: i64) -> Result<ArchiveLayout, StoreError> {
        let positions: Option<i64> = sqlx::query_scalar("SELECT next_position FROM column_stats WHERE column_id = $1")
            .bind(column_id)
            .fetch_optional(&self.pool)
            .await?;
        let pages = (positions.unwrap_or(0) / page_size - 1).max(0);
        Ok(ArchiveLayout { pages, first_unarchived: pages * page_size })
    }

    /// The published articles of a column after its archives: the subscription feed,
    /// newest first.
    pub async fn articles_after_archives(
        &self,
        column_id: i64,
        layout: ArchiveLayout,
        limit: i64,
    ) -> Result<Vec<Article>, StoreError> {
        self.by_position(column_id, layout.first_unarchived, i64::MAX, limit).await
    }

    /// The published articles on archive page `page`, newest first.
    pub async fn archive_page(&self, column_id: i64, page: i64, page_size: i64) -> Result<Vec<Article>, StoreError> {
        self.by_position(column_id, page * page_size, (page + 1) * page_size, page_size).await
    }

    async fn by_position(&self, column_id: i64, from: i64, to: i64, limit: i64) -> Result<Vec<Article>, StoreError> {
        let sql = format!("SELECT {ARTICLE_FIELDS} {BY_POSITION} AND {PUBLIC} ORDER BY l.position DESC LIMIT $4");
        let query = sqlx::query(&sql).bind(column_id).bind(from).bind(to).bind(limit);
        let rows = query.fetch_all(&self.pool).await?;
        let mut articles = rows.iter().map(article_from_row).collect::<Result<Vec<_>, _>>()?;
        self.attach_columns(&mut articles).await?;
        Ok(articles)
    }
}
