//! Users: the people who run the portal, each with a role and an optional column scope.
//! What a role may do is decided here, once, for every edge that asks.

use super::Slug;
use chrono::{DateTime, Utc};

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Everything the admin token may.
    Admin,
    /// Articles, quarantine, review and sources of their columns.
    Editor,
    /// Reads only.
    Viewer,
}

impl Role {
    pub const NAMES: &'static str = "'admin', 'editor' or 'viewer'";

    pub fn parse(s: &str) -> Result<Role, String> {
        match s.trim() {
            "admin" => Ok(Role::Admin),
            "editor" => Ok(Role::Editor),
            "viewer" => Ok(Role::Viewer),
            other => Err(format!("'{other}' is not one of {}", Self::NAMES)),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Viewer => "viewer",
        }
    }
}

/// A stored user, without its password hash or token digest (which never leave the store).
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: i64,
    /// The login name.
    pub username: Slug,
    /// The real name, shown as 责任编辑 (editor in charge).
    pub real_name: String,
    pub role: Role,
    /// The columns (with their sub-columns) the user sees and changes; empty: every column.
    pub column_ids: Vec<i64>,
    pub disabled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl User {
    pub fn is_disabled(&self) -> bool {
        self.disabled_at.is_some()
    }
}

/// A user to create, validated.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: Slug,
    pub real_name: String,
    pub role: Role,
    pub column_ids: Vec<i64>,
    pub password_hash: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_read_back_as_written_and_refuse_others() {
        for role in [Role::Admin, Role::Editor, Role::Viewer] {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
        }
        assert_eq!(Role::parse(" editor "), Ok(Role::Editor));
        assert!(Role::parse("Admin").unwrap_err().contains("'admin', 'editor' or 'viewer'"));
        assert!(Role::parse("").is_err());
    }
}
