//! Partners: portals that read the article API, each with a token (kept as a digest)
//! and an optional allowlist of columns.

use super::audit::{self, fields, fields::Slugs, Audit};
use super::{now_micros, optional_time_at, time_at, Store, StoreError};
use crate::domain::audit::Target;
use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, Row};

#[derive(Debug, Clone, PartialEq)]
pub struct Partner {
    pub id: i64,
    pub name: String,
    /// The columns (with their sub-columns) it may read; empty: every column.
    pub column_ids: Vec<i64>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Store {
    pub async fn insert_partner(
        &self,
        name: &str,
        token_digest: &str,
        column_ids: &[i64],
        audit: Audit<'_>,
    ) -> Result<Partner, StoreError> {
        let now = now_micros();
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO partners (name, token_digest, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(name)
        .bind(token_digest)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        for column_id in column_ids {
            sqlx::query("INSERT INTO partner_columns (partner_id, column_id) VALUES ($1, $2)")
                .bind(id)
                .bind(column_id)
                .execute(&mut *tx)
                .await?;
        }
        let partner = partner(&mut tx, id).await?.ok_or(StoreError::NotFound("partner"))?;
        let after = fields::partner(&partner, &Slugs::read(&mut tx).await?);
        audit::commit(tx, audit.entry(Target::Partner(id)).after(after)).await?;
        Ok(partner)
    }

    pub async fn partners(&self) -> Result<Vec<Partner>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM partners ORDER BY id").fetch_all(&mut *conn).await?;
        let mut partners = Vec::with_capacity(ids.len());
        for id in ids {
            partners.extend(partner(&mut conn, id).await?);
        }
        Ok(partners)
    }

    /// The partner holding a live (unrevoked) token with this digest.
    pub async fn partner_by_token_digest(&self, digest: &str) -> Result<Option<Partner>, StoreError> {
        let id: Option<i64> =
            sqlx::query_scalar("SELECT id FROM partners WHERE token_digest = $1 AND revoked_at IS NULL")
                .bind(digest)
                .fetch_optional(&self.pool)
                .await?;
        match id {
            Some(id) => partner(&mut *self.pool.acquire().await?, id).await,
            None => Ok(None),
        }
    }

    /// Revokes a partner's token; revoking twice is not an error.
    pub async fn revoke_partner(&self, id: i64, audit: Audit<'_>) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let before = partner(&mut tx, id).await?.ok_or(StoreError::NotFound("partner"))?;
        sqlx::query("UPDATE partners SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1")
            .bind(id)
            .bind(now_micros())
            .execute(&mut *tx)
            .await?;
        let after = partner(&mut tx, id).await?.ok_or(StoreError::NotFound("partner"))?;
        let slugs = Slugs::read(&mut tx).await?;
        let entry = audit.entry(Target::Partner(id));
        audit::commit(tx, entry.changed(fields::partner(&before, &slugs), fields::partner(&after, &slugs))).await
    }
}

/// A partner with its columns, as the connection sees it.
async fn partner(conn: &mut AnyConnection, id: i64) -> Result<Option<Partner>, StoreError> {
    let Some(row) = sqlx::query("SELECT id, name, created_at, revoked_at FROM partners WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let column_ids =
        sqlx::query_scalar("SELECT column_id FROM partner_columns WHERE partner_id = $1 ORDER BY column_id")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    Ok(Some(Partner {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        column_ids,
        created_at: time_at(&row, "created_at")?,
        revoked_at: optional_time_at(&row, "revoked_at")?,
    }))
}
