//! Followers of the change clock (`notify_watermarks`, migrations 0006 and 0027): the
//! notifier and the image keeper each keep a position in the change log, and move it
//! only in the transaction that queues the work those changes make. The move is
//! conditional on the position read before, so when two instances follow at once one
//! queues and the other finds it already done: nothing is queued twice or skipped.

use super::{Store, StoreError};

/// Who follows the change clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Follower {
    /// WebSub deliveries and search-engine pings (`notify`).
    Notifier,
    /// The images of outlets that keep them (`ingest::images`).
    ImageKeeper,
}

impl Follower {
    fn name(self) -> &'static str {
        match self {
            Follower::Notifier => "changes",
            Follower::ImageKeeper => "images",
        }
    }
}

impl Store {
    /// The change-clock position up to which `follower` has queued its work.
    pub async fn watermark(&self, follower: Follower) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT position FROM notify_watermarks WHERE name = $1")
            .bind(follower.name())
            .fetch_one(&self.pool)
            .await?)
    }
}

/// Moves `follower`'s position from `from` to `to` in `tx`; false, changing nothing,
/// when another instance moved it first.
pub(super) async fn move_watermark(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    follower: Follower,
    from: i64,
    to: i64,
) -> Result<bool, StoreError> {
    let moved = sqlx::query("UPDATE notify_watermarks SET position = $3 WHERE name = $1 AND position = $2")
        .bind(follower.name())
        .bind(from)
        .bind(to)
        .execute(&mut **tx)
        .await?;
    Ok(moved.rows_affected() == 1)
}
