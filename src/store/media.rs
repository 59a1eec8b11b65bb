//! Kept images (issue 17, migration 0027): the queue of images to fetch for outlets that
//! keep them, the files themselves (one row per distinct content, by SHA-256), and the
//! map from an article's original image URLs to its kept copies that readers are shown.
//!
//! The queue is filled by following the change clock (`images_changed_after`,
//! `queue_images`: the watermark moves in the transaction that queues), never by the
//! write that stores an article, and claimed with leases as the outbound queues are
//! (`Store::claim`), so every instance may work it. Keeping an image is an article
//! change: its `updated_at` moves under the change clock, so every document showing the
//! article is rendered again with the kept copy, and partners hear of it.

use super::articles::{article_from_row, ARTICLE_FIELDS};
use super::watermarks::{move_watermark, Follower};
use super::{now_micros, placeholders, Store, StoreError};
use crate::domain::media::{ImageState, ImageType, KeptImage, MediaName};
use crate::domain::Article;
use sqlx::Row;
use std::collections::HashMap;

/// One image to fetch, claimed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageJob {
    pub id: i64,
    pub article_id: i64,
    pub url: String,
    /// The article's own original URL: sent as Referer, which hotlink protection accepts.
    pub referer: String,
    pub attempts: i64,
}

/// A file to keep: its bytes, their type and digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMedia {
    pub name: MediaName,
    pub bytes: Vec<u8>,
}

/// Some of an outlet's articles stored before it kept images, to go through once
/// (`images_backfill`): those after `after` in id order, and whether they are the last.
#[derive(Debug, Clone)]
pub struct Backfill {
    pub outlet_id: i64,
    pub after: i64,
    pub articles: Vec<Article>,
    pub finished: bool,
}

/// A kept file as it is served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMedia {
    pub kind: ImageType,
    pub bytes: Vec<u8>,
}

/// One image of an article and where keeping it stands, for staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleImage {
    pub url: String,
    pub state: ImageState,
    pub media: Option<MediaName>,
    pub attempts: i64,
    pub last_error: Option<String>,
}

impl Store {
    /// Articles of outlets that keep images changed after `watermark` (at most `limit`
    /// changes looked at), as readers see them; with the position of the last change
    /// looked at, counting those of other outlets.
    pub async fn images_changed_after(
        &self,
        watermark: i64,
        limit: i64,
    ) -> Result<(Vec<Article>, Option<i64>), StoreError> {
        let rows = sqlx::query(
            "SELECT a.id, a.updated_at, o.keep_images FROM articles a JOIN outlets o ON o.id = a.outlet_id
             WHERE a.updated_at > $1 ORDER BY a.updated_at LIMIT $2",
        )
        .bind(watermark)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let last = rows.last().map(|row| row.try_get::<i64, _>("updated_at")).transpose()?;
        let mut keeping = Vec::new();
        for row in &rows {
            if row.try_get::<i64, _>("keep_images")? != 0 {
                keeping.push(row.try_get::<i64, _>("id")?);
            }
        }
        if keeping.is_empty() {
            return Ok((Vec::new(), last));
        }
        let sql = format!(
            "SELECT {ARTICLE_FIELDS} FROM articles a JOIN outlets o ON o.id = a.outlet_id WHERE a.id IN ({})",
            placeholders(1, keeping.len())
        );
        let mut query = sqlx::query(&sql);
        for id in &keeping {
            query = query.bind(id);
        }
        let articles = query.fetch_all(&self.pool).await?.iter().map(article_from_row).collect::<Result<_, _>>()?;
        Ok((articles, last))
    }

