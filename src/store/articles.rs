//! Queries on articles: the idempotent upsert every ingest path ends in, and the
//! newest-first listings, single reads and sitemap shards the publishers read.

use super::listings::{self, SITEMAP_BLOCK_IDS};
use super::outlets::grants_at;
use super::{bump_catalog_version, from_micros, optional_time_at, placeholders, time_at, to_micros, Store, StoreError};
use crate::domain::{Article, ArticleDraft, ColumnRef, Enclosure, Image, Indexing, OutletRef, Slug};
use chrono::{DateTime, Utc};
use futures_util::stream::{BoxStream, StreamExt, TryStreamExt};
use serde_json::{json, Value};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::HashMap;

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Publication statuses of an article.
const PUBLISHED: &str = "published";
const QUARANTINED: &str = "quarantined";
/// The condition every public read applies: published, not withdrawn, not under embargo.
pub(super) const PUBLIC: &str = "a.status = 'published' AND a.withdrawn_at IS NULL AND a.embargo_until IS NULL";

pub(super) const ARTICLE_FIELDS: &str = "a.id, a.original_url, a.title, a.subtitle, a.author, a.summary, \
    a.content_html, a.language, a.tags, a.rights, a.image_url, a.image_caption, a.enclosures, \
    a.original_published_at, a.original_updated_at, a.reposted_at, a.updated_at, \
    o.id AS outlet_id, o.slug AS outlet_slug, o.name AS outlet_name, o.homepage AS outlet_homepage, \
    o.rights AS outlet_rights, o.indexing AS outlet_indexing, o.feed_url AS outlet_feed_url, \
    o.feed_content, o.partner_content";

/// Which articles a listing covers.
#[derive(Debug, Clone, PartialEq)]
pub enum FeedScope {
    /// Every article.
    Site,
    /// A column's articles, its sub-columns' included (read through the listings).
    Column(i64),
    /// One outlet's articles.
    Outlet(i64),
}

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpsertOutcome {
    Created(ArticleStamp),
    Updated(ArticleStamp),
    Unchanged(ArticleStamp),
    /// The URL is already another outlet's article (`public`: one readers can see);
    /// nothing was written.
    OwnedByOtherOutlet {
        public: bool,
    },
}

/// One article of an upsert: the draft and, if the content policy holds it, why.
#[derive(Debug, Clone, Copy)]
pub struct Upsert<'a> {
    pub draft: &'a ArticleDraft,
    pub quarantine: Option<&'a str>,
}

/// What an upsert needs to know of an article already stored.
#[derive(Debug, Clone)]
struct Existing {
    stamp: ArticleStamp,
    outlet_id: i64,
    fingerprint: String,
    withdrawn: bool,
    public: bool,
}

/// The outcome that needs no write, if there is one: another outlet's URL, or the same
/// content and still live.
fn settled(existing: Option<&Existing>, outlet_id: i64, fingerprint: &str) -> Option<UpsertOutcome> {
    let existing = existing?;
    if existing.outlet_id != outlet_id {
        Some(UpsertOutcome::OwnedByOtherOutlet { public: existing.public })
    } else if existing.fingerprint == fingerprint && !existing.withdrawn {
        Some(UpsertOutcome::Unchanged(existing.stamp))
    } else {
        None
    }
}

/// URLs per lookup of existing articles (well under every backend's bind limit).
const URLS_PER_LOOKUP: usize = 500;

/// The stored articles among `items`' URLs, by URL.
async fn existing_articles(
    conn: &mut sqlx::AnyConnection,
    items: &[Upsert<'_>],
) -> Result<HashMap<String, Existing>, StoreError> {
    let mut found = HashMap::with_capacity(items.len());
    for chunk in items.chunks(URLS_PER_LOOKUP) {
        let sql = format!(
            "SELECT id, outlet_id, original_url, fingerprint, reposted_at, updated_at, withdrawn_at,
                CASE WHEN {PUBLIC} THEN 1 ELSE 0 END AS public
             FROM articles a WHERE original_url IN ({})",
            placeholders(1, chunk.len())
        );
        let mut query = sqlx::query(&sql);
        for item in chunk {
            query = query.bind(item.draft.original_url.as_str());
        }
        for row in query.fetch_all(&mut *conn).await? {
            let stamp = ArticleStamp {
                id: row.try_get("id")?,
                reposted_at: time_at(&row, "reposted_at")?,
                updated_at: time_at(&row, "updated_at")?,
            };
            let existing = Existing {
                stamp,
                outlet_id: row.try_get("outlet_id")?,
                fingerprint: row.try_get("fingerprint")?,
                withdrawn: row.try_get::<Option<i64>, _>("withdrawn_at")?.is_some(),
                public: row.try_get::<i64, _>("public")? == 1,
            };
            found.insert(row.try_get("original_url")?, existing);
        }
    }
    Ok(found)
}

/// An article to create, with its change-clock value.
struct Creation<'a> {
    /// Its place in the batch.
    index: usize,
    item: Upsert<'a>,
    fingerprint: &'a str,
    now: i64,
}

