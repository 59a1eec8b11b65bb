//! Column listings (migration 0008): each column's articles, sub-columns included, with
//! their repost time, whether they are public now, and their permanent archive
//! position; and per column the count of public articles and the next position. They
//! let a column's newest articles, listing pages and archive pages be read as index
//! range scans, and their sizes as one row, at any archive size. Per outlet, the count
//! of public articles (migration 0011) and its page's date (0016) do the same for outlet
//! pages, and per block of article ids and outlet, a count and a date (migration 0012)
//! for the sitemap index.
//!
//! They are derived data, brought in line inside every article write's transaction
//! (`sync_listings`, called by `Store::commit_change`) and rebuilt whole when the column
//! tree changes shape (`rebuild`).

use super::articles::PUBLIC;
use super::{placeholders, StoreError};
use sqlx::Row;
use std::collections::{BTreeMap, HashMap};

type Tx<'t> = sqlx::Transaction<'t, sqlx::Any>;

/// Whether article `a` is public, as SQL: 1 while it is, else 0.
fn public() -> String {
    format!("CAST(CASE WHEN {PUBLIC} THEN 1 ELSE 0 END AS BIGINT)")
}

/// How article `a` stands in the listing of column `c`, as SQL: `SHOWN` while it is
/// public and shown there, `HIDDEN` while public but a shadowed duplicate in a column
/// that hides them (migration 0026), else 0.
fn listed() -> String {
    format!(
        "CAST(CASE WHEN {PUBLIC} THEN CASE WHEN c.hide_duplicates = 1 AND a.shadowed = 1 THEN {HIDDEN} ELSE {SHOWN} END
         ELSE 0 END AS BIGINT)"
    )
}

/// `column_listings.listed`: public and shown in the column's feeds and pages (every
/// read of a listing asks for this value).
const SHOWN: i64 = 1;
/// `column_listings.listed`: public, but a duplicate the column hides.
const HIDDEN: i64 = 2;

/// 1 when a listing's `listed` counts in its column's count, else 0.
fn shown(listed: i64) -> i64 {
    i64::from(listed == SHOWN)
}

/// Articles whose listings are brought in line per round of queries.
const ARTICLES_PER_SYNC: usize = 300;
/// Listing rows written per statement (five values each).
const ROWS_PER_UPSERT: usize = 100;

/// One article's place in one column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Listing {
    reposted_at: i64,
    listed: i64,
    position: Option<i64>,
}

/// A column's counts, and when what it lists last changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Stats {
    listed_count: i64,
    next_position: i64,
    /// The latest change time of an article it lists, or listed until that change.
    last_change: Option<i64>,
}

/// Brings the listings of `article_ids` in line with the articles and their columns.
/// `shadowed_before` says which were shadowed duplicates before the change.
pub(super) async fn sync_listings(
    tx: &mut Tx<'_>,
    article_ids: &[i64],
    shadowed_before: &HashMap<i64, bool>,
) -> Result<(), StoreError> {
    for chunk in article_ids.chunks(ARTICLES_PER_SYNC) {
        sync_chunk(tx, chunk, shadowed_before).await?;
    }
    Ok(())
}

