//! One story from many outlets (migration 0026): which earlier article of another
//! outlet a new one is a near-duplicate of (`link`, in the upsert's transaction), and
//! what a change to one article of a story means for the others (`ripple`, in every
//! article write's transaction, from `Store::commit_change`).
//!
//! Only an article public when a copy arrives can be its original, and the original is
//! the earliest of the story: a third outlet's copy links to the first outlet's article,
//! not to the second's. A duplicate is *shadowed* while its original is public:
//! site-wide feeds and listings, and columns with `hide_duplicates`, leave it out. When
//! the original stops being public (withdrawn, expired), its duplicates are shown again,
//! each in its own right. The link is decided by the outlet's text alone (an editor's
//! correction does not move it), when the article is stored and each time its outlet
//! changes it within its window; after that it stands.
//!
//! The lookup never scans articles: the candidates are the rows of `article_bands`
//! sharing a band key with the new signature (`domain::likeness`), read through the
//! table's primary key, and compared by their stored signatures.

use super::articles::PUBLIC;
use super::{placeholders, StoreError};
use crate::domain::likeness::Likeness;
use sqlx::Row;
use std::collections::{HashMap, HashSet};

type Tx<'t> = sqlx::Transaction<'t, sqlx::Any>;

/// How far back an original is looked for: articles stored in the seven days before.
pub const WINDOW_MICROS: i64 = 7 * 24 * 3_600 * 1_000_000;
/// Band rows are kept two windows, so that an article changed late in its window still
/// finds what was stored early in it.
const KEPT_MICROS: i64 = 2 * WINDOW_MICROS;
/// Candidates compared at most for one article, earliest first.
const CANDIDATES: i64 = 100;
/// Articles whose links are brought in line per round of queries.
const ARTICLES_PER_ROUND: usize = 300;