/// Articles created per statement (22 values each). SQLite finds each `$N` value by a
/// scan of the statement's parameters, so a statement's cost grows with the square of
/// its values: about two hundred per statement is the sweet spot.
const ARTICLES_PER_INSERT: usize = 10;
/// Column memberships written per statement (three values each).
const MEMBERSHIPS_PER_INSERT: usize = 200;

/// Creates the articles of `creations` (their URLs all new) and files them in their
/// columns, many rows a statement; their ids, in order.
async fn insert_articles(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    outlet_id: i64,
    creations: &[Creation<'_>],
) -> Result<Vec<i64>, StoreError> {
    let mut ids = Vec::with_capacity(creations.len());
    for chunk in creations.chunks(ARTICLES_PER_INSERT) {
        // Each row: the outlet ($1), then the row's CONTENT_VALUES values from `first`;
        // reposted_at is created equal to updated_at, and an article published now
        // (not held, not embargoed) takes its archive place from the same clock value.
        let rows: Vec<String> = (0..chunk.len())
            .map(|row| {
                let first = 2 + row * CONTENT_VALUES;
                let value = |k: usize| format!("${}", first + k);
                let contents: Vec<String> = (0..CONTENT_VALUES).map(value).collect();
                let (now, status, embargo) = (value(14), value(16), value(19));
                format!(
                    "($1, {}, {now}, CASE WHEN {status} = 'published' AND {embargo} IS NULL THEN {now} END)",
                    contents.join(", ")
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO articles (outlet_id, original_url, title, subtitle, author, summary, content_html,
                language, tags, rights, image_url, image_caption, enclosures, original_published_at,
                original_updated_at, updated_at, fingerprint, status, quarantine_reason, hidden_removed,
                embargo_until, expires_at, reposted_at, archive_seq)
             VALUES {} RETURNING id, original_url",
            rows.join(", ")
        );
        let mut insert = sqlx::query(&sql).bind(outlet_id);
        for creation in chunk {
            insert = bind_content(insert, creation.item, creation.now, creation.fingerprint);
        }
        // Rows come back in no promised order: matched by URL, which is unique.
        let mut by_url = HashMap::with_capacity(chunk.len());
        for row in insert.fetch_all(&mut **tx).await? {
            by_url.insert(row.try_get::<String, _>("original_url")?, row.try_get::<i64, _>("id")?);
        }
        for creation in chunk {
            let url = creation.item.draft.original_url.as_str();
            ids.push(*by_url.get(url).ok_or_else(|| StoreError::Corrupt(format!("no id came back for {url}")))?);
        }
    }
    let memberships: Vec<(i64, i64, usize)> = creations
        .iter()
        .zip(&ids)
        .flat_map(|(creation, &id)| {
            creation.item.draft.column_ids.iter().enumerate().map(move |(position, &column)| (id, column, position))
        })
        .collect();
    insert_memberships(tx, &memberships).await?;
    Ok(ids)
}

/// Files articles in columns: (article, column, position among its columns).
async fn insert_memberships(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    memberships: &[(i64, i64, usize)],
) -> Result<(), StoreError> {
    for chunk in memberships.chunks(MEMBERSHIPS_PER_INSERT) {
        let rows: Vec<String> = (0..chunk.len()).map(|row| format!("({})", placeholders(1 + row * 3, 3))).collect();
        let sql = format!("INSERT INTO article_columns (article_id, column_id, position) VALUES {}", rows.join(", "));
        let mut insert = sqlx::query(&sql);
        for &(article, column, position) in chunk {
            insert = insert.bind(article).bind(column).bind(position as i64);
        }
        insert.execute(&mut **tx).await?;
    }
    Ok(())
}

async fn update_article(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    stamp: ArticleStamp,
    item: &Upsert<'_>,
    fingerprint: &str,
    now: i64,
) -> Result<UpsertOutcome, StoreError> {
    let update = sqlx::query(
        "UPDATE articles SET original_url = $2, title = $3, subtitle = $4, author = $5, summary = $6,
            content_html = $7, language = $8, tags = $9, rights = $10, image_url = $11, image_caption = $12,
            enclosures = $13, original_published_at = $14, original_updated_at = $15,
            updated_at = $16, fingerprint = $17, status = $18, quarantine_reason = $19, hidden_removed = $20,
            withdrawn_at = NULL, expires_at = $22,
            embargo_until = CASE WHEN archive_seq IS NULL THEN $21 END,
            archive_seq = COALESCE(archive_seq, CASE WHEN $18 = 'published' AND $21 IS NULL THEN $16 END)
         WHERE id = $1",
    )
    .bind(stamp.id);
    bind_content(update, *item, now, fingerprint).execute(&mut **tx).await?;
    if refile(tx, stamp.id, &item.draft.column_ids).await? {
        // Its old columns' pages and archives shift: caches start over.
        bump_catalog_version(&mut **tx).await?;
    }
    Ok(UpsertOutcome::Updated(ArticleStamp { updated_at: from_micros(now), ..stamp }))
}

/// Identity and times of a stored article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArticleStamp {
    pub id: i64,
    pub reposted_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

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
    /// Creates the article, or updates it when its content changed, or does nothing when
    /// it did not. `reposted_at` is set once, at creation, and never moves.
    /// A draft with a `quarantine` reason is stored held back from every public output.
    pub async fn upsert_article(
        &self,
        outlet_id: i64,
        draft: &ArticleDraft,
        quarantine: Option<&str>,
    ) -> Result<UpsertOutcome, StoreError> {
        let mut outcomes = self.upsert_articles(outlet_id, &[Upsert { draft, quarantine }]).await?;
        Ok(outcomes.remove(0))
    }

    /// `upsert_article` for many articles of one outlet, in one transaction that takes
    /// one run of change-clock values; outcomes in the order of `items`. A URL given
    /// twice is created, then updated (or left unchanged).
    pub async fn upsert_articles(
        &self,
        outlet_id: i64,
        items: &[Upsert<'_>],
    ) -> Result<Vec<UpsertOutcome>, StoreError> {
        if let Some(item) = items.iter().find(|item| item.draft.column_ids.is_empty()) {
            return Err(StoreError::Unfiled(item.draft.original_url.as_str().to_owned()));
        }
        let fingerprints: Vec<String> = items.iter().map(|item| item.draft.fingerprint()).collect();
        // First without a lock: what is unchanged, or another outlet's, needs no write.
        let known = existing_articles(&mut *self.pool.acquire().await?, items).await?;
        let mut written = std::collections::HashSet::new();
        let mut outcomes: Vec<Option<UpsertOutcome>> = Vec::with_capacity(items.len());
        for (item, fingerprint) in items.iter().zip(&fingerprints) {
            let url = item.draft.original_url.as_str();
            // Once a URL is written in this batch, what is stored no longer tells.
            let outcome = settled(known.get(url), outlet_id, fingerprint).filter(|_| !written.contains(url));
            if outcome.is_none() {
                written.insert(url);
            }
            outcomes.push(outcome);
        }
        let pending: Vec<usize> = (0..items.len()).filter(|&i| outcomes[i].is_none()).collect();
        if pending.is_empty() {
            return Ok(outcomes.into_iter().flatten().collect());
        }
        let mut change = self.begin_change(pending.len() as i64).await?;
        // Again under the clock's lock, which every article writer takes: now it holds.
        let pending_items: Vec<Upsert<'_>> = pending.iter().map(|&i| items[i]).collect();
        let mut known = existing_articles(&mut change.tx, &pending_items).await?;
        let stamped: Vec<(usize, i64)> = pending.iter().copied().zip(change.first..).collect();
        // URLs new to the store are created together, at their first mention; a later
        // mention in the batch is then an update (or unchanged) like any other.
        let mut fresh = std::collections::HashSet::new();
        let creations: Vec<Creation<'_>> = stamped
            .iter()
            .filter(|&&(i, _)| {
                let url = items[i].draft.original_url.as_str();
                !known.contains_key(url) && fresh.insert(url)
            })
            .map(|&(i, now)| Creation { index: i, item: items[i], fingerprint: &fingerprints[i], now })
            .collect();
        let created_ids = insert_articles(&mut change.tx, outlet_id, &creations).await?;
        let mut created: HashMap<usize, ArticleStamp> = HashMap::with_capacity(creations.len());
        for (creation, id) in creations.iter().zip(created_ids) {
            let at = from_micros(creation.now);
            created.insert(creation.index, ArticleStamp { id, reposted_at: at, updated_at: at });
        }
        for &(i, now) in &stamped {
            let (item, fingerprint) = (&items[i], fingerprints[i].as_str());
            let url = item.draft.original_url.as_str();
            let outcome = match (created.remove(&i), settled(known.get(url), outlet_id, fingerprint)) {
                (Some(stamp), _) => UpsertOutcome::Created(stamp),
                (None, Some(outcome)) => outcome,
                (None, None) => {
                    let existing = known.get(url).expect("a URL new to the store was created at its first mention");
                    update_article(&mut change.tx, existing.stamp, item, fingerprint, now).await?
                }
            };
            if let UpsertOutcome::Created(stamp) | UpsertOutcome::Updated(stamp) = outcome {
                change.written.push(stamp.id);
                // `public` is asked only of another outlet's rows: this one is the writer's.
                let existing =
                    Existing { stamp, outlet_id, fingerprint: fingerprint.to_owned(), withdrawn: false, public: false };
                known.insert(url.to_owned(), existing);
            }
            outcomes[i] = Some(outcome);
        }
        self.commit_change(change).await?;
        Ok(outcomes.into_iter().flatten().collect())
    }

    /// A published article.
    pub async fn article(&self, id: i64) -> Result<Option<Article>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {ARTICLE_FIELDS} FROM articles a JOIN outlets o ON o.id = a.outlet_id
             WHERE a.id = $1 AND {PUBLIC}"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let mut articles = vec![article_from_row(&row)?];
        self.attach_columns(&mut articles).await?;
        Ok(articles.pop())
    }

    /// The newest articles of a scope by repost time, `offset` skipped.
    pub async fn newest_articles(
        &self,
        scope: &FeedScope,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<Article>, StoreError> {
        let (filter, ids) = scope_filter(scope, 3);
        let sql = match scope {
            // A range of the column's listing index (`ids` binds the column as $3), skipped
            // inside the index alone: only the page's own articles are read, however deep.
            // `listed` is kept equal to PUBLIC; PUBLIC is checked again on the articles read
            // so that nothing withdrawn or held can show, even through a stale listing.
            FeedScope::Column(_) => format!(
                "SELECT {ARTICLE_FIELDS} FROM
                    (SELECT article_id, reposted_at FROM column_listings
                     WHERE column_id = $3 AND listed = 1
                     ORDER BY reposted_at DESC, article_id DESC LIMIT $1 OFFSET $2) l
                 JOIN articles a ON a.id = l.article_id JOIN outlets o ON o.id = a.outlet_id
                 WHERE {PUBLIC} ORDER BY l.reposted_at DESC, l.article_id DESC"
            ),
            // Likewise in the index of public articles (`filter` holds the conditions of
            // its WHERE clause, so that the planner may use it).
            _ => format!(
                "SELECT {ARTICLE_FIELDS} FROM
                    (SELECT a.id, a.reposted_at FROM articles a WHERE {filter}
                     ORDER BY a.reposted_at DESC, a.id DESC LIMIT $1 OFFSET $2) p
                 JOIN articles a ON a.id = p.id JOIN outlets o ON o.id = a.outlet_id
                 ORDER BY p.reposted_at DESC, p.id DESC"
            ),
        };
        let mut query = sqlx::query(&sql).bind(limit).bind(offset);
        for id in ids {
            query = query.bind(id);
        }
        let rows = query.fetch_all(&self.pool).await?;
        let mut articles = rows.iter().map(article_from_row).collect::<Result<Vec<_>, _>>()?;
        self.attach_columns(&mut articles).await?;
        Ok(articles)
    }

    /// How many articles of a scope are public: one row of the kept counts for a column
    /// or an outlet.
    pub async fn count_articles(&self, scope: &FeedScope) -> Result<i64, StoreError> {
        let (sql, id) = match scope {
            FeedScope::Column(id) => ("SELECT listed_count FROM column_stats WHERE column_id = $1", id),
            FeedScope::Outlet(id) => ("SELECT listed_count FROM outlet_stats WHERE outlet_id = $1", id),
            FeedScope::Site => {
                let sql = format!("SELECT COUNT(*) FROM articles a WHERE {PUBLIC}");
                return Ok(sqlx::query_scalar(&sql).fetch_one(&self.pool).await?);
            }
        };
        let count: Option<i64> = sqlx::query_scalar(sql).bind(id).fetch_optional(&self.pool).await?;
        Ok(count.unwrap_or(0))
    }

    /// For each column with articles, the latest change to one it lists or listed until
    /// that change (a withdrawal, a re-filing), its sub-columns' included. Kept by every
    /// article write (`listings`), so reading it costs one row a column.
    pub async fn column_last_changes(&self) -> Result<HashMap<i64, DateTime<Utc>>, StoreError> {
        let rows = sqlx::query("SELECT column_id, last_change FROM column_stats WHERE last_change IS NOT NULL")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok((r.try_get("column_id")?, time_at(r, "last_change")?))).collect()
    }

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
            super::Backend::Sqlite => "group_concat(packed, ';')",
            super::Backend::Postgres => "string_agg(packed, ';')",
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
            "SELECT a.id, a.title, a.language, a.reposted_at FROM articles a JOIN outlets o ON o.id = a.outlet_id
             WHERE a.reposted_at >= $1 AND o.indexing = $2 AND {PUBLIC}
             ORDER BY a.reposted_at DESC, a.id DESC LIMIT $3"
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

    /// Fills in each article's columns, primary first, with one query for the whole page.
    pub(super) async fn attach_columns(&self, articles: &mut [Article]) -> Result<(), StoreError> {
        if articles.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "SELECT ac.article_id, c.id, c.slug, c.title FROM article_columns ac
             JOIN columns c ON c.id = ac.column_id
             WHERE ac.article_id IN ({}) ORDER BY ac.article_id, ac.position",
            placeholders(1, articles.len())
        );
        let mut query = sqlx::query(&sql);
        for article in articles.iter() {
            query = query.bind(article.id);
        }
        let mut by_article: HashMap<i64, Vec<ColumnRef>> = HashMap::new();
        for row in query.fetch_all(&self.pool).await? {
            let slug: String = row.try_get("slug")?;
            by_article.entry(row.try_get("article_id")?).or_default().push(ColumnRef {
                id: row.try_get("id")?,
                slug: Slug::parse(&slug).map_err(|e| StoreError::Corrupt(format!("column slug '{slug}': {e}")))?,
                title: row.try_get("title")?,
            });
        }
        for article in articles {
            article.columns = by_article.remove(&article.id).unwrap_or_default();
        }
        Ok(())
    }
}

/// What withdrawing an article found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Withdrawal {
    Withdrawn(i64),
    /// The article is another outlet's; nothing was changed.
    NotYours,
}

