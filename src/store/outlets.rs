//! Queries on outlets and their ingest tokens.

use super::audit::{self, fields, Audit};
use super::{conflict_on_unique, now_micros, optional_time_at, time_at, Store, StoreError};
use crate::domain::audit::Target;
use crate::domain::domains::OutletDomains;
use crate::domain::outlet::{NewOutlet, Outlet};
use crate::domain::reposting::Reposting;
use crate::domain::review::Review;
use crate::domain::{Carriage, Grants, Indexing, Slug};
use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;

const OUTLET_FIELDS: &str =
    "id, slug, name, homepage, language, timezone, rights, indexing, feed_content, partner_content, feed_url, \
    created_at, updated_at, domains, licensed, licence_ref, allow_repost, repost_terms, review, keep_images, \
    (SELECT u.username FROM users u WHERE u.id = outlets.default_editor_id) AS default_editor";

/// An ingest token as operators see it: never its value.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenInfo {
    pub id: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// An outlet page as the sitemap sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct OutletPage {
    pub slug: String,
    pub indexing: Indexing,
    /// The latest change to an article the page lists (or listed until that change), or
    /// to the outlet itself.
    pub lastmod: DateTime<Utc>,
}

/// The changes an outlet edit applies; `None` leaves a field as it is.
#[derive(Debug, Default, Clone)]
pub struct OutletChanges {
    pub name: Option<String>,
    pub homepage: Option<String>,
    pub language: Option<Option<String>>,
    pub timezone: Option<chrono_tz::Tz>,
    pub rights: Option<Option<String>>,
    pub indexing: Option<Indexing>,
    pub feed_content: Option<Carriage>,
    pub partner_content: Option<Carriage>,
    pub domains: Option<OutletDomains>,
    pub licensed: Option<bool>,
    pub licence_ref: Option<Option<String>>,
    pub allow_repost: Option<bool>,
    pub repost_terms: Option<Option<String>>,
    pub review: Option<Review>,
    /// The id of its default responsible editor; `Some(None)` clears it.
    pub default_editor_id: Option<Option<i64>>,
    pub keep_images: Option<bool>,
}

