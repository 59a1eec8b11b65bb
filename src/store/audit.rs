//! The audit log: who changed what, when, and the fields before and after. An entry is
//! written in the transaction of the change it records, just before that commits, so a
//! change that rolls back leaves no entry and an entry that cannot be written stops
//! the change. The table refuses UPDATE and DELETE itself (migration 0019); nothing
//! here changes or removes an entry.
//!
//! `operations` hands a write its `Audit` (who, and what kind of change); the write
//! completes it into an `Entry` (what, and the fields) from what it reads and writes in
//! its transaction. Fields are the thing's own (`fields`), never a secret: no token, no
//! digest, no password hash.

pub(super) mod fields;
mod reads;

pub use reads::{AuditPage, AuditQuery, AuditRecord};

use super::{now_micros, Store, StoreError};
use crate::domain::audit::{Action, Target};
use crate::domain::Actor;
use serde_json::{Map, Value};
use sqlx::AnyConnection;

/// The fields of something, or those of its fields that changed: a JSON object.
pub type Fields = Map<String, Value>;

/// Who makes a change and what kind of change it is, for the store's write that makes it.
#[derive(Debug, Clone, Copy)]
pub struct Audit<'a> {
    pub actor: &'a Actor,
    pub action: Action,
}

impl<'a> Audit<'a> {
    pub fn new(actor: &'a Actor, action: Action) -> Audit<'a> {
        Audit { actor, action }
    }

    /// The entry of this change to `target`, without fields yet.
    pub(super) fn entry(self, target: Target<'_>) -> Entry {
        Entry {
            actor: self.actor.to_string(),
            action: self.action,
            target: target.to_string(),
            before: None,
            after: None,
        }
    }
}

/// An audit entry, written by a change's transaction before it commits.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Entry {
    actor: String,
    action: Action,
    target: String,
    before: Option<Fields>,
    after: Option<Fields>,
}

impl Entry {
    /// What the thing was (removed, or its state before a change it records whole).
    pub(super) fn before(mut self, fields: Fields) -> Entry {
        self.before = Some(fields);
        self
    }

    /// What the thing is (added), or what a change set.
    pub(super) fn after(mut self, fields: Fields) -> Entry {
        self.after = Some(fields);
        self
    }

    /// Of an edit, only the fields that differ: their old values before, new ones after.
    /// Nothing changed: neither side.
    pub(super) fn changed(mut self, old: Fields, new: Fields) -> Entry {
        let (mut before, mut after) = (Fields::new(), Fields::new());
        for key in old.keys().chain(new.keys()) {
            let (was, is) = (old.get(key).unwrap_or(&Value::Null), new.get(key).unwrap_or(&Value::Null));
            if was != is && !after.contains_key(key) {
                before.insert(key.clone(), was.clone());
                after.insert(key.clone(), is.clone());
            }
        }
        self.before = (!before.is_empty()).then_some(before);
        self.after = (!after.is_empty()).then_some(after);
        self
    }

    /// Adds a field to the after side: what changed that has no value to show (a
    /// password: `"changed"`).
    pub(super) fn noting(mut self, key: &str, value: impl Into<Value>) -> Entry {
        self.after.get_or_insert_with(Fields::new).insert(key.to_owned(), value.into());
        self
    }

    /// Inserts the entry, on the connection of the change's transaction.
    pub(super) async fn write(&self, conn: &mut AnyConnection) -> Result<(), StoreError> {
        let json = |fields: &Option<Fields>| fields.as_ref().map(|f| Value::Object(f.clone()).to_string());
        sqlx::query("INSERT INTO audit_log (at, actor, action, target, before, after) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(now_micros())
            .bind(&self.actor)
            .bind(self.action.as_str())
            .bind(&self.target)
            .bind(json(&self.before))
            .bind(json(&self.after))
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    /// One log line per change recorded, once it committed.
    fn log(&self) {
        tracing::info!(actor = %self.actor, action = %self.action, target = %self.target, "change made");
    }
}

/// Writes `entry` in the change's transaction `tx` and commits both: the change and its
/// record stand or fall together.
pub(super) async fn commit(mut tx: sqlx::Transaction<'static, sqlx::Any>, entry: Entry) -> Result<(), StoreError> {
    entry.write(&mut tx).await?;
    tx.commit().await?;
    entry.log();
    Ok(())
}

impl Store {
    /// Records an entry that goes with no change of its own (a login, a failed login).
    pub async fn record_alone(&self, audit: Audit<'_>, target: Target<'_>, after: Fields) -> Result<(), StoreError> {
        let tx = self.begin_write().await?;
        commit(tx, audit.entry(target).after(after)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(value: Value) -> Fields {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn an_edit_records_only_the_fields_that_differ() {
        let actor = Actor::Admin;
        let entry = Audit::new(&actor, Action::ColumnEdit).entry(Target::Column("zhuanti")).changed(
            fields(json!({"slug": "zhuanti", "title": "专题", "parent": null, "gone": 1})),
            fields(json!({"slug": "zhuanti", "title": "专题栏目", "parent": "root", "new": true})),
        );
        assert_eq!(entry.target, "column:zhuanti");
        assert_eq!(entry.before, Some(fields(json!({"title": "专题", "parent": null, "gone": 1, "new": null}))));
        assert_eq!(
            entry.after,
            Some(fields(json!({"title": "专题栏目", "parent": "root", "gone": null, "new": true})))
        );
        let same = fields(json!({"title": "专题"}));
        let unchanged = Audit::new(&actor, Action::ColumnEdit).entry(Target::Column("zhuanti"));
        let unchanged = unchanged.changed(same.clone(), same);
        assert_eq!((unchanged.before, unchanged.after), (None, None));
    }

    #[test]
    fn a_noted_change_joins_the_after_side() {
        let actor = Actor::Cli;
        let entry =
            Audit::new(&actor, Action::UserPassword).entry(Target::User("wangfang")).noting("password", "changed");
        assert_eq!(entry.actor, "cli");
        assert_eq!(entry.after, Some(fields(json!({"password": "changed"}))));
    }
}
