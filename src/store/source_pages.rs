//! Which article pages a source has already stored, so that a poll fetches only the pages
//! it has not: an html source's list links, a full-text feed's item links. A page counts
//! as stored when the source recorded its link (the list may link a page under another
//! address than its canonical one) or when the outlet has an article at that address.

use super::{now_micros, Store, StoreError};

impl Store {
    /// Those of `links` (in their order) that source `source_id` has not stored, nor
    /// outlet `outlet_id` under that address.
    pub async fn unstored_pages(
        &self,
        source_id: i64,
        outlet_id: i64,
        links: &[String],
    ) -> Result<Vec<String>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let mut unstored = Vec::with_capacity(links.len());
        for link in links {
            let stored: i64 = sqlx::query_scalar(
                "SELECT (SELECT COUNT(*) FROM source_pages WHERE source_id = $1 AND url = $3)
                      + (SELECT COUNT(*) FROM articles WHERE outlet_id = $2 AND original_url = $3)",
            )
            .bind(source_id)
            .bind(outlet_id)
            .bind(link)
            .fetch_one(&mut *conn)
            .await?;
            if stored == 0 {
                unstored.push(link.clone());
            }
        }
        Ok(unstored)
    }

    /// Records that source `source_id` has stored the pages at `links`.
    pub async fn record_stored_pages(&self, source_id: i64, links: &[String]) -> Result<(), StoreError> {
        let now = now_micros();
        let mut tx = self.begin_write().await?;
        for link in links {
            sqlx::query(
                "INSERT INTO source_pages (source_id, url, stored_at) VALUES ($1, $2, $3)
                 ON CONFLICT (source_id, url) DO NOTHING",
            )
            .bind(source_id)
            .bind(link)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        Ok(tx.commit().await?)
    }
}
