//! Users: the people who run the portal, each with a role and an optional column scope.
//! What a role may do is decided here, once, for every edge that asks.

use super::column::ColumnTree;
use super::session::ConsoleLanguage;
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
    /// The console language the user chose; `None`: the site's.
    pub language: Option<ConsoleLanguage>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl User {
    pub fn is_disabled(&self) -> bool {
        self.disabled_at.is_some()
    }

    /// Whether the user sees what is filed under these columns: every column when it has
    /// no scope, else what lies wholly within its columns and their sub-columns.
    pub fn sees(&self, tree: &ColumnTree, column_ids: &[i64]) -> bool {
        self.column_ids.is_empty()
            || column_ids.iter().all(|id| self.column_ids.iter().any(|scope| tree.subtree_ids(*scope).contains(id)))
    }

    /// Every column the user sees (its columns with their sub-columns); `None`: every one.
    pub fn scope_ids(&self, tree: &ColumnTree) -> Option<Vec<i64>> {
        (!self.column_ids.is_empty()).then(|| self.column_ids.iter().flat_map(|id| tree.subtree_ids(*id)).collect())
    }

    /// Whether the user may change (release, reject, withdraw) what is filed under these
    /// columns: an admin anything, an editor what it sees, a viewer nothing.
    pub fn may_change(&self, tree: &ColumnTree, column_ids: &[i64]) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Editor => self.sees(tree, column_ids),
            Role::Viewer => false,
        }
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
    use crate::domain::Column;

    fn column(id: i64, slug: &str, parent_id: Option<i64>) -> Column {
        crate::domain::column::test_column(id, slug, parent_id, false)
    }

    fn user(role: Role, column_ids: Vec<i64>) -> User {
        let at = chrono::DateTime::UNIX_EPOCH;
        let username = Slug::parse("wangfang").unwrap();
        User {
            id: 1,
            username,
            real_name: "王芳".into(),
            role,
            column_ids,
            disabled_at: None,
            language: None,
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn an_editor_changes_only_what_lies_wholly_within_its_columns() {
        let tree =
            ColumnTree::new(vec![column(1, "zhuanti", None), column(2, "party-96", Some(1)), column(3, "local", None)]);
        let editor = user(Role::Editor, vec![1]);
        assert!(editor.may_change(&tree, &[1]) && editor.may_change(&tree, &[2]));
        assert!(!editor.may_change(&tree, &[3]));
        assert!(!editor.may_change(&tree, &[2, 3]), "filed in a column outside its scope too");
        assert_eq!(editor.scope_ids(&tree), Some(vec![1, 2]));
        assert_eq!(user(Role::Editor, vec![]).scope_ids(&tree), None);
        assert!(user(Role::Editor, vec![]).may_change(&tree, &[3]));
        assert!(user(Role::Admin, vec![1]).may_change(&tree, &[3]));
        let viewer = user(Role::Viewer, vec![]);
        assert!(viewer.sees(&tree, &[3]) && !viewer.may_change(&tree, &[3]));
    }

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
