//! Sources: the outlets' feeds syndic polls, and polling one at once.

use super::Operations;
use crate::catalog::{self, CatalogError, SourceEdit, SourceForm};
use crate::domain::source::Source;
use crate::domain::Actor;
use crate::ingest::poll;
use crate::store::sources::PollRecord;
use crate::store::StoreError;

impl Operations {
    /// Every source with its status.
    pub async fn sources(&self) -> Result<Vec<Source>, StoreError> {
        self.store.list_sources().await
    }

    pub async fn source(&self, id: i64) -> Result<Option<Source>, StoreError> {
        self.store.source(id).await
    }

    pub async fn add_source(&self, actor: &Actor, form: SourceForm) -> Result<Source, CatalogError> {
        let source = catalog::add_source(&self.store, form).await?;
        self.record(actor, "source added", source.id);
        Ok(source)
    }

    pub async fn edit_source(&self, actor: &Actor, id: i64, edit: SourceEdit) -> Result<Source, CatalogError> {
        let source = catalog::edit_source(&self.store, id, edit).await?;
        self.record(actor, "source edited", source.id);
        Ok(source)
    }

    /// Stops polling a source.
    pub async fn remove_source(&self, actor: &Actor, id: i64) -> Result<(), StoreError> {
        self.store.delete_source(id).await?;
        self.record(actor, "source removed", id);
        Ok(())
    }

    /// Polls a source now, even during backoff: the poll's record, and the source as
    /// it stands after it (`None`: no such source).
    pub async fn poll_source(&self, actor: &Actor, id: i64) -> Result<Option<(PollRecord, Source)>, StoreError> {
        let Some(source) = self.store.source(id).await? else { return Ok(None) };
        let record = poll::poll_source(&self.pipeline, &self.fetcher, &source, actor).await?;
        Ok(self.store.source(id).await?.map(|polled| (record, polled)))
    }
}