impl Store {
    /// Withdraws an article (by id or original URL); `outlet_id` limits it to that
    /// outlet's articles. Withdrawing is a change: `updated_at` moves.
    pub async fn withdraw_article(
        &self,
        id: Option<i64>,
        original_url: Option<&str>,
        outlet_id: Option<i64>,
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
        self.withdraw_one(found).await?;
        Ok(Withdrawal::Withdrawn(found))
    }

    /// Marks an article withdrawn (a change: `updated_at` moves).
    pub(super) async fn withdraw_one(&self, id: i64) -> Result<(), StoreError> {
        let mut change = self.begin_change(1).await?;
        sqlx::query("UPDATE articles SET withdrawn_at = COALESCE(withdrawn_at, $2), updated_at = $2 WHERE id = $1")
            .bind(id)
            .bind(change.first)
            .execute(&mut *change.tx)
            .await?;
        change.written.push(id);
        self.commit_change(change).await
    }

    /// Whether an article existed and was withdrawn (its page answers 410 Gone).
    pub async fn is_withdrawn(&self, id: i64) -> Result<bool, StoreError> {
        let withdrawn: Option<Option<i64>> = sqlx::query_scalar("SELECT withdrawn_at FROM articles WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(withdrawn.flatten().is_some())
    }
}

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
            "SELECT a.id, o.slug AS outlet_slug, a.original_url, a.title, a.quarantine_reason, a.hidden_removed,
                    a.reposted_at
             FROM articles a JOIN outlets o ON o.id = a.outlet_id
             WHERE a.status = '{QUARANTINED}' ORDER BY a.reposted_at DESC, a.id DESC"
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