async fn sync_chunk(
    tx: &mut Tx<'_>,
    article_ids: &[i64],
    shadowed_before: &HashMap<i64, bool>,
) -> Result<(), StoreError> {
    let old = current_listings(tx, article_ids).await?;
    let wanted = wanted_listings(tx, article_ids).await?;
    let states = article_states(tx, article_ids).await?;
    count_changes(tx, &old, &states, shadowed_before).await?;
    let changed_at = |article: i64| states.get(&article).map(|state| state.updated_at);
    let columns: Vec<i64> = old.keys().chain(wanted.iter().map(|(key, _, _)| key)).map(|(c, _)| *c).collect();
    let mut stats = read_stats(tx, &columns).await?;
    let before = stats.clone();
    let mut writes = Vec::new();
    for &((column, article), reposted_at, (listed, archived)) in &wanted {
        let previous = old.get(&(column, article));
        let column_stats = stats.entry(column).or_default();
        if listed == SHOWN || previous.is_some_and(|p| p.listed == SHOWN) {
            column_stats.last_change = column_stats.last_change.max(changed_at(article));
        }
        let position = match previous.and_then(|p| p.position) {
            Some(position) => Some(position),
            None if archived => {
                column_stats.next_position += 1;
                Some(column_stats.next_position - 1)
            }
            None => None,
        };
        column_stats.listed_count += shown(listed) - previous.map_or(0, |p| shown(p.listed));
        let listing = Listing { reposted_at, listed, position };
        if previous != Some(&listing) {
            writes.push((column, article, listing));
        }
    }
    let wanted_keys: std::collections::HashSet<(i64, i64)> = wanted.iter().map(|(key, _, _)| *key).collect();
    for (&(column, article), listing) in &old {
        if !wanted_keys.contains(&(column, article)) {
            let column_stats = stats.entry(column).or_default();
            column_stats.listed_count -= shown(listing.listed);
            if listing.listed == SHOWN {
                column_stats.last_change = column_stats.last_change.max(changed_at(article));
            }
            sqlx::query("DELETE FROM column_listings WHERE column_id = $1 AND article_id = $2")
                .bind(column)
                .bind(article)
                .execute(&mut **tx)
                .await?;
        }
    }
    write_listings(tx, &writes).await?;
    let changed: Vec<(i64, Stats)> = stats.into_iter().filter(|(column, s)| before.get(column) != Some(s)).collect();
    write_stats(tx, &changed).await
}

async fn current_listings(tx: &mut Tx<'_>, article_ids: &[i64]) -> Result<HashMap<(i64, i64), Listing>, StoreError> {
    let sql = format!(
        "SELECT column_id, article_id, reposted_at, listed, position FROM column_listings WHERE article_id IN ({})",
        placeholders(1, article_ids.len())
    );
    let mut query = sqlx::query(&sql);
    for id in article_ids {
        query = query.bind(id);
    }
    let mut found = HashMap::new();
    for row in query.fetch_all(&mut **tx).await? {
        let listing = Listing {
            reposted_at: row.try_get("reposted_at")?,
            listed: row.try_get("listed")?,
            position: row.try_get("position")?,
        };
        found.insert((row.try_get("column_id")?, row.try_get("article_id")?), listing);
    }
    Ok(found)
}

/// Where the articles belong now: `((column, article), reposted_at, (listed, archived))`,
/// in archive order, so that positions are given in that order.
async fn wanted_listings(
    tx: &mut Tx<'_>,
    article_ids: &[i64],
) -> Result<Vec<((i64, i64), i64, (i64, bool))>, StoreError> {
    let sql = format!(
        "SELECT DISTINCT ca.ancestor_id AS column_id, a.id AS article_id, a.reposted_at, a.archive_seq,
            {} AS listed
         FROM articles a
         JOIN article_columns ac ON ac.article_id = a.id
         JOIN column_ancestors ca ON ca.column_id = ac.column_id
         JOIN columns c ON c.id = ca.ancestor_id
         WHERE a.id IN ({})
         ORDER BY a.archive_seq, a.id",
        listed(),
        placeholders(1, article_ids.len())
    );
    let mut query = sqlx::query(&sql);
    for id in article_ids {
        query = query.bind(id);
    }
    let mut wanted = Vec::new();
    for row in query.fetch_all(&mut **tx).await? {
        let archived = row.try_get::<Option<i64>, _>("archive_seq")?.is_some();
        let key = (row.try_get("column_id")?, row.try_get("article_id")?);
        wanted.push((key, row.try_get("reposted_at")?, (row.try_get("listed")?, archived)));
    }
    Ok(wanted)
}

