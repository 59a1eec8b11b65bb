//! Users: their accounts (validated by `catalog`), personal tokens, and who a token is.

use super::Operations;
use crate::catalog::{self, CatalogError, UserEdit, UserForm};
use crate::domain::audit::Action;
use crate::domain::{Actor, User};
use crate::store::{Audit, StoreError};

impl Operations {
    pub async fn users(&self) -> Result<Vec<User>, StoreError> {
        self.store.users().await
    }

    pub async fn user(&self, username: &str) -> Result<User, StoreError> {
        self.store.user_by_username(username).await?.ok_or(StoreError::NotFound("user"))
    }

    /// The enabled user whose personal token has this digest (`domain::token::digest`).
    pub async fn user_by_token_digest(&self, digest: &str) -> Result<Option<User>, StoreError> {
        self.store.user_by_token_digest(digest).await
    }

    pub async fn add_user(&self, actor: &Actor, form: UserForm) -> Result<User, CatalogError> {
        catalog::add_user(&self.store, form, Audit::new(actor, Action::UserAdd)).await
    }

    pub async fn edit_user(&self, actor: &Actor, username: &str, edit: UserEdit) -> Result<User, CatalogError> {
        // Named by what matters most in it; its fields say all it changed.
        let action = match (edit.disabled, edit.password.is_some()) {
            (Some(true), _) => Action::UserDisable,
            (Some(false), _) => Action::UserEnable,
            (None, true) => Action::UserPassword,
            (None, false) => Action::UserEdit,
        };
        catalog::edit_user(&self.store, username, edit, Audit::new(actor, action)).await
    }

    /// Issues a user's personal API token (the one before stops working); shown only now.
    pub async fn issue_user_token(&self, actor: &Actor, username: &str) -> Result<String, CatalogError> {
        let (_, token) =
            catalog::issue_user_token(&self.store, username, Audit::new(actor, Action::UserTokenIssue)).await?;
        Ok(token)
    }
}