impl Store {
    /// Every outlet with public articles, by slug, with its page's date: one row an
    /// outlet of the kept counts (`outlet_stats`), whatever the archive's size.
    pub async fn outlet_pages(&self) -> Result<Vec<OutletPage>, StoreError> {
        let rows = sqlx::query(
            "SELECT o.slug, o.indexing, o.updated_at, s.last_change FROM outlet_stats s
             JOIN outlets o ON o.id = s.outlet_id WHERE s.listed_count > 0 ORDER BY o.slug",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let slug: String = row.try_get("slug")?;
                let indexing: String = row.try_get("indexing")?;
                let indexing = Indexing::parse(&indexing)
                    .map_err(|e| StoreError::Corrupt(format!("outlet '{slug}' indexing: {e}")))?;
                let lastmod =
                    time_at(row, "updated_at")?.max(optional_time_at(row, "last_change")?.unwrap_or_default());
                Ok(OutletPage { slug, indexing, lastmod })
            })
            .collect()
    }

    /// Stores a new outlet together with the digest of its first ingest token.
    pub async fn insert_outlet(
        &self,
        outlet: &NewOutlet,
        token_digest: &str,
        audit: Audit<'_>,
    ) -> Result<Outlet, StoreError> {
        let now = now_micros();
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO outlets (slug, name, homepage, language, timezone, rights, indexing, created_at, updated_at,
                feed_content, partner_content, domains, licensed, licence_ref, allow_repost, repost_terms, review,
                default_editor_id, keep_images)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id",
        )
        .bind(outlet.slug.as_str())
        .bind(&outlet.name)
        .bind(&outlet.homepage)
        .bind(outlet.language.as_deref())
        .bind(outlet.timezone.name())
        .bind(outlet.rights.as_deref())
        .bind(outlet.indexing.as_str())
        .bind(now)
        .bind(outlet.grants.feeds.as_str())
        .bind(outlet.grants.partners.as_str())
        .bind(outlet.domains.to_stored())
        .bind(i64::from(outlet.reposting.licensed))
        .bind(outlet.reposting.licence_ref.as_deref())
        .bind(i64::from(outlet.reposting.allow_repost))
        .bind(outlet.reposting.terms.as_deref())
        .bind(outlet.review.as_str())
        .bind(outlet.default_editor_id)
        .bind(i64::from(outlet.keep_images))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| conflict_on_unique(e, || format!("outlet '{}' already exists", outlet.slug)))?;
        let stored = outlet_in(&mut tx, id).await?;
        let token_id = insert_token(&mut tx, stored.id, token_digest).await?;
        let entry = audit.entry(Target::Outlet(stored.slug.as_str())).after(fields::outlet(&stored));
        audit::commit(tx, entry.noting("token_id", token_id)).await?;
        self.catalog_changed().await?;
        Ok(stored)
    }

    /// Adds another ingest token to an outlet (rotation keeps the old one until revoked);
    /// its id.
    pub async fn add_outlet_token(
        &self,
        outlet: &Outlet,
        token_digest: &str,
        audit: Audit<'_>,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin_write().await?;
        let token_id = insert_token(&mut tx, outlet.id, token_digest).await?;
        audit::commit(tx, audit.entry(Target::Outlet(outlet.slug.as_str())).noting("token_id", token_id)).await?;
        Ok(token_id)
    }

    /// An outlet's tokens, newest first (digests stay in the database).
    pub async fn outlet_tokens(&self, outlet_id: i64) -> Result<Vec<TokenInfo>, StoreError> {
        let rows =
            sqlx::query("SELECT id, created_at, revoked_at FROM outlet_tokens WHERE outlet_id = $1 ORDER BY id DESC")
                .bind(outlet_id)
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| {
                Ok(TokenInfo {
                    id: r.try_get("id")?,
                    created_at: time_at(r, "created_at")?,
                    revoked_at: super::optional_time_at(r, "revoked_at")?,
                })
            })
            .collect()
    }

    /// Revokes one of an outlet's tokens; it stops working at once.
    pub async fn revoke_outlet_token(
        &self,
        outlet: &Outlet,
        token_id: i64,
        audit: Audit<'_>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE outlet_tokens SET revoked_at = $3 WHERE id = $1 AND outlet_id = $2 AND revoked_at IS NULL",
        )
        .bind(token_id)
        .bind(outlet.id)
        .bind(now_micros())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("live token"));
        }
        audit::commit(tx, audit.entry(Target::Outlet(outlet.slug.as_str())).noting("token_id", token_id)).await
    }

    pub async fn list_outlets(&self) -> Result<Vec<Outlet>, StoreError> {
        let rows =
            sqlx::query(&format!("SELECT {OUTLET_FIELDS} FROM outlets ORDER BY slug")).fetch_all(&self.pool).await?;
        rows.iter().map(outlet_from_row).collect()
    }

    pub async fn outlet_by_slug(&self, slug: &str) -> Result<Outlet, StoreError> {
        // What is no slug names no outlet, and is not sent to the database: PostgreSQL
        // refuses text holding NUL, which a query parameter can carry.
        if Slug::parse(slug).map_or(true, |parsed| parsed.as_str() != slug) {
            return Err(StoreError::NotFound("outlet"));
        }
        let row = sqlx::query(&format!("SELECT {OUTLET_FIELDS} FROM outlets WHERE slug = $1"))
            .bind(slug)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("outlet"))?;
        outlet_from_row(&row)
    }

    /// The outlet owning a live (unrevoked) token with this digest.
    pub async fn outlet_by_token_digest(&self, digest: &str) -> Result<Option<Outlet>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {OUTLET_FIELDS} FROM outlets WHERE id =
                (SELECT t.outlet_id FROM outlet_tokens t WHERE t.token_digest = $1 AND t.revoked_at IS NULL)"
        ))
        .bind(digest)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(outlet_from_row).transpose()
    }

    pub async fn update_outlet(
        &self,
        id: i64,
        changes: &OutletChanges,
        audit: Audit<'_>,
    ) -> Result<Outlet, StoreError> {
        let mut tx = self.begin_write().await?;
        let before = outlet_in(&mut tx, id).await?;
        let done = sqlx::query(
            "UPDATE outlets SET
                name = COALESCE($2, name),
                homepage = COALESCE($3, homepage),
                language = CASE WHEN $4 = 1 THEN $5 ELSE language END,
                timezone = COALESCE($6, timezone),
                rights = CASE WHEN $7 = 1 THEN $8 ELSE rights END,
                indexing = COALESCE($9, indexing),
                updated_at = $10,
                feed_content = COALESCE($11, feed_content),
                partner_content = COALESCE($12, partner_content),
                domains = CASE WHEN $13 = 1 THEN $14 ELSE domains END,
                licensed = COALESCE($15, licensed),
                licence_ref = CASE WHEN $16 = 1 THEN $17 ELSE licence_ref END,
                allow_repost = COALESCE($18, allow_repost),
                repost_terms = CASE WHEN $19 = 1 THEN $20 ELSE repost_terms END,
                review = COALESCE($21, review),
                default_editor_id = CASE WHEN $22 = 1 THEN $23 ELSE default_editor_id END,
                keep_images = COALESCE($24, keep_images),
                images_backfill_after = CASE WHEN $24 = 1 AND keep_images = 0 THEN 0
                    WHEN $24 = 0 THEN NULL ELSE images_backfill_after END
             WHERE id = $1",
        )
        .bind(id)
        .bind(changes.name.as_deref())
        .bind(changes.homepage.as_deref())
        .bind(i64::from(changes.language.is_some()))
        .bind(changes.language.clone().flatten())
        .bind(changes.timezone.map(|tz| tz.name()))
        .bind(i64::from(changes.rights.is_some()))
        .bind(changes.rights.clone().flatten())
        .bind(changes.indexing.map(Indexing::as_str))
        .bind(now_micros())
        .bind(changes.feed_content.map(Carriage::as_str))
        .bind(changes.partner_content.map(Carriage::as_str))
        .bind(i64::from(changes.domains.is_some()))
        .bind(changes.domains.as_ref().and_then(OutletDomains::to_stored))
        .bind(changes.licensed.map(i64::from))
        .bind(i64::from(changes.licence_ref.is_some()))
        .bind(changes.licence_ref.clone().flatten())
        .bind(changes.allow_repost.map(i64::from))
        .bind(i64::from(changes.repost_terms.is_some()))
        .bind(changes.repost_terms.clone().flatten())
        .bind(changes.review.map(Review::as_str))
        .bind(i64::from(changes.default_editor_id.is_some()))
        .bind(changes.default_editor_id.flatten())
        .bind(changes.keep_images.map(i64::from))
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("outlet"));
        }
        let after = outlet_in(&mut tx, id).await?;
        let entry = audit.entry(Target::Outlet(after.slug.as_str()));
        audit::commit(tx, entry.changed(fields::outlet(&before), fields::outlet(&after))).await?;
        self.catalog_changed().await?;
        Ok(after)
    }
}

