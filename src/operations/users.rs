//! Users: their accounts (validated by `catalog`), personal tokens, and who a token is.

use super::Operations;
use crate::catalog::{self, CatalogError, UserEdit, UserForm};
use crate::domain::{Actor, User};
use crate::store::StoreError;

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
        let user = catalog::add_user(&self.store, form).await?;
        self.record(actor, "user added", &user.username);
        Ok(user)
    }

    pub async fn edit_user(&self, actor: &Actor, username: &str, edit: UserEdit) -> Result<User, CatalogError> {
        let action = match (edit.disabled, edit.password.is_some()) {
            (Some(true), _) => "user disabled",
            (_, true) => "user password set",
            _ => "user edited",
        };
        let user = catalog::edit_user(&self.store, username, edit).await?;
        self.record(actor, action, &user.username);
        Ok(user)
    }

    /// Issues a user's personal API token (the one before stops working); shown only now.
    pub async fn issue_user_token(&self, actor: &Actor, username: &str) -> Result<String, CatalogError> {
        let (user, token) = catalog::issue_user_token(&self.store, username).await?;
        self.record(actor, "user token issued", &user.username);
        Ok(token)
    }
}
