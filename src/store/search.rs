//! What the search index is built from: every article's searchable text and the facts
//! its filters need, in the order changes committed (the change clock), and reading the
//! articles a search found back, public ones only.
//!
//! An article's standing is decided here from its row, as staff's listing decides it
//! (`STANDING`, whose `published` is the `PUBLIC` condition every public read applies),
//! so the index calls public exactly what the site shows, and staff's search filters by
//! standing as their listing does.

use super::articles::{article_from_row, shown, shown_title, ARTICLE_FIELDS, PUBLIC, STANDING};
use super::{placeholders, ClockReading, Store, StoreError};
use crate::domain::{Article, ArticleStatus};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::{BTreeMap, HashMap};

/// What an article shows, an editor's corrections over its outlet's version (as
/// `ARTICLE_FIELDS` reads it).
const SHOWN_TITLE: &str = shown_title!();
const SHOWN_SUBTITLE: &str = shown!("subtitle");
const SHOWN_SUMMARY: &str = shown!("summary");
const SHOWN_CONTENT: &str = shown!("content_html");

/// The title searched: the one shown, and the outlet's own (原标题) where an editor
/// changed it, so that either finds the article.
fn searchable_title(shown: String, outlet_title: String) -> String {
    if shown == outlet_title {
        shown
    } else {
        format!("{shown}\n{outlet_title}")
    }
}

/// What the index holds of an article, of those meeting `condition` (SQL after `WHERE`).
fn indexable_sql(condition: &str) -> String {
    format!(
        "SELECT a.id, a.updated_at, {SHOWN_TITLE} AS title, a.title AS outlet_title, {SHOWN_SUBTITLE} AS subtitle,
                {SHOWN_SUMMARY} AS summary, {SHOWN_CONTENT} AS content_html, a.author, a.tags,
                a.reposted_at, a.outlet_id, o.name AS outlet_name, {STANDING} AS standing
         FROM articles a JOIN outlets o ON o.id = a.outlet_id WHERE {condition}"
    )
}

/// One article as the index holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexableArticle {
    pub id: i64,
    pub title: String,
    pub subtitle: Option<String>,
    pub summary: Option<String>,
    pub content_html: Option<String>,
    pub author: Option<String>,
    pub tags: Vec<String>,
    pub outlet_id: i64,
    pub outlet_name: String,
    /// Microseconds.
    pub reposted_at: i64,
    /// The columns it is filed under (not those above them: a search of a column asks
    /// for its whole subtree, so a column moved in the tree needs no reindex).
    pub column_ids: Vec<i64>,
    /// `Published` exactly when the public may find it.
    pub standing: ArticleStatus,
}

/// What the search index's follower may read of the store, and nothing else: the
/// change clock, the articles changed after a reading, and what wakes it.
#[derive(Clone)]
pub struct SearchSource(Store);

impl SearchSource {
    pub fn new(store: Store) -> SearchSource {
        SearchSource(store)
    }

    /// See `Store::local_changes`.
    pub fn local_changes(&self) -> u64 {
        self.0.local_changes()
    }

    /// See `Store::clock_reading`.
    pub async fn reading(&self) -> Result<ClockReading, StoreError> {
        self.0.clock_reading().await
    }

    /// See `Store::change_listener`.
    pub async fn listener(&self) -> Result<Option<sqlx::postgres::PgListener>, StoreError> {
        self.0.change_listener().await
    }

    /// Whether readers poll the clock row (SQLite) rather than being woken.
    pub fn is_polled(&self) -> bool {
        self.0.backend() == super::Backend::Sqlite
    }

    /// How many articles there are, whatever their standing.
    pub async fn article_count(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM articles").fetch_one(&self.0.pool).await?)
    }

    /// Articles whose last change came after `watermark`, oldest change first, at most
    /// `limit`; with the clock value of the last one read.
    pub async fn changed_after(
        &self,
        watermark: i64,
        limit: i64,
    ) -> Result<(Vec<IndexableArticle>, Option<i64>), StoreError> {
        let rows = sqlx::query(&indexable_sql("a.updated_at > $1 ORDER BY a.updated_at LIMIT $2"))
            .bind(watermark)
            .bind(limit)
            .fetch_all(&self.0.pool)
            .await?;
        let last = rows.last().map(|row| row.try_get::<i64, _>("updated_at")).transpose()?;
        Ok((self.indexable_articles(&rows).await?, last))
    }