    /// Moves the keeper's watermark from `from` to `to` and queues each `(article id,
    /// image URL)` not queued before, in one transaction. Returns false, changing
    /// nothing, when another instance moved the watermark first.
    pub async fn queue_images(&self, from: i64, to: i64, images: &[(i64, String)]) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        if !move_watermark(&mut tx, Follower::ImageKeeper, from, to).await? {
            return Ok(false);
        }
        queue(&mut tx, images).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The next articles, in id order, of an outlet that keeps images and has older
    /// articles still to go through (migration 0031), at most `limit`; none when no
    /// outlet has.
    pub async fn images_backfill(&self, limit: i64) -> Result<Option<Backfill>, StoreError> {
        let Some(row) = sqlx::query(
            "SELECT id, images_backfill_after FROM outlets
             WHERE keep_images = 1 AND images_backfill_after IS NOT NULL ORDER BY id LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let (outlet_id, after): (i64, i64) = (row.try_get("id")?, row.try_get("images_backfill_after")?);
        let sql = format!(
            "SELECT {ARTICLE_FIELDS} FROM articles a JOIN outlets o ON o.id = a.outlet_id
             WHERE a.outlet_id = $1 AND a.id > $2 ORDER BY a.id LIMIT $3"
        );
        let rows = sqlx::query(&sql).bind(outlet_id).bind(after).bind(limit).fetch_all(&self.pool).await?;
        let articles = rows.iter().map(article_from_row).collect::<Result<Vec<_>, _>>()?;
        let finished = (articles.len() as i64) < limit;
        Ok(Some(Backfill { outlet_id, after, articles, finished }))
    }

    /// Moves `backfill`'s outlet past its articles (its cursor set to nothing when it
    /// went through the last) and queues `images` of them, in one transaction. False,
    /// changing nothing, when another instance moved the cursor first.
    pub async fn queue_backfilled_images(
        &self,
        backfill: &Backfill,
        images: &[(i64, String)],
    ) -> Result<bool, StoreError> {
        let through = match backfill.articles.last() {
            Some(last) if !backfill.finished => Some(last.id),
            _ => None,
        };
        let mut tx = self.begin_write().await?;
        let moved =
            sqlx::query("UPDATE outlets SET images_backfill_after = $3 WHERE id = $1 AND images_backfill_after = $2")
                .bind(backfill.outlet_id)
                .bind(backfill.after)
                .bind(through)
                .execute(&mut *tx)
                .await?;
        if moved.rows_affected() == 0 {
            return Ok(false);
        }
        queue(&mut tx, images).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Leases up to `limit` due images, with the Referer each is fetched with.
    pub async fn claim_images(&self, limit: i64, lease_secs: i64) -> Result<Vec<ImageJob>, StoreError> {
        let claimed =
            self.claim("article_images", "id", "id, article_id, url, attempts", None, limit, lease_secs).await?;
        let mut jobs = Vec::with_capacity(claimed.len());
        for row in claimed {
            let article_id: i64 = row.try_get("article_id")?;
            let referer: Option<String> = sqlx::query_scalar("SELECT original_url FROM articles WHERE id = $1")
                .bind(article_id)
                .fetch_optional(&self.pool)
                .await?;
            let Some(referer) = referer else { continue };
            jobs.push(ImageJob {
                id: row.try_get("id")?,
                article_id,
                url: row.try_get("url")?,
                referer,
                attempts: row.try_get("attempts")?,
            });
        }
        Ok(jobs)
    }

    /// Keeps `media` (once, whichever article brought it) as the copy of `job`'s image,
    /// and moves the article's `updated_at` under the change clock: every document
    /// showing it changes.
    pub async fn keep_image(&self, job: &ImageJob, media: &NewMedia) -> Result<(), StoreError> {
        let mut change = self.begin_change(1).await?;
        sqlx::query(
            "INSERT INTO media (hash, content_type, size, bytes, created_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (hash) DO NOTHING",
        )
        .bind(&media.name.hash)
        .bind(media.name.kind.content_type())
        .bind(media.bytes.len() as i64)
        .bind(&media.bytes)
        .bind(now_micros())
        .execute(&mut *change.tx)
        .await?;
        sqlx::query(
            "UPDATE article_images SET state = $2, media_hash = $3, due_at = NULL, lease_until = 0, last_error = NULL
             WHERE id = $1",
        )
        .bind(job.id)
        .bind(ImageState::Kept.as_str())
        .bind(&media.name.hash)
        .execute(&mut *change.tx)
        .await?;
        let touched = sqlx::query("UPDATE articles SET updated_at = $2 WHERE id = $1")
            .bind(job.article_id)
            .bind(change.first)
            .execute(&mut *change.tx)
            .await?;
        if touched.rows_affected() > 0 {
            change.written.push(job.article_id);
        }
        self.commit_change(change).await
    }

    /// Puts an image back in the queue, due after `delay_micros`, saying why it failed.
    pub async fn retry_image(&self, id: i64, delay_micros: i64, error: &str) -> Result<(), StoreError> {
        self.retry("article_images", "id", id, delay_micros, Some(error)).await
    }

    /// Ends an image's keeping as `state` (refused or failed), saying why: it is not
    /// fetched again, and readers keep being shown the original.
    pub async fn give_up_image(&self, id: i64, state: ImageState, error: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE article_images SET state = $2, attempts = attempts + 1, due_at = NULL, lease_until = 0,
                last_error = $3 WHERE id = $1",
        )
        .bind(id)
        .bind(state.as_str())
        .bind(error)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A kept file by its served name; `None` when no file has that content and type.
    pub async fn media(&self, name: &MediaName) -> Result<Option<StoredMedia>, StoreError> {
        let row = sqlx::query("SELECT bytes FROM media WHERE hash = $1 AND content_type = $2")
            .bind(&name.hash)
            .bind(name.kind.content_type())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| Ok(StoredMedia { kind: name.kind, bytes: row.try_get("bytes")? })).transpose()
    }

    /// Every image of an article syndic has looked at, and where keeping it stands.
    pub async fn article_images(&self, article_id: i64) -> Result<Vec<ArticleImage>, StoreError> {
        let rows = sqlx::query(
            "SELECT ai.url, ai.state, ai.media_hash, m.content_type, ai.attempts, ai.last_error
             FROM article_images ai LEFT JOIN media m ON m.hash = ai.media_hash
             WHERE ai.article_id = $1 ORDER BY ai.id",
        )
        .bind(article_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let state: String = row.try_get("state")?;
                Ok(ArticleImage {
                    url: row.try_get("url")?,
                    state: ImageState::parse(&state).map_err(StoreError::Corrupt)?,
                    media: media_name(row)?,
                    attempts: row.try_get("attempts")?,
                    last_error: row.try_get("last_error")?,
                })
            })
            .collect()
    }

