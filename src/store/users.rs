//! Users: accounts with a role, an optional column scope, an argon2id password hash and
//! a personal API token kept as its SHA-256 digest. Neither secret is ever read back.

use super::audit::{self, fields, fields::Slugs, Audit};
use super::{conflict_on_unique, now_micros, optional_time_at, time_at, Store, StoreError};
use crate::domain::audit::Target;
use crate::domain::session::ConsoleLanguage;
use crate::domain::user::{NewUser, Role, User};
use crate::domain::Slug;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// Changes to a user: `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct UserChanges {
    pub real_name: Option<String>,
    pub role: Option<Role>,
    pub column_ids: Option<Vec<i64>>,
    pub disabled: Option<bool>,
    /// A new password hash; it ends every console session of the user.
    pub password_hash: Option<String>,
    /// The console language: `Some(None)` returns to the site's.
    pub language: Option<Option<ConsoleLanguage>>,
}

const USER_FIELDS: &str = "id, username, real_name, role, disabled_at, language, created_at, updated_at";

impl Store {
    pub async fn insert_user(&self, user: &NewUser, audit: Audit<'_>) -> Result<User, StoreError> {
        let now = now_micros();
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (username, real_name, role, password_hash, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
        )
        .bind(user.username.as_str())
        .bind(&user.real_name)
        .bind(user.role.as_str())
        .bind(&user.password_hash)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| conflict_on_unique(e, || format!("a user named '{}' already exists", user.username)))?;
        set_columns(&mut tx, id, &user.column_ids).await?;
        let stored = user_by_id(&mut tx, id).await?;
        let after = fields::user(&stored, &Slugs::read(&mut tx).await?);
        audit::commit(tx, audit.entry(Target::User(stored.username.as_str())).after(after)).await?;
        Ok(stored)
    }

    pub async fn users(&self) -> Result<Vec<User>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let rows =
            sqlx::query(&format!("SELECT {USER_FIELDS} FROM users ORDER BY username")).fetch_all(&mut *conn).await?;
        let mut users = Vec::with_capacity(rows.len());
        for row in rows {
            users.push(user_from_row(&mut conn, &row).await?);
        }
        Ok(users)
    }

    /// The user with this id, enabled or not.
    pub(super) async fn user_with_id(&self, id: i64) -> Result<Option<User>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let row = sqlx::query(&format!("SELECT {USER_FIELDS} FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
        user_from_found(&mut conn, row).await
    }

    pub async fn user_by_username(&self, username: &str) -> Result<Option<User>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let row = sqlx::query(&format!("SELECT {USER_FIELDS} FROM users WHERE username = $1"))
            .bind(username)
            .fetch_optional(&mut *conn)
            .await?;
        user_from_found(&mut conn, row).await
    }

    /// The enabled user holding a personal token with this digest.
    pub async fn user_by_token_digest(&self, digest: &str) -> Result<Option<User>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let row =
            sqlx::query(&format!("SELECT {USER_FIELDS} FROM users WHERE token_digest = $1 AND disabled_at IS NULL"))
                .bind(digest)
                .fetch_optional(&mut *conn)
                .await?;
        user_from_found(&mut conn, row).await
    }

    /// Changes a user; a new password is recorded as changed, never as what it is.
    pub async fn update_user(&self, id: i64, changes: &UserChanges, audit: Audit<'_>) -> Result<User, StoreError> {
        let now = now_micros();
        let mut tx = self.begin_write().await?;
        let before = user_by_id(&mut tx, id).await?;
        sqlx::query("UPDATE users SET updated_at = $2 WHERE id = $1").bind(id).bind(now).execute(&mut *tx).await?;
        if let Some(real_name) = &changes.real_name {
            sqlx::query("UPDATE users SET real_name = $2 WHERE id = $1")
                .bind(id)
                .bind(real_name)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(role) = changes.role {
            sqlx::query("UPDATE users SET role = $2 WHERE id = $1")
                .bind(id)
                .bind(role.as_str())
                .execute(&mut *tx)
                .await?;
        }
        if let Some(column_ids) = &changes.column_ids {
            set_columns(&mut tx, id, column_ids).await?;
        }
        if let Some(disabled) = changes.disabled {
            // Disabling keeps the first time; enabling clears it.
            sqlx::query(
                "UPDATE users SET disabled_at = CASE WHEN $2 = 1 THEN COALESCE(disabled_at, $3) ELSE NULL END
                 WHERE id = $1",
            )
            .bind(id)
            .bind(i64::from(disabled))
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if disabled {
                // Ended, not suspended: enabling the user again revives no old session.
                sqlx::query("DELETE FROM console_sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
            }
        }
        if let Some(hash) = &changes.password_hash {
            sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
                .bind(id)
                .bind(hash)
                .execute(&mut *tx)
                .await?;
            // Whoever knew the old password may hold a session: none survives the change.
            sqlx::query("DELETE FROM console_sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
        }
        if let Some(language) = changes.language {
            sqlx::query("UPDATE users SET language = $2 WHERE id = $1")
                .bind(id)
                .bind(language.map(ConsoleLanguage::as_str))
                .execute(&mut *tx)
                .await?;
        }
        let after = user_by_id(&mut tx, id).await?;
        let slugs = Slugs::read(&mut tx).await?;
        let mut entry = audit.entry(Target::User(after.username.as_str()));
        entry = entry.changed(fields::user(&before, &slugs), fields::user(&after, &slugs));
        if changes.password_hash.is_some() {
            entry = entry.noting("password", "changed");
        }
        audit::commit(tx, entry).await?;
        if after.real_name != before.real_name {
            // Pages and feeds name responsible editors by their real name, read when
            // they are rendered: cached ones start over.
            self.catalog_changed().await?;
        }
        Ok(after)
    }

    /// Replaces a user's personal token (the one before stops working).
    pub async fn set_user_token_digest(&self, user: &User, digest: &str, audit: Audit<'_>) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("UPDATE users SET token_digest = $2, updated_at = $3 WHERE id = $1")
            .bind(user.id)
            .bind(digest)
            .bind(now_micros())
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("user"));
        }
        audit::commit(tx, audit.entry(Target::User(user.username.as_str())).noting("token", "issued")).await
    }
}

