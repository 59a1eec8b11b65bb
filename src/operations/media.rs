//! Kept images (issue 17): serving a kept file, and where keeping an article's images
//! stands, for staff.

use super::Operations;
use crate::domain::media::MediaName;
use crate::store::media::{ArticleImage, StoredMedia};
use crate::store::StoreError;

impl Operations {
    /// A kept image by its served name.
    pub async fn media(&self, name: &MediaName) -> Result<Option<StoredMedia>, StoreError> {
        self.store.media(name).await
    }

    /// Every image of an article syndic has looked at to keep, and where each stands.
    pub async fn article_images(&self, article_id: i64) -> Result<Vec<ArticleImage>, StoreError> {
        self.store.article_images(article_id).await
    }
}