/// What the listings need to know of an article as written.
struct ArticleState {
    updated_at: i64,
    outlet_id: i64,
    /// 1 when public now, else 0.
    listed: i64,
    /// A duplicate whose original is public now.
    shadowed: bool,
}

/// The articles' states, by id.
async fn article_states(tx: &mut Tx<'_>, article_ids: &[i64]) -> Result<HashMap<i64, ArticleState>, StoreError> {
    let sql = format!(
        "SELECT a.id, a.updated_at, a.outlet_id, a.shadowed, {} AS listed FROM articles a WHERE a.id IN ({})",
        public(),
        placeholders(1, article_ids.len())
    );
    let mut query = sqlx::query(&sql);
    for id in article_ids {
        query = query.bind(id);
    }
    let rows = query.fetch_all(&mut **tx).await?;
    rows.iter()
        .map(|row| {
            let state = ArticleState {
                updated_at: row.try_get("updated_at")?,
                outlet_id: row.try_get("outlet_id")?,
                listed: row.try_get("listed")?,
                shadowed: row.try_get::<i64, _>("shadowed")? == 1,
            };
            Ok((row.try_get("id")?, state))
        })
        .collect()
}

/// Article ids per row of `sitemap_blocks` (migration 0012): sitemap shards span whole
/// blocks, so that the index is read from these rows.
pub const SITEMAP_BLOCK_IDS: i64 = 1_000;

/// What the written articles changed in one block of ids and one outlet.
#[derive(Debug, Default)]
struct BlockChange {
    /// Public articles gained (or lost, below zero).
    listed: i64,
    /// The latest change time among them.
    last_change: i64,
}