    /// Publishes a held article as it stands.
    pub async fn release_article(&self, id: i64) -> Result<(), StoreError> {
        let mut change = self.begin_change(1).await?;
        let done = sqlx::query(&format!(
            "UPDATE articles SET status = '{PUBLISHED}', quarantine_reason = NULL, updated_at = $2,
                archive_seq = COALESCE(archive_seq, CASE WHEN embargo_until IS NULL THEN $2 END)
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
        self.commit_change(change).await
    }

    /// Deletes a held article for good. It was never public: only its sitemap block's
    /// date, which it counted in, is taken again from what is left.
    pub async fn reject_article(&self, id: i64) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM article_columns WHERE article_id = $1").bind(id).execute(&mut *tx).await?;
        let outlet_id: i64 = sqlx::query_scalar(&format!(
            "DELETE FROM articles WHERE id = $1 AND status = '{QUARANTINED}' RETURNING outlet_id"
        ))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound("quarantined article"))?;
        listings::redate_sitemap_block(&mut tx, id, outlet_id).await?;
        tx.commit().await?;
        Ok(())
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

/// The WHERE clause of a scope and the ids it binds, numbered from `first`.
fn scope_filter(scope: &FeedScope, first: usize) -> (String, Vec<i64>) {
    let (filter, ids) = scope_only(scope, first);
    (format!("{PUBLIC} AND {filter}"), ids)
}

fn scope_only(scope: &FeedScope, first: usize) -> (String, Vec<i64>) {
    match scope {
        FeedScope::Site => ("1 = 1".into(), vec![]),
        FeedScope::Outlet(id) => (format!("a.outlet_id = ${first}"), vec![*id]),
        FeedScope::Column(id) => {
            (format!("a.id IN (SELECT article_id FROM column_listings WHERE column_id = ${first})"), vec![*id])
        }
    }
}

/// Articles filed directly under any of `column_ids`, binding from `first`.
pub(super) fn in_columns(column_ids: &[i64], first: usize) -> String {
    if column_ids.is_empty() {
        return "1 = 0".into();
    }
    format!(
        "a.id IN (SELECT article_id FROM article_columns WHERE column_id IN ({}))",
        placeholders(first, column_ids.len())
    )
}

/// Binds `$2`‥`$22` of an insert or update: the draft's fields, the change time, the
/// fingerprint, the publication status and the schedule (an embargo only while it lasts),
/// in the column order both statements share.
/// Values `bind_content` binds: an article's content, its change time, fingerprint,
/// status, schedule.
const CONTENT_VALUES: usize = 21;

fn bind_content<'q>(query: AnyQuery<'q>, item: Upsert<'q>, now: i64, fingerprint: &'q str) -> AnyQuery<'q> {
    let (draft, quarantine) = (item.draft, item.quarantine);
    query
        .bind(draft.original_url.as_str())
        .bind(&draft.title)
        .bind(draft.subtitle.as_deref())
        .bind(draft.author.as_deref())
        .bind(draft.summary.as_deref())
        .bind(draft.content_html.as_deref())
        .bind(draft.language.as_deref())
        .bind(tags_json(&draft.tags))
        .bind(draft.rights.as_deref())
        .bind(draft.image.as_ref().map(|i| i.url.as_str()))
        .bind(draft.image.as_ref().and_then(|i| i.caption.as_deref()))
        .bind(enclosures_json(&draft.enclosures))
        .bind(to_micros(draft.original_published_at))
        .bind(draft.original_updated_at.map(to_micros))
        .bind(now)
        .bind(fingerprint)
        .bind(if quarantine.is_some() { QUARANTINED } else { PUBLISHED })
        .bind(quarantine)
        .bind(i64::from(draft.hidden_removed))
        .bind(draft.schedule.publish_at.map(to_micros).filter(|&t| t > now))
        .bind(draft.schedule.expires_at.map(to_micros))
}