    /// An outlet's articles with ids above `after`, lowest first, at most `limit`: what
    /// shows its name, read again when it is renamed.
    pub async fn outlet_articles(
        &self,
        outlet_id: i64,
        after: i64,
        limit: i64,
    ) -> Result<Vec<IndexableArticle>, StoreError> {
        let rows = sqlx::query(&indexable_sql("a.outlet_id = $1 AND a.id > $2 ORDER BY a.id LIMIT $3"))
            .bind(outlet_id)
            .bind(after)
            .bind(limit)
            .fetch_all(&self.0.pool)
            .await?;
        self.indexable_articles(&rows).await
    }

    /// Every outlet's name, by id.
    pub async fn outlet_names(&self) -> Result<BTreeMap<i64, String>, StoreError> {
        let rows = sqlx::query("SELECT id, name FROM outlets").fetch_all(&self.0.pool).await?;
        rows.iter().map(|row| Ok((row.try_get("id")?, row.try_get("name")?))).collect()
    }

    /// The articles deleted for good after `watermark` up to `through` (clock values).
    pub async fn deleted_between(&self, watermark: i64, through: i64) -> Result<Vec<i64>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT article_id FROM deleted_articles WHERE deleted_at > $1 AND deleted_at <= $2 ORDER BY deleted_at",
        )
        .bind(watermark)
        .bind(through)
        .fetch_all(&self.0.pool)
        .await?)
    }

    async fn indexable_articles(&self, rows: &[AnyRow]) -> Result<Vec<IndexableArticle>, StoreError> {
        let mut articles = rows
            .iter()
            .map(|row| {
                let tags: String = row.try_get("tags")?;
                let standing: String = row.try_get("standing")?;
                Ok(IndexableArticle {
                    id: row.try_get("id")?,
                    title: searchable_title(row.try_get("title")?, row.try_get("outlet_title")?),
                    subtitle: row.try_get("subtitle")?,
                    summary: row.try_get("summary")?,
                    content_html: row.try_get("content_html")?,
                    author: row.try_get("author")?,
                    tags: serde_json::from_str(&tags).map_err(|e| StoreError::Corrupt(format!("tags: {e}")))?,
                    outlet_id: row.try_get("outlet_id")?,
                    outlet_name: row.try_get("outlet_name")?,
                    reposted_at: row.try_get("reposted_at")?,
                    column_ids: Vec::new(),
                    standing: ArticleStatus::parse(&standing).map_err(StoreError::Corrupt)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        self.attach_filed_columns(&mut articles).await?;
        Ok(articles)
    }

    async fn attach_filed_columns(&self, articles: &mut [IndexableArticle]) -> Result<(), StoreError> {
        if articles.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "SELECT article_id, column_id FROM article_columns WHERE article_id IN ({})",
            placeholders(1, articles.len())
        );
        let mut query = sqlx::query(&sql);
        for article in articles.iter() {
            query = query.bind(article.id);
        }
        let mut by_article: HashMap<i64, Vec<i64>> = HashMap::new();
        for row in query.fetch_all(&self.0.pool).await? {
            by_article.entry(row.try_get("article_id")?).or_default().push(row.try_get("column_id")?);
        }
        for article in articles {
            article.column_ids = by_article.remove(&article.id).unwrap_or_default();
        }
        Ok(())
    }
}

impl Store {
    /// The public articles among `ids`, in no particular order: what a search found,
    /// read again, so that one withdrawn since the index saw it is not shown.
    pub async fn public_articles(&self, ids: &[i64]) -> Result<Vec<Article>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {ARTICLE_FIELDS} FROM articles a JOIN outlets o ON o.id = a.outlet_id
             WHERE a.id IN ({}) AND {PUBLIC}",
            placeholders(1, ids.len())
        );
        let mut query = sqlx::query(&sql);
        for id in ids {
            query = query.bind(id);
        }
        let rows = query.fetch_all(&self.pool).await?;
        let mut articles = rows.iter().map(article_from_row).collect::<Result<Vec<_>, _>>()?;
        self.attach_columns(&mut articles).await?;
        Ok(articles)
    }
}
