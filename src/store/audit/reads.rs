//! Reading the audit log: newest first, filtered, a page at a time.

use crate::domain::audit::Action;
use crate::store::{time_at, to_micros, Store, StoreError};
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::Row;

/// Which entries to read: every filter given must match.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub target: Option<String>,
    pub action: Option<Action>,
    /// Only entries recorded at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only entries older than this one (the id of the last entry of the page before).
    pub before_id: Option<i64>,
    pub limit: i64,
}

/// One entry as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// A page of entries, and whether older ones match too.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditPage {
    pub records: Vec<AuditRecord>,
    pub more: bool,
}

impl Store {
    /// Entries matching `query`, newest first, at most `query.limit`.
    pub async fn audit_log(&self, query: &AuditQuery) -> Result<AuditPage, StoreError> {
        let mut conditions = Vec::new();
        let mut text = Vec::new();
        for (column, value) in [
            ("actor", query.actor.clone()),
            ("target", query.target.clone()),
            ("action", query.action.map(|a| a.as_str().to_owned())),
        ] {
            if let Some(value) = value {
                text.push(value);
                conditions.push(format!("{column} = ${}", text.len()));
            }
        }
        let mut numbers = Vec::new();
        for (condition, value) in [("at >=", query.since.map(to_micros)), ("id <", query.before_id)] {
            if let Some(value) = value {
                numbers.push(value);
                conditions.push(format!("{condition} ${}", text.len() + numbers.len()));
            }
        }
        let filter = if conditions.is_empty() { String::new() } else { format!("WHERE {}", conditions.join(" AND ")) };
        let sql = format!(
            "SELECT id, at, actor, action, target, before, after FROM audit_log {filter} ORDER BY id DESC LIMIT {}",
            query.limit + 1
        );
        let mut statement = sqlx::query(&sql);
        for value in &text {
            statement = statement.bind(value);
        }
        for value in &numbers {
            statement = statement.bind(value);
        }
        let rows = statement.fetch_all(&self.pool).await?;
        let json = |raw: Option<String>| -> Result<Option<Value>, StoreError> {
            raw.map(|raw| serde_json::from_str(&raw).map_err(|e| StoreError::Corrupt(format!("audit entry JSON: {e}"))))
                .transpose()
        };
        let mut records = rows
            .iter()
            .map(|row| {
                Ok(AuditRecord {
                    id: row.try_get("id")?,
                    at: time_at(row, "at")?,
                    actor: row.try_get("actor")?,
                    action: row.try_get("action")?,
                    target: row.try_get("target")?,
                    before: json(row.try_get("before")?)?,
                    after: json(row.try_get("after")?)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let more = records.len() as i64 > query.limit;
        records.truncate(query.limit.max(0) as usize);
        Ok(AuditPage { records, more })
    }
}