/// Files an existing article under `column_ids`; true when the set of its columns
/// changed (not only their order).
async fn refile(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    article_id: i64,
    column_ids: &[i64],
) -> Result<bool, StoreError> {
    let filed: Vec<i64> =
        sqlx::query_scalar("SELECT column_id FROM article_columns WHERE article_id = $1 ORDER BY position")
            .bind(article_id)
            .fetch_all(&mut **tx)
            .await?;
    if filed == column_ids {
        return Ok(false);
    }
    replace_columns(tx, article_id, column_ids).await?;
    let (mut before, mut after) = (filed, column_ids.to_vec());
    before.sort_unstable();
    after.sort_unstable();
    Ok(before != after)
}

async fn replace_columns(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    article_id: i64,
    column_ids: &[i64],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM article_columns WHERE article_id = $1").bind(article_id).execute(&mut **tx).await?;
    let memberships: Vec<(i64, i64, usize)> =
        column_ids.iter().enumerate().map(|(position, &column)| (article_id, column, position)).collect();
    insert_memberships(tx, &memberships).await
}

fn tags_json(tags: &[String]) -> String {
    Value::from(tags).to_string()
}

fn enclosures_json(enclosures: &[Enclosure]) -> String {
    let list: Vec<Value> =
        enclosures.iter().map(|e| json!({"url": e.url, "type": e.mime_type, "length": e.length})).collect();
    Value::from(list).to_string()
}

