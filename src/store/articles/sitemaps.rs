//! What sitemaps read: shards of article ids, their rows streamed, the News window.

use super::*;

/// One sitemap shard: article ids in `[index * span, (index + 1) * span)`.
#[derive(Debug, Clone, PartialEq)]
pub struct SitemapShard {
    pub index: i64,
    pub lastmod: DateTime<Utc>,
}

/// One article of the Google News sitemap.
#[derive(Debug, Clone, PartialEq)]
pub struct NewsEntry {
    pub article_id: i64,
    pub title: String,
    pub language: Option<String>,
    pub reposted_at: DateTime<Utc>,
}

/// Articles read per sitemap query.
const SITEMAP_CHUNK: i64 = 10_000;

/// One article as sitemaps see it.
#[derive(Debug, Clone, PartialEq)]
pub struct SitemapRow {
    pub article_id: i64,
    /// When the article last changed: its URL's `lastmod`.
    pub lastmod: DateTime<Utc>,
    /// When its outlet last changed (indexing may have changed with it).
    pub outlet_changed: DateTime<Utc>,
    /// Whether its URL is in the sitemap.
    pub listed: bool,
}

impl Store {
    /// Non-empty sitemap shards of `span` ids each, over the articles whose outlet lets
    /// our copy be indexed. A shard's lastmod covers outlet changes and withdrawals too
    /// (both alter which URLs it lists).
    pub async fn sitemap_shards(&self, span: i64) -> Result<Vec<SitemapShard>, StoreError> {
        // lastmod counts every article of the range, so that a withdrawal or a policy
        // change that removes a URL still dates the shard; only shards that list
        // something are returned.
        // Read from the blocks kept by every write (a row per thousand ids and outlet).
        debug_assert_eq!(span % SITEMAP_BLOCK_IDS, 0, "shards span whole blocks");
        let rows = sqlx::query(
            "SELECT b.block / $1 AS shard, MAX(b.last_change) AS article_change, MAX(o.updated_at) AS outlet_change
             FROM sitemap_blocks b JOIN outlets o ON o.id = b.outlet_id
             GROUP BY b.block / $1
             HAVING SUM(CASE WHEN o.indexing = $2 THEN b.listed_count ELSE 0 END) > 0
             ORDER BY shard",
        )
        .bind(span / SITEMAP_BLOCK_IDS)
        .bind(Indexing::SelfCanonical.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SitemapShard {
                    index: r.try_get("shard")?,
                    lastmod: time_at(r, "article_change")?.max(time_at(r, "outlet_change")?),
                })
            })
            .collect()
    }

    /// The indexable articles of one shard, by id.
    /// Articles with ids in `[from, to)`, in id order, read a chunk at a time: a
    /// sitemap of any size is written without holding its rows. Each says whether it
    /// is listed (public, and its outlet lets our copy be indexed).
    pub fn sitemap_rows(&self, from: i64, to: i64) -> BoxStream<'_, Result<SitemapRow, StoreError>> {
        futures_util::stream::once(self.sitemap_outlets())
            .map_ok(move |outlets| {
                futures_util::stream::try_unfold(from, move |next| {
                    let outlets = outlets.clone();
                    async move {
                        if next >= to {
                            return Ok::<_, StoreError>(None);
                        }
                        let rows = self.sitemap_chunk(next, to, &outlets).await?;
                        Ok(rows.last().map(|last| last.article_id + 1).map(|after| (rows, after)))
                    }
                })
            })
            .try_flatten()
            .map_ok(|rows| futures_util::stream::iter(rows.into_iter().map(Ok)))
            .try_flatten()
            .boxed()
    }

    /// Every outlet's last change and whether our copies of its articles are indexed.
    async fn sitemap_outlets(&self) -> Result<std::sync::Arc<HashMap<i64, (DateTime<Utc>, bool)>>, StoreError> {
        let rows = sqlx::query("SELECT id, updated_at, indexing FROM outlets").fetch_all(&self.pool).await?;
        let mut outlets = HashMap::with_capacity(rows.len());
        for row in &rows {
            let indexed = row.try_get::<String, _>("indexing")? == Indexing::SelfCanonical.as_str();
            outlets.insert(row.try_get("id")?, (time_at(row, "updated_at")?, indexed));
        }
        Ok(std::sync::Arc::new(outlets))
    }

    /// The next `SITEMAP_CHUNK` articles from `from` (below `to`), in id order. The
    /// database packs them into one text value (`id,updated,outlet,public;…`) read from
    /// a covering index alone: a row each would cost more in the driver than the query.
    async fn sitemap_chunk(
        &self,
        from: i64,
        to: i64,
        outlets: &HashMap<i64, (DateTime<Utc>, bool)>,
    ) -> Result<Vec<SitemapRow>, StoreError> {
        let pack = match self.backend {
            crate::store::Backend::Sqlite => "group_concat(packed, ';')",
            crate::store::Backend::Postgres => "string_agg(packed, ';')",
        };
        let sql = format!(
            "SELECT {pack} FROM (
                SELECT a.id || ',' || a.updated_at || ',' || a.outlet_id || ','
                    || CASE WHEN {PUBLIC} THEN 1 ELSE 0 END AS packed
                FROM articles a WHERE a.id >= $1 AND a.id < $2 ORDER BY a.id LIMIT $3) chunk"
        );
        let packed: Option<String> =
            sqlx::query_scalar(&sql).bind(from).bind(to).bind(SITEMAP_CHUNK).fetch_one(&self.pool).await?;
        let mut rows = packed
            .as_deref()
            .unwrap_or("")
            .split(';')
            .filter(|r| !r.is_empty())
            .map(|packed| unpack_sitemap_row(packed, outlets))
            .collect::<Result<Vec<_>, _>>()?;
        // The aggregate's order is not promised; the rows' is.
        rows.sort_unstable_by_key(|row| row.article_id);
        Ok(rows)
    }

    /// Indexable articles reposted since `since`, newest first, at most `limit`.
    pub async fn news_entries(&self, since: DateTime<Utc>, limit: i64) -> Result<Vec<NewsEntry>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT a.id, {} AS title, a.language, a.reposted_at FROM articles a JOIN outlets o ON o.id = a.outlet_id
             WHERE a.reposted_at >= $1 AND o.indexing = $2 AND {PUBLIC}
             ORDER BY a.reposted_at DESC, a.id DESC LIMIT $3",
            shown_title!()
        ))
        .bind(to_micros(since))
        .bind(Indexing::SelfCanonical.as_str())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(NewsEntry {
                    article_id: r.try_get("id")?,
                    title: r.try_get("title")?,
                    language: r.try_get("language")?,
                    reposted_at: time_at(r, "reposted_at")?,
                })
            })
            .collect()
    }
}

/// Reads `id,updated_at,outlet_id,public` as `sitemap_chunk` packs it.
fn unpack_sitemap_row(packed: &str, outlets: &HashMap<i64, (DateTime<Utc>, bool)>) -> Result<SitemapRow, StoreError> {
    let corrupt = || StoreError::Corrupt(format!("sitemap row '{packed}'"));
    let mut fields = packed.split(',').map(|f| f.parse::<i64>().map_err(|_| corrupt()));
    let mut next = || fields.next().unwrap_or_else(|| Err(corrupt()));
    let (article_id, updated_at, outlet_id, public) = (next()?, next()?, next()?, next()? == 1);
    // An outlet added since the map was read lists nothing this time.
    let (outlet_changed, indexed) = outlets.get(&outlet_id).copied().unwrap_or_default();
    Ok(SitemapRow { article_id, lastmod: from_micros(updated_at), outlet_changed, listed: public && indexed })
}
