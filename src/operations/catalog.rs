//! The catalogue: columns, outlets and their ingest tokens, validated by `catalog`.

use super::Operations;
use crate::catalog::{self, CatalogError, ColumnEdit, ColumnForm, LicenceReport, OutletEdit, OutletForm};
use crate::domain::audit::Action;
use crate::domain::column::ColumnTree;
use crate::domain::{Actor, Column, Outlet};
use crate::store::outlets::TokenInfo;
use crate::store::{Audit, StoreError};

impl Operations {
    /// Every column, as a tree.
    pub async fn column_tree(&self) -> Result<ColumnTree, StoreError> {
        self.store.column_tree().await
    }

    pub async fn add_column(&self, actor: &Actor, form: ColumnForm) -> Result<Column, CatalogError> {
        catalog::add_column(&self.store, form, Audit::new(actor, Action::ColumnAdd)).await
    }

    pub async fn edit_column(&self, actor: &Actor, slug: &str, edit: ColumnEdit) -> Result<Column, CatalogError> {
        catalog::edit_column(&self.store, slug, edit, Audit::new(actor, Action::ColumnEdit)).await
    }

    pub async fn remove_column(&self, actor: &Actor, slug: &str) -> Result<(), CatalogError> {
        catalog::remove_column(&self.store, slug, Audit::new(actor, Action::ColumnRemove)).await
    }

    pub async fn outlets(&self) -> Result<Vec<Outlet>, StoreError> {
        self.store.list_outlets().await
    }

    pub async fn outlet(&self, slug: &str) -> Result<Outlet, StoreError> {
        self.store.outlet_by_slug(slug).await
    }

    /// The outlet whose live ingest token has this digest (`domain::token::digest`).
    pub async fn outlet_by_token_digest(&self, digest: &str) -> Result<Option<Outlet>, StoreError> {
        self.store.outlet_by_token_digest(digest).await
    }

    /// Creates an outlet; with its first ingest token, shown only now.
    pub async fn add_outlet(&self, actor: &Actor, form: OutletForm) -> Result<(Outlet, String), CatalogError> {
        let audit = Audit::new(actor, Action::OutletAdd);
        catalog::add_outlet(&self.store, form, self.config.site.timezone, audit).await
    }

    pub async fn edit_outlet(&self, actor: &Actor, slug: &str, edit: OutletEdit) -> Result<Outlet, CatalogError> {
        catalog::edit_outlet(&self.store, slug, edit, Audit::new(actor, Action::OutletEdit)).await
    }

    /// Licenses the outlets a source list names (one name or domain a line), recording
    /// `licence_ref` on each when given, and un-licenses the licensed ones it leaves out;
    /// each change an audited outlet edit.
    pub async fn license_from_list(
        &self,
        actor: &Actor,
        list: &str,
        licence_ref: Option<&str>,
    ) -> Result<LicenceReport, CatalogError> {
        catalog::license_from_list(&self.store, list, licence_ref, Audit::new(actor, Action::OutletEdit)).await
    }

    /// An outlet's tokens: ids and dates, never their values.
    pub async fn outlet_tokens(&self, slug: &str) -> Result<Vec<TokenInfo>, StoreError> {
        let outlet = self.store.outlet_by_slug(slug).await?;
        self.store.outlet_tokens(outlet.id).await
    }

    /// A further ingest token for an outlet, shown only now.
    pub async fn issue_outlet_token(&self, actor: &Actor, slug: &str) -> Result<String, CatalogError> {
        catalog::issue_outlet_token(&self.store, slug, Audit::new(actor, Action::OutletTokenIssue)).await
    }

    pub async fn revoke_outlet_token(&self, actor: &Actor, slug: &str, token_id: i64) -> Result<(), CatalogError> {
        catalog::revoke_outlet_token(&self.store, slug, token_id, Audit::new(actor, Action::OutletTokenRevoke)).await
    }
}