fn parse_tags(raw: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(raw).map_err(|e| StoreError::Corrupt(format!("tags: {e}")))
}

fn parse_enclosures(raw: &str) -> Result<Vec<Enclosure>, StoreError> {
    let list: Vec<Value> = serde_json::from_str(raw).map_err(|e| StoreError::Corrupt(format!("enclosures: {e}")))?;
    Ok(list
        .iter()
        .map(|v| Enclosure {
            url: v["url"].as_str().unwrap_or_default().to_owned(),
            mime_type: v["type"].as_str().unwrap_or_default().to_owned(),
            length: v["length"].as_u64(),
        })
        .collect())
}

pub(super) fn article_from_row(row: &AnyRow) -> Result<Article, StoreError> {
    let outlet_slug: String = row.try_get("outlet_slug")?;
    let indexing: String = row.try_get("outlet_indexing")?;
    let image_url: Option<String> = row.try_get("image_url")?;
    Ok(Article {
        id: row.try_get("id")?,
        outlet: OutletRef {
            id: row.try_get("outlet_id")?,
            slug: Slug::parse(&outlet_slug).map_err(StoreError::Corrupt)?,
            name: row.try_get("outlet_name")?,
            homepage: row.try_get("outlet_homepage")?,
            rights: row.try_get("outlet_rights")?,
            indexing: Indexing::parse(&indexing).map_err(StoreError::Corrupt)?,
            grants: grants_at(row).map_err(StoreError::Corrupt)?,
            feed_url: row.try_get("outlet_feed_url")?,
        },
        original_url: row.try_get("original_url")?,
        title: row.try_get("title")?,
        subtitle: row.try_get("subtitle")?,
        author: row.try_get("author")?,
        summary: row.try_get("summary")?,
        content_html: row.try_get("content_html")?,
        language: row.try_get("language")?,
        tags: parse_tags(&row.try_get::<String, _>("tags")?)?,
        rights: row.try_get("rights")?,
        image: image_url.map(|url| Image { url, caption: row.try_get("image_caption").ok().flatten() }),
        enclosures: parse_enclosures(&row.try_get::<String, _>("enclosures")?)?,
        original_published_at: time_at(row, "original_published_at")?,
        original_updated_at: optional_time_at(row, "original_updated_at")?,
        reposted_at: time_at(row, "reposted_at")?,
        updated_at: time_at(row, "updated_at")?,
        columns: Vec::new(),
    })
}