    /// Fills in the kept copies of the images of `articles` whose outlet keeps images
    /// now (one that stopped shows its originals again), with one query for the page.
    pub(in crate::store) async fn attach_kept_images(&self, articles: &mut [Article]) -> Result<(), StoreError> {
        if articles.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "SELECT ai.article_id, ai.url, ai.media_hash, m.content_type, m.size
             FROM article_images ai JOIN media m ON m.hash = ai.media_hash
             JOIN articles a ON a.id = ai.article_id JOIN outlets o ON o.id = a.outlet_id
             WHERE o.keep_images = 1 AND ai.article_id IN ({})",
            placeholders(1, articles.len())
        );
        let mut query = sqlx::query(&sql);
        for article in articles.iter() {
            query = query.bind(article.id);
        }
        let mut by_article: HashMap<i64, Vec<KeptImage>> = HashMap::new();
        for row in query.fetch_all(&self.pool).await? {
            let Some(media) = media_name(&row)? else { continue };
            by_article.entry(row.try_get("article_id")?).or_default().push(KeptImage {
                url: row.try_get("url")?,
                media,
                size: row.try_get::<i64, _>("size")?.max(0) as u64,
            });
        }
        for article in articles {
            article.kept_images = by_article.remove(&article.id).unwrap_or_default();
        }
        Ok(())
    }
}

/// The served name of a row's `media_hash` and `content_type`, when it has one.
/// Queues each `(article id, image URL)` not queued before, due now.
async fn queue(tx: &mut sqlx::Transaction<'_, sqlx::Any>, images: &[(i64, String)]) -> Result<(), StoreError> {
    let now = now_micros();
    for (article_id, url) in images {
        sqlx::query(
            "INSERT INTO article_images (article_id, url, due_at) VALUES ($1, $2, $3)
             ON CONFLICT (article_id, url) DO NOTHING",
        )
        .bind(article_id)
        .bind(url)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

fn media_name(row: &sqlx::any::AnyRow) -> Result<Option<MediaName>, StoreError> {
    let hash: Option<String> = row.try_get("media_hash")?;
    let content_type: Option<String> = row.try_get("content_type")?;
    let (Some(hash), Some(content_type)) = (hash, content_type) else { return Ok(None) };
    let kind = ImageType::from_content_type(&content_type)
        .ok_or_else(|| StoreError::Corrupt(format!("media {hash} has type {content_type}")))?;
    Ok(Some(MediaName::of(&hash, kind)))
}
