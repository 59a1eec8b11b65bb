//! Users: validating new users and changes to them, hashing their passwords and issuing
//! their personal API tokens. The password hash and the token leave only as the token
//! shown once; neither is ever returned or logged.

use super::{column_scope, fields, not_null, present, refusal, CatalogError, MAX_NAME_CHARS};
use crate::domain::password::Password;
use crate::domain::session::ConsoleLanguage;
use crate::domain::text::one_line_name;
use crate::domain::user::{NewUser, Role, User};
use crate::domain::{token, FieldErrors, Slug};
use crate::store::users::UserChanges;
use crate::store::{Audit, Store};
use serde::Deserialize;

/// A new user. Unknown fields are refused (400).
#[derive(Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "wangfang", "name": "王芳", "role": "editor", "columns": ["zhuanti"],
    "password": "a long passphrase"}))]
pub struct UserForm {
    /// The login name (409 if taken).
    #[schema(value_type = fields::Slug)]
    pub username: Option<String>,
    /// The real name, shown as 责任编辑.
    #[schema(value_type = fields::RealName)]
    pub name: Option<String>,
    #[schema(value_type = fields::Role)]
    pub role: Option<String>,
    /// Slugs of existing columns the user sees and changes, each with its sub-columns (409
    /// naming `columns` for one that does not exist); absent, `null` or empty: every column.
    #[schema(value_type = Option<Vec<fields::Slug>>)]
    pub columns: Option<Vec<String>>,
    #[schema(value_type = fields::Password)]
    pub password: Option<String>,
}

/// Changes to a user: an absent field stays as it is. The username cannot be changed.
/// Unknown fields are refused (400).
#[derive(Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserEdit {
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = fields::RealName)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = fields::Role)]
    pub role: Option<String>,
    /// The new column scope; `null` or empty: every column.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Vec<fields::Slug>>)]
    pub columns: Option<Option<Vec<String>>>,
    /// `true` refuses the user's token and logins and ends its console sessions at once;
    /// `false` enables it again.
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = bool)]
    pub disabled: Option<bool>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = fields::Password)]
    pub password: Option<String>,
    /// The console language the user reads in; `null`: the site's.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<fields::ConsoleLanguageName>)]
    pub language: Option<Option<String>>,
}

pub async fn add_user(store: &Store, form: UserForm, audit: Audit<'_>) -> Result<User, CatalogError> {
    let tree = store.column_tree().await?;
    let (mut errors, mut conflicts) = (FieldErrors::new(), FieldErrors::new());
    let username = errors.check("username", Slug::parse(form.username.as_deref().unwrap_or("")));
    let real_name = errors.check("name", one_line_name(form.name.as_deref(), MAX_NAME_CHARS));
    let role = errors.check("role", Role::parse(form.role.as_deref().unwrap_or("")));
    let password = errors.check("password", Password::parse(form.password.as_deref().unwrap_or("")));
    let column_ids = column_scope(&tree, &form.columns.unwrap_or_default(), &mut conflicts);
    if let Some(username) = &username {
        if store.user_by_username(username.as_str()).await?.is_some() {
            conflicts.add("username", format!("a user named '{username}' already exists"));
        }
    }
    match (username, real_name, role, password) {
        (Some(username), Some(real_name), Some(role), Some(password)) if errors.is_empty() && conflicts.is_empty() => {
            let password_hash = hash(password).await;
            Ok(store.insert_user(&NewUser { username, real_name, role, column_ids, password_hash }, audit).await?)
        }
        _ => Err(refusal(errors, conflicts)),
    }
}

pub async fn edit_user(store: &Store, username: &str, edit: UserEdit, audit: Audit<'_>) -> Result<User, CatalogError> {
    let user = store.user_by_username(username).await?.ok_or(CatalogError::NotFound("user"))?;
    let (mut errors, mut conflicts) = (FieldErrors::new(), FieldErrors::new());
    let mut changes = UserChanges { disabled: edit.disabled, ..UserChanges::default() };
    if let Some(name) = edit.name {
        changes.real_name = errors.check("name", one_line_name(Some(&name), MAX_NAME_CHARS));
    }
    if let Some(role) = edit.role {
        changes.role = errors.check("role", Role::parse(&role));
    }
    if let Some(columns) = edit.columns {
        let tree = store.column_tree().await?;
        changes.column_ids = Some(column_scope(&tree, &columns.unwrap_or_default(), &mut conflicts));
    }
    if let Some(language) = edit.language {
        changes.language = errors.check("language", language.as_deref().map(ConsoleLanguage::parse).transpose());
    }
    let password = edit.password.and_then(|password| errors.check("password", Password::parse(&password)));
    if !(errors.is_empty() && conflicts.is_empty()) {
        return Err(refusal(errors, conflicts));
    }
    if let Some(password) = password {
        changes.password_hash = Some(hash(password).await);
    }
    Ok(store.update_user(user.id, &changes, audit).await?)
}

/// Issues a user's personal API token, replacing the one before; shown only now.
pub async fn issue_user_token(store: &Store, username: &str, audit: Audit<'_>) -> Result<(User, String), CatalogError> {
    let user = store.user_by_username(username).await?.ok_or(CatalogError::NotFound("user"))?;
    let token = token::generate(token::USER_TOKEN_PREFIX);
    store.set_user_token_digest(&user, &token::digest(&token), audit).await?;
    Ok((user, token))
}

/// Sets the console language a user reads in (`None`: the site's).
pub async fn set_user_language(
    store: &Store,
    user: &User,
    language: Option<ConsoleLanguage>,
    audit: Audit<'_>,
) -> Result<User, CatalogError> {
    Ok(store.update_user(user.id, &UserChanges { language: Some(language), ..UserChanges::default() }, audit).await?)
}

/// Hashes off the async threads: argon2id at OWASP's parameters takes tens of milliseconds.
async fn hash(password: Password) -> String {
    tokio::task::spawn_blocking(move || password.hash()).await.expect("hashing a password does not panic")
}