/// Moves the outlets' counts of public articles (and of those shadowed, which the
/// site-wide count leaves out) and their pages' dates, and the sitemap blocks' counts and
/// dates, by what the written articles did. An article was public before if its
/// listings said so (every article is filed in a column).
async fn count_changes(
    tx: &mut Tx<'_>,
    old: &HashMap<(i64, i64), Listing>,
    states: &HashMap<i64, ArticleState>,
    shadowed_before: &HashMap<i64, bool>,
) -> Result<(), StoreError> {
    let listed_before: std::collections::HashSet<i64> =
        old.iter().filter(|(_, listing)| listing.listed != 0).map(|(&(_, article), _)| article).collect();
    let mut shadowed: BTreeMap<i64, i64> = BTreeMap::new();
    for (&id, state) in states {
        let before = listed_before.contains(&id) && shadowed_before.get(&id).copied().unwrap_or(state.shadowed);
        let after = state.listed == 1 && state.shadowed;
        *shadowed.entry(state.outlet_id).or_default() += i64::from(after) - i64::from(before);
    }
    let mut blocks: BTreeMap<(i64, i64), BlockChange> = BTreeMap::new();
    for (&id, state) in states {
        let change = blocks.entry((id / SITEMAP_BLOCK_IDS, state.outlet_id)).or_default();
        change.listed += state.listed - i64::from(listed_before.contains(&id));
        change.last_change = change.last_change.max(state.updated_at);
    }
    // Per outlet: public articles gained or lost, and the latest change to one that is
    // public or was until this change (its page's sitemap date).
    let mut outlets: BTreeMap<i64, (i64, Option<i64>)> = BTreeMap::new();
    for (&id, state) in states {
        if state.listed == 1 || listed_before.contains(&id) {
            let outlet = outlets.entry(state.outlet_id).or_default();
            outlet.1 = outlet.1.max(Some(state.updated_at));
        }
    }
    for (&(block, outlet), change) in &blocks {
        outlets.entry(outlet).or_default().0 += change.listed;
        sqlx::query(
            "INSERT INTO sitemap_blocks (block, outlet_id, listed_count, last_change) VALUES ($1, $2, $3, $4)
             ON CONFLICT (block, outlet_id) DO UPDATE SET
                listed_count = sitemap_blocks.listed_count + excluded.listed_count,
                last_change = CASE WHEN excluded.last_change > sitemap_blocks.last_change
                              THEN excluded.last_change ELSE sitemap_blocks.last_change END",
        )
        .bind(block)
        .bind(outlet)
        .bind(change.listed)
        .bind(change.last_change)
        .execute(&mut **tx)
        .await?;
    }
    for &outlet in shadowed.keys() {
        outlets.entry(outlet).or_default();
    }
    for (outlet, (delta, last_change)) in outlets {
        let shadowed_delta = shadowed.get(&outlet).copied().unwrap_or(0);
        if (delta, last_change, shadowed_delta) == (0, None, 0) {
            continue;
        }
        sqlx::query(
            "INSERT INTO outlet_stats (outlet_id, listed_count, last_change, shadowed_count) VALUES ($1, $2, $3, $4)
             ON CONFLICT (outlet_id) DO UPDATE SET listed_count = outlet_stats.listed_count + excluded.listed_count,
                shadowed_count = outlet_stats.shadowed_count + excluded.shadowed_count,
                last_change = CASE WHEN outlet_stats.last_change IS NULL OR excluded.last_change > outlet_stats.last_change
                              THEN excluded.last_change ELSE outlet_stats.last_change END",
        )
        .bind(outlet)
        .bind(delta)
        .bind(last_change)
        .bind(shadowed_delta)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Dates again the sitemap block of article `article_id` and outlet `outlet_id` from the
/// articles left in it, after one was deleted; drops the block when none is left.
pub(super) async fn redate_sitemap_block(tx: &mut Tx<'_>, article_id: i64, outlet_id: i64) -> Result<(), StoreError> {
    let block = article_id / SITEMAP_BLOCK_IDS;
    let (first, end) = (block * SITEMAP_BLOCK_IDS, (block + 1) * SITEMAP_BLOCK_IDS);
    let latest: Option<i64> =
        sqlx::query_scalar("SELECT MAX(updated_at) FROM articles WHERE id >= $1 AND id < $2 AND outlet_id = $3")
            .bind(first)
            .bind(end)
            .bind(outlet_id)
            .fetch_one(&mut **tx)
            .await?;
    let query = match latest {
        Some(latest) => {
            sqlx::query("UPDATE sitemap_blocks SET last_change = $1 WHERE block = $2 AND outlet_id = $3").bind(latest)
        }
        None => sqlx::query("DELETE FROM sitemap_blocks WHERE block = $1 AND outlet_id = $2"),
    };
    query.bind(block).bind(outlet_id).execute(&mut **tx).await?;
    Ok(())
}

async fn read_stats(tx: &mut Tx<'_>, columns: &[i64]) -> Result<BTreeMap<i64, Stats>, StoreError> {
    let mut unique = columns.to_vec();
    unique.sort_unstable();
    unique.dedup();
    let mut stats = BTreeMap::new();
    if unique.is_empty() {
        return Ok(stats);
    }
    let sql = format!(
        "SELECT column_id, listed_count, next_position, last_change FROM column_stats WHERE column_id IN ({})",
        placeholders(1, unique.len())
    );
    let mut query = sqlx::query(&sql);
    for id in &unique {
        query = query.bind(id);
    }
    for row in query.fetch_all(&mut **tx).await? {
        let read = Stats {
            listed_count: row.try_get("listed_count")?,
            next_position: row.try_get("next_position")?,
            last_change: row.try_get("last_change")?,
        };
        stats.insert(row.try_get("column_id")?, read);
    }
    Ok(stats)
}

async fn write_listings(tx: &mut Tx<'_>, writes: &[(i64, i64, Listing)]) -> Result<(), StoreError> {
    for chunk in writes.chunks(ROWS_PER_UPSERT) {
        let values: Vec<String> = (0..chunk.len()).map(|i| format!("({})", placeholders(i * 5 + 1, 5))).collect();
        let sql = format!(
            "INSERT INTO column_listings (column_id, article_id, reposted_at, listed, position) VALUES {}
             ON CONFLICT (column_id, article_id) DO UPDATE SET reposted_at = excluded.reposted_at,
                listed = excluded.listed, position = excluded.position",
            values.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for (column, article, listing) in chunk {
            query =
                query.bind(column).bind(article).bind(listing.reposted_at).bind(listing.listed).bind(listing.position);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

async fn write_stats(tx: &mut Tx<'_>, stats: &[(i64, Stats)]) -> Result<(), StoreError> {
    for (column, stats) in stats {
        sqlx::query(
            "INSERT INTO column_stats (column_id, listed_count, next_position, last_change) VALUES ($1, $2, $3, $4)
             ON CONFLICT (column_id) DO UPDATE SET listed_count = excluded.listed_count,
                next_position = excluded.next_position, last_change = excluded.last_change",
        )
        .bind(column)
        .bind(stats.listed_count)
        .bind(stats.next_position)
        .bind(stats.last_change)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Recomputes the ancestors of every column, then every listing and count: after a
/// column moves in the tree. Archive positions are given afresh in archive order.
pub(super) async fn rebuild(tx: &mut Tx<'_>) -> Result<(), StoreError> {
    for statement in [
        "DELETE FROM column_listings",
        "DELETE FROM column_stats",
        "DELETE FROM column_ancestors",
        "WITH RECURSIVE up (column_id, ancestor_id) AS (
            SELECT id, id FROM columns
            UNION
            SELECT up.column_id, c.parent_id FROM up JOIN columns c ON c.id = up.ancestor_id
            WHERE c.parent_id IS NOT NULL
         )
         INSERT INTO column_ancestors (column_id, ancestor_id) SELECT column_id, ancestor_id FROM up",
    ] {
        sqlx::query(statement).execute(&mut **tx).await?;
    }
    let listings = format!(
        "INSERT INTO column_listings (column_id, article_id, reposted_at, listed, position)
         SELECT t.ancestor_id, t.id, t.reposted_at, t.listed,
                CASE WHEN t.archive_seq IS NULL THEN NULL
                     ELSE ROW_NUMBER() OVER (PARTITION BY t.ancestor_id, t.archived ORDER BY t.archive_seq, t.id) - 1
                END
         FROM (SELECT DISTINCT ca.ancestor_id, a.id, a.reposted_at, a.archive_seq,
                      CASE WHEN a.archive_seq IS NULL THEN 0 ELSE 1 END AS archived,
                      {} AS listed
               FROM articles a
               JOIN article_columns ac ON ac.article_id = a.id
               JOIN column_ancestors ca ON ca.column_id = ac.column_id
               JOIN columns c ON c.id = ca.ancestor_id) t",
        listed()
    );
    sqlx::query(&listings).execute(&mut **tx).await?;
    sqlx::query(
        "INSERT INTO column_stats (column_id, listed_count, next_position, last_change)
         SELECT c.id, COALESCE(SUM(CASE WHEN l.listed = 1 THEN 1 ELSE 0 END), 0), COUNT(l.position),
                MAX(CASE WHEN l.listed = 1 THEN a.updated_at END)
         FROM columns c LEFT JOIN column_listings l ON l.column_id = c.id LEFT JOIN articles a ON a.id = l.article_id
         GROUP BY c.id",
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Files a new column under its parent's ancestors, with empty counts.
pub(super) async fn add_column(tx: &mut Tx<'_>, column_id: i64, parent_id: Option<i64>) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO column_ancestors (column_id, ancestor_id)
         SELECT $1, ancestor_id FROM column_ancestors WHERE column_id = $2
         UNION SELECT $1, $1",
    )
    .bind(column_id)
    .bind(parent_id)
    .execute(&mut **tx)
    .await?;
    sqlx::query("INSERT INTO column_stats (column_id, listed_count, next_position) VALUES ($1, 0, 0)")
        .bind(column_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
