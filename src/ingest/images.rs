//! Keeping outlets' images (issue 17): for an outlet with `keep_images`, every image its
//! articles show — `<img src>` in the content, the lead image, image enclosures — is
//! fetched in the background, through the SSRF guard like every fetch, with the
//! article's own original URL as Referer (hotlink protection, 防盗链, refuses a foreign
//! one), at most `MediaConfig::max_image_bytes`, and kept only if its bytes are an image
//! type syndic serves (`domain::media::ImageType`: never SVG, never what a name or a
//! server claims). A failed fetch is retried with backoff and given up after
//! `MediaConfig::max_attempts`; an image refused (too large, not an image) is not asked
//! for again. Either way readers keep being shown its original URL.
//!
//! Nothing here runs in a push or poll: the keeper follows the change clock as the
//! notifier does (its own watermark, moved in the transaction that queues), and claims
//! queued images with leases, so every instance shares the work and a restart loses
//! nothing. The articles an outlet stored before it kept images are no changes to
//! follow: turning `keep_images` on has the keeper go through them once, a batch a
//! round, with a cursor of the outlet's (`Store::images_backfill`).

use super::fetch::{fetch_image, Fetcher};
use crate::config::MediaConfig;
use crate::domain::media::{img_sources, ImageState, ImageType, MediaName};
use crate::domain::Article;
use crate::store::media::{ImageJob, NewMedia};
use crate::store::watermarks::Follower;
use crate::store::{Store, StoreError};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// How often each instance looks for new changes and due images.
pub const TICK: Duration = Duration::from_millis(200);
/// Changes looked at per round trip to the store.
const CHANGES_PER_STEP: i64 = 500;
/// How long a claimed image stays claimed if the instance fetching it dies: longer than
/// a fetch may take (`fetch::FETCH_TIMEOUT`).
const LEASE_SECS: i64 = 120;
/// Images fetched at once, per instance.
const CONCURRENT_FETCHES: usize = 8;

/// The image keeper of one instance; cheap to clone.
#[derive(Clone)]
pub struct ImageKeeper {
    store: Store,
    fetcher: Fetcher,
    config: MediaConfig,
    fetches: Arc<Semaphore>,
}

impl ImageKeeper {
    pub fn new(store: Store, fetcher: Fetcher, config: MediaConfig) -> ImageKeeper {
        ImageKeeper { store, fetcher, config, fetches: Arc::new(Semaphore::new(CONCURRENT_FETCHES)) }
    }

    /// Runs until `shutdown` completes, then lets the fetches in flight finish.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            if let Err(error) = self.step().await {
                tracing::error!(%error, "image keeper step failed");
            }
            tokio::select! {
                () = tokio::time::sleep(TICK) => {}
                () = &mut shutdown => break,
            }
        }
        let _ = self.fetches.acquire_many(CONCURRENT_FETCHES as u32).await;
    }

    /// One round: queue the images of new changes, then start due fetches, as many as
    /// there are free places; it never waits for a fetch.
    pub async fn step(&self) -> Result<(), StoreError> {
        while self.queue_new_changes().await? {}
        self.queue_older_articles().await?;
        let free = self.fetches.available_permits() as i64;
        for job in self.store.claim_images(free, LEASE_SECS).await? {
            let place = self.fetches.clone().try_acquire_owned().expect("no more is claimed than there are places");
            let this = self.clone();
            tokio::spawn(async move {
                if let Err(error) = this.keep(&job).await {
                    tracing::error!(%error, image = job.url, "cannot record what became of an image");
                }
                drop(place);
            });
        }
        Ok(())
    }

    /// Queues the images of the next changes after the watermark; true if there may be more.
    async fn queue_new_changes(&self) -> Result<bool, StoreError> {
        let from = self.store.watermark(Follower::ImageKeeper).await?;
        let (articles, last) = self.store.images_changed_after(from, CHANGES_PER_STEP).await?;
        let Some(to) = last else { return Ok(false) };
        let images = images_of_all(&articles);
        if self.store.queue_images(from, to, &images).await? && !images.is_empty() {
            tracing::debug!(images = images.len(), "images queued");
        }
        Ok(true)
    }

    /// Queues the images of the next articles an outlet stored before it kept images
    /// (one batch a round, so that new changes are never kept waiting behind them).
    async fn queue_older_articles(&self) -> Result<(), StoreError> {
        let Some(backfill) = self.store.images_backfill(CHANGES_PER_STEP).await? else { return Ok(()) };
        let images = images_of_all(&backfill.articles);
        if self.store.queue_backfilled_images(&backfill, &images).await? && !images.is_empty() {
            tracing::debug!(outlet = backfill.outlet_id, images = images.len(), "images of older articles queued");
        }
        Ok(())
    }

    /// Fetches one image and records what became of it.
    async fn keep(&self, job: &ImageJob) -> Result<(), StoreError> {
        let fetched = fetch_image(&self.fetcher, &job.url, &job.referer, self.config.max_image_bytes).await;
        let failure = match fetched {
            Ok(bytes) => match ImageType::sniff(&bytes) {
                Some(kind) => {
                    let name = MediaName::of(&hex::encode(Sha256::digest(&bytes)), kind);
                    tracing::info!(article = job.article_id, image = job.url, kept = name.file_name(), "image kept");
                    return self.store.keep_image(job, &NewMedia { name, bytes }).await;
                }
                None => (ImageState::Refused, "not an image syndic keeps (JPEG, PNG, GIF, WebP, AVIF)".to_owned()),
            },
            Err(error) if error.refused || error.too_large => (ImageState::Refused, error.message),
            Err(error) => (ImageState::Failed, error.message),
        };
        let attempt = job.attempts + 1;
        match failure {
            (ImageState::Failed, reason) if attempt < i64::from(self.config.max_attempts) => {
                tracing::info!(article = job.article_id, image = job.url, attempt, %reason, "image fetch failed; retried later");
                self.store.retry_image(job.id, self.backoff_micros(attempt), &reason).await
            }
            (state, reason) => {
                tracing::warn!(article = job.article_id, image = job.url, state = state.as_str(), %reason, "image not kept");
                self.store.give_up_image(job.id, state, &reason).await
            }
        }
    }

    /// The delay before retry `attempt` (1-based): the configured base, doubled each time.
    fn backoff_micros(&self, attempt: i64) -> i64 {
        let base = self.config.retry_base.as_micros() as i64;
        base.saturating_mul(1_i64 << (attempt - 1).clamp(0, 20))
    }
}

/// Each `(article id, image URL)` of `articles` to keep.
fn images_of_all(articles: &[Article]) -> Vec<(i64, String)> {
    articles.iter().flat_map(|a| images_of(a).into_iter().map(|url| (a.id, url))).collect()
}

/// The images of `article` to keep, each once: `<img src>` in its content, its lead
/// image, its enclosures of an image type; http(s) URLs only.
pub fn images_of(article: &Article) -> Vec<String> {
    let in_content = article.content_html.as_deref().map(img_sources).unwrap_or_default();
    let lead = article.image.iter().map(|image| image.url.clone());
    let enclosures = article.enclosures.iter().filter(|e| e.mime_type.starts_with("image/")).map(|e| e.url.clone());
    let mut found: Vec<String> = Vec::new();
    for url in in_content.into_iter().chain(lead).chain(enclosures) {
        let web = url::Url::parse(&url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
        if web && !found.contains(&url) {
            found.push(url);
        }
    }
    found
}
