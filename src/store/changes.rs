//! The change log: articles in the order their changes committed (the change clock,
//! migration 0006), for partners walking the article API and for the notifier; and the
//! scheduled changes a syndication agreement sets (embargoes ending, rights expiring).

use super::articles::{article_from_row, in_columns, ARTICLE_FIELDS, PUBLIC};
use super::{now_micros, placeholders, Store, StoreError};
use crate::domain::{Article, Indexing, Withdrawer};
use chrono::{DateTime, Utc};
use sqlx::Row;
use std::collections::HashMap;

/// A position in the change log: just after the change `(updated_at, id)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChangePosition {
    pub updated_at: i64,
    pub id: i64,
}

/// Which changes a partner reads.
#[derive(Debug, Clone)]
pub struct ChangeQuery {
    /// Only articles in these columns; `None` for every column.
    pub column_ids: Option<Vec<i64>>,
    pub outlet_id: Option<i64>,
    pub since: Option<DateTime<Utc>>,
    pub after: ChangePosition,
    pub limit: i64,
}

/// One article's latest version, or the tombstone of one no longer published.
#[derive(Debug, Clone, PartialEq)]
pub enum ChangedArticle {
    Live(Box<Article>),
    Gone { id: i64, original_url: String, updated_at: DateTime<Utc> },
}

impl ChangedArticle {
    pub fn position(&self) -> ChangePosition {
        let (id, updated_at) = match self {
            ChangedArticle::Live(a) => (a.id, a.updated_at),
            ChangedArticle::Gone { id, updated_at, .. } => (*id, *updated_at),
        };
        ChangePosition { updated_at: super::to_micros(updated_at), id }
    }
}

/// A changed article as the notifier sees it: which public resources it touches.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeRecord {
    pub article_id: i64,
    pub outlet_id: i64,
    pub outlet_slug: String,
    /// The columns it is listed in: its own and every column above them.
    pub column_ids: Vec<i64>,
    /// Our page is canonical and indexable (search engines should hear of it).
    pub indexable: bool,
}

impl Store {
    /// Articles that were ever public and changed after `query.after`, oldest change
    /// first; `limit + 1` are read so the caller can tell whether more are ready.
    /// Articles of outlets that give partners nothing never appear.
    pub async fn changed_articles(&self, query: &ChangeQuery) -> Result<Vec<ChangedArticle>, StoreError> {
        let mut filters = vec![
            "a.archive_seq IS NOT NULL".to_owned(),
            "o.partner_content <> 'none'".to_owned(),
            "(a.updated_at > $1 OR (a.updated_at = $1 AND a.id > $2))".to_owned(),
            "a.updated_at >= $3".to_owned(),
        ];
        let mut ids = Vec::new();
        if let Some(outlet) = query.outlet_id {
            filters.push("a.outlet_id = $5".into());
            ids.push(outlet);
        }
        if let Some(columns) = &query.column_ids {
            filters.push(in_columns(columns, 5 + ids.len()));
            ids.extend(columns);
        }
        let sql = format!(
            "SELECT {ARTICLE_FIELDS}, CAST(CASE WHEN {PUBLIC} THEN 1 ELSE 0 END AS BIGINT) AS live
             FROM articles a JOIN outlets o ON o.id = a.outlet_id
             WHERE {} ORDER BY a.updated_at, a.id LIMIT $4",
            filters.join(" AND ")
        );
        let mut sql_query = sqlx::query(&sql)
            .bind(query.after.updated_at)
            .bind(query.after.id)
            .bind(query.since.map_or(0, super::to_micros))
            .bind(query.limit + 1);
        for id in ids {
            sql_query = sql_query.bind(id);
        }
        let rows = sql_query.fetch_all(&self.pool).await?;
        let mut articles = rows.iter().map(article_from_row).collect::<Result<Vec<_>, _>>()?;
        self.attach_columns(&mut articles).await?;
        self.attach_copies(&mut articles).await?;
        rows.iter()
            .zip(articles)
            .map(|(row, article)| {
                Ok(if row.try_get::<i64, _>("live")? == 1 {
                    ChangedArticle::Live(Box::new(article))
                } else {
                    ChangedArticle::Gone {
                        id: article.id,
                        original_url: article.original_url,
                        updated_at: article.updated_at,
                    }
                })
            })
            .collect()
    }

