//! Sources: the outlets' feeds and list pages syndic polls, polling one at once, and
//! previewing what one would bring.

use super::Operations;
use crate::catalog::{self, CatalogError, SourceEdit, SourceForm, SourcePreviewForm};
use crate::domain::audit::Action;
use crate::domain::source::Source;
use crate::domain::{Actor, FieldErrors};
use crate::ingest::guard::Inadmissible;
use crate::ingest::poll;
use crate::ingest::preview::{self, Preview, Unreadable};
use crate::store::sources::PollRecord;
use crate::store::{Audit, StoreError};

impl Operations {
    /// Every source with its status.
    pub async fn sources(&self) -> Result<Vec<Source>, StoreError> {
        self.store.list_sources().await
    }

    pub async fn source(&self, id: i64) -> Result<Option<Source>, StoreError> {
        self.store.source(id).await
    }

    pub async fn add_source(&self, actor: &Actor, form: SourceForm) -> Result<Source, CatalogError> {
        self.fetchable(form.url.as_deref()).await?;
        catalog::add_source(&self.store, form, Audit::new(actor, Action::SourceAdd)).await
    }

    pub async fn edit_source(&self, actor: &Actor, id: i64, edit: SourceEdit) -> Result<Source, CatalogError> {
        self.fetchable(edit.url.as_deref()).await?;
        catalog::edit_source(&self.store, id, edit, Audit::new(actor, Action::SourceEdit)).await
    }

    /// Refuses a feed address the fetch guard would refuse at every poll: an internal
    /// address, written as one or the only kind its name resolves to (unless `fetch_allow`
    /// names its network). A name that does not resolve now is taken (the poll will say
    /// so), as is a URL too malformed to check (the catalog says why).
    async fn fetchable(&self, url: Option<&str>) -> Result<(), CatalogError> {
        let Some(Ok(url)) = url.map(|u| url::Url::parse(u.trim())) else { return Ok(()) };
        match self.fetcher.check_destination(&url).await {
            Err(Inadmissible::Refused(refused)) => {
                let reason = format!("{}; syndic would never fetch it (fetch_allow names networks it may)", refused.0);
                Err(CatalogError::Invalid(FieldErrors::single("url", reason)))
            }
            _ => Ok(()),
        }
    }

    /// What a source would bring: fetched and read as a poll would, nothing stored. At
    /// most `PREVIEWS_AT_ONCE` run on an instance, each for at most `PREVIEW_DEADLINE`:
    /// one reads up to eleven pages, and any editor may ask for one.
    pub async fn preview_source(&self, form: SourcePreviewForm) -> Result<Preview, PreviewError> {
        self.fetchable(form.url.as_deref()).await?;
        let request = catalog::preview_request(&self.store, form, self.config.site.timezone).await?;
        let _place = PREVIEWS.try_acquire().map_err(|_| PreviewError::Busy)?;
        match tokio::time::timeout(PREVIEW_DEADLINE, preview::preview(&self.fetcher, &request)).await {
            Ok(read) => Ok(read?),
            Err(_) => Err(PreviewError::Unreadable(Unreadable(format!(
                "reading {} took longer than {} s",
                request.url,
                PREVIEW_DEADLINE.as_secs()
            )))),
        }
    }

    /// Stops polling a source.
    pub async fn remove_source(&self, actor: &Actor, id: i64) -> Result<(), StoreError> {
        self.store.delete_source(id, Audit::new(actor, Action::SourceRemove)).await
    }

    /// Polls a source now, even during backoff: the poll's record, and the source as
    /// it stands after it (`None`: no such source).
    pub async fn poll_source(&self, actor: &Actor, id: i64) -> Result<Option<(PollRecord, Source)>, StoreError> {
        let Some(source) = self.store.source(id).await? else { return Ok(None) };
        let audit = Audit::new(actor, Action::SourcePoll);
        let record = poll::poll_source(&self.pipeline, &self.fetcher, &source, actor, Some(audit)).await?;
        Ok(self.store.source(id).await?.map(|polled| (record, polled)))
    }
}

/// Previews running at once on an instance.
const PREVIEWS_AT_ONCE: usize = 2;
static PREVIEWS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(PREVIEWS_AT_ONCE);
/// The longest a preview may take, its pages' fetches included.
const PREVIEW_DEADLINE: std::time::Duration = std::time::Duration::from_secs(60);

/// Why a source could not be previewed.
#[derive(Debug, thiserror::Error)]
pub enum PreviewError {
    /// The form is refused, naming its fields.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// The address could not be fetched, or what it gave could not be read.
    #[error(transparent)]
    Unreadable(#[from] Unreadable),
    /// As many previews as an instance runs at once are running.
    #[error("{PREVIEWS_AT_ONCE} previews are running already: try again in a moment")]
    Busy,
}
