//! The users API's answers: a user as the admin sees them, never with a password hash or
//! a token (neither is ever read back from the store).

use crate::catalog::fields;
use crate::domain::column::ColumnTree;
use crate::domain::session::ConsoleLanguage;
use crate::domain::User as UserEntry;
use crate::publish::rfc3339;
use serde::Serialize;
use utoipa::ToSchema;

/// A user: one of the people who run the portal.
#[derive(Serialize, ToSchema)]
pub struct User {
    #[schema(value_type = fields::Slug)]
    pub username: String,
    /// The real name, shown as 责任编辑.
    pub name: String,
    #[schema(value_type = fields::Role)]
    pub role: &'static str,
    /// The columns the user sees and changes, each with its sub-columns; empty: every column.
    #[schema(value_type = Vec<fields::Slug>)]
    pub columns: Vec<String>,
    /// Whether the user is disabled (its token refused).
    pub disabled: bool,
    /// The console language the user chose; null: the site's.
    #[schema(value_type = Option<fields::ConsoleLanguageName>, required = true)]
    pub language: Option<&'static str>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

/// Every user, disabled ones included, by username.
#[derive(Serialize, ToSchema)]
pub struct UserList {
    pub users: Vec<User>,
}

pub fn user(tree: &ColumnTree, user: &UserEntry) -> User {
    User {
        username: user.username.to_string(),
        name: user.real_name.clone(),
        role: user.role.as_str(),
        columns: user.column_ids.iter().filter_map(|id| tree.get(*id)).map(|c| c.slug.to_string()).collect(),
        disabled: user.is_disabled(),
        language: user.language.map(ConsoleLanguage::as_str),
        created_at: rfc3339(user.created_at),
        updated_at: rfc3339(user.updated_at),
    }
}
