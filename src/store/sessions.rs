//! Console sessions and failed logins. A session is found by the digest of its id (the
//! id itself is never stored) and only while its user exists and is enabled, so that
//! disabling or deleting a user ends its sessions at once. What a session's times mean
//! (idle and absolute expiry, throttling windows) is `domain::session`'s to decide.

use super::{from_micros, time_at, to_micros, Store, StoreError};
use crate::domain::User;
use chrono::{DateTime, Utc};
use sqlx::Row;

/// A session as stored, without its id (only the browser holds that).
#[derive(Debug, Clone)]
pub struct StoredSession {
    pub id_digest: String,
    pub user_id: i64,
    pub csrf_secret: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub address: String,
    pub user_agent: String,
}

/// What failed logins are counted under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    Account,
    Address,
}

impl FailureKind {
    fn as_str(self) -> &'static str {
        match self {
            FailureKind::Account => "account",
            FailureKind::Address => "address",
        }
    }
}

const SESSION_FIELDS: &str =
    "s.id_digest, s.user_id, s.csrf_secret, s.created_at, s.last_seen_at, s.expires_at, s.address, s.user_agent";

impl Store {
    pub async fn insert_session(&self, session: &StoredSession) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO console_sessions
                 (id_digest, user_id, csrf_secret, created_at, last_seen_at, expires_at, address, user_agent)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&session.id_digest)
        .bind(session.user_id)
        .bind(&session.csrf_secret)
        .bind(to_micros(session.created_at))
        .bind(to_micros(session.last_seen_at))
        .bind(to_micros(session.expires_at))
        .bind(&session.address)
        .bind(&session.user_agent)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The session with this id digest and its user, while the user is enabled.
    pub async fn session_by_digest(&self, digest: &str) -> Result<Option<(StoredSession, User)>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {SESSION_FIELDS} FROM console_sessions s JOIN users u ON u.id = s.user_id
             WHERE s.id_digest = $1 AND u.disabled_at IS NULL"
        ))
        .bind(digest)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let session = session_from_row(&row)?;
        Ok(self.user_with_id(session.user_id).await?.map(|user| (session, user)))
    }

    /// A user's sessions, newest first.
    pub async fn sessions_of(&self, user_id: i64) -> Result<Vec<StoredSession>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {SESSION_FIELDS} FROM console_sessions s WHERE s.user_id = $1 ORDER BY s.created_at DESC"
        ))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(session_from_row).collect()
    }

    pub async fn touch_session(&self, digest: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query("UPDATE console_sessions SET last_seen_at = $2 WHERE id_digest = $1")
            .bind(digest)
            .bind(to_micros(at))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn delete_session(&self, digest: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM console_sessions WHERE id_digest = $1").bind(digest).execute(&self.pool).await?;
        Ok(())
    }

    /// Forgets sessions that ended before `before` (absolute expiry), whoever held them.
    pub async fn delete_sessions_expired(&self, before: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM console_sessions WHERE expires_at <= $1")
            .bind(to_micros(before))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The password hash of the user with this username, and the user, enabled or not
    /// (read only to verify a login; never returned further).
    pub async fn user_for_login(&self, username: &str) -> Result<Option<(User, String)>, StoreError> {
        let row = sqlx::query("SELECT id, password_hash FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let (id, hash): (i64, String) = (row.try_get("id")?, row.try_get("password_hash")?);
        Ok(self.user_with_id(id).await?.map(|user| (user, hash)))
    }

    /// Records one failed login under each of these keys, forgetting failures older
    /// than `forget_before` (outside every window).
    pub async fn record_login_failure(
        &self,
        keys: &[(FailureKind, &str)],
        at: DateTime<Utc>,
        forget_before: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM login_failures WHERE at < $1")
            .bind(to_micros(forget_before))
            .execute(&mut *tx)
            .await?;
        for (kind, subject) in keys {
            sqlx::query("INSERT INTO login_failures (kind, subject, at) VALUES ($1, $2, $3)")
                .bind(kind.as_str())
                .bind(*subject)
                .bind(to_micros(at))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The times of the newest `limit` failed logins under a key since `since`, newest first.
    pub async fn recent_login_failures(
        &self,
        kind: FailureKind,
        subject: &str,
        since: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<DateTime<Utc>>, StoreError> {
        let times: Vec<i64> = sqlx::query_scalar(
            "SELECT at FROM login_failures WHERE kind = $1 AND subject = $2 AND at >= $3 ORDER BY at DESC LIMIT $4",
        )
        .bind(kind.as_str())
        .bind(subject)
        .bind(to_micros(since))
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        Ok(times.into_iter().map(from_micros).collect())
    }

    /// Forgets an account's failed logins, after it signed in.
    pub async fn clear_login_failures(&self, kind: FailureKind, subject: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM login_failures WHERE kind = $1 AND subject = $2")
            .bind(kind.as_str())
            .bind(subject)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

fn session_from_row(row: &sqlx::any::AnyRow) -> Result<StoredSession, StoreError> {
    Ok(StoredSession {
        id_digest: row.try_get("id_digest")?,
        user_id: row.try_get("user_id")?,
        csrf_secret: row.try_get("csrf_secret")?,
        created_at: time_at(row, "created_at")?,
        last_seen_at: time_at(row, "last_seen_at")?,
        expires_at: time_at(row, "expires_at")?,
        address: row.try_get("address")?,
        user_agent: row.try_get("user_agent")?,
    })
}
