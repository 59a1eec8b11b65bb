//! Queries on the column tree.

use super::audit::{self, fields, fields::Slugs, Audit};
use super::{conflict_on_unique, listings, now_micros, time_at, Store, StoreError};
use crate::domain::audit::Target;
use crate::domain::column::{Column, ColumnTree, NewColumn};
use crate::domain::Slug;
use sqlx::any::AnyRow;
use sqlx::Row;

const COLUMN_FIELDS: &str =
    "id, slug, title, description, parent_id, licensed_only, strict_titles, hide_duplicates, created_at, updated_at";

/// The changes a column edit applies; `None` leaves a field as it is.
#[derive(Debug, Default, Clone)]
pub struct ColumnChanges {
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub parent_id: Option<Option<i64>>,
    pub licensed_only: Option<bool>,
    pub strict_titles: Option<bool>,
    pub hide_duplicates: Option<bool>,
}

impl Store {
    pub async fn insert_column(&self, column: &NewColumn, audit: Audit<'_>) -> Result<Column, StoreError> {
        let now = now_micros();
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(&format!(
            "INSERT INTO columns (slug, title, description, parent_id, created_at, updated_at, licensed_only, strict_titles,
                hide_duplicates)
             VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8) RETURNING {COLUMN_FIELDS}"
        ))
        .bind(column.slug.as_str())
        .bind(&column.title)
        .bind(column.description.as_deref())
        .bind(column.parent_id)
        .bind(now)
        .bind(i64::from(column.licensed_only))
        .bind(i64::from(column.strict_titles))
        .bind(i64::from(column.hide_duplicates))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| conflict_on_unique(e, || format!("column '{}' already exists", column.slug)))?;
        let stored = column_from_row(&row)?;
        listings::add_column(&mut tx, stored.id, stored.parent_id).await?;
        let after = fields::column(&stored, &Slugs::read(&mut tx).await?);
        audit::commit(tx, audit.entry(Target::Column(stored.slug.as_str())).after(after)).await?;
        self.catalog_changed().await?;
        Ok(stored)
    }

    /// Every column, parents before children where ids allow, as a tree.
    pub async fn column_tree(&self) -> Result<ColumnTree, StoreError> {
        column_tree_in(&mut *self.pool.acquire().await?).await
    }

    /// Edits a column; moving it under another parent re-lists every article (the
    /// column's archives are laid out afresh).
    pub async fn update_column(
        &self,
        id: i64,
        changes: &ColumnChanges,
        audit: Audit<'_>,
    ) -> Result<Column, StoreError> {
        let mut tx = self.begin_write().await?;
        let before = column_by_id(&mut tx, id).await?;
        let row = sqlx::query(&format!(
            "UPDATE columns SET
                title = COALESCE($2, title),
                description = CASE WHEN $3 = 1 THEN $4 ELSE description END,
                parent_id = CASE WHEN $5 = 1 THEN $6 ELSE parent_id END,
                updated_at = $7,
                licensed_only = COALESCE($8, licensed_only),
                strict_titles = COALESCE($9, strict_titles),
                hide_duplicates = COALESCE($10, hide_duplicates)
             WHERE id = $1 RETURNING {COLUMN_FIELDS}"
        ))
        .bind(id)
        .bind(changes.title.as_deref())
        .bind(i64::from(changes.description.is_some()))
        .bind(changes.description.clone().flatten())
        .bind(i64::from(changes.parent_id.is_some()))
        .bind(changes.parent_id.flatten())
        .bind(now_micros())
        .bind(changes.licensed_only.map(i64::from))
        .bind(changes.strict_titles.map(i64::from))
        .bind(changes.hide_duplicates.map(i64::from))
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound("column"))?;
        let after = column_from_row(&row)?;
        // A move re-lists every article; so does hiding duplicates or showing them again,
        // which changes what the column lists (and the catalogue change that follows
        // starts the render caches over).
        if after.parent_id != before.parent_id || after.hide_duplicates != before.hide_duplicates {
            listings::rebuild(&mut tx).await?;
        }
        let slugs = Slugs::read(&mut tx).await?;
        let entry = audit.entry(Target::Column(after.slug.as_str()));
        audit::commit(tx, entry.changed(fields::column(&before, &slugs), fields::column(&after, &slugs))).await?;
        self.catalog_changed().await?;
        Ok(after)
    }

    /// Deletes a column that has no sub-columns, articles, sources or partners.
    pub async fn delete_column(&self, id: i64, audit: Audit<'_>) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let column = column_by_id(&mut tx, id).await?;
        let children: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM columns WHERE parent_id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let articles: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM article_columns WHERE column_id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let sources: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM source_columns WHERE column_id = $1)
                  + (SELECT COUNT(*) FROM source_routes WHERE column_id = $1)",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        // Dropped from its allowlist, the column would widen a partner limited to it alone
        // to every column: the admin revokes such a partner first. Revoked ones read nothing.
        let partners: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM partner_columns c JOIN partners p ON p.id = c.partner_id
             WHERE c.column_id = $1 AND p.revoked_at IS NULL",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        // Likewise a user limited to it (disabled ones too: they may be enabled again).
        let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM user_columns WHERE column_id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        if children > 0 || articles > 0 || sources > 0 || partners > 0 || users > 0 {
            return Err(StoreError::Conflict(format!(
                "column has {children} sub-column(s), {articles} article(s) and {sources} source(s) routed to it, \
                 and {partners} partner(s) and {users} user(s) limited to it; move, remove, revoke or edit them first"
            )));
        }
        let before = fields::column(&column, &Slugs::read(&mut tx).await?);
        sqlx::query("DELETE FROM partner_columns WHERE column_id = $1").bind(id).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM columns WHERE id = $1").bind(id).execute(&mut *tx).await?;
        audit::commit(tx, audit.entry(Target::Column(column.slug.as_str())).before(before)).await?;
        self.catalog_changed().await
    }
}

/// A column as it stands in the transaction.
async fn column_by_id(conn: &mut sqlx::AnyConnection, id: i64) -> Result<Column, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMN_FIELDS} FROM columns WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound("column"))?;
    column_from_row(&row)
}

/// The columns as a tree, read on `conn` (inside a transaction, as it stands there).
pub(super) async fn column_tree_in(conn: &mut sqlx::AnyConnection) -> Result<ColumnTree, StoreError> {
    let rows = sqlx::query(&format!("SELECT {COLUMN_FIELDS} FROM columns ORDER BY id")).fetch_all(&mut *conn).await?;
    let columns = rows.iter().map(column_from_row).collect::<Result<_, _>>()?;
    Ok(ColumnTree::new(columns))
}

fn column_from_row(row: &AnyRow) -> Result<Column, StoreError> {
    let slug: String = row.try_get("slug")?;
    Ok(Column {
        id: row.try_get("id")?,
        slug: Slug::parse(&slug).map_err(|e| StoreError::Corrupt(format!("column slug '{slug}': {e}")))?,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        parent_id: row.try_get("parent_id")?,
        licensed_only: row.try_get::<i64, _>("licensed_only")? != 0,
        strict_titles: row.try_get::<i64, _>("strict_titles")? != 0,
        hide_duplicates: row.try_get::<i64, _>("hide_duplicates")? != 0,
        created_at: time_at(row, "created_at")?,
        updated_at: time_at(row, "updated_at")?,
    })
}
