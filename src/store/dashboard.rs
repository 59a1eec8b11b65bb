//! What the dashboard counts: articles reposted in a period per column and per outlet,
//! and the repost lag of each article of a period. Each is one query; what is made of
//! the figures (percentiles, source health) is decided above, in `operations`.

use super::articles::PUBLIC;
use super::{placeholders, to_micros, Store, StoreError};
use chrono::{DateTime, Utc};
use sqlx::Row;

/// Public articles reposted in two periods ending now: since `today` and since `week`
/// (the earlier), for one column or outlet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepostCount {
    pub id: i64,
    pub today: i64,
    pub week: i64,
}

/// One article's repost lag: `reposted_at − original_published_at`, in microseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepostLag {
    pub outlet_id: i64,
    pub lag_micros: i64,
}

/// The condition limiting articles `a` to those filed wholly within `within` (bound
/// from `first`), or none for `None`.
fn wholly_within(within: Option<&[i64]>, first: usize) -> String {
    match within {
        None => "1 = 1".into(),
        Some([]) => "NOT EXISTS (SELECT 1 FROM article_columns x WHERE x.article_id = a.id)".into(),
        Some(ids) => format!(
            "NOT EXISTS (SELECT 1 FROM article_columns x WHERE x.article_id = a.id AND x.column_id NOT IN ({}))",
            placeholders(first, ids.len())
        ),
    }
}

impl Store {
    /// Public articles reposted since `today` and since `week`, per column (its
    /// sub-columns' included) and per outlet, of those filed wholly within `within`.
    pub async fn repost_counts(
        &self,
        within: Option<&[i64]>,
        today: DateTime<Utc>,
        week: DateTime<Utc>,
    ) -> Result<(Vec<RepostCount>, Vec<RepostCount>), StoreError> {
        let scope = wholly_within(within, 3);
        let by_column = format!(
            "SELECT l.column_id AS id, CAST(SUM(CASE WHEN l.reposted_at >= $1 THEN 1 ELSE 0 END) AS BIGINT) AS today,
                CAST(COUNT(*) AS BIGINT) AS week
             FROM column_listings l JOIN articles a ON a.id = l.article_id
             WHERE l.listed <> 0 AND l.reposted_at >= $2 AND {scope}
             GROUP BY l.column_id ORDER BY l.column_id"
        );
        let by_outlet = format!(
            "SELECT a.outlet_id AS id, CAST(SUM(CASE WHEN a.reposted_at >= $1 THEN 1 ELSE 0 END) AS BIGINT) AS today,
                CAST(COUNT(*) AS BIGINT) AS week
             FROM articles a WHERE {PUBLIC} AND a.reposted_at >= $2 AND {scope}
             GROUP BY a.outlet_id ORDER BY a.outlet_id"
        );
        let mut counts = Vec::with_capacity(2);
        for sql in [by_column, by_outlet] {
            let mut query = sqlx::query(&sql).bind(to_micros(today)).bind(to_micros(week));
            for id in within.unwrap_or_default() {
                query = query.bind(id);
            }
            let rows = query.fetch_all(&self.pool).await?;
            let read = rows.iter().map(|row| {
                Ok(RepostCount { id: row.try_get("id")?, today: row.try_get("today")?, week: row.try_get("week")? })
            });
            counts.push(read.collect::<Result<Vec<_>, StoreError>>()?);
        }
        let by_outlet = counts.pop().unwrap_or_default();
        Ok((counts.pop().unwrap_or_default(), by_outlet))
    }

    /// The repost lag of every article reposted since `since` that was published (held,
    /// pending and rejected ones never were; one still under embargo is not yet, its
    /// repost time is the embargo's end), of those filed wholly within `within`.
    pub async fn repost_lags(
        &self,
        within: Option<&[i64]>,
        since: DateTime<Utc>,
    ) -> Result<Vec<RepostLag>, StoreError> {
        let sql = format!(
            "SELECT a.outlet_id, a.reposted_at - a.original_published_at AS lag FROM articles a
             WHERE a.reposted_at >= $1 AND a.status = 'published' AND a.review IS NULL
                   AND a.embargo_until IS NULL AND {}",
            wholly_within(within, 2)
        );
        let mut query = sqlx::query(&sql).bind(to_micros(since));
        for id in within.unwrap_or_default() {
            query = query.bind(id);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| Ok(RepostLag { outlet_id: row.try_get("outlet_id")?, lag_micros: row.try_get("lag")? }))
            .collect()
    }
}
