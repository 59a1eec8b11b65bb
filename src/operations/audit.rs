//! The audit log: reading it (the admin API, `syndic audit`), and the entries that go
//! with no change of syndic's data: logins and failed logins, for the console's
//! sessions to record.

use super::Operations;
use crate::domain::audit::{Action, Target};
use crate::domain::Actor;
use crate::store::audit::Fields;
use crate::store::{Audit, AuditPage, AuditQuery, StoreError};
use serde_json::json;

/// Longest username or address a failed login is recorded with, in characters: what a
/// stranger types is kept, but not without bound.
pub const MAX_RECORDED_CHARS: usize = 100;

impl Operations {
    /// Entries matching `query`, newest first.
    pub async fn audit_log(&self, query: &AuditQuery) -> Result<AuditPage, StoreError> {
        self.store.audit_log(query).await
    }

    /// Records that `username` logged in from `address`.
    pub async fn audit_login(&self, username: &str, address: &str) -> Result<(), StoreError> {
        let actor = Actor::User { username: username.to_owned() };
        let after = fields([("address", address)]);
        self.store.record_alone(Audit::new(&actor, Action::Login), Target::User(username), after).await
    }

    /// Records a failed login: the username tried and the address it came from (never
    /// the password), as the visitor at that address.
    pub async fn audit_failed_login(&self, username_tried: &str, address: &str) -> Result<(), StoreError> {
        let (tried, address) = (recorded(username_tried), recorded(address));
        let actor = Actor::Visitor { address: address.clone() };
        let after = fields([("username", tried.as_str()), ("address", address.as_str())]);
        self.store.record_alone(Audit::new(&actor, Action::LoginFailed), Target::User(&tried), after).await
    }
}

fn fields<const N: usize>(pairs: [(&str, &str); N]) -> Fields {
    pairs.into_iter().map(|(key, value)| (key.to_owned(), json!(value))).collect()
}

/// Text a stranger sent, as it is recorded: no control characters (PostgreSQL refuses
/// NUL in text), at most `MAX_RECORDED_CHARS`.
fn recorded(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(MAX_RECORDED_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_stranger_typed_is_recorded_without_control_characters_and_bounded() {
        assert_eq!(recorded("wang\0fang\n"), "wangfang");
        assert_eq!(recorded(&"长".repeat(300)).chars().count(), MAX_RECORDED_CHARS);
    }
}