/// One article's text as written: decides and records its original. `reposted_at` is
/// its repost time, `now` the time of the write. Returns the original it had before,
/// when it changed: that article's page changes too.
pub(super) async fn link(
    tx: &mut Tx<'_>,
    article_id: i64,
    outlet_id: i64,
    reposted_at: i64,
    now: i64,
    likeness: Option<&Likeness>,
) -> Result<Option<i64>, StoreError> {
    if reposted_at < now - WINDOW_MICROS {
        // Out of its window: what it was compared with then is gone; the link stands.
        return Ok(None);
    }
    let before: Option<i64> = sqlx::query_scalar("SELECT duplicate_of FROM articles WHERE id = $1")
        .bind(article_id)
        .fetch_one(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM article_bands WHERE article_id = $1").bind(article_id).execute(&mut **tx).await?;
    let original = match likeness {
        Some(likeness) => {
            let keys = likeness.band_keys();
            let rows: Vec<String> = (0..keys.len()).map(|i| format!("(${}, $1, $2)", i + 3)).collect();
            let sql =
                format!("INSERT INTO article_bands (band_key, article_id, reposted_at) VALUES {}", rows.join(", "));
            let mut insert = sqlx::query(&sql).bind(article_id).bind(reposted_at);
            for key in &keys {
                insert = insert.bind(key);
            }
            insert.execute(&mut **tx).await?;
            original_of(tx, likeness, &keys, outlet_id, reposted_at).await?
        }
        None => None,
    };
    sqlx::query("UPDATE articles SET likeness = $2, duplicate_of = $3 WHERE id = $1")
        .bind(article_id)
        .bind(likeness.map(Likeness::to_hex))
        .bind(original)
        .execute(&mut **tx)
        .await?;
    Ok(before.filter(|&before| Some(before) != original))
}

/// Drops the band rows no article's window reaches any longer.
pub(super) async fn prune(tx: &mut Tx<'_>, now: i64) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM article_bands WHERE reposted_at < $1").bind(now - KEPT_MICROS).execute(&mut **tx).await?;
    Ok(())
}

/// The earliest public article of another outlet stored in the window before
/// `reposted_at` whose signature is near `likeness`, followed to its own original when
/// it is a duplicate of a public one of another outlet still.
async fn original_of(
    tx: &mut Tx<'_>,
    likeness: &Likeness,
    keys: &[i64],
    outlet_id: i64,
    reposted_at: i64,
) -> Result<Option<i64>, StoreError> {
    let sql = format!(
        "SELECT a.id, a.likeness, a.duplicate_of FROM articles a
         WHERE a.id IN (SELECT article_id FROM article_bands WHERE band_key IN ({}) AND reposted_at >= $1)
           AND a.outlet_id <> $2 AND a.reposted_at >= $1 AND a.reposted_at < $3 AND {PUBLIC}
         ORDER BY a.reposted_at, a.id LIMIT {CANDIDATES}",
        placeholders(4, keys.len())
    );
    let mut query = sqlx::query(&sql).bind(reposted_at - WINDOW_MICROS).bind(outlet_id).bind(reposted_at);
    for key in keys {
        query = query.bind(key);
    }
    for row in query.fetch_all(&mut **tx).await? {
        let stored: Option<String> = row.try_get("likeness")?;
        if !stored.and_then(|hex| Likeness::from_hex(&hex)).is_some_and(|other| likeness.is_near_duplicate_of(&other)) {
            continue;
        }
        let found: i64 = row.try_get("id")?;
        let Some(earlier) = row.try_get::<Option<i64>, _>("duplicate_of")? else { return Ok(Some(found)) };
        let sql = format!("SELECT a.id FROM articles a WHERE a.id = $1 AND a.outlet_id <> $2 AND {PUBLIC}");
        let public: Option<i64> =
            sqlx::query_scalar(&sql).bind(earlier).bind(outlet_id).fetch_optional(&mut **tx).await?;
        return Ok(Some(public.unwrap_or(found)));
    }
    Ok(None)
}

/// After articles `written` changed (and `unlinked`, originals some of them left):
/// every other article of their stories changes too — an original's page lists its
/// duplicates, a duplicate is shadowed or not by its original's standing — so each
/// takes a change-clock value of its own (`updated_at`: caches, partners and the
/// notifier hear of it) and joins `written`. Then `shadowed` is brought in line for all
/// of them. Returns whether each was shadowed before, for the counts
/// (`listings::sync_listings`).
pub(super) async fn ripple(
    tx: &mut Tx<'_>,
    written: &mut Vec<i64>,
    unlinked: &[i64],
) -> Result<HashMap<i64, bool>, StoreError> {
    let mut seen: HashSet<i64> = written.iter().copied().collect();
    let mut linked: Vec<i64> = unlinked.iter().copied().filter(|id| seen.insert(*id)).collect();
    for chunk in written.chunks(ARTICLES_PER_ROUND) {
        let list = placeholders(1, chunk.len());
        let sql = format!(
            "SELECT id FROM articles WHERE duplicate_of IN ({list})
             UNION SELECT duplicate_of FROM articles WHERE id IN ({list}) AND duplicate_of IS NOT NULL"
        );
        let mut query = sqlx::query_scalar::<_, i64>(&sql);
        for id in chunk {
            query = query.bind(id);
        }
        linked.extend(query.fetch_all(&mut **tx).await?.into_iter().filter(|id| seen.insert(*id)));
    }
    if !linked.is_empty() {
        let last: i64 = sqlx::query_scalar(
            "UPDATE change_clock SET last_micros = last_micros + $1 WHERE id = 1 RETURNING last_micros",
        )
        .bind(linked.len() as i64)
        .fetch_one(&mut **tx)
        .await?;
        for (&id, at) in linked.iter().zip(last - linked.len() as i64 + 1..) {
            sqlx::query("UPDATE articles SET updated_at = $2 WHERE id = $1")
                .bind(id)
                .bind(at)
                .execute(&mut **tx)
                .await?;
        }
        written.extend(&linked);
    }
    let mut before = HashMap::with_capacity(written.len());
    for chunk in written.chunks(ARTICLES_PER_ROUND) {
        let list = placeholders(1, chunk.len());
        let sql = format!("SELECT id, shadowed FROM articles WHERE id IN ({list})");
        let mut read = sqlx::query(&sql);
        for id in chunk {
            read = read.bind(id);
        }
        for row in read.fetch_all(&mut **tx).await? {
            before.insert(row.try_get::<i64, _>("id")?, row.try_get::<i64, _>("shadowed")? == 1);
        }
        let sql = format!(
            "UPDATE articles SET shadowed = CASE WHEN duplicate_of IS NOT NULL AND EXISTS
                (SELECT 1 FROM articles a WHERE a.id = articles.duplicate_of AND {PUBLIC}) THEN 1 ELSE 0 END
             WHERE id IN ({list})"
        );
        let mut update = sqlx::query(&sql);
        for id in chunk {
            update = update.bind(id);
        }
        update.execute(&mut **tx).await?;
    }
    Ok(before)
}