/// Stores a token's digest; the token's id.
async fn insert_token(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    outlet_id: i64,
    token_digest: &str,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO outlet_tokens (outlet_id, token_digest, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(outlet_id)
    .bind(token_digest)
    .bind(now_micros())
    .fetch_one(&mut **tx)
    .await?)
}

/// The outlet with this id, read in a write's transaction.
async fn outlet_in(tx: &mut sqlx::Transaction<'_, sqlx::Any>, id: i64) -> Result<Outlet, StoreError> {
    let row = sqlx::query(&format!("SELECT {OUTLET_FIELDS} FROM outlets WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound("outlet"))?;
    outlet_from_row(&row)
}

fn outlet_from_row(row: &AnyRow) -> Result<Outlet, StoreError> {
    let slug: String = row.try_get("slug")?;
    let timezone: String = row.try_get("timezone")?;
    let indexing: String = row.try_get("indexing")?;
    let corrupt = |what: &str, e: String| StoreError::Corrupt(format!("outlet '{slug}' {what}: {e}"));
    Ok(Outlet {
        id: row.try_get("id")?,
        slug: Slug::parse(&slug).map_err(|e| corrupt("slug", e))?,
        name: row.try_get("name")?,
        homepage: row.try_get("homepage")?,
        language: row.try_get("language")?,
        timezone: timezone.parse().map_err(|_| corrupt("timezone", timezone.clone()))?,
        rights: row.try_get("rights")?,
        indexing: Indexing::parse(&indexing).map_err(|e| corrupt("indexing", e))?,
        grants: grants_at(row).map_err(|e| corrupt("grants", e))?,
        feed_url: row.try_get("feed_url")?,
        domains: OutletDomains::from_stored(row.try_get::<Option<String>, _>("domains")?.as_deref()),
        reposting: Reposting {
            licensed: row.try_get::<i64, _>("licensed")? != 0,
            licence_ref: row.try_get("licence_ref")?,
            allow_repost: row.try_get::<i64, _>("allow_repost")? != 0,
            terms: row.try_get("repost_terms")?,
        },
        review: Review::parse(&row.try_get::<String, _>("review")?).map_err(|e| corrupt("review", e))?,
        default_editor: match row.try_get::<Option<String>, _>("default_editor")? {
            Some(username) => Some(Slug::parse(&username).map_err(|e| corrupt("default_editor", e))?),
            None => None,
        },
        keep_images: row.try_get::<i64, _>("keep_images")? != 0,
        created_at: time_at(row, "created_at")?,
        updated_at: time_at(row, "updated_at")?,
    })
}

/// Reads an outlet's `feed_content` and `partner_content` columns.
pub(super) fn grants_at(row: &AnyRow) -> Result<Grants, String> {
    let read = |column: &str| -> Result<Carriage, String> {
        Carriage::parse(&row.try_get::<String, _>(column).map_err(|e| e.to_string())?)
    };
    Ok(Grants { feeds: read("feed_content")?, partners: read("partner_content")? })
}