/// A user as the connection sees it.
async fn user_by_id(conn: &mut AnyConnection, id: i64) -> Result<User, StoreError> {
    let row = sqlx::query(&format!("SELECT {USER_FIELDS} FROM users WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    user_from_found(conn, row).await?.ok_or(StoreError::NotFound("user"))
}

async fn user_from_found(conn: &mut AnyConnection, row: Option<AnyRow>) -> Result<Option<User>, StoreError> {
    match row {
        Some(row) => Ok(Some(user_from_row(conn, &row).await?)),
        None => Ok(None),
    }
}

/// A user from its row, with its column scope.
async fn user_from_row(conn: &mut AnyConnection, row: &AnyRow) -> Result<User, StoreError> {
    let id: i64 = row.try_get("id")?;
    let column_ids = sqlx::query_scalar("SELECT column_id FROM user_columns WHERE user_id = $1 ORDER BY column_id")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    let username: String = row.try_get("username")?;
    let role: String = row.try_get("role")?;
    let language: Option<String> = row.try_get("language")?;
    let language = language
        .map(|l| ConsoleLanguage::parse(&l))
        .transpose()
        .map_err(|e| StoreError::Corrupt(format!("language of '{username}': {e}")))?;
    Ok(User {
        id,
        username: Slug::parse(&username).map_err(|e| StoreError::Corrupt(format!("username '{username}': {e}")))?,
        real_name: row.try_get("real_name")?,
        role: Role::parse(&role).map_err(|e| StoreError::Corrupt(format!("role of '{username}': {e}")))?,
        column_ids,
        disabled_at: optional_time_at(row, "disabled_at")?,
        language,
        created_at: time_at(row, "created_at")?,
        updated_at: time_at(row, "updated_at")?,
    })
}

async fn set_columns(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    user_id: i64,
    column_ids: &[i64],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM user_columns WHERE user_id = $1").bind(user_id).execute(&mut **tx).await?;
    for column_id in column_ids {
        sqlx::query("INSERT INTO user_columns (user_id, column_id) VALUES ($1, $2)")
            .bind(user_id)
            .bind(column_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