    /// Changes committed after `watermark`, oldest first, at most `limit`; with the
    /// position of the last one read (the new watermark), counting changes that touch
    /// nothing public.
    pub async fn changes_after(
        &self,
        watermark: i64,
        limit: i64,
    ) -> Result<(Vec<ChangeRecord>, Option<i64>), StoreError> {
        let rows = sqlx::query(
            "SELECT a.id, a.updated_at, a.outlet_id, o.slug, o.indexing, CAST(CASE WHEN a.archive_seq IS NULL THEN 0 ELSE 1 END AS BIGINT) AS seen
             FROM articles a JOIN outlets o ON o.id = a.outlet_id
             WHERE a.updated_at > $1 ORDER BY a.updated_at LIMIT $2",
        )
        .bind(watermark)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let last = match rows.last() {
            Some(row) => Some(row.try_get::<i64, _>("updated_at")?),
            None => None,
        };
        let mut records = Vec::new();
        for row in &rows {
            // An article never public (held, or under embargo) changes nothing anyone saw.
            if row.try_get::<i64, _>("seen")? == 0 {
                continue;
            }
            records.push(ChangeRecord {
                article_id: row.try_get("id")?,
                outlet_id: row.try_get("outlet_id")?,
                outlet_slug: row.try_get("slug")?,
                column_ids: Vec::new(),
                indexable: row.try_get::<String, _>("indexing")? == Indexing::SelfCanonical.as_str(),
            });
        }
        self.attach_column_ids(&mut records).await?;
        Ok((records, last))
    }

    async fn attach_column_ids(&self, records: &mut [ChangeRecord]) -> Result<(), StoreError> {
        if records.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "SELECT DISTINCT ac.article_id, ca.ancestor_id AS column_id
             FROM article_columns ac JOIN column_ancestors ca ON ca.column_id = ac.column_id
             WHERE ac.article_id IN ({})",
            placeholders(1, records.len())
        );
        let mut query = sqlx::query(&sql);
        for record in records.iter() {
            query = query.bind(record.article_id);
        }
        let mut by_article: HashMap<i64, Vec<i64>> = HashMap::new();
        for row in query.fetch_all(&self.pool).await? {
            by_article.entry(row.try_get("article_id")?).or_default().push(row.try_get("column_id")?);
        }
        for record in records {
            record.column_ids = by_article.remove(&record.article_id).unwrap_or_default();
        }
        Ok(())
    }

    /// Publishes articles whose embargo has ended, with the embargo's end as their
    /// repost time; returns how many.
    pub async fn lift_due_embargoes(&self) -> Result<usize, StoreError> {
        let due = self.due_ids("embargo_until", "").await?;
        for &id in &due {
            let mut change = self.begin_change(1).await?;
            sqlx::query(
                "UPDATE articles SET reposted_at = embargo_until, embargo_until = NULL, updated_at = $2,
                    archive_seq = CASE WHEN status = 'published' AND review IS NULL THEN $2 END
                 WHERE id = $1 AND embargo_until IS NOT NULL",
            )
            .bind(id)
            .bind(change.first)
            .execute(&mut *change.tx)
            .await?;
            change.written.push(id);
            self.commit_change(change).await?;
        }
        Ok(due.len())
    }

    /// Withdraws articles whose repost right has expired; returns how many.
    pub async fn expire_due_articles(&self) -> Result<usize, StoreError> {
        let due = self.due_ids("expires_at", "AND withdrawn_at IS NULL").await?;
        for &id in &due {
            self.withdraw_one(id, Withdrawer::Expiry, None).await?;
        }
        Ok(due.len())
    }

    /// Articles whose `time_column` has passed (and `also`), soonest first: a range of
    /// that column's partial index, however many articles there are (this runs every
    /// second on every instance).
    async fn due_ids(&self, time_column: &str, also: &str) -> Result<Vec<i64>, StoreError> {
        let sql =
            format!("SELECT id FROM articles WHERE {time_column} <= $1 {also} ORDER BY {time_column}, id LIMIT 1000");
        Ok(sqlx::query_scalar(&sql).bind(now_micros()).fetch_all(&self.pool).await?)
    }
}

/// What a follower of the change clock may read, and nothing else of the store: the
/// clock, the change log after a reading, and what wakes it. The render cache holds one
/// instead of the `Store`.
#[derive(Clone)]
pub struct ChangeClock(Store);

impl ChangeClock {
    pub fn new(store: Store) -> ChangeClock {
        ChangeClock(store)
    }

    /// See `Store::local_changes`.
    pub fn local_changes(&self) -> u64 {
        self.0.local_changes()
    }

    /// See `Store::clock_reading`.
    pub async fn reading(&self) -> Result<super::ClockReading, StoreError> {
        self.0.clock_reading().await
    }

    /// See `Store::changes_after`.
    pub async fn changes_after(
        &self,
        watermark: i64,
        limit: i64,
    ) -> Result<(Vec<ChangeRecord>, Option<i64>), StoreError> {
        self.0.changes_after(watermark, limit).await
    }

    /// See `Store::change_listener`.
    pub async fn listener(&self) -> Result<Option<sqlx::postgres::PgListener>, StoreError> {
        self.0.change_listener().await
    }

    /// Whether every writer shares this machine and readers poll the clock row (SQLite).
    pub fn is_polled(&self) -> bool {
        self.0.backend() == super::Backend::Sqlite
    }
}
